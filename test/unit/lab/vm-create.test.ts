// The create frame against stubbed SDK clients: idempotency, retries with backoff, clean-up on failure and cancel.
import { strict as assert } from "node:assert";
import type { LabVirtualMachine } from "@azure/arm-devtestlabs";
import { AzureOperationError, InputError } from "../../../src/errors";
import { ArtifactsFailedError } from "../../../src/lab/artifacts";
import type { ResolvedLab } from "../../../src/lab/lab";
import { NO_RETRY, type RetryPolicy } from "../../../src/lab/retry";
import { prepareTemplateDeployment, parseTemplate } from "../../../src/lab/template";
import { createdVmIdOf, createLabVmFromInputs, createLabVmFromTemplate, deploymentNameFor, type CreateLabVmFromInputsOptions, type CreateLabVmFromTemplateOptions } from "../../../src/lab/vm-create";
import type { LabVmSpec } from "../../../src/lab/vm-spec";
import { isCancellation } from "../../../src/steps";
import { asyncItems, donePoller, FakeClock, fakeResources, hangingPoller, LAB, LAB_ID, labContext, RG, statefulDtl, SUBSCRIPTION, vmIdOf } from "./fakes";

const lab: ResolvedLab = { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB, id: LAB_ID, location: "westeurope" };
const spec: LabVmSpec = {
  image: { kind: "galleryImage", image: { publisher: "p", offer: "o", sku: "s", version: "latest" }, osType: "Windows" },
  size: "Standard_D2s_v3",
  userName: "admin",
  password: "Passw0rd-secret!",
  artifacts: [{ artifactId: `${LAB_ID}/artifactsources/public repo/artifacts/windows-chocolatey`, parameters: [] }],
  allowClaim: false,
  tags: {},
};
const retry = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...NO_RETRY, retries: 2, initialDelayMs: 30_000, maxDelayMs: 120_000, ...overrides });

function options(overrides: Partial<CreateLabVmFromInputsOptions> = {}): CreateLabVmFromInputsOptions {
  return {
    lab,
    vmName: "web01",
    spec,
    timeoutMs: 60_000,
    artifactWaitMs: 60_000,
    failOnArtifactError: true,
    retry: NO_RETRY,
    keepFailedVm: false,
    osType: "Windows",
    vmNameInput: "vmName",
    secrets: [spec.password ?? ""],
    ...overrides,
  };
}

describe("lab/vm-create", () => {
  describe("from inputs", () => {
    it("creates the VM with one PUT, waits for its artifacts and reports its address", async () => {
      const { dtl } = statefulDtl();
      const ctx = labContext(dtl);
      const result = await createLabVmFromInputs(ctx, options());
      assert.equal(dtl.virtualMachines.beginCreateOrUpdate.callCount, 1);
      const [rg, labName, name, body] = dtl.virtualMachines.beginCreateOrUpdate.firstCall.args as [string, string, string, LabVirtualMachine];
      assert.deepEqual([rg, labName, name], [RG, LAB, "web01"]);
      assert.equal(body.location, "westeurope");
      assert.equal(result.vm.id, vmIdOf("web01"));
      assert.equal(result.vm.fqdn, "web01.westeurope.cloudapp.azure.com");
      assert.equal(result.vm.ipAddress, "10.0.0.4");
      assert.equal(result.reused, false);
      assert.deepEqual(result.artifactResults.map((a) => a.status), ["Succeeded"]);
      assert.match(result.message, /Created the lab VM 'web01' in lab 'factory'; 1 of 1 artifact\(s\) installed/);
    });

    it("leaves an existing VM that succeeded as it is (a re-run changes nothing)", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("web01", { id: vmIdOf("web01"), name: "web01", provisioningState: "Succeeded", artifacts: [] });
      const result = await createLabVmFromInputs(labContext(dtl), options());
      assert.equal(dtl.virtualMachines.beginCreateOrUpdate.callCount, 0);
      assert.equal(result.reused, true);
      assert.match(result.message, /already existed; nothing changed/);
    });

    it("replaces a VM an earlier run left with failed artifacts (a re-run after failure converges)", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("web01", { id: vmIdOf("web01"), name: "web01", provisioningState: "Succeeded", artifacts: [{ artifactId: "/a/windows-chocolatey", status: "Failed" }] });
      const result = await createLabVmFromInputs(labContext(dtl), options());
      assert.equal(dtl.virtualMachines.beginDelete.callCount, 1);
      assert.equal(dtl.virtualMachines.beginCreateOrUpdate.callCount, 1);
      assert.equal(result.reused, false);
      assert.deepEqual(result.artifactResults.map((a) => a.status), ["Succeeded"]);
    });

    it("refuses to touch a VM of that name that another run is still creating", async () => {
      const { dtl, vms } = statefulDtl();
      vms.set("web01", { id: vmIdOf("web01"), name: "web01", provisioningState: "Creating" });
      await assert.rejects(createLabVmFromInputs(labContext(dtl), options()), (err: Error) => err instanceof AzureOperationError && /is Creating/.test(err.message));
      assert.equal(dtl.virtualMachines.beginDelete.callCount, 0);
    });

    it("retries a failed artifact on a fresh VM named <name>-2 after deleting the failed one, with backoff", async () => {
      const { dtl, vms } = statefulDtl({ artifactStatus: (_id, vm) => (vm === "web01" ? "Failed" : "Succeeded") });
      const clock = new FakeClock();
      const ctx = labContext(dtl, { clock });
      const result = await createLabVmFromInputs(ctx, options({ retry: retry({ appendAttemptToVmName: true, deleteFailedVm: true }) }));
      assert.deepEqual(dtl.virtualMachines.beginCreateOrUpdate.getCalls().map((c) => c.args[2]), ["web01", "web01-2"]);
      assert.deepEqual(dtl.virtualMachines.beginDelete.getCalls().map((c) => c.args[2]), ["web01"]);
      assert.deepEqual([...vms.keys()], ["web01-2"]);
      assert.equal(result.attempts, 2);
      assert.equal(result.vm.name, "web01-2");
      assert.ok(clock.sleeps.includes(30_000), "waited the first retry delay");
      assert.ok(ctx.log.warnings.some((w) => /Attempt 1 of 3 failed/.test(w)));
    });

    it("does not retry a permanent failure, and deletes what it created", async () => {
      const { dtl, vms } = statefulDtl({ createError: () => new AzureOperationError("Creating", "web01", "The lab's policy does not allow this size.", "LabPolicyViolation") });
      await assert.rejects(createLabVmFromInputs(labContext(dtl), options({ retry: retry() })), /policy/);
      assert.equal(dtl.virtualMachines.beginCreateOrUpdate.callCount, 1);
      assert.equal(vms.size, 0, "the failed VM was cleaned up");
    });

    it("gives up after the last attempt and cleans up every VM it created", async () => {
      const { dtl, vms } = statefulDtl({ artifactStatus: () => "Failed" });
      await assert.rejects(createLabVmFromInputs(labContext(dtl), options({ retry: retry({ retries: 1, appendAttemptToVmName: true, deleteFailedVm: false }) })), ArtifactsFailedError);
      assert.equal(dtl.virtualMachines.beginCreateOrUpdate.callCount, 2);
      assert.equal(vms.size, 0, "web01 and web01-2 were both deleted by the clean-up");
    });

    it("keeps the failed VM when asked to", async () => {
      const { dtl, vms } = statefulDtl({ artifactStatus: () => "Failed" });
      const ctx = labContext(dtl);
      await assert.rejects(createLabVmFromInputs(ctx, options({ keepFailedVm: true })), ArtifactsFailedError);
      assert.equal(vms.size, 1);
      assert.ok(ctx.log.warnings.some((w) => /Kept the failed lab VM 'web01'/.test(w)));
    });

    it("succeeds with issues when artifacts fail and failing was turned off", async () => {
      const { dtl } = statefulDtl({ artifactStatus: () => "Failed" });
      const result = await createLabVmFromInputs(labContext(dtl), options({ failOnArtifactError: false }));
      assert.equal(result.withIssues, true);
      assert.match(result.message, /0 of 1 artifact/);
    });

    it("on cancel, stops waiting at once and starts deleting the VM it was creating", async () => {
      const { dtl } = statefulDtl();
      dtl.virtualMachines.beginCreateOrUpdate.callsFake(async () => hangingPoller());
      dtl.virtualMachines.get.callsFake(async () => {
        if (dtl.virtualMachines.beginCreateOrUpdate.callCount === 0) throw Object.assign(new Error("nf"), { statusCode: 404, name: "RestError" });
        return { id: vmIdOf("web01"), name: "web01", provisioningState: "Creating" };
      });
      const controller = new AbortController();
      const ctx = labContext(dtl, { signal: controller.signal });
      const pending = createLabVmFromInputs(ctx, options());
      setTimeout(() => controller.abort(new Error("cancelled")), 20);
      const started = Date.now();
      await assert.rejects(pending, (err: unknown) => isCancellation(err));
      assert.ok(Date.now() - started < 5000, "stopped within the grace period");
      assert.equal(dtl.virtualMachines.beginDelete.callCount, 0, "no delete that waits (its first poll could outlast the grace period)");
      const deletes = dtl.sendRequest.getCalls().map((c) => c.args[0] as { method: string; url: string });
      assert.deepEqual(deletes.map((r) => `${r.method} ${new URL(r.url).pathname}`), [`DELETE ${vmIdOf("web01")}`], "one DELETE was sent");
      assert.match(deletes[0]?.url ?? "", /^https:\/\/management\.example\/subscriptions\/.*\?api-version=2018-09-15$/);
    });

    it("checks the name before any call", async () => {
      const { dtl } = statefulDtl();
      await assert.rejects(createLabVmFromInputs(labContext(dtl), options({ vmName: "name-too-long-for-windows" })), InputError);
      assert.equal(dtl.virtualMachines.get.callCount, 0);
    });
  });

  describe("from an ARM template", () => {
    const template = parseTemplate(
      JSON.stringify({
        parameters: { labName: { type: "string" }, newVMName: { type: "string" }, password: { type: "securestring" } },
        resources: [{ type: "Microsoft.DevTestLab/labs/virtualmachines", name: "[concat(parameters('labName'), '/', parameters('newVMName'))]" }],
        outputs: { labVMId: { type: "string", value: "[resourceId(...)]" } },
      }),
      "templateFile",
    );
    const deployment = () =>
      prepareTemplateDeployment({
        template,
        labName: LAB,
        vmName: "tpl01",
        fileParameters: { password: { value: "Tpl-secret-123" } },
        inputs: { templateInput: "templateFile", vmNameInput: "vmName", parametersInput: "parametersFile", overridesInput: "parameterOverrides" },
      });

    const templateOptions = (): CreateLabVmFromTemplateOptions => {
      const { vmName: _vmName, spec: _spec, formula: _formula, ...common } = options();
      return { ...common, deployment: deployment(), templateName: "azuredeploy.json" };
    };

    it("deploys to the lab's resource group with the injected names and finds the VM it created", async () => {
      const { dtl, vms } = statefulDtl();
      const resources = fakeResources();
      resources.deployments.beginCreateOrUpdate.callsFake(async (_rg: string, _name: string, body: { properties: { parameters: Record<string, { value: unknown }> } }) => {
        const vmName = String(body.properties.parameters.newVMName?.value);
        vms.set(vmName, { id: vmIdOf(vmName), name: vmName, provisioningState: "Succeeded", artifacts: [] });
        return donePoller({ properties: { provisioningState: "Succeeded", outputResources: [{ id: vmIdOf(vmName).toLowerCase() }] } });
      });
      const result = await createLabVmFromTemplate(labContext(dtl, { resources }), templateOptions());
      const [rg, name, body] = resources.deployments.beginCreateOrUpdate.firstCall.args as [string, string, { properties: { mode: string; parameters: Record<string, { value: unknown }> } }];
      assert.equal(rg, RG);
      assert.match(name, /^tpl01-\d{8}-\d{6}-[0-9a-f]{4}$/);
      assert.equal(body.properties.mode, "Incremental");
      assert.deepEqual(body.properties.parameters.labName, { value: LAB });
      assert.equal(result.vm.name, "tpl01");
    });

    it("reports the failed operations of a failed deployment and removes the deployment and VM", async () => {
      const { dtl, vms } = statefulDtl();
      const resources = fakeResources();
      resources.deployments.beginCreateOrUpdate.callsFake(async () => {
        vms.set("tpl01", { id: vmIdOf("tpl01"), name: "tpl01", provisioningState: "Failed" });
        return donePoller(undefined, new AzureOperationError("Deploying", "d", "At least one resource deployment operation failed.", "DeploymentFailed"));
      });
      resources.deploymentOperations.list.callsFake(() =>
        asyncItems([
          { properties: { provisioningState: "Succeeded" } },
          {
            properties: {
              provisioningState: "Failed",
              targetResource: { resourceType: "Microsoft.DevTestLab/labs/virtualmachines", resourceName: "factory/tpl01" },
              statusMessage: { error: { code: "VmSizeNotAllowed", message: "Size Standard_X is not allowed. ##vso[task.setvariable variable=x]y Tpl-secret-123" } },
            },
          },
        ]),
      );
      await assert.rejects(createLabVmFromTemplate(labContext(dtl, { resources }), templateOptions()), (err: Error) => {
        assert.match(err.message, /Failed operations:\n {2}Microsoft\.DevTestLab\/labs\/virtualmachines 'factory\/tpl01': VmSizeNotAllowed: Size Standard_X is not allowed/);
        assert.ok(!err.message.includes("##vso["), "ARM text is neutralised");
        assert.ok(!err.message.includes("Tpl-secret-123"), "a secure parameter echoed by Azure is hidden");
        return true;
      });
      assert.equal(vms.size, 0);
      assert.equal(resources.deployments.beginDelete.callCount, 1);
    });

    it("names each deployment uniquely within ARM's limits", () => {
      const name = deploymentNameFor("a".repeat(64), new Date("2026-11-21T08:30:05.123Z"), () => 0.5);
      assert.equal(name, `${"a".repeat(40)}-20261121-083005-8000`);
      assert.ok(name.length <= 64);
    });

    it("takes the created VM from output resources or outputs, else the expected name", () => {
      assert.equal(createdVmIdOf({ properties: { outputResources: [{ id: `${LAB_ID}/virtualMachines/real` }] } }, lab, "x").vmName, "real");
      assert.equal(createdVmIdOf({ properties: { outputs: { vmId: { type: "string", value: vmIdOf("out") } } } }, lab, "x").vmName, "out");
      assert.equal(createdVmIdOf(undefined, lab, "x").vmName, "x");
    });
  });
});
