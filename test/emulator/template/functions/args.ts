// Argument checks shared by the function families, raising ARM's type errors.
import { ExpressionError, inner } from "../errors";
import { isInteger, jtokenType, type Json } from "../values";

export function str(fn: string, value: Json): string {
  if (typeof value !== "string") throw new ExpressionError(inner.argumentType(fn, "String", jtokenType(value)));
  return value;
}

export function int(fn: string, value: Json): number {
  if (!isInteger(value)) throw new ExpressionError(inner.argumentType(fn, "Integer", jtokenType(value)));
  return value;
}

export function bool(fn: string, value: Json): boolean {
  if (typeof value !== "boolean") throw new ExpressionError(inner.argumentType(fn, "Boolean", jtokenType(value)));
  return value;
}

export function arr(fn: string, value: Json): Json[] {
  if (!Array.isArray(value)) throw new ExpressionError(inner.argumentType(fn, "Array", jtokenType(value)));
  return value;
}

/** Strings and arrays share several functions (take, skip, first, last, contains…). */
export function strOrArr(fn: string, value: Json): string | Json[] {
  if (typeof value === "string" || Array.isArray(value)) return value;
  throw new ExpressionError(inner.argumentType(fn, "Array or String", jtokenType(value)));
}

export function fail(fn: string, reason: string): never {
  throw new ExpressionError(inner.evaluationFailed(fn, reason));
}

/** ARM integers are 64-bit; JavaScript numbers are exact to 2^53, plenty for templates, but overflow must not pass silently. */
export function checkedInt(fn: string, value: number): number {
  if (!Number.isSafeInteger(value)) fail(fn, `the result '${value}' is outside the supported integer range.`);
  return value;
}
