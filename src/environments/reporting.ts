// What the environment tasks hand to later steps: the environment's ids as output variables, the template's outputs
// under a prefix, and where the exported templates go. The sinks are declared here structurally (the pipeline's
// TaskOutputs/TaskSummary/TaskLog fit), so the domain never depends on the agent.
import { existsSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { InputError } from "../errors";
import type { EnvironmentDetails } from "./details";
import { templateOutputVariables } from "./outputs";

export interface OutputSink {
  set(name: string, value: string, options?: { secret?: boolean }): void;
}
export interface SummarySink {
  fact(label: string, value: string): void;
  note(text: string): void;
}
export interface InfoSink {
  info(message: string): void;
}

/** The output variables every environment task sets (Microsoft's names first). */
export const ENVIRONMENT_OUTPUTS = ["environmentResourceId", "environmentResourceGroupId", "environmentResourceGroupName", "environmentName"] as const;

export function reportEnvironment(sinks: { outputs: OutputSink; summary: SummarySink }, environment: EnvironmentDetails): void {
  sinks.outputs.set("environmentResourceId", environment.id);
  if (environment.resourceGroupId) sinks.outputs.set("environmentResourceGroupId", environment.resourceGroupId);
  if (environment.resourceGroupName) sinks.outputs.set("environmentResourceGroupName", environment.resourceGroupName);
  sinks.outputs.set("environmentName", environment.name);
  sinks.summary.fact("Environment", environment.id);
  if (environment.resourceGroupId) sinks.summary.fact("Resource group", environment.resourceGroupId);
}

/** Sets the template's outputs as output variables; returns how many were set. */
export function reportTemplateOutputs(
  sinks: { outputs: OutputSink; log: InfoSink; summary: SummarySink },
  outputs: unknown,
  options: { prefix: string; reserved: readonly string[] },
): number {
  const { variables, skipped } = templateOutputVariables(outputs, options);
  for (const variable of variables) sinks.outputs.set(variable.name, variable.value, { secret: variable.secret });
  for (const note of skipped) {
    sinks.log.info(note);
    sinks.summary.note(note);
  }
  sinks.log.info(variables.length === 0 ? "The template has no outputs to set as variables." : `Set ${variables.length} template output(s) as output variables: ${variables.map((v) => v.name).join(", ")}.`);
  return variables.length;
}

/** The export folder input: an absolute path (relative ones below `baseDirectory`) that is not a file. */
export function checkExportFolder(value: string | undefined, options: { inputName: string; baseDirectory: string }): string {
  const raw = value?.trim();
  if (!raw) throw new InputError(options.inputName, "is required when exporting: give the folder the templates are written to, e.g. $(Build.ArtifactStagingDirectory)/DeployedEnvironment.");
  if (/\$\([^)]*\)/.test(raw)) throw new InputError(options.inputName, `'${raw.slice(0, 120)}' holds a variable the pipeline did not define. Define it, or give a path.`);
  const folder = isAbsolute(raw) ? raw : resolve(options.baseDirectory, raw);
  if (existsSync(folder) && !statSync(folder).isDirectory()) throw new InputError(options.inputName, `'${raw.slice(0, 120)}' is a file; give a folder.`);
  return folder;
}

/** An artifact name: letters, digits, ".", "_", "-" and blanks, at most 100 characters, not only dots. */
export function checkArtifactName(value: string | undefined, inputName: string): string {
  const name = value?.trim() || "DeployedEnvironment";
  if (name.length > 100 || !/^[A-Za-z0-9._ -]+$/.test(name) || /^\.+$/.test(name)) {
    throw new InputError(inputName, `'${name.slice(0, 120)}' is not a valid artifact name: use up to 100 letters, digits, '.', '_', '-' and blanks.`);
  }
  return name;
}
