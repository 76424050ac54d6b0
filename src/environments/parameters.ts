// Template parameters for environments. The parameters file and overrides are merged against the template's own
// declarations (src/params), so an undeclared name, a wrong type or a missing value fails before any write. Pure.
//
// Two shapes leave here: DevTest Labs takes an environment's parameters as [{name, value}] with string values (the
// service converts them to the template's types), and a deployment into the environment's resource group takes the
// ARM `parameters` object. `_artifactsLocation` and `_artifactsLocationSasToken` are the linked-files convention:
// DevTest Labs fills them for a repository template, the populate task for a staged folder.
import type { ArmTemplateParameterProperties } from "@azure/arm-devtestlabs";
import { InputError } from "../errors";
import { isReferenceEntry, mergeParameters, readTemplateParameters, type ArmParameters, type JsonValue, type ParameterOverrides } from "../params";

export const ARTIFACTS_LOCATION = "_artifactsLocation";
export const ARTIFACTS_LOCATION_SAS_TOKEN = "_artifactsLocationSasToken";

export interface ParameterInputNames {
  /** The input the template came from (its parameter declarations are read from it). */
  template: string;
  parametersFile: string;
  parameterOverrides: string;
}

export interface PrepareParametersOptions {
  /** The template (azuredeploy.json) as a JSON object. */
  template: JsonValue;
  fileParameters?: ArmParameters;
  overrides?: ParameterOverrides;
  /** Values the task sets itself (applied last; skipped when the template does not declare them). */
  set?: Record<string, JsonValue>;
  /** Parameters a missing value is fine for, because someone else fills them (DevTest Labs, the staging step). */
  filledLater?: readonly string[];
  inputs: ParameterInputNames;
}

export interface PreparedParameters {
  /** The ARM deployment's `parameters`: name → {value} or a Key Vault {reference}. */
  parameters: ArmParameters;
  /** Values to register as secrets before anything is logged. */
  secretValues: string[];
  warnings: string[];
}

/** Merges and checks the parameters for a deployment of `template`. Throws InputError naming the input at fault. */
export function prepareParameters(options: PrepareParametersOptions): PreparedParameters {
  const { inputs } = options;
  const definitions = readTemplateParameters(options.template, inputs.template);
  const merged = mergeParameters(options.fileParameters, options.overrides, definitions, {
    parametersInput: inputs.parametersFile,
    overridesInput: inputs.parameterOverrides,
    set: options.set,
  });
  const later = new Set((options.filledLater ?? []).map((name) => name.toLowerCase()));
  const missing = merged.missingRequired.filter((name) => !later.has(name.toLowerCase()));
  if (missing.length > 0) {
    throw new InputError(inputs.parameterOverrides, `the template needs a value for ${missing.map((name) => `'${name}'`).join(", ")}: set it in the parameters file or as an override (-${missing[0] ?? "name"} value).`);
  }
  return { parameters: merged.parameters, secretValues: merged.secretValues, warnings: merged.warnings };
}

/**
 * The parameters as DevTest Labs takes them for an environment: [{name, value}] with every value a string (objects
 * and arrays as JSON). Key Vault references cannot be expressed there.
 */
export function toEnvironmentParameters(parameters: ArmParameters, parametersInput: string): ArmTemplateParameterProperties[] {
  const list: ArmTemplateParameterProperties[] = [];
  for (const [name, entry] of Object.entries(parameters)) {
    if (isReferenceEntry(entry)) {
      throw new InputError(
        parametersInput,
        `parameter '${name}' is a Key Vault reference; DevTest Labs environments take plain values only. Read the secret in an earlier step (AzureKeyVault task) and pass it as an override: -${name} $(secretName).`,
      );
    }
    list.push({ name, value: stringValue(entry.value) });
  }
  return list;
}

function stringValue(value: JsonValue): string {
  if (typeof value === "string") return value;
  if (value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** True when the template declares the parameter (ARM names are case-insensitive). */
export function declaresParameter(template: JsonValue, name: string): boolean {
  if (typeof template !== "object" || template === null || Array.isArray(template)) return false;
  const declared = template.parameters;
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) return false;
  return Object.keys(declared).some((key) => key.toLowerCase() === name.toLowerCase());
}
