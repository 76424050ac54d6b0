// Evaluates what a resource declares beyond its identity (location, tags, sku, kind, properties, identity,
// plan, zones). Values that need reference()/list*() of a resource this deployment creates stay as written
// until resolve() runs with the provider's runtime view, as ARM defers them to deployment time.
import type { EvaluatedResource } from "../core/contracts";
import { atSite, type EvalContext } from "./context";
import { ExpressionError, ExpressionSyntaxError, resourceExpressionsFailed } from "./errors";
import { calls } from "./expression/ast";
import { evaluateExpression } from "./expression/evaluate";
import { classifyString, parseExpression } from "./expression/parser";
import { resourceFailure, type ResourceInstance } from "./resources";
import type { TemplateSource } from "./source";
import { member } from "./template-shape";
import { evaluateValue, type ValueOptions } from "./template-values";
import { isObject, type Json, type JsonObject } from "./values";

const BODY_FIELDS = ["location", "tags", "sku", "kind", "properties", "identity", "plan", "zones"] as const;
type BodyField = (typeof BODY_FIELDS)[number];
export type ResourceBody = Partial<Record<BodyField, Json>>;

export interface EvaluatedBody {
  body: ResourceBody;
  /** Ids (lower-case) of this deployment's resources some value waits for. */
  deferred: Set<string>;
}

export function evaluateBody(instance: ResourceInstance, ctx: EvalContext, source: TemplateSource): EvaluatedBody {
  const deferred = new Set<string>();
  try {
    return { body: evaluateFields(instance, ctx, { deferred }), deferred };
  } catch (error) {
    throw resourceFailure(error, instance.name, instance.path, source);
  }
}

function evaluateFields(instance: ResourceInstance, ctx: EvalContext, options: ValueOptions): ResourceBody {
  const bodyCtx = atSite({ ...ctx, copy: instance.frames }, "resourceBody");
  const body: ResourceBody = {};
  for (const field of BODY_FIELDS) {
    const value = member(instance.body, field);
    if (value === undefined) continue;
    body[field] = field === "properties" ? evaluateProperties(instance, value, bodyCtx, options) : evaluateValue(value, bodyCtx, options);
  }
  return body;
}

/** Properties allow copy loops; an inline nested template with inner scope is evaluated by its own deployment. */
function evaluateProperties(instance: ResourceInstance, value: Json, ctx: EvalContext, options: ValueOptions): Json {
  const opts = { ...options, propertyCopy: true };
  if (instance.type.toLowerCase() !== "microsoft.resources/deployments" || !isObject(value)) return evaluateValue(value, ctx, opts);
  const evaluationOptions = member(value, "expressionEvaluationOptions");
  const scope = isObject(evaluationOptions) ? member(evaluationOptions, "scope") : undefined;
  if (typeof scope !== "string" || scope.toLowerCase() !== "inner") return evaluateValue(value, ctx, opts);
  const { template, ...rest } = value;
  const evaluated = evaluateValue(rest, ctx, opts) as JsonObject;
  return template === undefined ? evaluated : { ...evaluated, template };
}

/** The body again, at deploy time, with reference() to this deployment's resources answered by runtime. */
export function resolveBody(instance: ResourceInstance, ctx: EvalContext, source: TemplateSource, runtime: (id: string) => unknown): ResourceBody {
  try {
    return evaluateFields(instance, { ...ctx, runtime }, {});
  } catch (error) {
    if (error instanceof ExpressionError) throw resourceExpressionsFailed(instance.id, source.position(instance.path), error.message);
    throw resourceFailure(error, instance.name, instance.path, source);
  }
}

/**
 * Resources of this deployment that the body reads through reference()/list*(): ARM makes the resource wait
 * for them as if dependsOn named them. Found statically, so untaken if() branches count too.
 */
export function referencedResources(instance: ResourceInstance, ctx: EvalContext): string[] {
  const lookup = ctx.state.resources;
  if (!lookup) return [];
  const argCtx = atSite({ ...ctx, copy: instance.frames }, "dependsOn");
  const targets: string[] = [];
  const visit = (value: Json | undefined): void => {
    if (typeof value === "string") {
      const classified = classifyString(value);
      if (classified.kind === "literal") return;
      let parsed;
      try {
        parsed = parseExpression(classified.text);
      } catch (error) {
        if (error instanceof ExpressionSyntaxError) return;
        throw error;
      }
      for (const call of calls(parsed)) {
        const name = call.name.toLowerCase();
        if (call.namespace || (name !== "reference" && !name.startsWith("list")) || !call.args[0]) continue;
        let target: Json;
        try {
          target = evaluateExpression(call.args[0], argCtx);
        } catch (error) {
          // Arguments that need runtime values cannot name a resource statically; ARM skips them too.
          if (error instanceof ExpressionError) continue;
          throw error;
        }
        if (typeof target !== "string") continue;
        for (const found of lookup.resolve(target) ?? []) targets.push(found.id);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) Object.entries(value).forEach(([key, item]) => (visit(key), visit(item)));
  };
  for (const field of BODY_FIELDS) visit(member(instance.body, field));
  return targets;
}

export function toEvaluatedResource(instance: ResourceInstance, body: ResourceBody, dependsOn: string[]): EvaluatedResource & { identity?: Json; plan?: Json; zones?: Json } {
  const resource: EvaluatedResource & { identity?: Json; plan?: Json; zones?: Json } = {
    id: instance.id,
    type: instance.type,
    name: instance.name,
    apiVersion: instance.apiVersion,
    dependsOn,
  };
  if (typeof body.location === "string") resource.location = body.location;
  if (isObject(body.tags)) resource.tags = Object.fromEntries(Object.entries(body.tags).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
  if (body.sku !== undefined) resource.sku = body.sku;
  if (typeof body.kind === "string") resource.kind = body.kind;
  if (body.properties !== undefined) resource.properties = body.properties;
  if (body.identity !== undefined) resource.identity = body.identity;
  if (body.plan !== undefined) resource.plan = body.plan;
  if (body.zones !== undefined) resource.zones = body.zones;
  return resource;
}
