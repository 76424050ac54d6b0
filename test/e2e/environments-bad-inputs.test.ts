// A table of bad inputs for the environment tasks: each fails the task with a message that starts with the input's
// name (and says what is expected), and the emulator's request log shows no ARM write (PUT, POST, PATCH, DELETE)
// for the run. Reads (the lab, the repository, the template, the environment) are allowed: some inputs can only be
// checked against what Azure holds.
import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeRuntime } from "../harness";
import { assertFailsNamingInput, badInputTitle, type BadInput as BadInputOf } from "./bad-input-support";
import { assertSucceeded, FACTORY_LAB, FACTORY_LAB_ID, FACTORY_SUBSCRIPTION, LINKED_TEMPLATE_PARAMETERS, tempFile, useLabEmulator } from "./lab-support";

type BadInput = BadInputOf<"LabEnvironmentCreate" | "LabEnvironmentPopulate" | "LabEnvironmentDelete">;

const REPOSITORY = "Public Environment Repo";
const TEMPLATE_ID = (lab: string, template: string) => `${lab}/artifactSources/${REPOSITORY}/armTemplates/${template}`;
const OTHER_LAB_ID = `/subscriptions/${FACTORY_SUBSCRIPTION}/resourceGroups/teams-east-rg/providers/Microsoft.DevTestLab/labs/TeamLabEast`;
const MISSING_ENVIRONMENT_ID = `${FACTORY_LAB_ID}/users/31000000-0000-4000-8000-000000000001/environments/no-such-env`;
const SECOND_PRINCIPAL = "30000000-0000-4000-8000-000000000002";

describe("environment tasks end to end: bad inputs fail before any Azure write", function () {
  this.timeout(600_000);
  const e2e = useLabEmulator();
  const node = nodeRuntime(20);

  const files = {
    sqlParameters: () => tempFile("azuredeploy.parameters.json", JSON.stringify({ parameters: { "Database Administrator Login": { value: "dbadmin" }, "Database Administrator Login Password": { value: "Db-Passw0rd!bad-1" } } })),
    notJson: () => tempFile("azuredeploy.parameters.json", "{ \"parameters\": { "),
    undeclared: () => tempFile("azuredeploy.parameters.json", JSON.stringify({ parameters: { colour: { value: "blue" } } })),
    keyVault: () =>
      tempFile(
        "azuredeploy.parameters.json",
        JSON.stringify({
          parameters: {
            "Database Administrator Login": { value: "dbadmin" },
            "Database Administrator Login Password": { reference: { keyVault: { id: `/subscriptions/${FACTORY_SUBSCRIPTION}/resourceGroups/factory-rg/providers/Microsoft.KeyVault/vaults/kv` }, secretName: "sql-password" } },
          },
        }),
      ),
    aFile: () => tempFile("not-a-folder.txt", "a file where a folder is expected"),
    populateTemplate: () => {
      const folder = mkdtempSync(join(tmpdir(), "env-bad-"));
      mkdirSync(join(folder, "nested"));
      writeFileSync(join(folder, "nested", "inner.json"), JSON.stringify({ resources: [] }));
      const path = join(folder, "azuredeploy.json");
      writeFileSync(
        path,
        JSON.stringify({
          $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          contentVersion: "1.0.0.0",
          parameters: LINKED_TEMPLATE_PARAMETERS,
          resources: [],
        }),
      );
      return path;
    },
    notATemplate: () => tempFile("azuredeploy.json", JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentParameters.json#", parameters: { siteName: { value: "x" } } })),
    badJsonTemplate: () => tempFile("azuredeploy.json", "{ \"resources\": [ }"),
  };

  const create = (extra: Record<string, string> = {}) => ({ lab: FACTORY_LAB_ID, repository: REPOSITORY, template: "WebApp-SQL", environmentName: "bad-input-env", parametersFile: files.sqlParameters(), ...extra });
  const serviceFabric = (overrides: string) => create({ template: "ServiceFabric-LabCluster", parametersFile: "", parameterOverrides: `-adminUsername sf -adminPassword $(VmPassword) -certificate MIIB -certificatePassword $(VmPassword) -certificateThumbprint 0A1B ${overrides}` });
  const populate = (extra: Record<string, string> = {}) => ({ environmentId: MISSING_ENVIRONMENT_ID, templateFile: files.populateTemplate(), parameterOverrides: "-siteName web -adminSecret $(VmPassword)", ...extra });

  const table = (): BadInput[] => [
    // LabEnvironmentCreate: the lab
    { task: "LabEnvironmentCreate", inputs: create({ lab: "" }), input: "lab", says: /is required/ },
    { task: "LabEnvironmentCreate", inputs: create({ lab: "/subscriptions/abc" }), input: "lab", says: /not a valid id/ },
    { task: "LabEnvironmentCreate", inputs: create({ lab: "my lab!" }), input: "lab", says: /lab name/ },
    { task: "LabEnvironmentCreate", inputs: create({ lab: "NoSuchLab" }), input: "lab", says: /no lab named/ },
    { task: "LabEnvironmentCreate", inputs: create({ lab: `/subscriptions/${FACTORY_SUBSCRIPTION}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/Missing` }), input: "lab", says: /does not exist/ },
    { task: "LabEnvironmentCreate", inputs: create({ lab: `${FACTORY_LAB_ID}/virtualmachines/vm1` }), input: "lab", says: /virtualmachines/ },
    // the repository and the template
    { task: "LabEnvironmentCreate", inputs: create({ template: "" }), input: "template", says: /is required/ },
    { task: "LabEnvironmentCreate", inputs: create({ template: `${FACTORY_LAB_ID}/virtualmachines/vm1` }), input: "template", says: /not a valid id/ },
    { task: "LabEnvironmentCreate", inputs: create({ template: "NoSuchTemplate" }), input: "template", says: /has no template 'NoSuchTemplate'.*WebApp/ },
    { task: "LabEnvironmentCreate", inputs: create({ template: TEMPLATE_ID(OTHER_LAB_ID, "WebApp") }), input: "template", says: /belongs to the lab 'TeamLabEast'/ },
    { task: "LabEnvironmentCreate", inputs: create({ template: TEMPLATE_ID(FACTORY_LAB_ID, "NoSuchTemplate") }), input: "template", says: /has no template/ },
    { task: "LabEnvironmentCreate", inputs: create({ repository: "" }), input: "repository", says: /is required when 'template' is a name/ },
    { task: "LabEnvironmentCreate", inputs: create({ repository: "No Such Repo" }), input: "repository", says: /no repository 'No Such Repo'.*Public Environment Repo/ },
    { task: "LabEnvironmentCreate", inputs: create({ repository: `${FACTORY_LAB_ID}/artifactsources` }), input: "repository", says: /not a valid id/ },
    // the environment's name
    { task: "LabEnvironmentCreate", inputs: create({ environmentName: "" }), input: "environmentName", says: /is required/ },
    { task: "LabEnvironmentCreate", inputs: create({ environmentName: "bad name!" }), input: "environmentName", says: /not a valid environment name/ },
    { task: "LabEnvironmentCreate", inputs: create({ environmentName: "env-" }), input: "environmentName", says: /cannot end with a hyphen/ },
    { task: "LabEnvironmentCreate", inputs: create({ environmentName: "e".repeat(81) }), input: "environmentName", says: /at most 80/ },
    // the parameters, checked against the template the repository holds
    { task: "LabEnvironmentCreate", inputs: create({ parametersFile: "no/such/parameters.json" }), input: "parametersFile", says: /does not exist/ },
    { task: "LabEnvironmentCreate", inputs: create({ parametersFile: files.notJson() }), input: "parametersFile", says: /not valid JSON/ },
    { task: "LabEnvironmentCreate", inputs: create({ parametersFile: files.undeclared() }), input: "parametersFile", says: /'colour', which the template does not declare/ },
    { task: "LabEnvironmentCreate", inputs: create({ parametersFile: files.keyVault() }), input: "parametersFile", says: /Key Vault reference/ },
    { task: "LabEnvironmentCreate", inputs: create({ parametersFile: "" }), input: "parameterOverrides", says: /needs a value for 'Database Administrator Login'/ },
    { task: "LabEnvironmentCreate", inputs: create({ parameterOverrides: "-colour blue" }), input: "parameterOverrides", says: /colour/ },
    { task: "LabEnvironmentCreate", inputs: create({ parameterOverrides: "-siteName 'unclosed" }), input: "parameterOverrides", says: /never closed/ },
    { task: "LabEnvironmentCreate", inputs: serviceFabric("-appPort1 eighty"), input: "parameterOverrides", says: /whole number/ },
    { task: "LabEnvironmentCreate", inputs: serviceFabric("-clusterOS MacOS"), input: "parameterOverrides", says: /not one of the values the template allows/ },
    { task: "LabEnvironmentCreate", inputs: serviceFabric("-appPort1 0"), input: "parameterOverrides", says: /below the minimum 1/ },
    // outputs, export and the rest
    { task: "LabEnvironmentCreate", inputs: create({ outputTemplateVariables: "yes please" }), input: "outputTemplateVariables", says: /true or false/ },
    { task: "LabEnvironmentCreate", inputs: create({ outputVariablePrefix: "env prefix!" }), input: "outputVariablePrefix", says: /not a valid variable name prefix/ },
    { task: "LabEnvironmentCreate", inputs: create({ outputVariablePrefix: "system.env" }), input: "outputVariablePrefix", says: /reserved/ },
    { task: "LabEnvironmentCreate", inputs: create({ exportTemplate: "true", exportLocation: "" }), input: "exportLocation", says: /is required when exporting/ },
    { task: "LabEnvironmentCreate", inputs: create({ exportTemplate: "true", exportLocation: files.aFile() }), input: "exportLocation", says: /is a file/ },
    { task: "LabEnvironmentCreate", inputs: create({ exportTemplate: "true", exportArtifactName: "bad/name" }), input: "exportArtifactName", says: /not a valid artifact name/ },
    { task: "LabEnvironmentCreate", inputs: create({ ifExists: "overwrite" }), input: "ifExists", says: /one of reuse, fail, replace/ },
    { task: "LabEnvironmentCreate", inputs: create({ keepFailedEnvironment: "maybe" }), input: "keepFailedEnvironment", says: /true or false/ },
    { task: "LabEnvironmentCreate", inputs: create({ timeoutMinutes: "0" }), input: "timeoutMinutes", says: /from 1 to 1440/ },
    { task: "LabEnvironmentCreate", inputs: create({ pollIntervalSeconds: "fast" }), input: "pollIntervalSeconds", says: /from 1 to 300/ },
    // LabEnvironmentPopulate: the environment
    { task: "LabEnvironmentPopulate", inputs: populate({ environmentId: "" }), input: "environmentId", says: /is required unless both 'lab' and 'environmentName'/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ environmentId: FACTORY_LAB_ID }), input: "environmentId", says: /not a valid id/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ environmentId: `${MISSING_ENVIRONMENT_ID}?api-version=2018-09-15` }), input: "environmentId", says: /query string/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ environmentId: "", lab: FACTORY_LAB, environmentName: "bad name" }), input: "environmentName", says: /not a valid environment name/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ environmentId: "", lab: "bad lab!", environmentName: "env1" }), input: "lab", says: /lab name/ },
    { task: "LabEnvironmentPopulate", inputs: populate(), input: "environmentId", says: /does not exist/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ environmentId: "", lab: FACTORY_LAB, environmentName: "no-such-env" }), input: "environmentName", says: /does not exist/ },
    // the template and its parameters
    { task: "LabEnvironmentPopulate", inputs: populate({ templateFile: "" }), input: "templateFile", says: /is required/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ templateFile: "no/such/azuredeploy.json" }), input: "templateFile", says: /does not exist/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ templateFile: files.notATemplate() }), input: "templateFile", says: /no 'resources' array/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ templateFile: files.badJsonTemplate() }), input: "templateFile", says: /not valid JSON/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ parameterOverrides: "-siteName" }), input: "parameterOverrides", says: /has no value/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ parameterOverrides: "-siteName web" }), input: "parameterOverrides", says: /needs a value for 'adminSecret'/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ parameterOverrides: "-siteName web -adminSecret $(VmPassword) -instanceCount 9" }), input: "parameterOverrides", says: /above the maximum 5/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ stageArtifacts: "never" }), input: "parameterOverrides", says: /_artifactsLocation/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ stageArtifacts: "sometimes" }), input: "stageArtifacts", says: /one of auto, always, never/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ deploymentName: "bad/name" }), input: "deploymentName", says: /not a valid deployment name/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ outputVariablePrefix: "input_" }), input: "outputVariablePrefix", says: /reserved/ },
    { task: "LabEnvironmentPopulate", inputs: populate({ timeoutMinutes: "1441" }), input: "timeoutMinutes", says: /from 1 to 1440/ },
    // LabEnvironmentDelete
    { task: "LabEnvironmentDelete", inputs: {}, input: "environmentId", says: /is required unless/ },
    { task: "LabEnvironmentDelete", inputs: { environmentId: TEMPLATE_ID(FACTORY_LAB_ID, "WebApp") }, input: "environmentId", says: /armTemplates/ },
    { task: "LabEnvironmentDelete", inputs: { lab: FACTORY_LAB_ID }, input: "environmentId", says: /is required unless/ },
    { task: "LabEnvironmentDelete", inputs: { lab: "/subscriptions/not-a-guid/resourceGroups/rg", environmentName: "env1" }, input: "lab", says: /not a subscription id/ },
    { task: "LabEnvironmentDelete", inputs: { lab: FACTORY_LAB, environmentName: "env." }, input: "environmentName" },
    { task: "LabEnvironmentDelete", inputs: { environmentId: MISSING_ENVIRONMENT_ID, retryCount: "11" }, input: "retryCount", says: /from 0 to 10/ },
    { task: "LabEnvironmentDelete", inputs: { environmentId: MISSING_ENVIRONMENT_ID, retryDelaySeconds: "-1" }, input: "retryDelaySeconds", says: /from 0 to 600/ },
    { task: "LabEnvironmentDelete", inputs: { environmentId: MISSING_ENVIRONMENT_ID, waitForCompletion: "sometimes" }, input: "waitForCompletion", says: /true or false/ },
    { task: "LabEnvironmentDelete", inputs: { environmentId: MISSING_ENVIRONMENT_ID, timeoutMinutes: "soon" }, input: "timeoutMinutes" },
  ];

  const cases = table();
  it("has at least 30 cases", () => assert.ok(cases.length >= 30, `${cases.length} cases`));

  const check = (item: BadInput, connection?: ReturnType<typeof e2e.connection>) =>
    assertFailsNamingInput(e2e, item, () => e2e.run({ task: item.task, node, inputs: item.inputs, debug: true, ...(connection ? { connection } : {}) }));

  for (const item of cases) {
    const shown = JSON.stringify(item.inputs).replace(new RegExp(FACTORY_LAB_ID, "g"), "<lab>").replace(/"[^"]*(lab-e2e|env-bad)-[^"]*"/g, '"<temp file>"');
    it(badInputTitle(item, shown), () => check(item));
  }

  it("a name two owners use is ambiguous: the delete asks for the id instead of guessing", async () => {
    const name = "shared-name";
    const inputs = { lab: FACTORY_LAB_ID, repository: REPOSITORY, template: "WebApp", environmentName: name };
    assertSucceeded(await e2e.run({ task: "LabEnvironmentCreate", node, inputs }));
    const other = e2e.emulator.serviceConnection("spnKey", { clientId: SECOND_PRINCIPAL, subscriptionId: FACTORY_SUBSCRIPTION });
    assertSucceeded(await e2e.run({ task: "LabEnvironmentCreate", node, connection: other, inputs }));
    await check({ task: "LabEnvironmentDelete", inputs: { lab: FACTORY_LAB, environmentName: name }, input: "environmentName", says: /2 environments are named 'shared-name'.*Give the environment's resource id/ });
    await check({ task: "LabEnvironmentPopulate", inputs: { lab: FACTORY_LAB, environmentName: name, templateFile: files.populateTemplate(), parameterOverrides: "-siteName web -adminSecret $(VmPassword)" }, input: "environmentName", says: /2 environments/ });
  });
});
