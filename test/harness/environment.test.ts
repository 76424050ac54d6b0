// The environment the harness builds, read back through the real task-lib inside the task process: inputs by
// name or alias, defaults, macros, endpoints, variables, secrets and the vault.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTaskEnvironment, createAgentFolders } from "./env";
import { fingerprint } from "./fixtures/fingerprint";
import { fixtureTask } from "./fixtures/build";
import { runTask, type RunTaskOptions, type TaskRunResult } from "./run";
import { forEachNode } from "./runtimes";
import { readTaskJson, resolveInputs } from "./task-json";

const connectionId = "4d5c2b1a-0f9e-4e8d-b7c6-a5b4c3d2e1f0";
const endpoint = {
  id: connectionId,
  url: "https://127.0.0.1:8443/",
  scheme: "ServicePrincipal",
  parameters: { serviceprincipalid: "client-id-1", serviceprincipalkey: "client-secret-value-1", tenantid: "tenant-1", authenticationType: "spnKey" },
  data: { subscriptionId: "sub-1", environmentAuthorityUrl: "https://127.0.0.1:8443" },
};

interface Report {
  node: string;
  cwd: string;
  inputs: Record<string, unknown>;
  endpoint: Record<string, unknown>;
  systemConnection: Record<string, unknown>;
  variables: Record<string, unknown>;
  processEnv: { vaulted: string[]; endpointUrlKept: boolean; inheritedMarker?: string; strayInput?: string; extra?: string };
  vault: { keyInTempDirectory: boolean; keyInCwd: boolean };
}

function reportOf(run: TaskRunResult): Report {
  const line = run.stdoutLines.find((l) => l.startsWith("REPORT "));
  assert.ok(line, `no report in:\n${run.stdout}`);
  return JSON.parse(line.substring("REPORT ".length)) as Report;
}

forEachNode((node) => {
  describe("harness: environment read through task-lib", () => {
    let run: TaskRunResult;
    let report: Report;
    const options: Omit<RunTaskOptions, "script"> = {
      node,
      inputs: { ConnectedServiceName: connectionId, VirtualMachineName: "vm-1", waitForCompletion: false, Password: "$(vm.password)" },
      secretInputs: ["Password"],
      endpoints: [endpoint],
      variables: { "my.variable": "plain value", "Name With Spaces": "spaced" },
      secrets: { "vm.password": "Pa55;w0rd]%", "my.secret": "original-secret" },
      systemAccessToken: "system-access-token-1",
      debug: true,
      env: { HARNESS_EXTRA: "extra-value" },
    };
    before(async () => {
      const task = await fixtureTask("report-environment");
      process.env.HARNESS_INHERITED_MARKER = "inherited";
      process.env.INPUT_STRAY = "from the test process";
      try {
        run = await runTask({ ...options, script: task.scriptPath });
      } finally {
        delete process.env.HARNESS_INHERITED_MARKER;
        delete process.env.INPUT_STRAY;
      }
      report = reportOf(run);
    });

    it("runs on the asked runtime in System.DefaultWorkingDirectory", () => {
      assert.equal(report.node, `v${node.version}`);
      assert.equal(report.cwd, report.variables.defaultWorkingDirectory);
      assert.equal(run.result.result, "Succeeded");
    });

    it("maps inputs given by alias to their names and fills defaults, expanding macros", () => {
      assert.equal(report.inputs.azureSubscription, connectionId);
      assert.equal(report.inputs.vmName, "vm-1");
      assert.equal(report.inputs.waitForCompletion, false);
      assert.equal(report.inputs.timeoutMinutes, "30");
      assert.equal(report.inputs.description, "Built by run 1 for $(Unknown.Variable)");
      assert.equal(report.inputs.adminPassword, fingerprint("Pa55;w0rd]%"));
      assert.equal(run.inputs.adminPassword, "Pa55;w0rd]%");
    });

    it("gives the service connection as task-lib reads it", () => {
      assert.deepEqual(report.endpoint, {
        url: endpoint.url,
        scheme: "ServicePrincipal",
        authorizationScheme: "ServicePrincipal",
        parameterNames: ["authenticationType", "serviceprincipalid", "serviceprincipalkey", "tenantid"],
        servicePrincipalId: "client-id-1",
        servicePrincipalKey: fingerprint("client-secret-value-1"),
        tenantId: "tenant-1",
        subscriptionId: "sub-1",
        authorityUrl: "https://127.0.0.1:8443",
      });
      assert.deepEqual(report.systemConnection, {
        url: "https://dev.azure.com/harness/",
        scheme: "OAuth",
        accessToken: fingerprint("system-access-token-1"),
      });
    });

    it("gives variables (any name, debug) and secret variables through tl.getVariable", () => {
      assert.equal(report.variables.buildId, "1");
      assert.equal(report.variables.custom, "plain value");
      assert.equal(report.variables.spaced, "spaced");
      assert.equal(report.variables.debug, "true");
      assert.equal(report.variables.secret, fingerprint("original-secret"));
      assert.deepEqual(report.variables.secretVariableNames, ["my.secret", "vm.password"]);
    });

    it("registers secret variables so task-lib keeps them secret when the task rewrites one", () => {
      const rewritten = run.variable("MY.SECRET");
      assert.equal(rewritten?.value, "rotated-secret-value");
      assert.equal(rewritten?.isSecret, true);
      assert.equal(rewritten?.command.properties.issecret, "true", "task-lib itself marked it secret");
      assert.ok(run.debug.includes("set my.secret=********"));
      assert.ok(run.secretsRegistered.some((s) => s.value === "rotated-secret-value"));
    });

    it("lets task-lib vault inputs, endpoint credentials and secrets out of process.env", () => {
      assert.deepEqual(report.processEnv.vaulted, [], "only empty values stay (task-lib skips them)");
      assert.equal(report.processEnv.endpointUrlKept, true);
      assert.equal(report.vault.keyInTempDirectory, true, "the vault key goes to Agent.TempDirectory");
      assert.equal(report.vault.keyInCwd, false);
      assert.equal(report.variables.tempDirectory, run.agentFolders.tempDirectory);
      assert.equal(report.variables.workFolder, run.agentFolders.workFolder);
    });

    it("passes the test process's environment but not its INPUT_ variables, plus extra env", () => {
      assert.equal(report.processEnv.inheritedMarker, "inherited");
      assert.equal(report.processEnv.strayInput, undefined);
      assert.equal(report.processEnv.extra, "extra-value");
    });

    it("does not flag task-lib's debug echo of values the agent masks", () => {
      assert.ok(run.debug.some((d) => d.startsWith(`${connectionId} auth param serviceprincipalkey = `)));
      assert.deepEqual(run.secretLeaks, []);
    });

    it("flags task-lib's debug echo of a literal secret input the agent does not know", async () => {
      const task = await fixtureTask("report-environment");
      const literal = { ...options, inputs: { ...options.inputs, Password: "literal-password-1" }, script: task.scriptPath };
      await assert.rejects(runTask(literal), (error: Error) => {
        assert.match(error.message, /^ReportEnvironment on Node \d+ printed a secret/);
        assert.match(error.message, /secret input adminPassword \(raw\) in stdout line \d+, output: "##vso\[task\.debug\]adminPassword=\*\*\*"/);
        assert.ok(!error.message.includes("literal-password-1"));
        return true;
      });
    });
  });
});

describe("harness: environment building", () => {
  const taskJson = readTaskJson(join(__dirname, "fixtures", "report-environment", "task.json"));
  let workFolder: string;
  beforeEach(() => (workFolder = mkdtempSync(join(tmpdir(), "harness-env-test-"))));
  afterEach(() => rmSync(workFolder, { recursive: true, force: true }));

  it("names everything as the agent does", () => {
    const { env } = buildTaskEnvironment(
      {
        taskDefinition: taskJson,
        inputs: { azureSubscription: "id-1" },
        endpoints: [{ id: "id-1", url: "https://x/", scheme: "ServicePrincipal", parameters: { serviceprincipalkey: "k" }, data: { subscriptionId: "s" } }],
        variables: { "my.var": "v", "with space": "w" },
        secrets: { "Secret.One": "s1" },
        systemAccessToken: "tok",
      },
      createAgentFolders(workFolder),
    );
    assert.equal(env.INPUT_AZURESUBSCRIPTION, "id-1");
    assert.equal(env.INPUT_TIMEOUTMINUTES, "30");
    assert.equal(env.INPUT_VMNAME, "");
    assert.equal(env["ENDPOINT_URL_id-1"], "https://x/");
    assert.deepEqual(JSON.parse(env["ENDPOINT_AUTH_id-1"] ?? "{}"), { parameters: { serviceprincipalkey: "k" }, scheme: "ServicePrincipal" });
    assert.equal(env["ENDPOINT_AUTH_SCHEME_id-1"], "ServicePrincipal");
    assert.equal(env["ENDPOINT_AUTH_PARAMETER_id-1_SERVICEPRINCIPALKEY"], "k");
    assert.equal(env["ENDPOINT_DATA_id-1_SUBSCRIPTIONID"], "s");
    assert.deepEqual(JSON.parse(env.ENDPOINT_AUTH_SYSTEMVSSCONNECTION ?? "{}"), { parameters: { AccessToken: "tok" }, scheme: "OAuth" });
    assert.equal(env.ENDPOINT_URL_SYSTEMVSSCONNECTION, "https://dev.azure.com/harness/");
    assert.equal(env.MY_VAR, "v");
    assert.equal(env.WITH_SPACE, "w");
    assert.equal(env.SECRET_SECRET_ONE, "s1");
    assert.equal(env.SECRET_ONE, undefined);
    assert.deepEqual(JSON.parse(env.VSTS_SECRET_VARIABLES ?? "[]"), ["Secret.One"]);
    assert.ok((JSON.parse(env.VSTS_PUBLIC_VARIABLES ?? "[]") as string[]).includes("my.var"));
    assert.equal(env.AGENT_TEMPDIRECTORY, join(workFolder, "_temp"));
    assert.equal(env.AGENT_WORKFOLDER, workFolder);
    assert.equal(env.SYSTEM_DEBUG, undefined);
  });

  it("refuses unknown inputs and an input given twice", () => {
    assert.throws(() => resolveInputs(taskJson, { vmNmae: "x" }), /has no input "vmNmae".*vmName\|VirtualMachineName/);
    assert.throws(() => resolveInputs(taskJson, { vmName: "a", virtualmachinename: "b" }), /given twice/);
    assert.throws(() => buildTaskEnvironment({ taskDefinition: taskJson, secretInputs: ["nope"] }, createAgentFolders(workFolder)), /secretInputs names "nope"/);
  });
});
