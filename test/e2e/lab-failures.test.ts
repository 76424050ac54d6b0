// Failure, retry and cancel paths of the lab tasks against the offline Azure with injected faults: artifact
// failures (with and without failing the task), a retry that succeeds on a fresh VM, a failed deployment whose
// ARM error carries a logging command, and a cancel during each long wait that leaves nothing behind.
import { strict as assert } from "node:assert";
import { forEachNode, runTask, startTask, type NodeRuntime, type TaskRunResult } from "../harness";
import { FACTORY_LAB, FACTORY_LAB_ID, galleryVmInputs, goldenImage, useLabEmulator, VM_PASSWORD } from "./lab-support";

const INJECTED = "##vso[task.setvariable variable=labVmId;isOutput=true]injected";

describe("lab tasks end to end: failures, retries and cancellation", function () {
  this.timeout(240_000);
  const e2e = useLabEmulator();

  afterEach(async () => {
    await e2e.emulator.admin.clearFaults();
  });

  /** No executable logging command came from Azure's text: only the task's own commands, and no injected variable. */
  function assertNoInjection(run: TaskRunResult): void {
    assert.ok(!run.variables.some((v) => v.value === "injected"), "an injected task.setvariable ran");
    for (const line of run.lines) {
      const text = line.text.toLowerCase();
      const at = text.indexOf("##vso[");
      if (at > 0) assert.fail(`a logging command in the middle of a line: ${line.text}`);
      if (at === 0) assert.ok(!text.includes("##vso[", 1), `two logging commands in one line: ${line.text}`);
    }
  }

  async function vmExists(name: string): Promise<boolean> {
    return (await e2e.labResources()).vms.some((id) => id.endsWith(`/virtualmachines/${name.toLowerCase()}`));
  }

  /** Resources settle a moment after the task ends (a delete it started without waiting). */
  async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.fail(what);
  }

  forEachNode((node: NodeRuntime) => {
    const n = node.major;

    it("fails on an artifact error, says which artifact and why, neutralises the message and removes the VM", async () => {
      await e2e.emulator.admin.addFault({ kind: "artifactFailure", vm: `art-${n}`, artifact: "windows-sysprep", message: `Sysprep exited with 1. ${INJECTED}` });
      const run = await e2e.run({ task: "LabVmCreate", node, debug: true, inputs: galleryVmInputs(`art-${n}`) });
      assert.equal(run.result.result, "Failed");
      assert.match(run.result.message ?? "", /Installing artifacts failed on lab VM 'art-\d+'.*windows-sysprep: Failed/);
      assertNoInjection(run);
      assert.equal(await vmExists(`art-${n}`), false, "the failed VM was deleted");
    });

    it("succeeds with issues when told not to fail on artifact errors, and keeps the VM", async () => {
      await e2e.emulator.admin.addFault({ kind: "artifactFailure", vm: `warn-${n}`, artifact: "windows-sysprep", message: "Sysprep exited with 1." });
      const run = await e2e.run({ task: "LabVmCreate", node, inputs: galleryVmInputs(`warn-${n}`, { failOnArtifactError: "false" }) });
      assert.equal(run.result.result, "SucceededWithIssues", run.result.message);
      assert.ok(run.warnings.some((w) => /windows-sysprep: Failed/.test(w)));
      assert.equal(await vmExists(`warn-${n}`), true);
      await e2e.run({ task: "LabVmDelete", node, inputs: { lab: FACTORY_LAB, vmName: `warn-${n}` } });
    });

    it("retries a failed artifact on a fresh VM <name>-2, deleting the failed one first", async () => {
      await e2e.emulator.admin.addFault({ kind: "artifactFailure", vm: `rty-${n}`, artifact: "windows-sysprep", count: 1 });
      const run = await e2e.run({
        task: "LabVmCreate",
        node,
        microsoftNames: true,
        inputs: { ...galleryVmInputs(`rty-${n}`), RetryOnFailure: "true", RetryCount: "2", AppendRetryNumberToVMName: "true", DeleteFailedLabVMBeforeRetry: "true", retryDelaySeconds: "0" },
      });
      assert.equal(run.result.result, "Succeeded", run.result.message);
      assert.equal(run.variable("labVmName")?.value, `rty-${n}-2`);
      assert.match(run.result.message ?? "", /on attempt 2/);
      assert.equal(await vmExists(`rty-${n}`), false, "the failed first VM was deleted");
      assert.equal(await vmExists(`rty-${n}-2`), true);
      await e2e.run({ task: "LabVmDelete", node, inputs: { vmId: run.variable("labVmId")?.value ?? "" } });
    });

    it("reports a failed deployment with ARM's code, neutralised, and removes the VM and the deployment", async () => {
      await e2e.emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: "**/providers/Microsoft.Resources/deployments/**", code: "DeploymentFailed", message: `The VM could not be provisioned. ${INJECTED}` });
      const run = await e2e.run({
        task: "LabVmCreate",
        node,
        debug: true,
        inputs: { lab: FACTORY_LAB_ID, vmName: `dep-${n}`, templateFile: goldenImage, parameterOverrides: "-size Standard_D2s_v3 -userName factoryadmin -password $(VmPassword)", pollIntervalSeconds: "1" },
      });
      assert.equal(run.result.result, "Failed");
      assert.match(run.result.message ?? "", /DeploymentFailed|could not be provisioned/);
      assertNoInjection(run);
      await eventually(async () => !(await vmExists(`dep-${n}`)), "the VM of the failed deployment remains");
      const left = await e2e.labResources();
      assert.ok(!left.deployments.some((id) => id.includes(`/dep-${n}-`)), "the failed deployment remains");
    });

    it("retries a failed deployment and succeeds", async () => {
      await e2e.emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: "**/providers/Microsoft.Resources/deployments/**", code: "InternalServerError", message: "Transient failure.", count: 1 });
      const run = await e2e.run({
        task: "LabVmCreate",
        node,
        inputs: {
          lab: FACTORY_LAB_ID,
          vmName: `rdp-${n}`,
          templateFile: goldenImage,
          parameterOverrides: "-size Standard_D2s_v3 -userName factoryadmin -password $(VmPassword)",
          retryOnFailure: "true",
          retryDelaySeconds: "0",
          deleteFailedDeploymentBeforeRetry: "true",
          pollIntervalSeconds: "1",
        },
      });
      assert.equal(run.result.result, "Succeeded", run.result.message);
      assert.equal(run.variable("labVmName")?.value, `rdp-${n}`);
      await e2e.run({ task: "LabVmDelete", node, inputs: { vmId: run.variable("labVmId")?.value ?? "" } });
    });

    describe("cancel during a long wait", () => {
      async function cancelWhenWaiting(task: string, inputs: Record<string, string>, waitFor: RegExp | string) {
        const connection = e2e.connection();
        const handle = startTask({
          task,
          node,
          inputs: { azureSubscription: connection.id, pollIntervalSeconds: "1", ...inputs },
          endpoints: [connection],
          variables: connection.variables,
          secrets: { VmPassword: VM_PASSWORD },
          env: connection.env,
          knownSecrets: [VM_PASSWORD],
          timeoutMs: 60_000,
        });
        await (typeof waitFor === "string" ? handle.waitForCommand(waitFor) : handle.waitForLine(waitFor));
        const cancelledAt = Date.now();
        handle.cancel();
        const run = await handle.result;
        return { run, stoppedAfterMs: Date.now() - cancelledAt };
      }

      it("while the VM is being created: stops within the grace period and deletes the VM", async () => {
        await e2e.emulator.admin.addFault({ kind: "latency", method: "GET", path: "**/providers/Microsoft.DevTestLab/locations/*/operations/*", ms: 60_000 });
        const { run, stoppedAfterMs } = await cancelWhenWaiting("LabVmCreate", galleryVmInputs(`cnc-${n}`, { artifacts: "" }), "task.setprogress");
        assert.equal(run.result.result, "Canceled", run.result.message);
        assert.ok(stoppedAfterMs < 5_000, `stopped ${stoppedAfterMs} ms after SIGINT (SIGTERM comes at 7.5 s)`);
        assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT"]);
        await e2e.emulator.admin.clearFaults();
        await eventually(async () => !(await vmExists(`cnc-${n}`)), "the VM the cancelled run created remains");
      });

      it("while the template deploys: cancels the deployment and deletes the VM and the deployment", async () => {
        await e2e.emulator.admin.addFault({ kind: "latency", method: "GET", path: "**/deployments/*/operationStatuses/*", ms: 60_000 });
        const { run, stoppedAfterMs } = await cancelWhenWaiting(
          "LabVmCreate",
          { lab: FACTORY_LAB_ID, vmName: `cnd-${n}`, templateFile: goldenImage, parameterOverrides: "-size Standard_D2s_v3 -userName factoryadmin -password $(VmPassword)" },
          "task.setprogress",
        );
        assert.equal(run.result.result, "Canceled", run.result.message);
        assert.ok(stoppedAfterMs < 5_000, `stopped ${stoppedAfterMs} ms after SIGINT`);
        await e2e.emulator.admin.clearFaults();
        await eventually(async () => !(await vmExists(`cnd-${n}`)), "the VM of the cancelled deployment remains");
        await eventually(async () => !(await e2e.labResources()).deployments.some((id) => id.includes(`/cnd-${n}-`)), "the cancelled deployment remains");
      });

      it("while the image is captured: deletes the partly created image", async () => {
        const create = await e2e.run({ task: "LabVmCreate", node, inputs: galleryVmInputs(`cap-${n}`, { artifacts: "" }) });
        assert.equal(create.result.result, "Succeeded", create.result.message);
        await e2e.emulator.admin.addFault({ kind: "latency", method: "GET", path: "**/providers/Microsoft.DevTestLab/locations/*/operations/*", ms: 60_000 });
        const { run, stoppedAfterMs } = await cancelWhenWaiting(
          "LabImageCapture",
          { vmId: create.variable("labVmId")?.value ?? "", imageName: `img-cap-${n}`, osType: "Windows" },
          "task.setprogress",
        );
        assert.equal(run.result.result, "Canceled", run.result.message);
        assert.ok(stoppedAfterMs < 5_000, `stopped ${stoppedAfterMs} ms after SIGINT`);
        await e2e.emulator.admin.clearFaults();
        await eventually(async () => !(await e2e.labResources()).images.some((id) => id.endsWith(`/img-cap-${n}`)), "the partly captured image remains");
        await e2e.run({ task: "LabVmDelete", node, inputs: { vmId: create.variable("labVmId")?.value ?? "" } });
      });
    });
  });

  // In DTL (and the emulator) a create's or an apply's operation lasts until its artifacts are done, so the long
  // wait for artifacts is the apply-artifacts action's. It takes real seconds only at a non-zero time scale.
  describe("cancel while artifacts are applied", () => {
    const slow = useLabEmulator({ timeScale: 0.02 });
    forEachNode((node: NodeRuntime) => {
      it("stops at once and leaves the VM it did not create alone", async () => {
        const name = `cna-${node.major}`;
        const connection = slow.connection();
        const common = { endpoints: [connection], variables: connection.variables, secrets: { VmPassword: VM_PASSWORD }, env: connection.env, knownSecrets: [VM_PASSWORD], timeoutMs: 90_000 };
        const create = await runTask({ task: "LabVmCreate", node, inputs: { azureSubscription: connection.id, ...galleryVmInputs(name, { artifacts: "" }) }, ...common });
        assert.equal(create.result.result, "Succeeded", create.result.message);
        const handle = startTask({
          task: "LabVmAction",
          node,
          inputs: { azureSubscription: connection.id, vmId: create.variable("labVmId")?.value ?? "", action: "applyArtifacts", artifacts: '[{"name": "windows-sysprep"}]', pollIntervalSeconds: "1" },
          ...common,
        });
        await handle.waitForCommand("task.setprogress");
        const cancelledAt = Date.now();
        handle.cancel();
        const run = await handle.result;
        const stoppedAfterMs = Date.now() - cancelledAt;
        assert.equal(run.result.result, "Canceled", run.result.message);
        assert.ok(stoppedAfterMs < 5_000, `stopped ${stoppedAfterMs} ms after SIGINT`);
        assert.ok((await slow.labResources()).vms.some((id) => id.endsWith(`/virtualmachines/${name}`)), "the VM is still there");
      });
    });
  });
});
