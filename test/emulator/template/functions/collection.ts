// Functions that work on strings and arrays (and some on objects): concat, contains, empty, first, last,
// length, take, skip, indexOf, lastIndexOf.
import { ExpressionError, inner } from "../errors";
import { deepEquals, findKey, isObject, jtokenType, toText, type Json } from "../values";
import { int, str, strOrArr } from "./args";
import { VARIADIC, type TemplateFunction } from "./types";

function indexOf(fn: string, container: Json, item: Json, last: boolean): number {
  if (Array.isArray(container)) {
    const indexes = container.map((value, i) => (deepEquals(value, item) ? i : -1)).filter((i) => i >= 0);
    return (last ? indexes[indexes.length - 1] : indexes[0]) ?? -1;
  }
  // ARM's string search ignores case.
  const text = str(fn, container).toLowerCase();
  const find = str(fn, item).toLowerCase();
  return last ? text.lastIndexOf(find) : text.indexOf(find);
}

export const collectionFunctions: TemplateFunction[] = [
  {
    name: "concat",
    minArgs: 1,
    maxArgs: VARIADIC,
    evaluate: (args, { name }) => {
      if (args.every((arg) => Array.isArray(arg) || arg === null)) return args.flatMap((arg) => (arg === null ? [] : (arg as Json[])));
      const wrong = args.find((arg) => Array.isArray(arg) || isObject(arg));
      if (wrong !== undefined) throw new ExpressionError(inner.argumentType(name, "String", jtokenType(wrong)));
      return args.map((arg) => toText(arg)).join("");
    },
  },
  {
    name: "contains",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([container, item], { name }) => {
      if (Array.isArray(container)) return container.some((value) => deepEquals(value, item as Json));
      if (isObject(container)) return findKey(container, str(name, item as Json)) !== undefined;
      if (typeof container === "string") {
        if (Array.isArray(item) || isObject(item)) throw new ExpressionError(inner.argumentType(name, "String", jtokenType(item)));
        return container.includes(toText(item as Json));
      }
      throw new ExpressionError(inner.argumentType(name, "Array, Object or String", jtokenType(container as Json)));
    },
  },
  {
    name: "empty",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      if (value === null) return true;
      if (typeof value === "string" || Array.isArray(value)) return value.length === 0;
      if (isObject(value)) return Object.keys(value).length === 0;
      throw new ExpressionError(inner.argumentType(name, "Array, Object or String", jtokenType(value as Json)));
    },
  },
  {
    name: "first",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      const items = strOrArr(name, value as Json);
      return typeof items === "string" ? items.slice(0, 1) : (items[0] ?? null);
    },
  },
  {
    name: "last",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      const items = strOrArr(name, value as Json);
      return typeof items === "string" ? items.slice(-1) : (items[items.length - 1] ?? null);
    },
  },
  {
    name: "length",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      if (isObject(value)) return Object.keys(value).length;
      return strOrArr(name, value as Json).length;
    },
  },
  {
    name: "take",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, count], { name }) => {
      const items = strOrArr(name, value as Json);
      return items.slice(0, Math.max(0, int(name, count as Json)));
    },
  },
  {
    name: "skip",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, count], { name }) => {
      const items = strOrArr(name, value as Json);
      return items.slice(Math.max(0, int(name, count as Json)));
    },
  },
  { name: "indexOf", minArgs: 2, maxArgs: 2, evaluate: ([container, item], { name }) => indexOf(name, container as Json, item as Json, false) },
  { name: "lastIndexOf", minArgs: 2, maxArgs: 2, evaluate: ([container, item], { name }) => indexOf(name, container as Json, item as Json, true) },
];
