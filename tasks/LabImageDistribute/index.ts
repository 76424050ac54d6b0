// LabImageDistribute: copy custom images from a lab to other labs (other subscriptions, regions, tenants).
import { AzureOperationError, InputError } from "../../src/errors";
import { distributeImages, labConnections, parseImageSelection, readTargetLabs, selectionNeedsLab, type ImagesContext } from "../../src/images";
import { checkLabText, resolveLab } from "../../src/lab";
import { connectToAzureAndTarget, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import { CancelledError } from "../../src/steps";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  // Every input is checked before the first call to Azure.
  const selection = parseImageSelection({
    images: ctx.inputs.multilineText("images"),
    namePattern: ctx.inputs.optionalString("imageNamePattern"),
    tagFilter: ctx.inputs.optionalString("imageTagFilter"),
    names: { images: "images", namePattern: "imageNamePattern", tagFilter: "imageTagFilter" },
  });
  const sourceLabText = ctx.inputs.optionalString("sourceLab");
  if (sourceLabText) {
    checkLabText(sourceLabText, "sourceLab");
  } else if (selectionNeedsLab(selection)) {
    throw new InputError("sourceLab", "is required when images are given by name or chosen by pattern: give the lab they are in (resource id or name).");
  }
  const newestPerFamily = ctx.inputs.boolean("newestPerFamily", false);
  const labsFile = ctx.inputs.textFile("labsFile");
  const targets = readTargetLabs({ labIds: ctx.inputs.multilineText("targetLabs"), labsFile, names: { labIds: "targetLabs", labsFile: "labsFile" } });
  if (targets.length === 0) throw new InputError("targetLabs", "is required unless 'labsFile' is given: list the resource ids of the labs to copy the images to.");
  const useImagePaths = ctx.inputs.boolean("useImagePaths", true);
  const maxParallel = ctx.inputs.wholeNumber("maxParallel", { min: 1, max: 16, defaultValue: 3, unit: "copies" });
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 180);
  const pollIntervalMs = pollIntervalMsInput(ctx);
  const { primary, secondary } = connectToAzureAndTarget(ctx);

  const imagesCtx: ImagesContext = { connections: labConnections(primary, secondary), signal: ctx.signal, log: ctx.log, registerSecret: ctx.registerSecret, pollIntervalMs };
  const sourceLab = sourceLabText ? await resolveLab({ clients: primary.clients, signal: ctx.signal, log: ctx.log, pollIntervalMs }, { lab: sourceLabText, inputName: "sourceLab" }) : undefined;
  const result = await distributeImages(imagesCtx, {
    selection,
    sourceLab,
    targets,
    useImagePaths,
    newestPerFamily,
    maxParallel,
    timeoutMs,
    inputs: { images: "images", namePattern: "imageNamePattern", tagFilter: "imageTagFilter" },
  });

  ctx.outputs.set("createdImageIds", JSON.stringify(result.createdImageIds));
  ctx.outputs.set("targetImageIds", JSON.stringify(result.targetImageIds));
  for (const outcome of result.outcomes) {
    const status = { created: "Created", present: "Already present", skipped: "Skipped", failed: "Failed" }[outcome.status];
    const detail = outcome.status === "failed" ? `: ${outcome.detail}` : outcome.detail ? ` (${outcome.detail})` : "";
    ctx.summary.fact(`${outcome.image} → ${outcome.lab}`, `${status}${detail}`);
  }
  for (const warning of result.warnings) ctx.log.warn(warning);
  if (result.cancelled) throw new CancelledError(result.message);
  if (result.failed.length > 0) {
    const lines = result.failed.map((o) => `'${o.image}' → lab '${o.lab}': ${o.detail}`);
    throw new AzureOperationError(
      "Distributing custom images",
      `${result.failed.length} of ${result.outcomes.length} image × lab pairs`,
      `${lines.join(" | ")}. ${result.message} Fix the cause and re-run: labs that have the image already are skipped.`,
      "DistributionFailed",
    );
  }
  return { message: result.message, withIssues: result.warnings.length > 0 };
});
