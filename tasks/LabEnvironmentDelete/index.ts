// LabEnvironmentDelete: delete an environment by id, or by lab and name (any owner's). One that is already gone is a
// success with a note; transient failures are retried.
import { checkEnvironmentTarget, deleteEnvironment, describeEnvironment, findEnvironment } from "../../src/environments";
import type { LabContext } from "../../src/lab";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  const targetInputs = ctx.inputs.idOrLabAndName("environmentId", "environmentName");
  const target = checkEnvironmentTarget(targetInputs);
  const waitForCompletion = ctx.inputs.boolean("waitForCompletion", true);
  const retries = ctx.inputs.wholeNumber("retryCount", { min: 0, max: 10, defaultValue: 3 });
  const retryDelayMs = ctx.inputs.wholeNumber("retryDelaySeconds", { min: 0, max: 600, defaultValue: 10, unit: "seconds" }) * 1000;
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 30);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const environment = await findEnvironment(labCtx, target, targetInputs.names);
  ctx.summary.fact("Environment", environment.id);
  if (!environment.environment) {
    const message = `The ${describeEnvironment(environment)} does not exist (already deleted); nothing to do.`;
    ctx.summary.note(message);
    return message;
  }
  const result = await deleteEnvironment(labCtx, { environment, timeoutMs, waitForCompletion, retries, retryDelayMs });
  ctx.summary.note(result.message);
  return result.message;
});
