// The environment operations against stubbed SDK clients and a fake staging store: finding environments and
// templates, create (reuse, replace, clean-up on failure and cancel), delete (gone, retries), populate (staging and
// its clean-up in every outcome) and export.
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DtlEnvironment } from "@azure/arm-devtestlabs";
import { RestError } from "@azure/core-rest-pipeline";
import {
  collectTemplateFolder,
  createEnvironment,
  deleteEnvironment,
  exportDeployedTemplates,
  findEnvironment,
  populateEnvironment,
  prepareParameters,
  resolveTemplate,
  type CreateEnvironmentOptions,
  type FoundEnvironment,
  type PopulateEnvironmentOptions,
} from "../../../src/environments";
import { AzureOperationError, InputError } from "../../../src/errors";
import type { ResolvedLab } from "../../../src/lab";
import { parseOverrides, type JsonValue } from "../../../src/params";
import { donePoller, hangingPoller } from "../lab/fakes";
import { envIdOf, environmentContext, fakeLab, fakeStore, LAB, LAB_ID, ME, OTHER, REPO, RG, rgIdOf, SUBSCRIPTION, TEMPLATE_ID, type FakeLab } from "./fakes";

const MINUTE = 60_000;
const NAMES = { environmentId: "environmentId", lab: "lab", environmentName: "environmentName" };
const TEMPLATE_NAMES = { repository: "repository", template: "template" };
const lab: ResolvedLab = { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, id: LAB_ID, location: "westeurope" };
const template = { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, artifactSourceName: REPO, templateName: "WebApp", id: TEMPLATE_ID, displayName: "Web App", contents: {} };

function seedEnvironment(fake: FakeLab, name: string, options: { user?: string; state?: string } = {}): DtlEnvironment {
  const user = options.user ?? ME;
  const environment: DtlEnvironment = { id: envIdOf(name, user), name, resourceGroupId: rgIdOf(name), provisioningState: options.state ?? "Succeeded", createdByUser: user };
  fake.state.environments.set(`${user}/${name}`.toLowerCase(), environment);
  return environment;
}

function createOptions(name: string, extra: Partial<CreateEnvironmentOptions> = {}): CreateEnvironmentOptions {
  return { lab, environmentName: name, template, parameters: [{ name: "siteName", value: "web" }], timeoutMs: 10 * MINUTE, ifExists: "reuse", keepFailedEnvironment: false, secrets: [], ...extra };
}

describe("environment operations", () => {
  describe("findEnvironment", () => {
    it("reads an environment by id, and reports a missing one without failing", async () => {
      const fake = fakeLab();
      seedEnvironment(fake, "web");
      const found = await findEnvironment(environmentContext(fake), { kind: "id", ref: { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, userId: ME, environmentName: "web" } }, NAMES);
      assert.equal(found.environment?.name, "web");
      const missing = await findEnvironment(environmentContext(fake), { kind: "id", ref: { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, userId: ME, environmentName: "gone" } }, NAMES);
      assert.equal(missing.environment, undefined);
      assert.equal(missing.id, envIdOf("gone"));
    });

    it("finds any owner's environment by lab and name (@all), and refuses to guess between two", async () => {
      const fake = fakeLab();
      seedEnvironment(fake, "theirs", { user: OTHER });
      const found = await findEnvironment(environmentContext(fake), { kind: "name", lab: "factory", name: "THEIRS", nameInput: "environmentName" }, NAMES);
      assert.equal(found.userId, OTHER, "the owner's id replaces @me");
      assert.equal(found.id, envIdOf("theirs", OTHER));
      assert.equal(fake.dtl.environments.list.firstCall.args[2], "@all");
      seedEnvironment(fake, "theirs", { user: ME });
      await assert.rejects(findEnvironment(environmentContext(fake), { kind: "name", lab: LAB_ID, name: "theirs", nameInput: "environmentName" }, NAMES), (err: unknown) => err instanceof InputError && err.input === "environmentName" && /2 environments are named 'theirs'/.test(err.message));
      const none = await findEnvironment(environmentContext(fake), { kind: "name", lab: LAB_ID, name: "nobody", nameInput: "environmentName" }, NAMES);
      assert.equal(none.environment, undefined);
    });
  });

  describe("resolveTemplate", () => {
    it("finds a template by id, or by the repository's and the template's display names", async () => {
      const fake = fakeLab();
      const byId = await resolveTemplate(environmentContext(fake), { lab, source: { kind: "id", ref: { ...template } }, names: TEMPLATE_NAMES });
      assert.equal(byId.displayName, "Web App");
      const byName = await resolveTemplate(environmentContext(fake), { lab, source: { kind: "name", repository: { kind: "name", name: "public environment repo" }, template: "web app" }, names: TEMPLATE_NAMES });
      assert.equal(byName.templateName, "WebApp");
      assert.deepEqual(byName.contents, { parameters: { siteName: { type: "string" } }, resources: [] });
    });

    it("names the input when the repository or template is not there, listing what is", async () => {
      const fake = fakeLab();
      await assert.rejects(resolveTemplate(environmentContext(fake), { lab, source: { kind: "name", repository: { kind: "name", name: "nope" }, template: "WebApp" }, names: TEMPLATE_NAMES }), (err: unknown) => err instanceof InputError && err.input === "repository" && /'Public Environment Repo', 'Team templates'/.test(err.message));
      await assert.rejects(resolveTemplate(environmentContext(fake), { lab, source: { kind: "name", repository: { kind: "name", name: REPO }, template: "Nope" }, names: TEMPLATE_NAMES }), (err: unknown) => err instanceof InputError && err.input === "template" && /Its templates: 'WebApp'/.test(err.message));
      await assert.rejects(resolveTemplate(environmentContext(fake), { lab, source: { kind: "id", ref: { ...template, labName: "other" } }, names: TEMPLATE_NAMES }), (err: unknown) => err instanceof InputError && err.input === "template" && /belongs to the lab 'other'/.test(err.message));
      await assert.rejects(resolveTemplate(environmentContext(fake), { lab, source: { kind: "id", ref: { ...template, templateName: "Gone" } }, names: TEMPLATE_NAMES }), (err: unknown) => err instanceof InputError && /has no template 'Gone'/.test(err.message));
    });
  });

  describe("createEnvironment", () => {
    it("creates the environment in the caller's name from the template id and returns its deployment's outputs", async () => {
      const fake = fakeLab();
      const result = await createEnvironment(environmentContext(fake), createOptions("web"));
      const [rg, labName, user, name, body] = fake.dtl.environments.beginCreateOrUpdate.firstCall.args as [string, string, string, string, DtlEnvironment];
      assert.deepEqual([rg, labName, user, name], [RG, LAB, "@me", "web"]);
      assert.equal(body.deploymentProperties?.armTemplateId, TEMPLATE_ID);
      assert.deepEqual(body.deploymentProperties?.parameters, [{ name: "siteName", value: "web" }]);
      assert.equal(body.tags?.["created-by"], "dtl-image-factory");
      assert.equal(result.reused, false);
      assert.equal(result.environment.id, envIdOf("web"));
      assert.equal(result.environment.resourceGroupName, `${LAB}-web-123456`);
      assert.deepEqual(result.deployment?.properties?.outputs, { url: { type: "String", value: "https://web.example" } });
      assert.match(result.message, /^Created the environment 'web'/);
    });

    it("keeps an environment that exists and succeeded; fails or replaces it when told", async () => {
      const fake = fakeLab();
      seedEnvironment(fake, "web");
      const reused = await createEnvironment(environmentContext(fake), createOptions("web"));
      assert.equal(reused.reused, true);
      assert.equal(fake.state.creates, 0);
      await assert.rejects(createEnvironment(environmentContext(fake), createOptions("web", { ifExists: "fail" })), (err: unknown) => err instanceof AzureOperationError && err.code === "Conflict" && /already exists/.test(err.message));
      const replaced = await createEnvironment(environmentContext(fake), createOptions("web", { ifExists: "replace" }));
      assert.equal(fake.state.deletes, 1);
      assert.equal(fake.state.creates, 1);
      assert.match(replaced.message, /^Replaced/);
    });

    it("replaces an environment a failed run left behind, and refuses one that is being created", async () => {
      const fake = fakeLab();
      seedEnvironment(fake, "web", { state: "Failed" });
      await createEnvironment(environmentContext(fake), createOptions("web"));
      assert.deepEqual([fake.state.deletes, fake.state.creates], [1, 1]);
      seedEnvironment(fake, "busy", { state: "Creating" });
      await assert.rejects(createEnvironment(environmentContext(fake), createOptions("busy")), /is Creating/);
    });

    it("deletes the environment it started when the creation fails, unless told to keep it", async () => {
      const fake = fakeLab({ createState: () => "Failed" });
      const ctx = environmentContext(fake);
      await assert.rejects(createEnvironment(ctx, createOptions("web")), (err: unknown) => err instanceof AzureOperationError && /provisioning state as Failed/.test(err.message));
      assert.equal(fake.state.environments.size, 0, "removed");
      assert.ok(ctx.log.lines.some((line) => /^Clean-up: Deleted the environment 'web'/.test(line)));

      const kept = fakeLab({ createState: () => "Failed" });
      const keepCtx = environmentContext(kept);
      await assert.rejects(createEnvironment(keepCtx, createOptions("web", { keepFailedEnvironment: true })));
      assert.equal(kept.state.environments.size, 1, "kept");
      assert.ok(keepCtx.log.warnings.some((w) => /Kept the failed environment/.test(w)));
    });

    it("reports ARM's failure without the secrets it echoes, and cleans up", async () => {
      const error = new Error('The long-running operation has failed. DeploymentFailed. {"error":{"code":"DeploymentFailed","message":"password p@ssw0rd-x is too weak ##vso[task.complete result=Succeeded]"}}');
      const fake = fakeLab({ createError: () => error });
      await assert.rejects(createEnvironment(environmentContext(fake), createOptions("web", { secrets: ["p@ssw0rd-x"] })), (err: unknown) => {
        assert.ok(err instanceof AzureOperationError);
        assert.ok(!err.message.includes("p@ssw0rd-x"), err.message);
        assert.ok(!err.message.includes("##vso["), err.message);
        return true;
      });
      assert.equal(fake.state.environments.size, 0);
    });

    it("on cancel, starts deleting what it created without waiting, and reports the cancel", async () => {
      const fake = fakeLab();
      const controller = new AbortController();
      fake.dtl.environments.beginCreateOrUpdate.callsFake(async (_rg: string, _lab: string, _user: string, name: string) => {
        fake.state.environments.set(`${ME}/${name}`, { id: envIdOf(name), name, provisioningState: "Creating" });
        setTimeout(() => controller.abort(), 5);
        return hangingPoller<DtlEnvironment>();
      });
      const ctx = environmentContext(fake, { signal: controller.signal });
      await assert.rejects(createEnvironment(ctx, createOptions("web")), { name: "AbortError" });
      assert.equal(fake.state.deletes, 1, "the delete was sent");
      assert.ok(ctx.log.lines.some((line) => /Clean-up: Azure accepted the delete/.test(line)), ctx.log.lines.join("\n"));
    });
  });

  describe("deleteEnvironment", () => {
    const ref = (name: string, user = ME) => ({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, userId: user, environmentName: name, id: envIdOf(name, user) });

    it("treats an environment that is already gone as deleted", async () => {
      const fake = fakeLab();
      fake.dtl.environments.beginDelete.rejects(new RestError("gone", { statusCode: 404, code: "NotFound" }));
      const result = await deleteEnvironment(environmentContext(fake), { environment: ref("gone"), timeoutMs: MINUTE, waitForCompletion: true, retries: 3 });
      assert.deepEqual([result.deleted, result.attempts], [false, 1]);
      assert.match(result.message, /already deleted/);
    });

    it("retries a transient failure with backoff and succeeds", async () => {
      const fake = fakeLab({ deleteError: (attempt) => (attempt <= 2 ? new RestError("busy", { statusCode: 503, code: "ServiceUnavailable" }) : undefined) });
      seedEnvironment(fake, "web", { user: OTHER });
      const ctx = environmentContext(fake);
      const result = await deleteEnvironment(ctx, { environment: ref("web", OTHER), timeoutMs: 30 * MINUTE, waitForCompletion: true, retries: 3, retryDelayMs: 1000 });
      assert.deepEqual([result.deleted, result.attempts], [true, 3]);
      assert.deepEqual(ctx.clock.sleeps, [1000, 2000]);
      assert.equal(ctx.log.warnings.length, 2);
      assert.equal(fake.dtl.environments.beginDelete.firstCall.args[2], OTHER, "deleted at its owner's path");
    });

    it("does not retry a permanent failure, nor past the retries", async () => {
      const forbidden = fakeLab({ deleteError: () => new RestError("no", { statusCode: 403, code: "AuthorizationFailed" }) });
      seedEnvironment(forbidden, "web");
      await assert.rejects(deleteEnvironment(environmentContext(forbidden), { environment: ref("web"), timeoutMs: MINUTE, waitForCompletion: true, retries: 3 }), (err: unknown) => err instanceof AzureOperationError && /lacks permission/.test(err.message));
      assert.equal(forbidden.state.deletes, 1);
      const flaky = fakeLab({ deleteError: () => new RestError("busy", { statusCode: 500, code: "InternalServerError" }) });
      seedEnvironment(flaky, "web");
      await assert.rejects(deleteEnvironment(environmentContext(flaky), { environment: ref("web"), timeoutMs: 30 * MINUTE, waitForCompletion: true, retries: 2, retryDelayMs: 0 }));
      assert.equal(flaky.state.deletes, 3);
    });

    it("returns once Azure accepted the delete when not waiting", async () => {
      const fake = fakeLab();
      const poller = hangingPoller<void>();
      fake.dtl.environments.beginDelete.resolves(poller);
      const result = await deleteEnvironment(environmentContext(fake), { environment: ref("web"), timeoutMs: MINUTE, waitForCompletion: false, retries: 0 });
      assert.deepEqual([result.deleted, result.pending, poller.stopped], [true, true, true]);
    });
  });

  describe("populateEnvironment", () => {
    const found = (fake: FakeLab, state = "Succeeded"): FoundEnvironment => ({ ...seedEnvironment(fake, "web", { state }), subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, userId: ME, environmentName: "web", id: envIdOf("web"), environment: fake.state.environments.get(`${ME}/web`) });
    const templateJson = {
      parameters: { siteName: { type: "string" }, _artifactsLocation: { type: "string" }, _artifactsLocationSasToken: { type: "securestring" } },
      resources: [],
    };
    const folder = () => {
      const dir = mkdtempSync(join(tmpdir(), "populate-unit-"));
      mkdirSync(join(dir, "nested"));
      writeFileSync(join(dir, "azuredeploy.json"), JSON.stringify(templateJson));
      writeFileSync(join(dir, "nested", "a.json"), "{}");
      writeFileSync(join(dir, "nested", "b.json"), "{}");
      return dir;
    };
    const options = (fake: FakeLab, store: ReturnType<typeof fakeStore>["store"] | undefined, extra: Partial<PopulateEnvironmentOptions> = {}): PopulateEnvironmentOptions & { registered: string[] } => {
      const registered: string[] = [];
      const dir = folder();
      return {
        environment: found(fake),
        template: templateJson,
        templateName: "azuredeploy.json",
        prepareParameters: (set) => prepareParameters({ template: templateJson as JsonValue, overrides: parseOverrides("-siteName web", "parameterOverrides"), set, filledLater: ["_artifactsLocation", "_artifactsLocationSasToken"], inputs: { template: "templateFile", parametersFile: "parametersFile", parameterOverrides: "parameterOverrides" } }),
        staging: store ? { files: collectTemplateFolder(dir, { inputName: "templateFile" }), openStore: async () => store, templateText: JSON.stringify(templateJson), containerName: "dtl-env-staging-test" } : undefined,
        deploymentName: "populate-1",
        timeoutMs: 10 * MINUTE,
        secrets: [],
        registerSecret: (value) => registered.push(value),
        registered,
        ...extra,
      };
    };

    it("stages the folder, passes the location and SAS to an incremental deployment, then removes the blobs", async () => {
      const fake = fakeLab();
      const { store, blobs, containers, calls } = fakeStore();
      const opts = options(fake, store);
      const result = await populateEnvironment(environmentContext(fake), opts);
      const [rg, name, body] = fake.resources.deployments.beginCreateOrUpdate.firstCall.args as [string, string, { properties: { mode: string; parameters: Record<string, { value: string }> } }];
      assert.deepEqual([rg, name, body.properties.mode], [`${LAB}-web-123456`, "populate-1", "Incremental"]);
      assert.equal(body.properties.parameters._artifactsLocation?.value, "https://afactory123.blob.core.windows.net/dtl-env-staging-test");
      assert.match(body.properties.parameters._artifactsLocationSasToken?.value ?? "", /^\?sv=.*&sp=r&/);
      assert.ok(opts.registered.includes(body.properties.parameters._artifactsLocationSasToken?.value ?? "-"), "the SAS is registered before use");
      assert.deepEqual(calls.filter((c) => c.startsWith("upload")).sort(), ["upload azuredeploy.json", "upload nested/a.json", "upload nested/b.json"]);
      assert.deepEqual([blobs.size, containers.size], [0, 0], "nothing left staged");
      assert.equal(result.stagedFiles, 3);
      assert.equal(result.withIssues, false);
      assert.match(result.message, /the 3 staged file\(s\) were removed/);
    });

    it("removes the staged blobs when the deployment fails", async () => {
      const fake = fakeLab();
      fake.resources.deployments.beginCreateOrUpdate.callsFake(async () => donePoller(undefined, new Error("The long-running operation has failed. DeploymentFailed. boom")));
      fake.resources.deploymentOperations.list.callsFake(async function* () {
        yield { properties: { provisioningState: "Failed", targetResource: { resourceType: "Microsoft.Web/sites", resourceName: "web" }, statusMessage: { error: { code: "Conflict", message: "name taken" } } } };
      });
      const { store, blobs, containers } = fakeStore();
      await assert.rejects(populateEnvironment(environmentContext(fake), options(fake, store)), (err: unknown) => err instanceof AzureOperationError && /Failed operations:\n {2}Microsoft\.Web\/sites 'web': Conflict: name taken/.test(err.message));
      assert.deepEqual([blobs.size, containers.size], [0, 0]);
    });

    it("removes what an upload that failed half-way wrote, and deploys nothing", async () => {
      const fake = fakeLab();
      const { store, blobs, containers } = fakeStore({ failUpload: 2 });
      await assert.rejects(populateEnvironment(environmentContext(fake), options(fake, store)), /upload failed/);
      assert.deepEqual([blobs.size, containers.size], [0, 0]);
      assert.equal(fake.resources.deployments.beginCreateOrUpdate.callCount, 0);
    });

    it("on cancel during the deployment: cancels it and removes the staged blobs", async () => {
      const fake = fakeLab();
      const controller = new AbortController();
      fake.resources.deployments.beginCreateOrUpdate.callsFake(async () => {
        setTimeout(() => controller.abort(), 5);
        return hangingPoller();
      });
      const { store, blobs, containers } = fakeStore();
      const ctx = environmentContext(fake, { signal: controller.signal });
      await assert.rejects(populateEnvironment(ctx, options(fake, store)), { name: "AbortError" });
      assert.equal(fake.resources.deployments.cancel.callCount, 1);
      assert.deepEqual([blobs.size, containers.size], [0, 0]);
    });

    it("on cancel during the uploads: removes the container in one request instead of blob by blob", async () => {
      const fake = fakeLab();
      const controller = new AbortController();
      const { store, blobs, containers, calls } = fakeStore({ onUpload: () => controller.abort() });
      const ctx = environmentContext(fake, { signal: controller.signal });
      await assert.rejects(populateEnvironment(ctx, options(fake, store)), { name: "AbortError" });
      const deletes = calls.filter((c) => c.startsWith("delete"));
      assert.deepEqual(deletes, ["delete container dtl-env-staging-test"], "one request, which the agent's 10 s after a cancel always allow");
      assert.equal(containers.size, 0);
      assert.equal(blobs.size, 0, "the container took its blobs with it");
      assert.equal(fake.resources.deployments.beginCreateOrUpdate.callCount, 0);
    });

    it("on cancel while the container is being created: removes the container the request may have made", async () => {
      const fake = fakeLab();
      const controller = new AbortController();
      const { store, containers } = fakeStore();
      const create = store.createContainer;
      store.createContainer = async (container, signal) => {
        await create(container, signal);
        // Azure made it, but the answer never arrives: the job is cancelled first.
        controller.abort();
        if (signal.aborted) throw Object.assign(new Error("The operation was aborted."), { name: "AbortError" });
      };
      const ctx = environmentContext(fake, { signal: controller.signal });
      await assert.rejects(populateEnvironment(ctx, options(fake, store)), { name: "AbortError" });
      assert.equal(containers.size, 0, "no staging container is left behind");
    });

    it("never removes a container of that name that was there before the run", async () => {
      const fake = fakeLab();
      const { store, containers, calls } = fakeStore();
      containers.add("dtl-env-staging-test");
      store.createContainer = async () => {
        throw new AzureOperationError("Creating the staging container", "storage account 'afactory123'", "The specified container already exists.", "ContainerAlreadyExists");
      };
      await assert.rejects(populateEnvironment(environmentContext(fake), options(fake, store)), /already exists/);
      assert.ok(containers.has("dtl-env-staging-test"));
      assert.deepEqual(calls.filter((c) => c.startsWith("delete")), []);
    });

    it("says so, without failing the deployment, when a staged blob cannot be removed", async () => {
      const fake = fakeLab();
      const { store } = fakeStore();
      store.deleteBlob = async () => {
        throw new Error("503 from storage");
      };
      const ctx = environmentContext(fake);
      const result = await populateEnvironment(ctx, options(fake, store));
      assert.equal(result.withIssues, true);
      assert.match(result.message, /could not all be removed from the container 'dtl-env-staging-test'/);
      assert.ok(ctx.log.warnings.some((w) => /Delete the container by hand/.test(w)));
    });

    it("deploys without staging when told, and refuses an environment that is not ready", async () => {
      const fake = fakeLab();
      const result = await populateEnvironment(environmentContext(fake), options(fake, undefined, { prepareParameters: () => ({ parameters: Object.create(null), secretValues: [], warnings: [] }) }));
      assert.equal(result.stagedFiles, 0);
      const busy = fakeLab();
      await assert.rejects(populateEnvironment(environmentContext(busy), { ...options(busy, undefined), environment: found(busy, "Creating") }), (err: unknown) => err instanceof AzureOperationError && err.code === "Conflict");
      const gone = fakeLab();
      await assert.rejects(populateEnvironment(environmentContext(gone), { ...options(gone, undefined), environment: { ...found(gone), environment: undefined } }), /does not exist/);
    });
  });

  describe("exportDeployedTemplates", () => {
    it("writes the main template, the others under linked/, and a manifest without SAS", async () => {
      const fake = fakeLab();
      fake.state.deployments.set("web", { name: "web", properties: { provisioningState: "Succeeded", timestamp: new Date("2026-11-21T08:00:00Z") } });
      fake.state.deployments.set("nested", { name: "nested/one", properties: { provisioningState: "Succeeded", timestamp: new Date("2026-11-21T08:01:00Z"), templateLink: { uri: "https://a.blob.core.windows.net/c/nested.json?sv=1&sig=secret" } } });
      const folder = join(mkdtempSync(join(tmpdir(), "export-unit-")), "out");
      const exported = await exportDeployedTemplates(environmentContext(fake), { group: { subscriptionId: SUBSCRIPTION, resourceGroup: "factory-web-123456" }, mainDeployment: "web", folder });
      assert.deepEqual(exported.files, ["azuredeploy.json", "linked/nested_one.json", "deployments.json"]);
      assert.ok(existsSync(join(folder, "linked", "nested_one.json")));
      const manifest = readFileSync(join(folder, "deployments.json"), "utf8");
      assert.ok(manifest.includes('"templateLink": "https://a.blob.core.windows.net/c/nested.json"'));
      assert.ok(!manifest.includes("sig="));
    });
  });
});
