// Evaluates an expression tree: function calls through the library, then property and index access.
import type { EvalContext } from "../context";
import { ExpressionError, inner } from "../errors";
import { lookupFunction } from "../functions";
import { getProperty, isInteger, isObject, type Json } from "../values";
import type { Call, Expr } from "./ast";

export function evaluateExpression(expr: Expr, ctx: EvalContext): Json {
  switch (expr.kind) {
    case "string":
    case "number":
      return expr.value;
    case "call":
      return evaluateCall(expr, ctx);
    case "property":
      return accessProperty(evaluateExpression(expr.target, ctx), expr.name);
    case "index":
      return accessIndex(evaluateExpression(expr.target, ctx), evaluateExpression(expr.index, ctx));
  }
}

function evaluateCall(call: Call, ctx: EvalContext): Json {
  const written = call.namespace ? `${call.namespace}.${call.name}` : call.name;
  // User-defined functions (namespace.member) are not supported by the emulator: ARM's unknown-function error.
  const fn = call.namespace ? undefined : lookupFunction(call.name);
  if (!fn) throw new ExpressionError(inner.functionNotValid(written));
  const count = call.args.length;
  if (count < fn.minArgs || count > fn.maxArgs) {
    const expected =
      fn.maxArgs === Number.POSITIVE_INFINITY ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new ExpressionError(inner.argumentCount(written, expected, count));
  }
  const callContext = { name: written, ctx };
  if (fn.lazy) return fn.evaluate(call.args.map((arg) => () => evaluateExpression(arg, ctx)), callContext);
  return fn.evaluate(call.args.map((arg) => evaluateExpression(arg, ctx)), callContext);
}

export function accessProperty(target: Json, name: string): Json {
  if (!isObject(target)) throw new ExpressionError(inner.propertyNotEvaluable(name));
  const value = getProperty(target, name);
  if (value === undefined) throw new ExpressionError(inner.propertyMissing(name, Object.keys(target)));
  return value;
}

function accessIndex(target: Json, index: Json): Json {
  if (Array.isArray(target)) {
    if (!isInteger(index)) throw new ExpressionError(inner.propertyNotEvaluable(String(index)));
    if (index < 0 || index >= target.length) throw new ExpressionError(inner.indexOutOfBounds(index));
    return target[index] as Json;
  }
  if (typeof index === "string") return accessProperty(target, index);
  throw new ExpressionError(inner.propertyNotEvaluable(String(index)));
}
