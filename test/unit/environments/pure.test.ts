// The pure parts of the environment domain: template outputs → variables, parameters for environments and
// deployments, staging names/locations/lifetimes/folders, target checks, transient-failure classification, and
// the export/prefix/artifact input checks.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sinon from "sinon";
import {
  artifactsLocationFor,
  checkArtifactName,
  checkEnvironmentTarget,
  checkExportFolder,
  checkOutputPrefix,
  checkTemplateSource,
  collectTemplateFolder,
  declaresParameter,
  isTransientDeleteFailure,
  populateDeploymentName,
  prepareParameters,
  reportEnvironment,
  reportTemplateOutputs,
  sasValidity,
  stagingContainerName,
  templateOutputVariables,
  toEnvironmentParameters,
  uniqueFileName,
} from "../../../src/environments";
import { AzureOperationError, InputError } from "../../../src/errors";
import { checkLabText } from "../../../src/lab";
import { parseOverrides, parseParametersFile, type JsonValue } from "../../../src/params";
import { CancelledError } from "../../../src/steps";

const SUB = "11111111-2222-3333-4444-555555555555";
const LAB_ID = `/subscriptions/${SUB}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/factory`;
const ENV_ID = `${LAB_ID}/users/31000000-0000-4000-8000-000000000001/environments/web`;
const INPUTS = { template: "template", parametersFile: "parametersFile", parameterOverrides: "parameterOverrides" };

const inputError = (input: string, message?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
  assert.equal(err.input, input);
  if (message) assert.match(err.message, message);
  return true;
};

describe("environments: pure parts", () => {
  describe("templateOutputVariables", () => {
    const outputs = {
      siteUrl: { type: "String", value: "https://web.example" },
      count: { type: "Int", value: 3 },
      enabled: { type: "Bool", value: false },
      settings: { type: "Object", value: { a: [1, 2] } },
      zones: { type: "Array", value: ["1", "2"] },
      password: { type: "SecureString", value: "hunter2-secret" },
      token: { type: "SecureObject" },
      "odd name!": { type: "String", value: "x" },
      empty: { type: "String", value: "" },
    };

    it("sets each output under the prefix with its value as text, secure ones as secrets", () => {
      const { variables, skipped } = templateOutputVariables(outputs, { prefix: "env_", reserved: [] });
      assert.deepEqual(
        variables.map((v) => [v.name, v.value, v.secret]),
        [
          ["env_siteUrl", "https://web.example", false],
          ["env_count", "3", false],
          ["env_enabled", "false", false],
          ["env_settings", '{"a":[1,2]}', false],
          ["env_zones", '["1","2"]', false],
          ["env_password", "hunter2-secret", true],
          ["env_odd_name_", "x", false],
          ["env_empty", "", false],
        ],
      );
      assert.deepEqual(skipped, ["Output 'token' is secure; Azure does not return its value, so no variable was set."]);
    });

    it("never overwrites a variable the task sets, and keeps the first of two that collide", () => {
      const { variables, skipped } = templateOutputVariables({ environmentResourceId: { type: "string", value: "x" }, "a b": { type: "string", value: "1" }, a_b: { type: "string", value: "2" } }, { prefix: "", reserved: ["environmentResourceId"] });
      assert.deepEqual(variables.map((v) => [v.name, v.value]), [["a_b", "1"]]);
      assert.equal(skipped.length, 2);
      assert.match(skipped[0] ?? "", /already set; give a prefix/);
    });

    it("accepts nothing, null and non-objects as no outputs", () => {
      for (const value of [undefined, null, "x", [1], {}]) assert.deepEqual(templateOutputVariables(value, { prefix: "", reserved: [] }), { variables: [], skipped: [] });
    });

    it("checks the prefix", () => {
      assert.equal(checkOutputPrefix(" env_ ", "p"), "env_");
      assert.equal(checkOutputPrefix("", "p"), "");
      assert.throws(() => checkOutputPrefix("env prefix", "p"), inputError("p", /not a valid variable name prefix/));
      assert.throws(() => checkOutputPrefix("secret_", "p"), inputError("p", /reserved/));
      assert.throws(() => checkOutputPrefix("System.x", "p"), inputError("p", /reserved/));
      assert.throws(() => checkOutputPrefix("x".repeat(101), "p"), inputError("p", /at most 100/));
    });
  });

  describe("parameters", () => {
    const template: JsonValue = {
      parameters: {
        siteName: { type: "string" },
        count: { type: "int", defaultValue: 1, maxValue: 5 },
        tags: { type: "object", defaultValue: {} },
        adminPassword: { type: "securestring" },
        _artifactsLocation: { type: "string" },
        _artifactsLocationSasToken: { type: "securestring" },
      },
      resources: [],
    };

    it("merges file and overrides against the template, registers secure values, and waits for values filled later", () => {
      const file = parseParametersFile(JSON.stringify({ parameters: { siteName: { value: "from-file" }, tags: { value: { team: "qa" } } } }), "parametersFile");
      const prepared = prepareParameters({ template, fileParameters: file, overrides: parseOverrides("-siteName web -count 3 -adminPassword 'p@ss word!'", "parameterOverrides"), filledLater: ["_artifactsLocation", "_artifactsLocationSasToken"], inputs: INPUTS });
      assert.deepEqual(Object.keys(prepared.parameters).sort(), ["adminPassword", "count", "siteName", "tags"]);
      assert.deepEqual(prepared.parameters.count, { value: 3 });
      assert.deepEqual(prepared.parameters.siteName, { value: "web" });
      assert.ok(prepared.secretValues.includes("p@ss word!"));
    });

    it("fails naming the overrides input for a missing value, an undeclared name or a value out of range", () => {
      assert.throws(() => prepareParameters({ template, overrides: parseOverrides("-siteName web", "parameterOverrides"), inputs: INPUTS }), inputError("parameterOverrides", /needs a value for 'adminPassword', '_artifactsLocation', '_artifactsLocationSasToken'/));
      assert.throws(() => prepareParameters({ template, overrides: parseOverrides("-colour blue", "parameterOverrides"), inputs: INPUTS }), inputError("parameterOverrides", /colour/));
      assert.throws(() => prepareParameters({ template, overrides: parseOverrides("-siteName a -adminPassword b -count 6", "parameterOverrides"), filledLater: ["_artifactsLocation", "_artifactsLocationSasToken"], inputs: INPUTS }), inputError("parameterOverrides", /above the maximum 5/));
      assert.throws(() => prepareParameters({ template: { parameters: { x: { type: "date" } } }, inputs: INPUTS }), inputError("template", /type 'date'/));
    });

    it("sets the values the task fills in (the staging location and SAS) last", () => {
      const prepared = prepareParameters({ template, overrides: parseOverrides("-siteName a -adminPassword b", "parameterOverrides"), set: { _artifactsLocation: "https://x/c", _artifactsLocationSasToken: "?sv=1&sig=abc" }, inputs: INPUTS });
      assert.deepEqual(prepared.parameters._artifactsLocation, { value: "https://x/c" });
      assert.ok(prepared.secretValues.includes("?sv=1&sig=abc"), "the SAS parameter is secure");
    });

    it("gives DevTest Labs string values, and refuses Key Vault references", () => {
      const list = toEnvironmentParameters(Object.assign(Object.create(null), { a: { value: "x" }, b: { value: 3 }, c: { value: true }, d: { value: { k: [1] } }, e: { value: null } }), "parametersFile");
      assert.deepEqual(list, [
        { name: "a", value: "x" },
        { name: "b", value: "3" },
        { name: "c", value: "true" },
        { name: "d", value: '{"k":[1]}' },
        { name: "e", value: "" },
      ]);
      const reference = { reference: { keyVault: { id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv` }, secretName: "pw" } };
      assert.throws(() => toEnvironmentParameters(Object.assign(Object.create(null), { pw: reference }), "parametersFile"), inputError("parametersFile", /Key Vault reference/));
    });

    it("tells whether a template declares a parameter, ignoring case", () => {
      assert.equal(declaresParameter(template, "_ARTIFACTSLOCATION"), true);
      assert.equal(declaresParameter(template, "other"), false);
      assert.equal(declaresParameter({ resources: [] }, "_artifactsLocation"), false);
      assert.equal(declaresParameter(null, "x"), false);
    });
  });

  describe("staging", () => {
    it("makes a fresh lower-case container name per run", () => {
      assert.equal(stagingContainerName(() => Buffer.from("a1b2c3d4e5f6", "hex")), "dtl-env-staging-a1b2c3d4e5f6");
      const name = stagingContainerName();
      assert.match(name, /^[a-z0-9-]{3,63}$/);
      assert.notEqual(name, stagingContainerName());
    });

    it("ends _artifactsLocation with a slash only for templates that combine it with uri()", () => {
      const url = "https://acct.blob.core.windows.net/dtl-env-staging-1/";
      assert.equal(artifactsLocationFor(url, `"[concat(parameters('_artifactsLocation'), '/nested/a.json', parameters('_artifactsLocationSasToken'))]"`), "https://acct.blob.core.windows.net/dtl-env-staging-1");
      assert.equal(artifactsLocationFor(url, `"[uri(parameters('_artifactsLocation'), concat('nested/a.json', parameters('_artifactsLocationSasToken')))]"`), "https://acct.blob.core.windows.net/dtl-env-staging-1/");
      assert.equal(artifactsLocationFor(url, `"[URI( parameters( '_artifactsLocation' ), 'x')]"`), "https://acct.blob.core.windows.net/dtl-env-staging-1/");
    });

    it("keeps the SAS short: the timeout plus 15 minutes, never more than 7 days, starting 5 minutes back", () => {
      const now = new Date("2026-11-21T10:00:00Z");
      const hour = sasValidity(now, 60 * 60_000);
      assert.equal(hour.startsOn.toISOString(), "2026-11-21T09:55:00.000Z");
      assert.equal(hour.expiresOn.toISOString(), "2026-11-21T11:15:00.000Z");
      const long = sasValidity(now, 30 * 24 * 3600_000);
      assert.ok(long.expiresOn.getTime() - now.getTime() < 7 * 24 * 3600_000);
    });

    it("collects the template's folder recursively, in order, without hidden entries or links", () => {
      const folder = mkdtempSync(join(tmpdir(), "collect-"));
      mkdirSync(join(folder, "nested", "deep"), { recursive: true });
      mkdirSync(join(folder, ".git"));
      writeFileSync(join(folder, "azuredeploy.json"), "{}");
      writeFileSync(join(folder, "nested", "b.json"), "{}");
      writeFileSync(join(folder, "nested", "deep", "c.ps1"), "echo");
      writeFileSync(join(folder, ".git", "config"), "x");
      writeFileSync(join(folder, ".env"), "SECRET=1");
      symlinkSync(tmpdir(), join(folder, "outside"));
      const files = collectTemplateFolder(folder, { inputName: "templateFile" });
      assert.deepEqual(files.map((f) => f.relativePath), ["azuredeploy.json", "nested/b.json", "nested/deep/c.ps1"]);
      assert.equal(files[0]?.size, 2);
    });

    it("refuses a folder with too many files or bytes (it is not the template's own)", () => {
      const folder = mkdtempSync(join(tmpdir(), "collect-big-"));
      for (let i = 0; i < 4; i++) writeFileSync(join(folder, `f${i}.json`), "x".repeat(10));
      assert.throws(() => collectTemplateFolder(folder, { inputName: "templateFile", limits: { maxFiles: 3, maxBytes: 1000 } }), inputError("templateFile", /more than 3 files/));
      assert.throws(() => collectTemplateFolder(folder, { inputName: "templateFile", limits: { maxFiles: 10, maxBytes: 25 } }), inputError("templateFile", /more than 25 bytes/));
    });
  });

  describe("targets", () => {
    const names = { environmentId: "environmentId", lab: "lab", environmentName: "environmentName" };

    it("takes an environment id, or a lab and a name (also typed into the id picker)", () => {
      const byId = checkEnvironmentTarget({ environmentId: ENV_ID, names });
      assert.equal(byId.kind, "id");
      assert.equal(byId.kind === "id" && byId.ref.environmentName, "web");
      assert.deepEqual(checkEnvironmentTarget({ lab: "factory", environmentName: "web", names }), { kind: "name", lab: "factory", name: "web", nameInput: "environmentName" });
      assert.deepEqual(checkEnvironmentTarget({ lab: LAB_ID, environmentId: "web", names }), { kind: "name", lab: LAB_ID, name: "web", nameInput: "environmentId" });
    });

    it("names the input at fault", () => {
      assert.throws(() => checkEnvironmentTarget({ names }), inputError("environmentId", /is required unless/));
      assert.throws(() => checkEnvironmentTarget({ environmentName: "web", names }), inputError("environmentId", /is required unless/));
      assert.throws(() => checkEnvironmentTarget({ environmentId: LAB_ID, names }), inputError("environmentId", /not a valid id/));
      assert.throws(() => checkEnvironmentTarget({ lab: "factory", environmentName: "web!", names }), inputError("environmentName"));
      assert.throws(() => checkEnvironmentTarget({ lab: "fac tory", environmentName: "web", names }), inputError("lab"));
      assert.throws(() => checkLabText(" ", "lab"), inputError("lab", /is required/));
    });

    it("takes a template id, or a repository and a template name", () => {
      const templateId = `${LAB_ID}/artifactSources/Public Environment Repo/armTemplates/WebApp`;
      const names2 = { repository: "repository", template: "template" };
      const byId = checkTemplateSource({ template: templateId, names: names2 });
      assert.equal(byId.kind === "id" && byId.ref.artifactSourceName, "Public Environment Repo");
      assert.deepEqual(checkTemplateSource({ repository: "Public Environment Repo", template: "WebApp", names: names2 }), { kind: "name", repository: { kind: "name", name: "Public Environment Repo" }, template: "WebApp" });
      assert.throws(() => checkTemplateSource({ repository: "r", names: names2 }), inputError("template", /is required/));
      assert.throws(() => checkTemplateSource({ template: "WebApp", names: names2 }), inputError("repository", /is required when/));
      assert.throws(() => checkTemplateSource({ repository: `${LAB_ID}/virtualmachines/x`, template: "WebApp", names: names2 }), inputError("repository", /not a valid id/));
      assert.throws(() => checkTemplateSource({ template: `${LAB_ID}/artifactSources/r`, names: names2 }), inputError("template", /not a valid id/));
    });
  });

  describe("isTransientDeleteFailure", () => {
    const azure = (code: string | undefined, status?: number) => new AzureOperationError("Deleting", "env", `it failed${status ? ` (HTTP ${status})` : ""}.`, code);
    it("retries throttling, server errors, conflicts and failures Azure reports for the operation", () => {
      for (const error of [azure("TooManyRequests", 429), azure("InternalServerError", 500), azure(undefined, 503), azure("Conflict", 409), azure("InternalServerError"), new Error("socket hang up")]) assert.equal(isTransientDeleteFailure(error), true, error.message);
    });
    it("does not retry permissions, locks, bad requests, timeouts, cancels or input errors", () => {
      for (const error of [azure("AuthorizationFailed", 403), azure("ScopeLocked"), azure("BadRequest", 400), azure("OperationTimedOut"), new CancelledError("cancelled"), new InputError("x", "bad")]) assert.equal(isTransientDeleteFailure(error), false, error.message);
    });
  });

  describe("names", () => {
    it("gives the populate deployment a unique name within ARM's limits", () => {
      const name = populateDeploymentName(new Date("2026-11-21T08:57:12.345Z"), () => 0.5);
      assert.equal(name, "populate-20261121-085712-8000");
      assert.ok(name.length <= 64);
    });
    it("makes safe, unique export file names from deployment names", () => {
      const used = new Set<string>();
      assert.equal(uniqueFileName("nested/one", used), "nested_one");
      assert.equal(uniqueFileName("Nested_One", used), "Nested_One-2");
      assert.equal(uniqueFileName("..", used), "_");
      assert.equal(uniqueFileName("", used), "deployment");
    });
  });

  describe("reporting", () => {
    it("checks the export folder: required, no undefined variable, not a file; relative to the working folder", () => {
      const base = mkdtempSync(join(tmpdir(), "export-"));
      writeFileSync(join(base, "file.txt"), "x");
      assert.equal(checkExportFolder("out/env", { inputName: "exportLocation", baseDirectory: base }), join(base, "out", "env"));
      assert.throws(() => checkExportFolder(" ", { inputName: "exportLocation", baseDirectory: base }), inputError("exportLocation", /is required/));
      assert.throws(() => checkExportFolder("$(Undefined.Folder)/env", { inputName: "exportLocation", baseDirectory: base }), inputError("exportLocation", /variable the pipeline did not define/));
      assert.throws(() => checkExportFolder("file.txt", { inputName: "exportLocation", baseDirectory: base }), inputError("exportLocation", /is a file/));
    });

    it("checks the artifact name", () => {
      assert.equal(checkArtifactName(undefined, "a"), "DeployedEnvironment");
      assert.equal(checkArtifactName("Env 1.0_x-y", "a"), "Env 1.0_x-y");
      for (const bad of ["a/b", "..", "x".repeat(101), "a:b"]) assert.throws(() => checkArtifactName(bad, "a"), inputError("a"));
    });

    it("sets the environment's outputs and the template's outputs through the sinks", () => {
      const outputs = { set: sinon.spy() };
      const summary = { fact: sinon.spy(), note: sinon.spy() };
      const log = { info: sinon.spy() };
      reportEnvironment({ outputs, summary }, { id: ENV_ID, name: "web", labName: "factory", userId: "u", resourceGroupId: `/subscriptions/${SUB}/resourceGroups/factory-web-123`, resourceGroupName: "factory-web-123" });
      assert.deepEqual(outputs.set.args.map((a) => a[0]), ["environmentResourceId", "environmentResourceGroupId", "environmentResourceGroupName", "environmentName"]);
      outputs.set.resetHistory();
      const count = reportTemplateOutputs({ outputs, log, summary }, { url: { type: "string", value: "u" }, pw: { type: "securestring", value: "p4ssw0rd" } }, { prefix: "t.", reserved: [] });
      assert.equal(count, 2);
      assert.deepEqual(outputs.set.args, [
        ["t.url", "u", { secret: false }],
        ["t.pw", "p4ssw0rd", { secret: true }],
      ]);
      assert.ok(!log.info.args.flat().some((line: string) => line.includes("p4ssw0rd")), "values are not logged");
    });
  });
});
