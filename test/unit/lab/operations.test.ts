// Waiting for artifacts, VM actions, delete, custom images and finding labs, against stubbed SDK clients.
import { strict as assert } from "node:assert";
import type { CustomImage, LabVirtualMachine } from "@azure/arm-devtestlabs";
import { AzureOperationError, InputError } from "../../../src/errors";
import { ArtifactsFailedError } from "../../../src/lab/artifacts";
import { captureCustomImage, customImageBody, deleteCustomImage } from "../../../src/lab/custom-image";
import { resolveLab, resolveLabVm } from "../../../src/lab/lab";
import { runLabVmAction } from "../../../src/lab/vm-actions";
import { deleteLabVm } from "../../../src/lab/vm-delete";
import { waitForArtifacts } from "../../../src/lab/vm-wait";
import { asyncItems, donePoller, FakeClock, fakeDtl, LAB, LAB_ID, labContext, notFound, RG, statefulDtl, SUBSCRIPTION, vmIdOf } from "./fakes";

const vmRef = (vmName: string) => ({ subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, vmName, id: vmIdOf(vmName) });
const artifact = (name: string, status: string, message?: string) => ({ artifactId: `${LAB_ID}/artifactsources/public repo/artifacts/${name}`, status, ...(message ? { deploymentStatusMessage: message } : {}) });
const MINUTE = 60_000;

describe("lab operations", () => {
  describe("waitForArtifacts", () => {
    it("waits past 60 minutes when the timeout is 90 (Microsoft's Date#getMinutes bug) and stops at 90", async () => {
      const dtl = fakeDtl();
      dtl.virtualMachines.get.resolves({ name: "vm1", artifacts: [artifact("slow", "Installing")] });
      const clock = new FakeClock();
      const ctx = { ...labContext(dtl, { clock }), pollIntervalMs: MINUTE };
      await assert.rejects(waitForArtifacts(ctx, { vm: vmRef("vm1"), timeoutMs: 90 * MINUTE, failOnArtifactError: true }), (err: unknown) => {
        assert.ok(err instanceof AzureOperationError);
        assert.equal(err.code, "OperationTimedOut");
        assert.match(err.message, /1 of 1 artifact\(s\) were still not installed after 90 min \(slow: Installing\)/);
        return true;
      });
      assert.ok(clock.time >= 90 * MINUTE && clock.time <= 91 * MINUTE, `stopped at ${clock.time / MINUTE} min`);
    });

    it("reports each artifact once per status change and returns when all are final", async () => {
      const dtl = fakeDtl();
      const states = [[artifact("a", "Pending"), artifact("b", "Pending")], [artifact("a", "Installing"), artifact("b", "Pending")], [artifact("a", "Installing"), artifact("b", "Pending")], [artifact("a", "Succeeded"), artifact("b", "Succeeded")]];
      let poll = 0;
      dtl.virtualMachines.get.callsFake(async () => ({ name: "vm1", artifacts: states[Math.min(poll++, states.length - 1)] }));
      const ctx = labContext(dtl);
      const { evaluation } = await waitForArtifacts(ctx, { vm: vmRef("vm1"), timeoutMs: 10 * MINUTE, failOnArtifactError: true });
      assert.equal(evaluation.succeeded, 2);
      assert.deepEqual(ctx.log.lines, ["Artifact a: Pending", "Artifact b: Pending", "Artifact a: Installing", "Artifact a: Succeeded", "Artifact b: Succeeded"]);
    });

    it("fails with each failed artifact's message, or warns when told not to fail", async () => {
      const dtl = fakeDtl();
      dtl.virtualMachines.get.resolves({ name: "vm1", artifacts: [artifact("ok", "Succeeded"), artifact("bad", "Failed", "exit code 1")] });
      await assert.rejects(waitForArtifacts(labContext(dtl), { vm: vmRef("vm1"), timeoutMs: MINUTE, failOnArtifactError: true }), (err: unknown) => err instanceof ArtifactsFailedError && /bad: Failed — exit code 1/.test(err.message));
      const ctx = labContext(dtl);
      const { evaluation } = await waitForArtifacts(ctx, { vm: vmRef("vm1"), timeoutMs: MINUTE, failOnArtifactError: false });
      assert.equal(evaluation.failed.length, 1);
      assert.equal(ctx.log.warnings.length, 1);
    });

    it("stops at once on cancel", async () => {
      const dtl = fakeDtl();
      dtl.virtualMachines.get.resolves({ name: "vm1", artifacts: [artifact("slow", "Installing")] });
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(waitForArtifacts(labContext(dtl, { signal: controller.signal }), { vm: vmRef("vm1"), timeoutMs: MINUTE, failOnArtifactError: true }), { name: "AbortError" });
    });
  });

  describe("deleteLabVm", () => {
    it("treats a VM that is already gone as deleted, with a note", async () => {
      const dtl = fakeDtl();
      const result = await deleteLabVm(labContext(dtl), { vm: vmRef("gone"), timeoutMs: MINUTE, waitForCompletion: true });
      assert.equal(result.deleted, false);
      assert.match(result.message, /does not exist \(already deleted\)/);
      assert.equal(dtl.virtualMachines.beginDelete.callCount, 0);
    });
    it("deletes and waits, or only starts the delete", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("vm1", { name: "vm1" });
      assert.equal((await deleteLabVm(labContext(dtl), { vm: vmRef("vm1"), timeoutMs: MINUTE, waitForCompletion: true })).deleted, true);
      vms.set("vm2", { name: "vm2" });
      const result = await deleteLabVm(labContext(dtl), { vm: vmRef("vm2"), timeoutMs: MINUTE, waitForCompletion: false });
      assert.equal(result.pending, true);
      assert.equal(dtl.sendRequest.callCount, 1, "a single DELETE, not waited for");
    });
  });

  describe("runLabVmAction", () => {
    const withVm = (vm: LabVirtualMachine) => {
      const { dtl, vms } = statefulDtl();
      vms.set("vm1", { id: vmIdOf("vm1"), name: "vm1", ...vm });
      return { dtl, vms };
    };
    it("does not start a running VM again", async () => {
      const { dtl } = withVm({ lastKnownPowerState: "Running" });
      const result = await runLabVmAction(labContext(dtl), { vm: vmRef("vm1"), action: "start", vmInput: "vmId", timeoutMs: MINUTE });
      assert.match(result.message, /already running/);
    });
    it("stops a running VM", async () => {
      const { dtl } = withVm({ lastKnownPowerState: "Running" });
      dtl.virtualMachines.beginStop.callsFake(async () => donePoller<void>(undefined));
      const result = await runLabVmAction(labContext(dtl), { vm: vmRef("vm1"), action: "stop", vmInput: "vmId", timeoutMs: MINUTE });
      assert.equal(dtl.virtualMachines.beginStop.callCount, 1);
      assert.match(result.message, /Stopped the lab VM 'vm1'/);
    });
    it("applies artifacts and checks only the ones it applied", async () => {
      const { dtl, vms } = withVm({ lastKnownPowerState: "Running", artifacts: [artifact("old", "Failed")] });
      dtl.virtualMachines.beginApplyArtifacts.callsFake(async (_rg: string, _lab: string, name: string, request: { artifacts: { artifactId: string }[] }) => {
        const vm = vms.get(name) ?? {};
        vm.artifacts = [...(vm.artifacts ?? []), ...request.artifacts.map((a) => ({ ...a, status: "Succeeded" }))];
        return donePoller<void>(undefined);
      });
      const result = await runLabVmAction(labContext(dtl), {
        vm: vmRef("vm1"),
        action: "applyArtifacts",
        vmInput: "vmId",
        artifacts: [{ name: "windows-sysprep", parameters: [] }],
        artifactsInput: "artifacts",
        failOnArtifactError: true,
        timeoutMs: MINUTE,
      });
      const request = dtl.virtualMachines.beginApplyArtifacts.firstCall.args[3] as { artifacts: { artifactId: string }[] };
      assert.equal(request.artifacts[0]?.artifactId, `${LAB_ID}/artifactsources/public repo/artifacts/windows-sysprep`);
      assert.equal(result.withIssues, false, "the old failed artifact is not counted");
      assert.match(result.message, /Applied 1 artifact/);
    });
    it("refuses to apply artifacts to a stopped VM, and names a missing VM's input", async () => {
      const { dtl } = withVm({ lastKnownPowerState: "Stopped" });
      await assert.rejects(runLabVmAction(labContext(dtl), { vm: vmRef("vm1"), action: "applyArtifacts", vmInput: "vmId", artifacts: [{ name: "x", parameters: [] }], timeoutMs: MINUTE }), /VM is stopped/);
      await assert.rejects(runLabVmAction(labContext(dtl), { vm: vmRef("nope"), action: "restart", vmInput: "vmName", timeoutMs: MINUTE }), (err: unknown) => err instanceof InputError && err.input === "vmName");
    });
  });

  describe("custom images", () => {
    it("builds the capture body with the OS state", () => {
      const windows = customImageBody({ vm: vmRef("vm1"), osType: "Windows", windowsOsState: "SysprepApplied", description: "d" }, "westeurope");
      assert.deepEqual(windows.vm, { sourceVmId: vmIdOf("vm1"), windowsOsInfo: { windowsOsState: "SysprepApplied" } });
      const linux = customImageBody({ vm: vmRef("vm1"), osType: "Linux" });
      assert.deepEqual(linux.vm, { sourceVmId: vmIdOf("vm1"), linuxOsInfo: { linuxOsState: "NonDeprovisioned" } });
    });

    const captureOptions = { vm: vmRef("vm1"), vmInput: "vmId", imageInput: "imageName", imageName: "img1", osType: "Windows" as const, windowsOsState: "SysprepApplied" as const, deleteSourceVm: false, timeoutMs: MINUTE };

    it("captures the image and can delete the source VM afterwards", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("vm1", { id: vmIdOf("vm1"), name: "vm1" });
      dtl.customImages.beginCreateOrUpdate.callsFake(async (_rg: string, _lab: string, name: string, body: CustomImage) => donePoller({ ...body, id: `${LAB_ID}/customimages/${name}`, provisioningState: "Succeeded" }));
      const result = await captureCustomImage(labContext(dtl), { ...captureOptions, deleteSourceVm: true });
      assert.equal(result.imageId, `${LAB_ID}/customimages/img1`);
      assert.equal(result.sourceVmDeleted, true);
      assert.equal(vms.size, 0);
    });

    it("keeps a finished image when only the source VM's delete fails", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("vm1", { id: vmIdOf("vm1"), name: "vm1" });
      dtl.customImages.beginCreateOrUpdate.callsFake(async (_rg: string, _lab: string, name: string, body: CustomImage) => donePoller({ ...body, id: `${LAB_ID}/customimages/${name}`, provisioningState: "Succeeded" }));
      dtl.virtualMachines.beginDelete.callsFake(async () => donePoller<void>(undefined, new AzureOperationError("Deleting", "vm1", "The VM is locked.", "ScopeLocked")));
      await assert.rejects(captureCustomImage(labContext(dtl), { ...captureOptions, deleteSourceVm: true }), /locked/);
      assert.equal(dtl.customImages.beginDelete.callCount, 0, "the image was kept");
    });

    it("keeps an image of that name captured from the same VM (a re-run changes nothing)", async () => {
      const dtl = fakeDtl();
      dtl.customImages.get.resolves({ id: `${LAB_ID}/customImages/img1`, provisioningState: "Succeeded", vm: { sourceVmId: vmIdOf("vm1").toLowerCase() } });
      const result = await captureCustomImage(labContext(dtl), captureOptions);
      assert.equal(result.reused, true);
      assert.equal(dtl.customImages.beginCreateOrUpdate.callCount, 0);
    });

    it("refuses a name taken by an image of another VM", async () => {
      const dtl = fakeDtl();
      dtl.customImages.get.resolves({ provisioningState: "Succeeded", vm: { sourceVmId: vmIdOf("other") } });
      await assert.rejects(captureCustomImage(labContext(dtl), captureOptions), (err: unknown) => err instanceof InputError && err.input === "imageName");
    });

    it("deletes a partly created image when the capture fails", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("vm1", { id: vmIdOf("vm1"), name: "vm1" });
      dtl.customImages.beginCreateOrUpdate.callsFake(async () => donePoller(undefined, new AzureOperationError("Capturing", "img1", "The VM's disk could not be read.", "InternalServerError")));
      await assert.rejects(captureCustomImage(labContext(dtl), captureOptions), /disk could not be read/);
      assert.equal(dtl.customImages.beginDelete.callCount, 1);
    });

    it("deleting an image that is gone is a success", async () => {
      const dtl = fakeDtl();
      const result = await deleteCustomImage(labContext(dtl), { image: { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, imageName: "img1", id: `${LAB_ID}/customimages/img1` }, timeoutMs: MINUTE, waitForCompletion: true });
      assert.equal(result.deleted, false);
      assert.match(result.message, /already deleted/);
    });
  });

  describe("finding labs and VMs", () => {
    it("finds a lab by a name unique in the subscription", async () => {
      const lab = await resolveLab(labContext(fakeDtl()), { lab: "factory", inputName: "lab" });
      assert.equal(lab.id, LAB_ID);
      assert.equal(lab.location, "westeurope");
    });
    it("asks for the id when two labs share the name, and names the input when there is none", async () => {
      const dtl = fakeDtl();
      dtl.labs.listBySubscription.callsFake(() => asyncItems([{ id: LAB_ID, name: LAB }, { id: LAB_ID.replace(RG, "other-rg"), name: LAB }]));
      await assert.rejects(resolveLab(labContext(dtl), { lab: "factory", inputName: "lab" }), /2 labs are named 'factory' \(resource groups factory-rg, other-rg\)/);
      await assert.rejects(resolveLab(labContext(dtl), { lab: "missing", inputName: "lab" }), (err: unknown) => err instanceof InputError && err.input === "lab");
    });
    it("reports a lab id that does not exist as an input error", async () => {
      const dtl = fakeDtl();
      dtl.labs.get.rejects(notFound());
      await assert.rejects(resolveLab(labContext(dtl), { lab: LAB_ID, inputName: "lab" }), (err: unknown) => err instanceof InputError && /does not exist/.test(err.message));
    });
    it("needs a VM id, or a lab and a VM name", async () => {
      const names = { vmId: "vmId", lab: "lab", vmName: "vmName" };
      await assert.rejects(resolveLabVm(labContext(fakeDtl()), { lab: "factory", names }), (err: unknown) => err instanceof InputError && err.input === "vmId");
      const byName = await resolveLabVm(labContext(fakeDtl()), { lab: "factory", vmName: "vm1", names });
      assert.equal(byName.id, vmIdOf("vm1"));
      await assert.rejects(resolveLabVm(labContext(fakeDtl()), { vmId: `${LAB_ID}/customimages/x`, names }), (err: unknown) => err instanceof InputError && err.input === "vmId");
    });
  });
});
