import { strict as assert } from "node:assert";
import { captureAgentOutput, loadAgentEnvironment, restoreAgentOutput, type CapturedOutput } from "./agent-env";
import { AzureOperationError, InputError } from "../../../src/errors";
import { runTask, type TaskManifest } from "../../../src/pipeline/run";

const manifest: TaskManifest = {
  name: "LabVmTest",
  friendlyName: "Test task",
  inputs: [{ name: "lab", aliases: ["LabId"] }, { name: "password" }],
};

describe("pipeline/run", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    loadAgentEnvironment({ INPUT_LAB: "my-lab", INPUT_PASSWORD: "Vm-Passw0rd!x" });
    output = captureAgentOutput();
  });
  afterEach(() => restoreAgentOutput());

  const result = () => output.commands().filter((c) => c.name === "task.complete");

  it("reports success with the body's message and sets output variables with isOutput=true", async () => {
    await runTask(
      manifest,
      async (ctx) => {
        assert.equal(ctx.inputs.requiredString("lab"), "my-lab");
        ctx.outputs.set("labVmId", "/subscriptions/s/x");
        return "Created the VM.";
      },
      { exitProcess: false },
    );
    assert.equal(result().length, 1);
    assert.equal(result()[0]?.properties.result, "Succeeded");
    assert.equal(result()[0]?.data, "Created the VM.");
    const variable = output.commands().find((c) => c.name === "task.setvariable");
    assert.deepEqual(variable?.properties, { variable: "labVmId", isOutput: "true", issecret: "false" });
    assert.equal(variable?.data, "/subscriptions/s/x");
  });

  it("reports SucceededWithIssues when the body says so", async () => {
    await runTask(manifest, async () => ({ message: "Created; one artifact failed.", withIssues: true }), { exitProcess: false });
    assert.equal(result()[0]?.properties.result, "SucceededWithIssues");
  });

  it("names the input and its Microsoft alias on an input error", async () => {
    await runTask(manifest, async () => {
      throw new InputError("lab", "expected a lab resource id.");
    }, { exitProcess: false });
    assert.equal(result()[0]?.properties.result, "Failed");
    assert.equal(result()[0]?.data, "Input 'lab' (alias 'LabId'): expected a lab resource id.");
  });

  it("does not let an ARM error body run logging commands", async () => {
    await runTask(manifest, async () => {
      throw new AzureOperationError("Create lab VM", "vm-1", "Deployment failed.\n##vso[task.setvariable variable=labVmId;isOutput=true]evil\r##[error]fake", "DeploymentFailed");
    }, { exitProcess: false });
    assert.equal(result()[0]?.properties.result, "Failed");
    for (const line of output.lines()) {
      const at = line.toLowerCase().indexOf("##vso[");
      if (at >= 0) {
        assert.equal(at, 0, `a command marker inside a line: ${line}`);
        assert.ok(!line.toLowerCase().includes("##vso[", 1), `two command markers in: ${line}`);
      }
      assert.ok(!line.startsWith("##["), `a formatting command: ${line}`);
    }
    assert.ok(!output.commands().some((c) => c.name === "task.setvariable"));
  });

  it("turns cancellation into an aborted signal and a Cancelled result", async () => {
    const before = new Set(process.listeners("SIGINT"));
    await runTask(manifest, async (ctx) => {
      const ours = process.listeners("SIGINT").find((l) => !before.has(l));
      assert.ok(ours, "runTask listens for SIGINT");
      (ours as (s: NodeJS.Signals) => void)("SIGINT");
      assert.ok(ctx.signal.aborted);
      throw ctx.signal.reason;
    }, { exitProcess: false });
    assert.equal(result()[0]?.properties.result, "Canceled", "the agent's spelling (task-lib's Cancelled would fail the task)");
    assert.ok(!process.listeners("SIGINT").some((l) => !before.has(l)), "the listener is removed");
  });

  it("reads secret inputs without echoing them", async () => {
    loadAgentEnvironment({ INPUT_PASSWORD: "Vm-Passw0rd!x", SYSTEM_DEBUG: "true" });
    await runTask(manifest, async (ctx) => {
      const password = ctx.inputs.requiredString("password");
      ctx.registerSecret(password);
      ctx.log.debug("read the password input");
      return "ok";
    }, { exitProcess: false });
    const leaks = output.lines().filter((l) => l.includes("Vm-Passw0rd!x") && !l.startsWith("##vso[task.setsecret]"));
    assert.deepEqual(leaks, []);
  });

  it("uploads a markdown summary with the outputs", async () => {
    loadAgentEnvironment({});
    await runTask(manifest, async (ctx) => {
      ctx.outputs.set("customImageName", "img-<b>1</b>");
      return "ok";
    }, { exitProcess: false });
    const upload = output.commands().find((c) => c.name === "task.uploadsummary");
    assert.ok(upload, "summary uploaded");
  });
});
