// Array and object construction and set functions: array, createArray, createObject, intersection, union, range, json.
import { ExpressionError, inner } from "../errors";
import { deepEquals, isObject, jtokenType, type Json, type JsonObject } from "../values";
import { fail, int, str } from "./args";
import { VARIADIC, type TemplateFunction } from "./types";

function dedupe(items: Json[]): Json[] {
  const out: Json[] = [];
  for (const item of items) if (!out.some((existing) => deepEquals(existing, item))) out.push(item);
  return out;
}

/** union() of objects merges nested objects too (later arguments win on conflicts). */
function mergeObjects(target: JsonObject, source: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = out[key];
    out[key] = isObject(existing) && isObject(value) ? mergeObjects(existing, value) : value;
  }
  return out;
}

function allOfKind(fn: string, args: Json[]): "array" | "object" {
  if (args.every((arg) => Array.isArray(arg))) return "array";
  if (args.every((arg) => isObject(arg))) return "object";
  const odd = args.find((arg) => !Array.isArray(arg) && !isObject(arg)) ?? args[0] ?? null;
  throw new ExpressionError(inner.argumentType(fn, "Array or Object", jtokenType(odd)));
}

export const arrayFunctions: TemplateFunction[] = [
  { name: "array", minArgs: 1, maxArgs: 1, evaluate: ([value]) => (Array.isArray(value) ? value : [value as Json]) },
  { name: "createArray", minArgs: 0, maxArgs: VARIADIC, evaluate: (args) => args },
  {
    name: "createObject",
    minArgs: 0,
    maxArgs: VARIADIC,
    evaluate: (args, { name }) => {
      if (args.length % 2 !== 0) return fail(name, "the function requires an even number of arguments (property name, value, ...).");
      const out: JsonObject = {};
      for (let i = 0; i < args.length; i += 2) out[str(name, args[i] as Json)] = args[i + 1] as Json;
      return out;
    },
  },
  {
    name: "intersection",
    minArgs: 2,
    maxArgs: VARIADIC,
    evaluate: (args, { name }) => {
      if (allOfKind(name, args) === "array") {
        const [first, ...rest] = args as Json[][];
        return dedupe((first ?? []).filter((item) => rest.every((other) => other.some((value) => deepEquals(value, item)))));
      }
      const [first, ...rest] = args as JsonObject[];
      const out: JsonObject = {};
      for (const [key, value] of Object.entries(first ?? {})) {
        if (rest.every((other) => Object.prototype.hasOwnProperty.call(other, key) && deepEquals(other[key] as Json, value))) out[key] = value;
      }
      return out;
    },
  },
  {
    name: "union",
    minArgs: 2,
    maxArgs: VARIADIC,
    evaluate: (args, { name }) => {
      if (allOfKind(name, args) === "array") return dedupe((args as Json[][]).flat());
      return (args as JsonObject[]).reduce((merged, next) => mergeObjects(merged, next), {});
    },
  },
  {
    name: "range",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([start, count], { name }) => {
      const from = int(name, start as Json);
      const n = int(name, count as Json);
      if (n < 0) return fail(name, `the count '${n}' cannot be negative.`);
      if (n > 10000 || from + n > 2147483647) return fail(name, "the sum of the start index and count cannot exceed 2147483647 and the count cannot exceed 10000.");
      return Array.from({ length: n }, (_, i) => from + i);
    },
  },
  {
    name: "json",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      const text = str(name, value as Json);
      try {
        return JSON.parse(text) as Json;
      } catch {
        return fail(name, `the argument '${text}' is not a valid JSON string.`);
      }
    },
  },
];
