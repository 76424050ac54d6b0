// String functions. ARM compares in startsWith/endsWith case-insensitively and in replace/split
// case-sensitively; these follow that. Functions shared with arrays live in collection.ts.
import { randomUUID } from "node:crypto";
import { ExpressionError, inner } from "../errors";
import { armGuid } from "../hash/guid";
import { uniqueString } from "../hash/unique-string";
import { toText, type Json } from "../values";
import { fail, int, str } from "./args";
import { compositeFormat, formatDateTime } from "./dotnet-format";
import { VARIADIC, type CallContext, type TemplateFunction } from "./types";

function onlyInParameterDefaults(call: CallContext): void {
  if (call.ctx.site !== "parameterDefault") {
    throw new ExpressionError(inner.functionNotExpected(call.name, "The function can only be used with parameter default values."));
  }
}

function decodeBase64(fn: string, value: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s/g, "")) || value.replace(/\s/g, "").length % 4 !== 0) {
    fail(fn, `the input '${value}' is not a valid Base-64 string.`);
  }
  return Buffer.from(value, "base64").toString("utf8");
}

/** Uri.EscapeDataString: everything but RFC 3986 unreserved characters is escaped. */
function escapeDataString(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function stringsOf(name: string, args: Json[]): string[] {
  return args.map((arg) => str(name, arg));
}

export const stringFunctions: TemplateFunction[] = [
  { name: "base64", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => Buffer.from(str(name, value as Json), "utf8").toString("base64") },
  { name: "base64ToString", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => decodeBase64(name, str(name, value as Json)) },
  {
    name: "base64ToJson",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      const text = decodeBase64(name, str(name, value as Json));
      try {
        return JSON.parse(text) as Json;
      } catch {
        return fail(name, `the decoded value '${text}' is not valid JSON.`);
      }
    },
  },
  {
    name: "dataUri",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => `data:text/plain;charset=utf8;base64,${Buffer.from(str(name, value as Json), "utf8").toString("base64")}`,
  },
  {
    name: "dataUriToString",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      const match = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(str(name, value as Json));
      if (!match) return fail(name, `the value '${String(value)}' is not a valid data URI.`);
      return match[2] ? Buffer.from(match[3] as string, "base64").toString("utf8") : decodeURIComponent(match[3] as string);
    },
  },
  {
    name: "endsWith",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, suffix], { name }) => str(name, value as Json).toLowerCase().endsWith(str(name, suffix as Json).toLowerCase()),
  },
  {
    name: "startsWith",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, prefix], { name }) => str(name, value as Json).toLowerCase().startsWith(str(name, prefix as Json).toLowerCase()),
  },
  {
    name: "format",
    minArgs: 1,
    maxArgs: VARIADIC,
    evaluate: ([format, ...args], { name }) => {
      const result = compositeFormat(str(name, format as Json), args);
      if (result === undefined) return fail(name, "the format string is not valid or refers to a missing argument.");
      return result;
    },
  },
  { name: "guid", minArgs: 1, maxArgs: VARIADIC, evaluate: (args, { name }) => armGuid(...stringsOf(name, args)) },
  {
    name: "newGuid",
    minArgs: 0,
    maxArgs: 0,
    evaluate: (_args, call) => {
      onlyInParameterDefaults(call);
      return randomUUID();
    },
  },
  {
    name: "padLeft",
    minArgs: 2,
    maxArgs: 3,
    evaluate: ([value, totalLength, padding], { name }) => {
      const text = typeof value === "number" ? String(value) : str(name, value as Json);
      const pad = padding === undefined ? " " : str(name, padding);
      if (pad.length !== 1) return fail(name, "the padding character must be a single character.");
      return text.padStart(int(name, totalLength as Json), pad);
    },
  },
  {
    name: "replace",
    minArgs: 3,
    maxArgs: 3,
    evaluate: ([value, oldValue, newValue], { name }) => {
      const find = str(name, oldValue as Json);
      if (find === "") return fail(name, "the old value cannot be empty.");
      return str(name, value as Json).split(find).join(str(name, newValue as Json));
    },
  },
  {
    name: "split",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([value, delimiter], { name }) => {
      const text = str(name, value as Json);
      const delimiters = (Array.isArray(delimiter) ? delimiter : [delimiter as Json]).map((d) => str(name, d)).filter((d) => d !== "");
      if (delimiters.length === 0) return [text];
      const pattern = new RegExp(delimiters.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
      return text.split(pattern);
    },
  },
  {
    name: "string",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value]) => toText(value as Json),
  },
  {
    name: "substring",
    minArgs: 2,
    maxArgs: 3,
    evaluate: ([value, start, length], { name }) => {
      const text = str(name, value as Json);
      const from = int(name, start as Json);
      if (from < 0) return fail(name, `the index parameter cannot be less than zero. The index is: '${from}'.`);
      if (from > text.length) return fail(name, `the index parameter cannot be greater than the length of the string. The index is: '${from}', the length is: '${text.length}'.`);
      if (length === undefined) return text.slice(from);
      const count = int(name, length);
      if (count < 0) return fail(name, `the length parameter cannot be less than zero. The length is: '${count}'.`);
      if (from + count > text.length) {
        return fail(name, `the index and length parameters must refer to a location within the string. The index is: '${from}', the length is: '${count}'.`);
      }
      return text.slice(from, from + count);
    },
  },
  { name: "toLower", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => str(name, value as Json).toLowerCase() },
  { name: "toUpper", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => str(name, value as Json).toUpperCase() },
  { name: "trim", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => str(name, value as Json).trim() },
  { name: "uniqueString", minArgs: 1, maxArgs: VARIADIC, evaluate: (args, { name }) => uniqueString(...stringsOf(name, args)) },
  {
    name: "uri",
    minArgs: 2,
    maxArgs: 2,
    evaluate: ([base, relative], { name }) => {
      try {
        return new URL(str(name, relative as Json), str(name, base as Json)).toString();
      } catch {
        return fail(name, `the base URI '${String(base)}' is not a valid absolute URI.`);
      }
    },
  },
  { name: "uriComponent", minArgs: 1, maxArgs: 1, evaluate: ([value], { name }) => escapeDataString(str(name, value as Json)) },
  {
    name: "uriComponentToString",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      try {
        return decodeURIComponent(str(name, value as Json));
      } catch {
        return fail(name, `the value '${String(value)}' is not a valid encoded URI component.`);
      }
    },
  },
  {
    name: "utcNow",
    minArgs: 0,
    maxArgs: 1,
    evaluate: ([format], call) => {
      onlyInParameterDefaults(call);
      return formatDateTime(call.ctx.state.now, format === undefined ? "yyyyMMddTHHmmssZ" : str(call.name, format));
    },
  },
];

