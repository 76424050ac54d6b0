// Template outputs, evaluated after deployment: condition, copy ({count, input}) and the declared type,
// with reference() to this deployment's resources answered by the provider's runtime view.
import { atSite, withCopy, type EvalContext } from "./context";
import { ExpressionError, ExpressionSyntaxError, expressionSyntaxFailed, outputsFailed } from "./errors";
import { member } from "./template-shape";
import { evaluateValue, loopCount } from "./template-values";
import { isInteger, isObject, jtokenType, type Json, type JsonObject } from "./values";
import { VariableFailure } from "./variables";

/** ARM's spelling of output types in a deployment's outputs. */
const OUTPUT_TYPES: Record<string, { label: string; accepts: (value: Json) => boolean; jtoken: string }> = {
  string: { label: "String", accepts: (v) => typeof v === "string", jtoken: "String" },
  securestring: { label: "SecureString", accepts: (v) => typeof v === "string", jtoken: "String" },
  int: { label: "Int", accepts: (v) => isInteger(v), jtoken: "Integer" },
  bool: { label: "Bool", accepts: (v) => typeof v === "boolean", jtoken: "Boolean" },
  object: { label: "Object", accepts: (v) => isObject(v), jtoken: "Object" },
  secureobject: { label: "SecureObject", accepts: (v) => isObject(v), jtoken: "Object" },
  array: { label: "Array", accepts: (v) => Array.isArray(v), jtoken: "Array" },
};

export function evaluateOutputs(outputs: JsonObject, ctx: EvalContext): Record<string, { type: string; value: unknown }> {
  const result: Record<string, { type: string; value: unknown }> = {};
  for (const [name, definition] of Object.entries(outputs)) {
    try {
      const evaluated = evaluateOutput(definition, atSite(ctx, "output"));
      if (evaluated) result[name] = evaluated;
    } catch (error) {
      if (error instanceof ExpressionError || error instanceof VariableFailure) throw outputsFailed(name, error instanceof VariableFailure ? error.innerMessage : error.message);
      if (error instanceof ExpressionSyntaxError) throw expressionSyntaxFailed(error.message);
      throw error;
    }
  }
  return result;
}

function evaluateOutput(definition: Json, ctx: EvalContext): { type: string; value: unknown } | undefined {
  if (!isObject(definition)) throw new ExpressionError("The output definition must be a JSON object.");
  const typeName = member(definition, "type");
  const type = typeof typeName === "string" ? OUTPUT_TYPES[typeName.toLowerCase()] : undefined;
  if (!type) throw new ExpressionError(`The output type '${String(typeName)}' is not valid.`);
  const condition = member(definition, "condition");
  if (condition !== undefined) {
    const include = evaluateValue(condition, ctx);
    if (typeof include !== "boolean") throw new ExpressionError(`The output condition must evaluate to a boolean; it evaluated to type '${jtokenType(include)}'.`);
    if (!include) return undefined;
  }
  const value = outputValue(definition, ctx);
  if (!type.accepts(value)) throw new ExpressionError(`Template output JToken type is not valid. Expected '${type.jtoken}'. Actual '${jtokenType(value)}'.`);
  // ARM never returns the value of a secure output.
  if (type.label.startsWith("Secure")) return { type: type.label, value: undefined };
  return { type: type.label, value };
}

function outputValue(definition: JsonObject, ctx: EvalContext): Json {
  const copy = member(definition, "copy");
  if (copy === undefined) return evaluateValue(member(definition, "value") ?? null, ctx);
  const count = isObject(copy) ? member(copy, "count") : undefined;
  const input = isObject(copy) ? member(copy, "input") : undefined;
  if (count === undefined || input === undefined) throw new ExpressionError("The output copy must have 'count' and 'input'.");
  const items: Json[] = [];
  const total = loopCount(count, ctx);
  for (let index = 0; index < total; index++) items.push(evaluateValue(input, withCopy(ctx, { name: "", index, kind: "output" })));
  return items;
}
