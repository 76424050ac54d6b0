// JSON value types and the small helpers every provider needs. ARM and DTL read property names
// case-insensitively (.NET deserialisation), so request bodies are read through getCi, never by exact key.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep copy through JSON, which also drops undefined members (as the wire would). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A member looked up without regard to the case of its name. */
export function getCi(obj: JsonObject | undefined, key: string): Json | undefined {
  if (!obj) return undefined;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function getObjectCi(obj: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = getCi(obj, key);
  return isObject(v) ? v : undefined;
}

export function getStringCi(obj: JsonObject | undefined, key: string): string | undefined {
  const v = getCi(obj, key);
  return typeof v === "string" ? v : undefined;
}

export function getArrayCi(obj: JsonObject | undefined, key: string): Json[] | undefined {
  const v = getCi(obj, key);
  return Array.isArray(v) ? v : undefined;
}

/** Booleans as .NET reads them: true/false or their string forms. */
export function getBoolCi(obj: JsonObject | undefined, key: string): boolean | undefined {
  const v = getCi(obj, key);
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  return undefined;
}

/**
 * Rename members to their canonical spelling (the one the service returns), recursively for the
 * nested shapes given. Unknown members are kept as sent.
 */
export interface KeyShape {
  [canonical: string]: KeyShape | true;
}

export function canonicalKeys(value: Json, shape: KeyShape): Json {
  if (Array.isArray(value)) return value.map((v) => canonicalKeys(v, shape));
  if (!isObject(value)) return value;
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const canonical = byLower.get(k.toLowerCase());
    if (canonical === undefined) {
      out[k] = v;
      continue;
    }
    const sub = shape[canonical];
    out[canonical] = sub === true || sub === undefined ? v : canonicalKeys(v, sub);
  }
  return out;
}

/** Remove members whose names look like credentials: the service never echoes them. */
export function withoutSecrets(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (/password|^securityToken$|^clientSecret$/i.test(k) && typeof v === "string") continue;
    out[k] = withoutSecrets(v);
  }
  return out;
}

export function getNumberCi(obj: JsonObject | undefined, key: string): number | undefined {
  const v = getCi(obj, key);
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}
