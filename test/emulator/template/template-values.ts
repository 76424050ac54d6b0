// Evaluates JSON values of a template: expression strings, "[[" escapes, expressions in property names and
// property-level copy loops ({"copy": [{name, count, input}]}).
import { atSite, DeferredReference, withCopy, type EvalContext } from "./context";
import { ExpressionError } from "./errors";
import { evaluateExpression } from "./expression/evaluate";
import { classifyString, parseExpression } from "./expression/parser";
import { findKey, isInteger, isObject, jtokenType, type Json, type JsonObject } from "./values";

export interface ValueOptions {
  /** Expand {"copy": [...]} loops inside objects (resource properties and variables, as ARM does). */
  propertyCopy?: boolean;
  /** Collects ids of this deployment's resources whose reference() left a value for deploy time. */
  deferred?: Set<string>;
}

/** Evaluates one template string: an expression, an escaped literal or plain text. */
export function evaluateString(value: string, ctx: EvalContext): Json {
  const classified = classifyString(value);
  if (classified.kind === "literal") return classified.value;
  return evaluateExpression(parseExpression(classified.text), ctx);
}

export function evaluateValue(value: Json, ctx: EvalContext, options: ValueOptions = {}): Json {
  if (typeof value === "string") return evaluateOrDefer(value, ctx, options);
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, ctx, options));
  if (isObject(value)) return evaluateObject(value, ctx, options);
  return value;
}

function evaluateOrDefer(value: string, ctx: EvalContext, options: ValueOptions): Json {
  if (!options.deferred) return evaluateString(value, ctx);
  try {
    return evaluateString(value, ctx);
  } catch (error) {
    // ARM keeps such values as written until the referenced resource exists.
    if (!(error instanceof DeferredReference)) throw error;
    options.deferred.add(error.resourceId.toLowerCase());
    return value;
  }
}

function evaluateObject(value: JsonObject, ctx: EvalContext, options: ValueOptions): JsonObject {
  const out: JsonObject = {};
  const copyKey = options.propertyCopy ? findKey(value, "copy") : undefined;
  const loops = copyKey !== undefined ? asPropertyLoops(value[copyKey] as Json) : undefined;
  for (const [key, item] of Object.entries(value)) {
    if (loops && key === copyKey) continue;
    const name = evaluateOrDefer(key, ctx, options);
    if (typeof name !== "string") throw new ExpressionError(`The template property name '${key}' must evaluate to a string; it evaluated to type '${jtokenType(name)}'.`);
    out[name] = evaluateValue(item, ctx, options);
  }
  for (const loop of loops ?? []) {
    const count = loopCount(loop.count, ctx);
    const items: Json[] = [];
    for (let index = 0; index < count; index++) {
      items.push(evaluateValue(loop.input, withCopy(ctx, { name: loop.name, index, kind: "property" }), options));
    }
    out[loop.name] = items;
  }
  return out;
}

interface PropertyLoop { name: string; count: Json; input: Json }

/** A "copy" member is a loop only when it has ARM's loop shape; anything else is an ordinary property. */
function asPropertyLoops(value: Json): PropertyLoop[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const loops: PropertyLoop[] = [];
  for (const entry of value) {
    if (!isObject(entry)) return undefined;
    const name = entry[findKey(entry, "name") ?? "name"];
    const count = entry[findKey(entry, "count") ?? "count"];
    const input = entry[findKey(entry, "input") ?? "input"];
    if (typeof name !== "string" || count === undefined || input === undefined) return undefined;
    loops.push({ name, count, input });
  }
  return loops;
}

/** Evaluates a copy count: a non-negative integer up to ARM's limit of 800. */
export function loopCount(count: Json, ctx: EvalContext): number {
  const value = evaluateValue(count, atSite(ctx, "copyCount"));
  if (!isInteger(value)) throw new ExpressionError(`The copy count must be an integer; it evaluated to type '${jtokenType(value)}'.`);
  if (value < 0 || value > 800) throw new ExpressionError(`The copy count '${value}' is not valid: it must be between 0 and 800.`);
  return value;
}
