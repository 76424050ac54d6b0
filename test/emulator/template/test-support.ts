// Shared helpers of the evaluator's tests: a fixed scope, and ways to evaluate one expression or catch ARM errors.
import { strict as assert } from "node:assert";
import type { TemplateEvaluationHooks } from "../core/contracts";
import { evaluateTemplate, TemplateError, type EvaluatedTemplateEx, type TemplateErrorBody, type TemplateEvaluationHooksEx, type TemplateScopeEx } from "./index";

export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
export const GROUP = "Factory-RG";
export const RG_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}`;

export const scope: TemplateScopeEx = {
  tenantId: TENANT,
  subscriptionId: SUBSCRIPTION,
  resourceGroupName: GROUP,
  resourceGroupLocation: "westeurope",
  deploymentName: "factory-deployment",
};

export const noHooks: TemplateEvaluationHooks = { reference: () => undefined };

export const SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

export function template(parts: Record<string, unknown>): Record<string, unknown> {
  return { $schema: SCHEMA, contentVersion: "1.0.0.0", resources: [], ...parts };
}

export function evaluate(tpl: unknown, parameters: Record<string, unknown> = {}, hooks: TemplateEvaluationHooksEx = noHooks, scopeOverride: Partial<TemplateScopeEx> = {}): EvaluatedTemplateEx {
  return evaluateTemplate(tpl, parameters, { ...scope, ...scopeOverride }, hooks);
}

export interface ExpressionOptions {
  parameters?: Record<string, unknown>;
  values?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  resources?: unknown[];
  hooks?: TemplateEvaluationHooksEx;
  runtime?: (id: string) => unknown;
  scope?: Partial<TemplateScopeEx>;
}

/** Evaluates one expression (the text between the brackets) as an output. */
export function run(expression: string, options: ExpressionOptions = {}): unknown {
  const tpl = template({
    parameters: options.parameters ?? {},
    variables: options.variables ?? {},
    resources: options.resources ?? [],
    outputs: { result: { type: "object", value: `[createObject('v', ${expression})]` } },
  });
  const outputs = evaluate(tpl, options.values ?? {}, options.hooks ?? noHooks, options.scope ?? {}).outputs(options.runtime ?? (() => undefined));
  return (outputs.result?.value as { v: unknown }).v;
}

/** The ARM error an action throws (fails the test when it does not throw one). */
export function armError(action: () => unknown): TemplateErrorBody {
  try {
    action();
  } catch (error) {
    if (error instanceof TemplateError) return error.error;
    throw error;
  }
  assert.fail("expected a TemplateError");
}

/** The error of one expression. */
export function runError(expression: string, options: ExpressionOptions = {}): TemplateErrorBody {
  return armError(() => run(expression, options));
}

/** Message text of an error and its details, for substring assertions. */
export function allText(error: TemplateErrorBody): string {
  return [error.message, ...(error.details ?? []).map((detail) => detail.message)].join(" | ");
}
