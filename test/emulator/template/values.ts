// JSON values as templates and expressions handle them, plus the few generic operations ARM defines on them.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** Converts anything a hook returns into plain JSON (drops functions, undefined, class identity). */
export function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** The JToken type names ARM puts in its messages ("Expected 'String'. Actual 'Integer'"). */
export function jtokenType(value: Json): string {
  if (value === null) return "Null";
  if (typeof value === "string") return "String";
  if (typeof value === "boolean") return "Boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  if (Array.isArray(value)) return "Array";
  return "Object";
}

/** Property lookup as ARM does it: exact name first, then case-insensitive. */
export function getProperty(obj: JsonObject, name: string): Json | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === lower) return obj[key];
  }
  return undefined;
}

/** The key actually used in obj for name (case-insensitive), if any. */
export function findKey(obj: JsonObject, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((key) => key.toLowerCase() === lower);
}

/** JToken.DeepEquals semantics: order matters in arrays, not in objects; strings compare ordinally. */
export function deepEquals(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEquals(item, b[i] as Json));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEquals(a[key] as Json, b[key] as Json));
  }
  return false;
}

/** How ARM turns a value into text in string()/concat()/format(): booleans as .NET prints them. */
export function toText(value: Json): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  // Objects and arrays: compact JSON, as ARM's string() writes them.
  return JSON.stringify(value);
}
