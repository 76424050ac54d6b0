// The environment tasks end to end, as a pipeline runs them, on Node 20 and Node 24, against the offline Azure: every
// environment template of the lab's repository creates an environment whose outputs a later step reads (the delete
// step, through $(…) as a pipeline would pass them); deleting twice succeeds; a delete by name finds another
// identity's environment; a transient delete failure is retried; the SharePoint templates fail cleanly.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forEachNode, type TaskRunResult } from "../harness";
import { assertSucceeded, FACTORY_LAB, FACTORY_LAB_ID, samplesDir, tempFile, useLabEmulator } from "./lab-support";

const REPOSITORY = "Public Environment Repo";
const DB_PASSWORD = "Db-Passw0rd!env-5c1e";
const SECOND_PRINCIPAL = "30000000-0000-4000-8000-000000000002";

/** The environment templates the lab's repository holds (the emulator seeds it from the samples). */
const templates = readdirSync(join(samplesDir, "environments")).filter((name) => existsSync(join(samplesDir, "environments", name, "azuredeploy.json")));
const deployable = templates.filter((name) => !name.startsWith("SharePoint-"));
const unsupported = templates.filter((name) => name.startsWith("SharePoint-"));

/** What each template needs besides its defaults. Names with blanks can only come from a parameters file. */
function parameterInputs(template: string): Record<string, string> {
  if (/^WebApp-/.test(template)) {
    const file = tempFile("azuredeploy.parameters.json", JSON.stringify({ parameters: { "Database Administrator Login": { value: "dbadmin" }, "Database Administrator Login Password": { value: DB_PASSWORD } } }));
    return { parametersFile: file };
  }
  if (template === "ServiceFabric-LabCluster") {
    return { parameterOverrides: "-adminUsername sfadmin -adminPassword $(VmPassword) -certificate MIIBszCCAVmgAwIBAgIU -certificatePassword $(VmPassword) -certificateThumbprint 0A1B2C3D4E5F60718293A4B5C6D7E8F901234567" };
  }
  return {};
}

function shortName(template: string): string {
  return template.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 20).replace(/-+$/, "");
}

describe("environment tasks end to end: create, read the outputs in a later step, delete", function () {
  this.timeout(600_000);
  const e2e = useLabEmulator();

  const environments = async (): Promise<string[]> => {
    const arm = (await e2e.emulator.admin.state()).arm as { resources?: Record<string, { type?: string }> };
    return Object.entries(arm.resources ?? {})
      .filter(([, resource]) => resource.type?.toLowerCase() === "microsoft.devtestlab/labs/users/environments")
      .map(([id]) => id.toLowerCase());
  };
  const resourceGroupExists = async (id: string): Promise<boolean> => {
    const arm = (await e2e.emulator.admin.state()).arm as { resources?: Record<string, unknown> };
    return Object.keys(arm.resources ?? {}).some((key) => key.toLowerCase() === id.toLowerCase());
  };
  const output = (run: TaskRunResult, name: string): string => {
    const variable = run.variable(name);
    assert.ok(variable, `${run.label}: the output ${name} is set`);
    assert.equal(variable.isOutput, true, `${name} is an output variable`);
    return variable.value;
  };

  forEachNode((node) => {
    for (const template of deployable) {
      it(`creates an environment from ${template}, a later step reads its outputs and deletes it, and deleting again succeeds`, async () => {
        const name = `${shortName(template)}-n${node.major}`;
        // Half the templates by Microsoft's input names and the template's id, the rest by name and repository.
        const byId = deployable.indexOf(template) % 2 === 0;
        const create = await e2e.run({
          task: "LabEnvironmentCreate",
          node,
          debug: true,
          microsoftNames: byId,
          knownSecrets: [DB_PASSWORD],
          inputs: {
            ...(byId
              ? { LabId: FACTORY_LAB_ID, TemplateId: `${FACTORY_LAB_ID}/artifactSources/${REPOSITORY}/armTemplates/${template}`, EnvironmentName: name, OutputTemplateVariables: "true" }
              : { lab: FACTORY_LAB, repository: REPOSITORY, template, environmentName: name, outputTemplateVariables: "true" }),
            ...parameterInputs(template),
            pollIntervalSeconds: "1",
          },
        });
        assertSucceeded(create);
        const environmentId = output(create, "environmentResourceId");
        const resourceGroupId = output(create, "environmentResourceGroupId");
        const resourceGroupName = output(create, "environmentResourceGroupName");
        assert.match(environmentId, new RegExp(`/labs/${FACTORY_LAB}/users/[^/]+/environments/${name}$`, "i"));
        assert.match(resourceGroupId, new RegExp(`/resourceGroups/${resourceGroupName}$`, "i"));
        assert.equal(output(create, "environmentName"), name);
        assert.ok((await environments()).includes(environmentId.toLowerCase()), "the emulator holds the environment");
        assert.ok(await resourceGroupExists(resourceGroupId), "the environment's resource group exists");
        assert.ok(create.stdoutLines.some((line) => /no outputs to set/.test(line)), "the samples have no template outputs, which is said");

        // A later step, as a pipeline passes an output variable: $(create.environmentResourceId).
        const remove = await e2e.run({
          task: "LabEnvironmentDelete",
          node,
          variables: { "create.environmentResourceId": environmentId },
          inputs: { EnvironmentId: "$(create.environmentResourceId)", pollIntervalSeconds: "1" },
        });
        assertSucceeded(remove);
        assert.match(remove.result.message ?? "", /^Deleted the environment/);
        assert.ok(!(await environments()).includes(environmentId.toLowerCase()), "the environment is gone");
        assert.ok(!(await resourceGroupExists(resourceGroupId)), "its resource group is gone");

        const again = await e2e.run({ task: "LabEnvironmentDelete", node, inputs: { environmentId, pollIntervalSeconds: "1" } });
        assertSucceeded(again);
        assert.match(again.result.message ?? "", /already deleted/);
      });
    }

    for (const template of unsupported) {
      it(`fails cleanly on ${template} (functions the offline Azure does not evaluate) and leaves no environment behind`, async () => {
        const name = `${shortName(template)}-n${node.major}`;
        const before = await environments();
        const run = await e2e.run({
          task: "LabEnvironmentCreate",
          node,
          debug: true,
          inputs: { lab: FACTORY_LAB_ID, repository: REPOSITORY, template, environmentName: name, parameterOverrides: "-adminUsername spadmin -adminPassword $(VmPassword) -otherAccountsPassword $(VmPassword)", pollIntervalSeconds: "1" },
        });
        assert.equal(run.result.result, "Failed", run.result.message);
        const message = run.result.message ?? "";
        assert.match(message, /^Creating the environment '.+' in lab 'FactoryLab' failed on .+: /, "says what failed and where");
        assert.match(message, /template function '\w+' is not valid|InvalidTemplate/i, "gives ARM's reason");
        assert.ok(run.stdoutLines.some((line) => /Clean-up: Deleted the environment/.test(line)), "the failed environment is removed");
        assert.deepEqual(await environments(), before, "no environment is left");
      });
    }

    it("re-running a create that succeeded changes nothing; ifExists=fail fails", async () => {
      const name = `rerun-n${node.major}`;
      const inputs = { lab: FACTORY_LAB_ID, repository: REPOSITORY, template: "WebApp", environmentName: name, pollIntervalSeconds: "1" };
      assertSucceeded(await e2e.run({ task: "LabEnvironmentCreate", node, inputs }));
      const seq = await e2e.lastSeq();
      const rerun = await e2e.run({ task: "LabEnvironmentCreate", node, inputs });
      assertSucceeded(rerun);
      assert.match(rerun.result.message ?? "", /already existed; nothing changed/);
      assert.deepEqual(await e2e.writesSince(seq), [], "the re-run wrote nothing");
      const strict = await e2e.run({ task: "LabEnvironmentCreate", node, inputs: { ...inputs, ifExists: "fail" } });
      assert.equal(strict.result.result, "Failed");
      assert.match(strict.result.message ?? "", /already exists/);
      assertSucceeded(await e2e.run({ task: "LabEnvironmentDelete", node, inputs: { lab: FACTORY_LAB, environmentName: name } }));
    });

    it("deletes by lab and name an environment another identity created (@all), and retries a transient failure", async () => {
      const name = `other-owner-n${node.major}`;
      const create = await e2e.run({ task: "LabEnvironmentCreate", node, inputs: { lab: FACTORY_LAB_ID, repository: REPOSITORY, template: "WebApp", environmentName: name } });
      assertSucceeded(create);
      const environmentId = output(create, "environmentResourceId");
      assert.match(environmentId, /\/users\/31000000-0000-4000-8000-000000000001\/environments\//i, "owned by the first identity");
      const fault = await e2e.emulator.admin.addFault({ kind: "lroFailure", method: "DELETE", path: `**/environments/${name}`, count: 1, code: "InternalServerError", message: "Transient failure while deleting the resource group." });
      try {
        const other = e2e.emulator.serviceConnection("spnKey", { clientId: SECOND_PRINCIPAL, subscriptionId: "20000000-0000-4000-8000-000000000001" });
        const remove = await e2e.run({ task: "LabEnvironmentDelete", node, connection: other, inputs: { lab: FACTORY_LAB_ID, environmentName: name, retryDelaySeconds: "0", pollIntervalSeconds: "1" } });
        assertSucceeded(remove);
        assert.match(remove.result.message ?? "", /\(attempt 2\)/, "the second attempt succeeded");
        assert.ok(remove.warnings.some((warning) => /Attempt 1 to delete/.test(warning)), "the failed attempt is a warning");
        assert.ok(!(await environments()).includes(environmentId.toLowerCase()));
      } finally {
        await e2e.emulator.admin.deleteFault(fault.id);
      }
    });

    it("registers secure parameters from a parameters file as secrets, exports the deployed template, and nothing leaks with system.debug", async () => {
      const name = `secure-n${node.major}`;
      const exportFolder = join(mkdtempSync(join(tmpdir(), "env-export-")), "DeployedEnvironment");
      const run = await e2e.run({
        task: "LabEnvironmentCreate",
        node,
        debug: true,
        knownSecrets: [DB_PASSWORD],
        inputs: {
          lab: FACTORY_LAB_ID,
          repository: REPOSITORY,
          template: "WebApp-SQL",
          environmentName: name,
          outputTemplateVariables: "true",
          outputVariablePrefix: "env_",
          ExportEnvironmentTemplate: "true",
          ExportEnvironmentTemplateLocation: exportFolder,
          exportArtifactName: "WebAppSql",
          ...parameterInputs("WebApp-SQL"),
        },
      });
      assertSucceeded(run);
      assert.ok(run.secretsRegistered.some((secret) => secret.value === DB_PASSWORD), "the secure parameter's value is registered as a secret");
      const exported = JSON.parse(readFileSync(join(exportFolder, "azuredeploy.json"), "utf8")) as { resources?: { type?: string }[] };
      assert.ok(exported.resources?.some((resource) => resource.type === "Microsoft.Sql/servers"), "the deployed template is exported");
      assert.ok(!readFileSync(join(exportFolder, "azuredeploy.json"), "utf8").includes(DB_PASSWORD));
      assert.ok(run.commands.some((c) => c.name === "artifact.upload" && c.data === exportFolder && c.properties.artifactname === "WebAppSql"), "published as a pipeline artifact");
      assertSucceeded(await e2e.run({ task: "LabEnvironmentDelete", node, inputs: { environmentId: output(run, "environmentResourceId"), waitForCompletion: "false" } }));
    });
  });
});
