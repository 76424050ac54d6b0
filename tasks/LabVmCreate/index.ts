// LabVmCreate: read the inputs, check them all before any Azure call, create the VM, set the outputs.
import { basename } from "node:path";
import { customImageId, parseCustomImageId, parseLabId } from "../../src/azure/ids";
import { validateLabVmName, type OsType } from "../../src/azure/names";
import { InputError } from "../../src/errors";
import {
  ARTIFACTS_JSON_FORM,
  buildLabVmBody,
  checkCredentials,
  checkLabText,
  createLabVmFromInputs,
  createLabVmFromTemplate,
  parseArtifactRequests,
  parseGalleryImage,
  parseTags,
  parseTemplate,
  pickLabSubnet,
  prepareTemplateDeployment,
  readFormula,
  resolveArtifactId,
  resolveLab,
  secretArtifactValues,
  customImageOsType,
  templateVmOsType,
  isResourceIdText,
  type CreateLabVmResult,
  type LabContext,
  type LabVmImage,
  type RetryPolicy,
} from "../../src/lab";
import { parseOverrides, parseParametersFile } from "../../src/params";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask, type TaskContext } from "../../src/pipeline/run";
import manifest from "./task.json";

const SOURCES = ["template", "galleryImage", "customImage", "formula"] as const;

function readRetryPolicy(ctx: TaskContext): RetryPolicy {
  const enabled = ctx.inputs.boolean("retryOnFailure", false);
  return {
    retries: enabled ? ctx.inputs.wholeNumber("retryCount", { min: 1, max: 10, defaultValue: 1 }) : 0,
    initialDelayMs: ctx.inputs.wholeNumber("retryDelaySeconds", { min: 0, max: 600, defaultValue: 30, unit: "seconds" }) * 1000,
    maxDelayMs: 10 * 60_000,
    deleteFailedVm: ctx.inputs.boolean("deleteFailedVmBeforeRetry", true),
    deleteFailedDeployment: ctx.inputs.boolean("deleteFailedDeploymentBeforeRetry", false),
    appendAttemptToVmName: ctx.inputs.boolean("appendAttemptToVmName", false),
  };
}

function setOutputs(ctx: TaskContext, result: CreateLabVmResult): void {
  ctx.outputs.set("labVmId", result.vm.id);
  ctx.outputs.set("labVmName", result.vm.name);
  if (result.vm.fqdn) ctx.outputs.set("labVmFqdn", result.vm.fqdn);
  if (result.vm.ipAddress) ctx.outputs.set("labVmIpAddress", result.vm.ipAddress);
  ctx.summary.fact("Lab VM", result.vm.id);
  ctx.summary.fact("Attempts", String(result.attempts));
  for (const artifact of result.artifactResults) ctx.summary.note(`Artifact ${artifact.name}: ${artifact.status}${artifact.message ? ` — ${artifact.message}` : ""}`);
}

void runTask(manifest, async (ctx) => {
  // Every input is read and checked first: a bad one fails the task before anything is written to Azure.
  const lab = ctx.inputs.requiredString("lab", "the lab's resource id or name");
  checkLabText(lab, "lab");
  const source = ctx.inputs.choice("source", SOURCES, "template");
  const vmNameInput = ctx.inputs.optionalString("vmName");
  const common = {
    timeoutMs: timeoutMsInput(ctx, "timeoutMinutes", 60),
    artifactWaitMs: timeoutMsInput(ctx, "artifactWaitMinutes", 60),
    failOnArtifactError: ctx.inputs.boolean("failOnArtifactError", true),
    retry: readRetryPolicy(ctx),
    keepFailedVm: ctx.inputs.boolean("keepFailedVm", false),
    vmNameInput: "vmName",
  };
  const pollIntervalMs = pollIntervalMsInput(ctx);

  if (source === "template") {
    const template = ctx.inputs.textFile("templateFile", { required: true });
    const parametersFile = ctx.inputs.textFile("parametersFile");
    const parsedTemplate = parseTemplate(template.text, "templateFile");
    const fileParameters = parametersFile ? parseParametersFile(parametersFile.text, "parametersFile") : undefined;
    const overrides = parseOverrides(ctx.inputs.multilineText("parameterOverrides"), "parameterOverrides");
    // The lab name is injected now for the checks; the lab's real name (from Azure) is the same or differs only in case.
    const prepare = (labName: string) =>
      prepareTemplateDeployment({
        template: parsedTemplate,
        fileParameters,
        overrides,
        labName,
        vmName: vmNameInput,
        inputs: { templateInput: "templateFile", vmNameInput: "vmName", parametersInput: "parametersFile", overridesInput: "parameterOverrides" },
      });
    const labName = isResourceIdText(lab) ? parseLabId(lab, "lab").labName : lab;
    let deployment = prepare(labName);
    for (const secret of deployment.secretValues) ctx.registerSecret(secret);
    const osType = templateVmOsType(parsedTemplate);
    validateLabVmName(deployment.vmName, { input: "vmName", osType });

    const clients = connectToAzure(ctx);
    const labCtx: LabContext = { clients, signal: ctx.signal, log: ctx.log, pollIntervalMs };
    const resolved = await resolveLab(labCtx, { lab, inputName: "lab" });
    // The lab's name as Azure spells it (the input may differ in case).
    if (resolved.labName !== labName) deployment = prepare(resolved.labName);
    for (const warning of deployment.warnings) ctx.log.warn(warning);
    const result = await createLabVmFromTemplate(labCtx, { ...common, osType, lab: resolved, deployment, templateName: basename(template.path) });
    setOutputs(ctx, result);
    return { message: result.message, withIssues: result.withIssues };
  }

  // From inputs: image, credentials, artifacts, tags.
  if (!vmNameInput) throw new InputError("vmName", "is required when creating from an image or formula: give the new VM's name.");
  const password = ctx.inputs.optionalString("password");
  ctx.registerSecret(password);
  const sshKey = ctx.inputs.optionalString("sshKey");
  const userName = ctx.inputs.optionalString("userName");
  const size = ctx.inputs.optionalString("size");
  const artifactRequests = ctx.inputs.json("artifacts", ARTIFACTS_JSON_FORM, parseArtifactRequests, { secret: true }) ?? [];
  const secrets = [...secretArtifactValues(artifactRequests), ...(password ? [password] : [])];
  for (const secret of secrets) ctx.registerSecret(secret);
  const tags = parseTags(ctx.inputs.multilineText("tags"), "tags");
  const allowClaim = ctx.inputs.boolean("allowClaim", false);
  const notes = ctx.inputs.optionalString("notes");

  let image: LabVmImage;
  if (source === "galleryImage") {
    const osType = ctx.inputs.choice("osType", ["Windows", "Linux"] as const, "Windows");
    image = { kind: "galleryImage", image: parseGalleryImage(ctx.inputs.requiredString("galleryImage", "publisher:offer:sku[:version]"), "galleryImage"), osType };
  } else if (source === "customImage") {
    const value = ctx.inputs.requiredString("customImage", "the custom image's resource id or name");
    if (isResourceIdText(value)) parseCustomImageId(value, "customImage");
    image = { kind: "customImage", customImageId: value };
  } else {
    image = { kind: "formula", formulaId: ctx.inputs.requiredString("formula", "the formula's name or resource id") };
  }
  if (image.kind === "galleryImage") {
    validateLabVmName(vmNameInput, { input: "vmName", osType: image.osType });
    if (!size) throw new InputError("size", "is required: give the VM size, e.g. Standard_D2s_v3.");
    if (!userName) throw new InputError("userName", "is required: give the administrator's user name.");
    if (!password && !sshKey) throw new InputError("password", `is required: give the administrator's password as a secret variable, e.g. $(VmPassword)${image.osType === "Linux" ? ", or an SSH public key in 'sshKey'" : ""}.`);
  } else {
    validateLabVmName(vmNameInput, { input: "vmName" });
  }
  checkCredentials({ userName, password, sshKey }, image.kind === "galleryImage" ? image.osType : undefined, { userName: "userName", password: "password", sshKey: "sshKey" });

  const clients = connectToAzure(ctx);
  const labCtx: LabContext = { clients, signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const resolved = await resolveLab(labCtx, { lab, inputName: "lab" });
  const artifacts = artifactRequests.map((r) => ({ artifactId: resolveArtifactId(r, resolved, "artifacts"), parameters: r.parameters }));

  // What the image and formula say about the OS decides the name's length limit and the credentials needed.
  let osType: OsType | undefined = image.kind === "galleryImage" ? image.osType : undefined;
  let formula;
  if (image.kind === "customImage") {
    const id = isResourceIdText(image.customImageId) ? image.customImageId : customImageId({ ...resolved, imageName: image.customImageId });
    image = { ...image, customImageId: id };
    osType = await customImageOsType(labCtx, { id, inputName: "customImage" });
  } else if (image.kind === "formula") {
    const found = await readFormula(labCtx, { lab: resolved, formula: image.formulaId, inputName: "formula" });
    formula = found.content;
    osType = found.osType;
  }
  validateLabVmName(vmNameInput, { input: "vmName", osType });
  checkCredentials({ userName, password, sshKey }, osType, { userName: "userName", password: "password", sshKey: "sshKey" });
  if (osType === "Windows" && !password && !formula?.password) throw new InputError("password", `is required for a Windows VM${formula ? " (the formula has none)" : ""}: give the administrator's password as a secret variable, e.g. $(VmPassword).`);

  const subnet = formula?.labVirtualNetworkId ? undefined : await pickLabSubnet(labCtx, resolved);
  const spec = { image, size, userName, password, sshKey, artifacts, allowClaim, notes, tags, ...(subnet ?? {}) };
  // Built once here so a problem with the body shows before the first write; the create builds it per attempt.
  buildLabVmBody(spec, { location: resolved.location, formula });
  const result = await createLabVmFromInputs(labCtx, { ...common, osType, lab: resolved, vmName: vmNameInput, spec, formula, secrets });
  setOutputs(ctx, result);
  return { message: result.message, withIssues: result.withIssues };
});
