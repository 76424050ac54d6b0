// ARM template evaluator of the offline Azure: the contract's evaluateTemplate (test/emulator/core/contracts.ts)
// plus the optional extensions the ARM providers may use.
export { evaluateTemplate, type EvaluatedResourceEx, type EvaluatedTemplateEx } from "./evaluate-template";
export { TemplateError, type TemplateErrorBody } from "./errors";
export { parseTemplateText } from "./source";
export { SUPPORTED_FUNCTIONS } from "./functions";
export { uniqueString } from "./hash/unique-string";
export { armGuid } from "./hash/guid";
export type { TemplateEvaluationHooksEx, TemplateScopeEx } from "./context";
export type { Json, JsonObject } from "./values";
