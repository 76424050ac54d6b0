// LabEnvironmentPopulate end to end on Node 20 and Node 24 against the offline Azure: a template that links a nested
// template from its own folder is staged in the lab's storage (Azurite), deployed into the environment's resource
// group with a read-only HTTPS-only SAS, its outputs reach a later step as output variables, and the staged blobs
// are gone afterwards — after success, after a deployment that fails (injected fault) and after a cancel.
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { devAccountName } from "../emulator/storage/blob-backend";
import { forEachNode, startTask, type TaskRunResult } from "../harness";
import { azuriteBlobs } from "./azurite-support";
import { assertSucceeded, FACTORY_LAB, FACTORY_LAB_ID, LINKED_TEMPLATE_PARAMETERS, useLabEmulator } from "./lab-support";

const SECRET_VALUE = "Populate-S3cret!9d2f";
const STAGING_PREFIX = "dtl-env-staging-";

/** A template folder: azuredeploy.json links nested/storage.json through _artifactsLocation (concat or uri style). */
function templateFolder(style: "concat" | "uri", options: { missingNested?: boolean } = {}): string {
  const folder = mkdtempSync(join(tmpdir(), "populate-e2e-"));
  const nestedFile = options.missingNested ? "nested/missing.json" : "nested/storage.json";
  const link =
    style === "concat"
      ? `[concat(parameters('_artifactsLocation'), '/${nestedFile}', parameters('_artifactsLocationSasToken'))]`
      : `[uri(parameters('_artifactsLocation'), concat('${nestedFile}', parameters('_artifactsLocationSasToken')))]`;
  const main = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: LINKED_TEMPLATE_PARAMETERS,
    variables: { storageName: "[concat('st', uniqueString(resourceGroup().id, parameters('siteName')))]" },
    resources: [
      {
        type: "Microsoft.Resources/deployments",
        apiVersion: "2021-04-01",
        name: "nestedStorage",
        properties: {
          mode: "Incremental",
          templateLink: { uri: link, contentVersion: "1.0.0.0" },
          parameters: { storageName: { value: "[variables('storageName')]" } },
        },
      },
      {
        type: "Microsoft.Web/serverfarms",
        apiVersion: "2022-09-01",
        name: "[concat(parameters('siteName'), '-plan')]",
        location: "[resourceGroup().location]",
        sku: { name: "F1" },
        properties: {},
      },
    ],
    outputs: {
      siteName: { type: "string", value: "[parameters('siteName')]" },
      storageName: { type: "string", value: "[variables('storageName')]" },
      instances: { type: "int", value: "[parameters('instanceCount')]" },
      settings: { type: "object", value: { tier: "free", regions: ["westeurope"] } },
      adminSecretEcho: { type: "securestring", value: "[parameters('adminSecret')]" },
    },
  };
  const nested = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { storageName: { type: "string" } },
    resources: [
      {
        type: "Microsoft.Storage/storageAccounts",
        apiVersion: "2023-01-01",
        name: "[parameters('storageName')]",
        location: "[resourceGroup().location]",
        sku: { name: "Standard_LRS" },
        kind: "StorageV2",
        properties: {},
      },
    ],
    outputs: { blobEndpoint: { type: "string", value: "[reference(parameters('storageName')).primaryEndpoints.blob]" } },
  };
  mkdirSync(join(folder, "nested"), { recursive: true });
  writeFileSync(join(folder, "azuredeploy.json"), JSON.stringify(main, null, 2));
  writeFileSync(join(folder, "nested", "storage.json"), JSON.stringify(nested, null, 2));
  writeFileSync(join(folder, "README.md"), "Linked templates for the populate test.\n");
  return join(folder, "azuredeploy.json");
}

/** A template that echoes a parameter: the "later step" that reads the populate step's outputs. */
function echoTemplate(): string {
  const folder = mkdtempSync(join(tmpdir(), "populate-echo-"));
  const path = join(folder, "echo.json");
  writeFileSync(
    path,
    JSON.stringify({
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      parameters: { message: { type: "string" }, count: { type: "int" } },
      resources: [],
      outputs: { echoed: { type: "string", value: "[concat(parameters('message'), '/', string(parameters('count')))]" } },
    }),
  );
  return path;
}

describe("LabEnvironmentPopulate end to end: linked templates staged in the lab's storage", function () {
  this.timeout(600_000);
  const e2e = useLabEmulator();

  /** The staging containers in Azurite and the blobs in each. */
  const staged = () => azuriteBlobs(e2e.emulator, STAGING_PREFIX);
  const assertNothingStaged = async (label: string) => {
    const left = await staged();
    const blobs = [...left.values()].flat();
    assert.deepEqual(blobs, [], `${label}: staged blobs remain in ${[...left.keys()].join(", ")}`);
    assert.deepEqual([...left.keys()], [], `${label}: staging containers remain`);
  };
  const resourcesIn = async (resourceGroupId: string, type: string): Promise<string[]> => {
    const arm = (await e2e.emulator.admin.state()).arm as { resources?: Record<string, { type?: string }> };
    const prefix = `${resourceGroupId.toLowerCase()}/`;
    return Object.entries(arm.resources ?? {})
      .filter(([id, resource]) => id.toLowerCase().startsWith(prefix) && resource.type?.toLowerCase() === type.toLowerCase())
      .map(([id]) => id);
  };
  const createEnvironment = async (node: Parameters<typeof e2e.run>[0]["node"], name: string): Promise<{ id: string; resourceGroupId: string }> => {
    const run = await e2e.run({ task: "LabEnvironmentCreate", node, inputs: { lab: FACTORY_LAB_ID, repository: "Public Environment Repo", template: "WebApp", environmentName: name } });
    assertSucceeded(run);
    return { id: run.variable("environmentResourceId")?.value ?? "", resourceGroupId: run.variable("environmentResourceGroupId")?.value ?? "" };
  };
  const deploymentPutBody = async (since: number, deploymentName: string): Promise<Record<string, unknown> | undefined> => {
    const { value } = await e2e.emulator.admin.requests({ since, full: true });
    const put = value.find((r) => r.method === "PUT" && new RegExp(`/deployments/${deploymentName}$`, "i").test(r.path));
    return put?.requestBody ? (JSON.parse(put.requestBody) as Record<string, unknown>) : undefined;
  };

  forEachNode((node) => {
    it("stages the folder, deploys the linked template, sets the outputs for a later step, exports, and removes the staged blobs", async () => {
      const environment = await createEnvironment(node, `populate-n${node.major}`);
      const template = templateFolder("concat");
      const exportFolder = mkdtempSync(join(tmpdir(), "populate-export-"));
      const seq = await e2e.lastSeq();
      const deploymentName = `populate-ok-n${node.major}`;
      const run = await e2e.run({
        task: "LabEnvironmentPopulate",
        node,
        debug: true,
        secrets: { AdminSecret: SECRET_VALUE },
        knownSecrets: [SECRET_VALUE],
        inputs: {
          EnvironmentId: environment.id,
          TemplateFile: template,
          ParameterOverrides: "-siteName web-populate -adminSecret $(AdminSecret) -instanceCount 3",
          OutputTemplateVariables: "true",
          outputVariablePrefix: "web_",
          ExportEnvironmentTemplate: "true",
          ExportEnvironmentTemplateLocation: exportFolder,
          deploymentName,
          pollIntervalSeconds: "1",
        },
      });
      assertSucceeded(run);
      assert.match(run.result.message ?? "", /the 3 staged file\(s\) were removed/);
      assert.equal(run.variable("environmentResourceId")?.value.toLowerCase(), environment.id.toLowerCase());
      assert.equal(run.variable("deploymentName")?.value, deploymentName);
      for (const [name, value] of [
        ["web_siteName", "web-populate"],
        ["web_instances", "3"],
        ["web_settings", JSON.stringify({ tier: "free", regions: ["westeurope"] })],
      ] as const) {
        const variable = run.variable(name);
        assert.equal(variable?.value, value, name);
        assert.equal(variable?.isOutput, true, `${name} is an output variable`);
      }
      assert.ok(!run.variables.some((v) => v.name === "web_adminSecretEcho"), "a secure output has no value to set");
      assert.ok(run.stdoutLines.some((line) => /Output 'adminSecretEcho' is secure/.test(line)));

      // The nested template was downloaded from the lab's storage: its storage account exists in the environment.
      const storageName = run.variable("web_storageName")?.value ?? "";
      assert.ok((await resourcesIn(environment.resourceGroupId, "Microsoft.Storage/storageAccounts")).some((id) => id.toLowerCase().endsWith(`/${storageName.toLowerCase()}`)), "the nested template's storage account exists");
      // What ARM got: the container URL and a read-only, HTTPS-only SAS that ends soon.
      const body = await deploymentPutBody(seq, deploymentName);
      const parameters = (body?.properties as { parameters?: Record<string, { value?: string }> } | undefined)?.parameters ?? {};
      const location = parameters._artifactsLocation?.value ?? "";
      const token = new URLSearchParams((parameters._artifactsLocationSasToken?.value ?? "").replace(/^\?/, ""));
      assert.match(location, new RegExp(`^https://127\\.0\\.0\\.1:\\d+/${devAccountName}/${STAGING_PREFIX}[0-9a-f]{12}$`));
      assert.equal(token.get("sp"), "r", "read-only");
      assert.equal(token.get("spr"), "https", "HTTPS only");
      assert.equal(token.get("sr"), "c", "one container");
      assert.ok(token.get("skoid"), "a user delegation SAS (no account key)");
      const lifetime = new Date(token.get("se") ?? "").getTime() - Date.now();
      assert.ok(lifetime > 0 && lifetime <= 76 * 60_000, `valid for the timeout plus a margin, not longer (${Math.round(lifetime / 60_000)} min)`);
      assert.ok(run.secretsRegistered.some((secret) => secret.value === `?${token.toString()}` || secret.value === token.toString()), "the SAS is registered as a secret");
      await assertNothingStaged("after success");

      // The export: the main template, the nested one, and the manifest; published as an artifact.
      assert.ok(existsSync(join(exportFolder, "azuredeploy.json")));
      const manifest = JSON.parse(readFileSync(join(exportFolder, "deployments.json"), "utf8")) as { deployments: { name: string; file: string; templateLink?: string }[] };
      const nested = manifest.deployments.find((d) => d.name === "nestedStorage");
      assert.ok(nested && existsSync(join(exportFolder, nested.file)), "the linked template is exported");
      assert.ok(!JSON.stringify(manifest).includes("sig="), "no SAS in the export");
      assert.ok(run.commands.some((c) => c.name === "artifact.upload" && c.data === exportFolder && c.properties.artifactname === "DeployedEnvironment"), "the folder is published as an artifact");

      // A later step reads the outputs as a pipeline passes them: $(populate.web_siteName).
      const later = await e2e.run({
        task: "LabEnvironmentPopulate",
        node,
        variables: { "populate.web_siteName": run.variable("web_siteName")?.value ?? "", "populate.web_instances": run.variable("web_instances")?.value ?? "" },
        inputs: { lab: FACTORY_LAB, environmentName: `populate-n${node.major}`, templateFile: echoTemplate(), parameterOverrides: "-message $(populate.web_siteName) -count $(populate.web_instances)", outputTemplateVariables: "true" },
      });
      assertSucceeded(later);
      assert.equal(later.variable("echoed")?.value, "web-populate/3");
      assert.match(later.result.message ?? "", /Deployed echo\.json/);
      assert.ok(!/staged/.test(later.result.message ?? ""), "a template without _artifactsLocation stages nothing");

      assertSucceeded(await e2e.run({ task: "LabEnvironmentDelete", node, inputs: { environmentId: environment.id } }));
    });

    it("resolves uri()-style links (trailing slash) and removes the staged blobs when the deployment fails", async () => {
      const environment = await createEnvironment(node, `populate-fail-n${node.major}`);
      const uriStyle = await e2e.run({
        task: "LabEnvironmentPopulate",
        node,
        inputs: { environmentId: environment.id, templateFile: templateFolder("uri"), parameterOverrides: "-siteName web-uri -adminSecret $(AdminSecret)", pollIntervalSeconds: "1" },
        secrets: { AdminSecret: SECRET_VALUE },
        knownSecrets: [SECRET_VALUE],
      });
      assertSucceeded(uriStyle);
      await assertNothingStaged("after the uri() style");

      // The deployment fails: an injected fault ends ARM's operation Failed.
      const deploymentName = `populate-fault-n${node.major}`;
      const fault = await e2e.emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: `**/deployments/${deploymentName}`, count: 1, code: "InternalServerError", message: "The deployment failed: ##vso[task.setvariable variable=injected]oops" });
      try {
        const failed = await e2e.run({
          task: "LabEnvironmentPopulate",
          node,
          debug: true,
          inputs: { environmentId: environment.id, templateFile: templateFolder("concat"), parameterOverrides: "-siteName web-fail -adminSecret $(AdminSecret)", deploymentName, pollIntervalSeconds: "1" },
          secrets: { AdminSecret: SECRET_VALUE },
          knownSecrets: [SECRET_VALUE],
        });
        assert.equal(failed.result.result, "Failed", failed.result.message);
        assert.match(failed.result.message ?? "", /^Deploying azuredeploy\.json into the environment .+ failed on deployment .+: /);
        assert.ok(!failed.variables.some((v) => v.name === "injected"), "an ARM error cannot set variables");
        assert.ok(failed.stdoutLines.some((line) => /Removed the 3 staged file\(s\)/.test(line)), "the cleanup says what it removed");
        await assertNothingStaged("after the injected failure");
      } finally {
        await e2e.emulator.admin.deleteFault(fault.id);
      }

      // The deployment fails on its own: the nested template it links is not in the folder.
      const missing = await e2e.run({
        task: "LabEnvironmentPopulate",
        node,
        inputs: { environmentId: environment.id, templateFile: templateFolder("concat", { missingNested: true }), parameterOverrides: "-siteName web-missing -adminSecret $(AdminSecret)", pollIntervalSeconds: "1" },
        secrets: { AdminSecret: SECRET_VALUE },
        knownSecrets: [SECRET_VALUE],
      });
      assert.equal(missing.result.result, "Failed", missing.result.message);
      assert.match(missing.stdoutLines.join("\n"), /Failed operations:/);
      await assertNothingStaged("after a failed nested deployment");
      assertSucceeded(await e2e.run({ task: "LabEnvironmentDelete", node, inputs: { environmentId: environment.id } }));
    });

    it("leaves nothing staged when cancelled during the deployment, and cancels the deployment", async () => {
      const environment = await createEnvironment(node, `populate-cancel-n${node.major}`);
      const deploymentName = `populate-cancel-n${node.major}`;
      // The deployment's status polls hang, so the task is waiting on it when the agent cancels.
      const fault = await e2e.emulator.admin.addFault({ kind: "latency", method: "GET", path: `**/deployments/${deploymentName}/operationStatuses/**`, ms: 20_000 });
      try {
        const connection = e2e.connection();
        const handle = startTask({
          task: "LabEnvironmentPopulate",
          node,
          inputs: { azureSubscription: connection.id, environmentId: environment.id, templateFile: templateFolder("concat"), parameterOverrides: "-siteName web-cancel -adminSecret $(AdminSecret)", deploymentName, pollIntervalSeconds: "1" },
          endpoints: [connection],
          secrets: { AdminSecret: SECRET_VALUE },
          knownSecrets: [SECRET_VALUE],
          env: connection.env,
          timeoutMs: 60_000,
        });
        await handle.waitForLine((line) => /^Deploy azuredeploy\.json into the environment/.test(line.text));
        // Long enough for the PUT to be sent and the first status poll to hang.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.ok((await staged()).size > 0, "the folder is staged while the deployment runs");
        handle.cancel();
        const run: TaskRunResult = await handle.result;
        assert.equal(run.result.result, "Canceled", run.result.message);
        assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT"], "done within the agent's grace period");
        // At time scale 0 the emulator has finished the deployment by now; the task still tries to cancel it.
        assert.ok(run.stdoutLines.some((line) => /Clean-up: (cancelled the deployment|the deployment '.+' could not be cancelled)/.test(line)), "the deployment is cancelled when still running");
        await assertNothingStaged("after the cancel");
      } finally {
        await e2e.emulator.admin.deleteFault(fault.id);
      }
      assertSucceeded(await e2e.run({ task: "LabEnvironmentDelete", node, inputs: { environmentId: environment.id } }));
    });
  });
});
