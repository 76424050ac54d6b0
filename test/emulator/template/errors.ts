// Errors as ARM words them. Inner errors (one expression, one function) are raised as ExpressionError and
// wrapped by the stage that knows where they happened (parameter, variable, resource, output), because
// ARM's messages name that place and its line and column.
import type { TemplateErrorShape } from "../core/contracts";

/** Position of a template element as ARM reports it (1-based). */
export interface SourcePosition { line: number; column: number }

/** ARM's additionalInfo entry for template violations. */
export interface TemplateViolationInfo {
  type: "TemplateViolation";
  info: { lineNumber: number; linePosition: number; path: string };
}

/** The contract's error shape plus the optional members ARM also sends. */
export interface TemplateErrorBody extends TemplateErrorShape {
  target?: string;
  additionalInfo?: TemplateViolationInfo[];
  details?: TemplateErrorBody[];
}

export class TemplateError extends Error {
  constructor(readonly error: TemplateErrorBody) {
    super(error.message);
    this.name = "TemplateError";
  }
}

/** A failure inside one expression; the message is ARM's inner message. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

/** A language expression that does not parse: ARM reports these before any evaluation, without a location. */
export class ExpressionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionSyntaxError";
  }
}

export const FUNCTIONS_LINK = "https://aka.ms/arm-functions";
export const PARAMETER_FILE_LINK = "https://aka.ms/arm-create-parameter-file";

function violation(position: SourcePosition, path: string): TemplateViolationInfo[] {
  return [{ type: "TemplateViolation", info: { lineNumber: position.line, linePosition: position.column, path } }];
}

/** "Deployment template validation failed: '…'." — the envelope of every validation error. */
export function validationFailed(inner: string, position?: SourcePosition, path?: string): TemplateError {
  return new TemplateError({
    code: "InvalidTemplate",
    message: `Deployment template validation failed: '${inner}'.`,
    ...(position ? { additionalInfo: violation(position, path ?? "") } : {}),
  });
}

/** Appends ARM's usage link after an inner message (which yields ARM's characteristic "details.. Please see"). */
function withLink(inner: string): string {
  return `${inner}. Please see ${FUNCTIONS_LINK} for usage details.`;
}

export function resourceInvalid(resourceName: string, position: SourcePosition, inner: string, path: string): TemplateError {
  return validationFailed(
    `The template resource '${resourceName}' at line '${position.line}' and column '${position.column}' is not valid: ${withLink(inner)}`,
    position,
    path,
  );
}

export function variableInvalid(variableName: string, inner: string, position: SourcePosition): TemplateError {
  return validationFailed(`The template variable '${variableName}' is not valid: ${withLink(inner)}`, position, `variables.${variableName}`);
}

/** ARM words a failing parameter default like a resource (its own library does so). */
export function parameterDefaultInvalid(parameterName: string, position: SourcePosition, inner: string): TemplateError {
  return resourceInvalid(parameterName, position, inner, `parameters.${parameterName}`);
}

export function expressionSyntaxFailed(inner: string): TemplateError {
  return new TemplateError({
    code: "InvalidTemplate",
    message: `Deployment template language expression evaluation failed: '${inner}'. Please see https://aka.ms/arm-template-expressions for usage details.`,
  });
}

export function outputsFailed(outputName: string, inner: string): TemplateError {
  return new TemplateError({
    code: "DeploymentOutputEvaluationFailed",
    message: `Unable to evaluate template outputs: '${outputName}'. Please see error details and deployment operations. Please see https://aka.ms/arm-common-errors for usage details.`,
    details: [{ code: "DeploymentOutputEvaluationFailed", target: outputName, message: `The template output '${outputName}' is not valid: ${inner}.` }],
  });
}

/** Deploy-time failure of a resource's deferred expressions (reference() evaluated once dependencies exist). */
export function resourceExpressionsFailed(resourceId: string, position: SourcePosition, inner: string): TemplateError {
  return new TemplateError({
    code: "InvalidTemplate",
    message: `Unable to process template language expressions for resource '${resourceId}' at line '${position.line}' and column '${position.column}'. '${inner}'`,
    additionalInfo: violation(position, ""),
  });
}

export function resourceNotFound(typeAndName: string, resourceGroup: string): TemplateError {
  return new TemplateError({
    code: "ResourceNotFound",
    message: `The Resource '${typeAndName}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  });
}

// Inner messages used by more than one module.
export const inner = {
  functionNotValid: (name: string) => `The template function '${name}' is not valid. Please see ${FUNCTIONS_LINK} for usage details.`,
  functionNotExpected: (name: string, why = "") =>
    `The template function '${name}' is not expected at this location.${why ? ` ${why}` : ""} Please see ${FUNCTIONS_LINK} for usage details.`,
  argumentCount: (name: string, expected: string, actual: number) =>
    `Unable to evaluate template language function '${name}': function requires ${expected} argument(s) while ${actual} were provided. Please see ${FUNCTIONS_LINK}#${name.toLowerCase()} for usage details.`,
  argumentType: (name: string, expected: string, actual: string) =>
    `The template language function '${name}' expects its parameter to be of type '${expected}'. The provided value is of type '${actual}'. Please see ${FUNCTIONS_LINK}#${name.toLowerCase()} for usage details.`,
  evaluationFailed: (name: string, reason: string) => `Unable to evaluate template language function '${name}': ${reason}`,
  variableNotFound: (name: string) => `The template variable '${name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.`,
  parameterNotFound: (name: string) => `The template parameter '${name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.`,
  propertyMissing: (name: string, available: string[]) =>
    `The language expression property '${name}' doesn't exist, available properties are '${available.join(", ")}'.`,
  propertyNotEvaluable: (name: string) => `The language expression property '${name}' can't be evaluated.`,
  indexOutOfBounds: (index: number) => `The language expression property array index '${index}' is out of bounds.`,
  resourceNotDefined: (reference: string) => `The resource '${reference}' is not defined in the template.`,
};

export function outputInvalid(outputName: string, innerMessage: string, position: SourcePosition): TemplateError {
  return validationFailed(`The template output '${outputName}' is not valid: ${withLink(innerMessage)}`, position, `outputs.${outputName}`);
}
