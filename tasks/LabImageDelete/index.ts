// LabImageDelete: delete a lab custom image by id, or by lab and name. An image already gone is a success.
import { checkImageTarget, deleteCustomImage, resolveCustomImage, type LabContext } from "../../src/lab";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  const target = ctx.inputs.idOrLabAndName("imageId", "imageName");
  checkImageTarget(target);
  const waitForCompletion = ctx.inputs.boolean("waitForCompletion", true);
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 30);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const image = await resolveCustomImage(labCtx, target);
  const result = await deleteCustomImage(labCtx, { image, timeoutMs, waitForCompletion });
  ctx.summary.fact("Custom image", image.id);
  return result.message;
});
