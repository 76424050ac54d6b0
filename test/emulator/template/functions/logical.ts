// Logical, comparison and conversion-to-bool functions. if/and/or/coalesce take their arguments lazily:
// ARM evaluates only the branch if() takes, so a reference() to a resource that is not deployed is harmless there.
import { ExpressionError, inner } from "../errors";
import { deepEquals, isInteger, jtokenType, type Json } from "../values";
import { bool, fail } from "./args";
import { VARIADIC, type TemplateFunction } from "./types";

function compare(fn: string, a: Json, b: Json): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const offending = typeof a === "number" || typeof a === "string" ? b : a;
  throw new ExpressionError(inner.argumentType(fn, "Integer or String", jtokenType(offending)));
}

function comparison(name: string, test: (order: number) => boolean): TemplateFunction {
  return { name, minArgs: 2, maxArgs: 2, evaluate: ([a, b], call) => test(compare(call.name, a as Json, b as Json)) };
}

export const logicalFunctions: TemplateFunction[] = [
  {
    name: "and",
    minArgs: 2,
    maxArgs: VARIADIC,
    lazy: true,
    evaluate: (args, { name }) => args.every((arg) => bool(name, arg())),
  },
  {
    name: "or",
    minArgs: 2,
    maxArgs: VARIADIC,
    lazy: true,
    evaluate: (args, { name }) => args.some((arg) => bool(name, arg())),
  },
  { name: "not", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => !bool(name, value as Json) },
  {
    name: "if",
    minArgs: 3,
    maxArgs: 3,
    lazy: true,
    evaluate: ([condition, whenTrue, whenFalse], { name }) => (bool(name, (condition as () => Json)()) ? (whenTrue as () => Json)() : (whenFalse as () => Json)()),
  },
  {
    name: "coalesce",
    minArgs: 1,
    maxArgs: VARIADIC,
    lazy: true,
    evaluate: (args) => {
      for (const arg of args) {
        const value = arg();
        if (value !== null) return value;
      }
      return null;
    },
  },
  {
    name: "bool",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
      if (isInteger(value)) return value !== 0;
      return fail(name, `the value '${JSON.stringify(value)}' cannot be converted to a boolean.`);
    },
  },
  { name: "equals", minArgs: 2, maxArgs: 2, evaluate: ([a, b]) => deepEquals(a as Json, b as Json) },
  comparison("greater", (order) => order > 0),
  comparison("greaterOrEquals", (order) => order >= 0),
  comparison("less", (order) => order < 0),
  comparison("lessOrEquals", (order) => order <= 0),
];
