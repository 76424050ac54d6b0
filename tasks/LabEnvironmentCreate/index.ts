// LabEnvironmentCreate: read and check every input (the template's parameters too) before any Azure write, create
// the environment, set the outputs, optionally export what was deployed as a pipeline artifact.
import { validateEnvironmentName } from "../../src/azure/names";
import {
  ARTIFACTS_LOCATION,
  ARTIFACTS_LOCATION_SAS_TOKEN,
  checkArtifactName,
  checkExportFolder,
  checkOutputPrefix,
  checkTemplateSource,
  createEnvironment,
  ENVIRONMENT_OUTPUTS,
  environmentResourceGroup,
  exportDeployedTemplates,
  IF_EXISTS,
  prepareParameters,
  reportEnvironment,
  reportTemplateOutputs,
  resolveTemplate,
  toEnvironmentParameters,
} from "../../src/environments";
import { checkLabText, resolveLab, type LabContext } from "../../src/lab";
import { parseOverrides, parseParametersFile, type JsonValue } from "../../src/params";
import { readVariable } from "../../src/pipeline/agent";
import { uploadArtifactFolder } from "../../src/pipeline/artifacts";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  const lab = ctx.inputs.requiredString("lab", "the lab's resource id or name");
  checkLabText(lab, "lab");
  const names = { repository: "repository", template: "template" };
  const source = checkTemplateSource({ repository: ctx.inputs.optionalString("repository"), template: ctx.inputs.optionalString("template"), names });
  const environmentName = validateEnvironmentName(ctx.inputs.requiredString("environmentName", "the new environment's name"), { input: "environmentName" });
  const parametersFile = ctx.inputs.textFile("parametersFile");
  const fileParameters = parametersFile ? parseParametersFile(parametersFile.text, "parametersFile") : undefined;
  const overrides = parseOverrides(ctx.inputs.multilineText("parameterOverrides"), "parameterOverrides");
  const outputTemplateVariables = ctx.inputs.boolean("outputTemplateVariables", false);
  const prefix = checkOutputPrefix(ctx.inputs.optionalString("outputVariablePrefix") ?? "", "outputVariablePrefix");
  const exportTemplate = ctx.inputs.boolean("exportTemplate", false);
  const exportFolder = exportTemplate ? checkExportFolder(ctx.inputs.optionalString("exportLocation"), { inputName: "exportLocation", baseDirectory: readVariable("System.DefaultWorkingDirectory") || process.cwd() }) : undefined;
  const artifactName = exportTemplate ? checkArtifactName(ctx.inputs.optionalString("exportArtifactName"), "exportArtifactName") : undefined;
  const ifExists = ctx.inputs.choice("ifExists", IF_EXISTS, "reuse");
  const keepFailedEnvironment = ctx.inputs.boolean("keepFailedEnvironment", false);
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 60);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  // Only reads until the parameters are checked against the template the repository holds.
  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const resolvedLab = await resolveLab(labCtx, { lab, inputName: "lab" });
  const template = await resolveTemplate(labCtx, { lab: resolvedLab, source, names });
  const prepared = prepareParameters({
    template: template.contents as JsonValue,
    fileParameters,
    overrides,
    // DevTest Labs fills these for a repository template (the template's folder in the lab's storage).
    filledLater: [ARTIFACTS_LOCATION, ARTIFACTS_LOCATION_SAS_TOKEN],
    inputs: { template: "template", parametersFile: "parametersFile", parameterOverrides: "parameterOverrides" },
  });
  for (const secret of prepared.secretValues) ctx.registerSecret(secret);
  const parameters = toEnvironmentParameters(prepared.parameters, "parametersFile");
  for (const warning of prepared.warnings) ctx.log.warn(warning);

  const result = await createEnvironment(labCtx, { lab: resolvedLab, environmentName, template, parameters, timeoutMs, ifExists, keepFailedEnvironment, secrets: prepared.secretValues });
  reportEnvironment(ctx, result.environment);
  ctx.summary.fact("Template", template.id);
  if (outputTemplateVariables) reportTemplateOutputs(ctx, result.deployment?.properties?.outputs, { prefix, reserved: ENVIRONMENT_OUTPUTS });
  if (exportFolder && artifactName && result.environment.resourceGroupId) {
    const exported = await exportDeployedTemplates(labCtx, {
      group: environmentResourceGroup(result.environment.resourceGroupId, result.environment.id),
      mainDeployment: result.deployment?.name ?? environmentName,
      folder: exportFolder,
    });
    uploadArtifactFolder(exported.folder, artifactName);
    ctx.log.info(`Exported ${exported.files.length} file(s) to ${exported.folder} and published them as the artifact '${artifactName}'.`);
  }
  ctx.summary.note(result.message);
  return result.message;
});
