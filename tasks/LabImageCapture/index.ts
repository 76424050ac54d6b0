// LabImageCapture: capture a custom image from a lab VM; optionally delete the VM afterwards.
import { validateCustomImageName } from "../../src/azure/names";
import { captureCustomImage, checkVmTarget, LINUX_OS_STATES, parseTags, resolveLabVm, WINDOWS_OS_STATES, type LabContext } from "../../src/lab";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  const target = ctx.inputs.idOrLabAndName("vmId", "vmName");
  checkVmTarget(target);
  const imageName = validateCustomImageName(ctx.inputs.requiredString("imageName", "the new custom image's name"), { input: "imageName" });
  const osType = ctx.inputs.choice("osType", ["Windows", "Linux"] as const);
  const windowsOsState = osType === "Windows" ? ctx.inputs.choice("windowsOsState", WINDOWS_OS_STATES, "NonSysprepped") : undefined;
  const linuxOsState = osType === "Linux" ? ctx.inputs.choice("linuxOsState", LINUX_OS_STATES, "NonDeprovisioned") : undefined;
  const description = ctx.inputs.optionalString("description");
  const tags = parseTags(ctx.inputs.multilineText("tags"), "tags");
  const deleteSourceVm = ctx.inputs.boolean("deleteSourceVm", false);
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 120);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const vm = await resolveLabVm(labCtx, target);
  const result = await captureCustomImage(labCtx, {
    vm,
    vmInput: target.vmId ? "vmId" : "vmName",
    imageInput: "imageName",
    imageName,
    osType,
    windowsOsState,
    linuxOsState,
    description,
    tags,
    deleteSourceVm,
    timeoutMs,
  });
  ctx.outputs.set("customImageId", result.imageId);
  ctx.outputs.set("customImageName", result.imageName);
  ctx.summary.fact("Source VM", vm.id);
  return result.message;
});
