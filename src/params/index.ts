// ARM parameters: files, override text, template declarations and the merge of them for a deployment.
export { parseJsonText, lineAndColumn } from "./json";
export { parseParametersFile } from "./parameters-file";
export { parseOverrides, unwrapSecureString, type ParameterOverride, type ParameterOverrides, type OverrideForm } from "./overrides";
export { readTemplateParameters, PARAMETER_TYPES } from "./template-parameters";
export { mergeParameters, type MergeOptions, type MergedParameters } from "./merge";
export * from "./types";
