// PLACEHOLDER until the template evaluator lands.
import type { EvaluatedTemplate, TemplateErrorShape, TemplateEvaluationHooks, TemplateScope } from "../core/contracts";

export class TemplateError extends Error {
  constructor(readonly error: TemplateErrorShape) {
    super(error.message);
  }
}

export function evaluateTemplate(_template: unknown, _parameters: Record<string, unknown>, _scope: TemplateScope, _hooks: TemplateEvaluationHooks): EvaluatedTemplate {
  throw new TemplateError({ code: "InvalidTemplate", message: "The template evaluator is not built yet." });
}
