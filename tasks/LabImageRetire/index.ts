// LabImageRetire: delete old generations of the factory's custom images, per image family, in one lab or in every
// lab of a labs file.
import { labId } from "../../src/azure/ids";
import { AzureOperationError, InputError } from "../../src/errors";
import { globToRegex, labConnections, readTargetLabs, retireImages, type ImagesContext, type RetireLab } from "../../src/images";
import { checkLabText, resolveLab } from "../../src/lab";
import { connectToAzureAndTarget, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import { CancelledError } from "../../src/steps";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  // Every input is checked before the first call to Azure.
  const labText = ctx.inputs.optionalString("lab");
  if (labText) {
    checkLabText(labText, "lab");
  }
  const labsFile = ctx.inputs.textFile("labsFile");
  const fileLabs = labsFile ? readTargetLabs({ labsFile, names: { labIds: "lab", labsFile: "labsFile" } }) : [];
  if (!labText && fileLabs.length === 0) throw new InputError("lab", "is required unless 'labsFile' is given: give the lab (resource id or name) to retire images in.");
  const keepNewestText = ctx.inputs.optionalString("keepNewest");
  const maxAgeText = ctx.inputs.optionalString("maxAgeDays");
  if (keepNewestText === undefined && maxAgeText === undefined) {
    throw new InputError("keepNewest", "is required unless 'maxAgeDays' is given: say how many of the newest images of each family to keep, how old an image may get, or both.");
  }
  const keepNewest = keepNewestText === undefined ? undefined : ctx.inputs.wholeNumber("keepNewest", { min: 0, max: 1000, unit: "images" });
  const maxAgeDays = maxAgeText === undefined ? undefined : ctx.inputs.wholeNumber("maxAgeDays", { min: 0, max: 36500, unit: "days" });
  const familyText = ctx.inputs.optionalString("family");
  // eslint-disable-next-line no-control-regex
  if (familyText !== undefined && (familyText.length > 256 || /[\u0000-\u001f]/.test(familyText))) {
    throw new InputError("family", "expected an image family key (the ImageFactory.Family tag's value, `*` and `?` allowed) of at most 256 characters, e.g. win2016/*.");
  }
  const deleteLastImage = ctx.inputs.boolean("deleteLastImage", false);
  const dryRun = ctx.inputs.boolean("dryRun", false);
  const maxParallel = ctx.inputs.wholeNumber("maxParallel", { min: 1, max: 16, defaultValue: 4, unit: "deletes" });
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 30);
  const pollIntervalMs = pollIntervalMsInput(ctx);
  const { primary, secondary } = connectToAzureAndTarget(ctx);

  const imagesCtx: ImagesContext = { connections: labConnections(primary, secondary), signal: ctx.signal, log: ctx.log, registerSecret: ctx.registerSecret, pollIntervalMs };
  const labs: RetireLab[] = [];
  if (labText) {
    const lab = await resolveLab({ clients: primary.clients, signal: ctx.signal, log: ctx.log, pollIntervalMs }, { lab: labText, inputName: "lab" });
    labs.push({ subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, labName: lab.labName, id: labId(lab), input: "lab" });
  }
  for (const lab of fileLabs) if (!labs.some((known) => known.id.toLowerCase() === lab.id.toLowerCase())) labs.push(lab);

  const result = await retireImages(imagesCtx, {
    labs,
    policy: { keepNewest, maxAgeDays, deleteLastImage, ...(familyText ? { family: globToRegex(familyText) } : {}) },
    dryRun,
    maxParallel,
    timeoutMs,
  });

  ctx.outputs.set("deletedImageIds", JSON.stringify(result.deletedImageIds));
  ctx.outputs.set("plannedImageIds", JSON.stringify(result.selectedImageIds));
  for (const lab of result.labs) {
    const selected = lab.decisions.filter((d) => d.action === "delete").map((d) => d.image.name);
    const kept = lab.decisions.length - selected.length;
    const verb = dryRun ? "would delete" : "deleted";
    const done = dryRun ? selected : lab.deleted.map((image) => image.name);
    ctx.summary.fact(`Lab ${lab.lab.labName}`, `${verb} ${done.length}${done.length > 0 ? ` (${done.join(", ")})` : ""}, kept ${kept}${lab.failed.length > 0 ? `, failed ${lab.failed.length}` : ""}`);
  }
  if (dryRun) ctx.summary.note("Dry run: nothing was deleted.");
  if (result.cancelled) throw new CancelledError(result.message);
  if (result.failed.length > 0) {
    throw new AzureOperationError(
      "Retiring custom images",
      `${result.failed.length} custom image${result.failed.length === 1 ? "" : "s"}`,
      `${result.failed.map((f) => `'${f.name}' in lab '${f.lab}': ${f.error}`).join(" | ")}. ${result.message} Re-run to retry them.`,
      "RetirementFailed",
    );
  }
  return result.message;
});
