// The lab tasks chained as a pipeline would: create (both modes) → action → capture → delete, each step reading the
// previous step's output variables, on Node 20 and Node 24, against the offline Azure.
import { strict as assert } from "node:assert";
import { forEachNode } from "../harness";
import { assertSucceeded, FACTORY_LAB_ID, galleryVmInputs, goldenImage, useLabEmulator } from "./lab-support";

describe("lab tasks end to end: the create → action → capture → delete chain", function () {
  this.timeout(240_000);
  const e2e = useLabEmulator();

  forEachNode((node) => {
    it("creates a VM from the image factory's template, stops it, captures it, deletes the VM and the image", async () => {
      const suffix = node.major;
      const seq = await e2e.lastSeq();
      const create = await e2e.run({
        task: "LabVmCreate",
        node,
        debug: true,
        microsoftNames: true,
        inputs: {
          LabId: FACTORY_LAB_ID,
          VirtualMachineName: `tpl-${suffix}`,
          TemplateFile: goldenImage,
          ParameterOverrides: "-size Standard_D2s_v3 -userName factoryadmin -password (ConvertTo-SecureString -String '$(VmPassword)' -AsPlainText -Force)",
          pollIntervalSeconds: "1",
        },
      });
      assertSucceeded(create);
      const labVmId = create.variable("labVmId");
      assert.equal(labVmId?.isOutput, true, "labVmId is an output variable (Microsoft's task forgot isOutput)");
      assert.match(labVmId?.value ?? "", new RegExp(`/virtualmachines/tpl-${suffix}$`, "i"));
      assert.equal(create.variable("labVmName")?.value, `tpl-${suffix}`);
      assert.ok((await e2e.labResources()).vms.some((id) => id.endsWith(`/tpl-${suffix}`)), "the emulator holds the VM");
      assert.ok((await e2e.writesSince(seq)).some((w) => w.method === "PUT" && /\/deployments\//i.test(w.path)), "the request log shows the deployment");

      const stop = await e2e.run({ task: "LabVmAction", node, inputs: { LabVmId: labVmId?.value ?? "", action: "stop", pollIntervalSeconds: "1" } });
      assertSucceeded(stop);
      assert.match(stop.result.message ?? "", /Stopped|already stopped/);

      const capture = await e2e.run({
        task: "LabImageCapture",
        node,
        inputs: { LabVmId: labVmId?.value ?? "", NewCustomImageName: `img-tpl-${suffix}`, OsType: "Windows", WindowsOsState: "NonSysprepped", Description: "From the e2e chain", pollIntervalSeconds: "1" },
      });
      assertSucceeded(capture);
      const customImageId = capture.variable("customImageId");
      assert.equal(customImageId?.isOutput, true);
      assert.match(customImageId?.value ?? "", new RegExp(`/customimages/img-tpl-${suffix}$`, "i"));

      const deleteVm = await e2e.run({ task: "LabVmDelete", node, inputs: { LabVmId: labVmId?.value ?? "", pollIntervalSeconds: "1" } });
      assertSucceeded(deleteVm);
      const again = await e2e.run({ task: "LabVmDelete", node, inputs: { LabVmId: labVmId?.value ?? "" } });
      assertSucceeded(again);
      assert.match(again.result.message ?? "", /already deleted/);

      const deleteImage = await e2e.run({ task: "LabImageDelete", node, inputs: { CustomImageId: customImageId?.value ?? "", pollIntervalSeconds: "1" } });
      assertSucceeded(deleteImage);
      const left = await e2e.labResources();
      assert.ok(!left.vms.some((id) => id.endsWith(`/tpl-${suffix}`)), "the VM is gone");
      assert.ok(!left.images.some((id) => id.endsWith(`/img-tpl-${suffix}`)), "the image is gone");
    });

    it("creates a VM from a gallery image with an artifact, applies another, and re-running the create changes nothing", async () => {
      const suffix = node.major;
      const inputs = galleryVmInputs(`gal-${suffix}`);
      const create = await e2e.run({ task: "LabVmCreate", node, inputs });
      assertSucceeded(create);
      const labVmId = create.variable("labVmId")?.value ?? "";
      assert.match(create.result.message ?? "", /1 of 1 artifact/);

      const rerun = await e2e.run({ task: "LabVmCreate", node, inputs });
      assertSucceeded(rerun);
      assert.match(rerun.result.message ?? "", /already existed; nothing changed/);
      assert.equal(rerun.variable("labVmId")?.value.toLowerCase(), labVmId.toLowerCase());

      const apply = await e2e.run({ task: "LabVmAction", node, inputs: { lab: "FactoryLab", vmName: `gal-${suffix}`, action: "applyArtifacts", artifacts: '[{"name": "linux-deprovision"}]', pollIntervalSeconds: "1" } });
      assert.ok(["Succeeded", "SucceededWithIssues", "Failed"].includes(apply.result.result ?? ""), apply.result.message);

      const cleanup = await e2e.run({ task: "LabVmDelete", node, inputs: { lab: "FactoryLab", vmName: `gal-${suffix}` } });
      assertSucceeded(cleanup);
    });
  });
});
