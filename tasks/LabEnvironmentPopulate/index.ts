// LabEnvironmentPopulate: check every input (template, parameters, folder to stage) before any write, find the
// environment, stage the template's folder when it links files, deploy, set the outputs, optionally export.
import { basename, dirname } from "node:path";
import { validateDeploymentName } from "../../src/azure/names";
import {
  ARTIFACTS_LOCATION,
  ARTIFACTS_LOCATION_SAS_TOKEN,
  checkArtifactName,
  checkEnvironmentTarget,
  checkExportFolder,
  checkOutputPrefix,
  collectTemplateFolder,
  declaresParameter,
  ENVIRONMENT_OUTPUTS,
  exportDeployedTemplates,
  findEnvironment,
  openLabStagingStore,
  populateDeploymentName,
  populateEnvironment,
  prepareParameters,
  reportEnvironment,
  reportTemplateOutputs,
  type PopulateStaging,
} from "../../src/environments";
import { InputError } from "../../src/errors";
import { parseTemplate, type LabContext } from "../../src/lab";
import { parseOverrides, parseParametersFile, type JsonValue } from "../../src/params";
import { readVariable } from "../../src/pipeline/agent";
import { uploadArtifactFolder } from "../../src/pipeline/artifacts";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

const STAGE_MODES = ["auto", "always", "never"] as const;
const PARAMETER_INPUTS = { template: "templateFile", parametersFile: "parametersFile", parameterOverrides: "parameterOverrides" };

void runTask(manifest, async (ctx) => {
  const targetInputs = ctx.inputs.idOrLabAndName("environmentId", "environmentName");
  const target = checkEnvironmentTarget(targetInputs);
  const templateFile = ctx.inputs.textFile("templateFile", { required: true });
  const template = parseTemplate(templateFile.text, "templateFile") as Record<string, unknown>;
  const parametersFile = ctx.inputs.textFile("parametersFile");
  const fileParameters = parametersFile ? parseParametersFile(parametersFile.text, "parametersFile") : undefined;
  const overrides = parseOverrides(ctx.inputs.multilineText("parameterOverrides"), "parameterOverrides");
  const stageMode = ctx.inputs.choice("stageArtifacts", STAGE_MODES, "auto");
  const linksFiles = declaresParameter(template as JsonValue, ARTIFACTS_LOCATION);
  if (stageMode === "always" && !linksFiles) {
    ctx.log.warn(`The template does not declare '${ARTIFACTS_LOCATION}', so it cannot be told where the staged files are; they are staged anyway, as asked.`);
  }
  const stage = stageMode === "always" || (stageMode === "auto" && linksFiles);
  const files = stage ? collectTemplateFolder(dirname(templateFile.path), { inputName: "templateFile" }) : [];
  const deploymentName = validateDeploymentName(ctx.inputs.optionalString("deploymentName") ?? populateDeploymentName(), { input: "deploymentName" });
  const outputTemplateVariables = ctx.inputs.boolean("outputTemplateVariables", false);
  const prefix = checkOutputPrefix(ctx.inputs.optionalString("outputVariablePrefix") ?? "", "outputVariablePrefix");
  const exportTemplate = ctx.inputs.boolean("exportTemplate", false);
  const exportFolder = exportTemplate ? checkExportFolder(ctx.inputs.optionalString("exportLocation"), { inputName: "exportLocation", baseDirectory: readVariable("System.DefaultWorkingDirectory") || process.cwd() }) : undefined;
  const artifactName = exportTemplate ? checkArtifactName(ctx.inputs.optionalString("exportArtifactName"), "exportArtifactName") : undefined;
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 60);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  // The parameters are checked now, with stand-ins for what staging fills in; the deployment merges them again.
  const filledByStaging = stage ? [ARTIFACTS_LOCATION, ARTIFACTS_LOCATION_SAS_TOKEN] : [];
  const prepare = (set: Record<string, JsonValue>) => prepareParameters({ template: template as JsonValue, fileParameters, overrides, set, filledLater: filledByStaging, inputs: PARAMETER_INPUTS });
  const checked = prepare({});
  for (const secret of checked.secretValues) ctx.registerSecret(secret);

  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const environment = await findEnvironment(labCtx, target, targetInputs.names);
  if (!environment.environment) {
    const input = target.kind === "id" ? "environmentId" : target.nameInput;
    throw new InputError(input, `the environment '${environment.environmentName}' does not exist in the lab '${environment.labName}', or the service connection cannot see it. Create it first (LabEnvironmentCreate), or check the ${target.kind === "id" ? "id" : "name"}.`);
  }
  const staging: PopulateStaging | undefined = stage ? { files, templateText: templateFile.text, openStore: () => openLabStagingStore(labCtx, environment) } : undefined;

  const result = await populateEnvironment(labCtx, {
    environment,
    template,
    templateName: basename(templateFile.path),
    prepareParameters: prepare,
    staging,
    deploymentName,
    timeoutMs,
    secrets: checked.secretValues,
    registerSecret: (value) => ctx.registerSecret(value),
  });
  reportEnvironment(ctx, result.environment);
  ctx.outputs.set("deploymentName", deploymentName);
  if (outputTemplateVariables) reportTemplateOutputs(ctx, result.deployment.properties?.outputs, { prefix, reserved: [...ENVIRONMENT_OUTPUTS, "deploymentName"] });
  if (exportFolder && artifactName) {
    const exported = await exportDeployedTemplates(labCtx, { group: result.group, mainDeployment: deploymentName, folder: exportFolder });
    uploadArtifactFolder(exported.folder, artifactName);
    ctx.log.info(`Exported ${exported.files.length} file(s) to ${exported.folder} and published them as the artifact '${artifactName}'.`);
  }
  ctx.summary.note(result.message);
  return { message: result.message, withIssues: result.withIssues };
});
