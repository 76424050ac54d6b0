// LabVmDelete: delete a lab VM by id, or by lab and name. A VM that is already gone is a success with a note.
import { checkVmTarget, deleteLabVm, resolveLabVm, type LabContext } from "../../src/lab";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  const target = ctx.inputs.idOrLabAndName("vmId", "vmName");
  checkVmTarget(target);
  const waitForCompletion = ctx.inputs.boolean("waitForCompletion", true);
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 30);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const vm = await resolveLabVm(labCtx, target);
  const result = await deleteLabVm(labCtx, { vm, timeoutMs, waitForCompletion });
  ctx.summary.fact("Lab VM", vm.id);
  ctx.summary.note(result.message);
  return result.message;
});
