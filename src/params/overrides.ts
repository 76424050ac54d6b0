// Template parameter overrides as users write them in the classic editor and YAML:
//
//   -vmName web01 -size "Standard D2s v3" -user 'admin' -offset -5
//   -tags {"team": "qa", "cost center": "42"} -zones [1, 2]
//   -password (ConvertTo-SecureString -String 'p@ss word' -AsPlainText -Force)
//
// The text is a sequence of `-name value` pairs separated by blanks or line breaks (a PowerShell line-continuation
// backtick is a blank too). After a name, the next token is always its value, even when it starts with "-". Values:
//   "double quoted" ("" or `" inside for a quote), 'single quoted' ('' inside for a quote), a JSON object or array
//   (balanced brackets, strings respected), (ConvertTo-SecureString …) unwrapped to its string, or a bare word.
// Errors name the input and give line and column; they never repeat a value (it may be a password).
import { InputError } from "../errors";
import { lineAndColumn } from "./json";
import type { JsonValue } from "./types";

export type OverrideForm = "bare" | "quoted" | "json" | "secureString";

export interface ParameterOverride {
  /** The parameter name as written, without the leading "-". */
  name: string;
  /** The value as text: unquoted, (ConvertTo-SecureString …) unwrapped, JSON as written. */
  text: string;
  form: OverrideForm;
  /** For form "json": the parsed value, when the text is valid JSON. */
  json?: JsonValue;
}

/** Overrides in the order written, keyed by the name as written. */
export type ParameterOverrides = Map<string, ParameterOverride>;

const NAME = /^[A-Za-z0-9_$.][A-Za-z0-9_$.-]*$/;
const BLANK = /[ \t\r\n\f\v\u00A0]/;

export function parseOverrides(text: string | undefined, inputName: string): ParameterOverrides {
  return new OverrideReader(text ?? "", inputName).readAll();
}

class OverrideReader {
  private index = 0;
  private readonly result: ParameterOverrides = new Map();
  private readonly seen = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly inputName: string,
  ) {}

  readAll(): ParameterOverrides {
    let previous: string | undefined;
    for (;;) {
      this.skipBlanks();
      if (this.atEnd()) return this.result;
      const nameStart = this.index;
      if (this.text[this.index] !== "-") {
        const after = previous === undefined ? "" : ` (after the value of -${previous})`;
        throw this.error(`a value without a parameter name at ${this.where(nameStart)}${after}. Write -name value, and quote values that contain blanks.`);
      }
      const word = this.readWord().slice(1);
      if (word === "") throw this.error(`a '-' without a parameter name at ${this.where(nameStart)}.`);
      if (!NAME.test(word)) {
        // Only the part that is a valid name is repeated: what follows may be a value, and values stay unshown.
        const shown = (/^[A-Za-z0-9_$.-]*/.exec(word)?.[0] ?? "").slice(0, 60);
        throw this.error(`'-${shown}…' at ${this.where(nameStart)} is not a parameter name (letters, digits, _ . $ and -). Separate the name from its value with a blank.`);
      }
      if (this.seen.has(word.toLowerCase())) throw this.error(`-${word} is given twice (parameter names are case-insensitive).`);
      this.seen.add(word.toLowerCase());
      this.skipBlanks();
      if (this.atEnd()) throw this.error(`-${word} has no value. Give one after the name, e.g. -${word} "" for an empty string.`);
      this.result.set(word, this.readValue(word));
      previous = word;
    }
  }

  private readValue(name: string): ParameterOverride {
    const start = this.index;
    const first = this.text[start];
    if (first === '"' || first === "'") {
      const text = this.readQuoted(name);
      this.expectEndOfValue(name);
      return { name, text, form: "quoted" };
    }
    if (first === "{" || first === "[") {
      const text = this.readBalancedJson(name);
      this.expectEndOfValue(name);
      const json = tryParseJson(text);
      return json === undefined ? { name, text, form: "json" } : { name, text, form: "json", json: json.value };
    }
    if (first === "(") {
      const inner = this.readParenthesized(name);
      this.expectEndOfValue(name);
      const secure = unwrapSecureString(inner);
      if (secure === undefined) return { name, text: `(${inner})`, form: "bare" };
      if (typeof secure !== "string") throw this.error(`the value of -${name} at ${this.where(start)}: ${secure.problem}`);
      return { name, text: secure, form: "secureString" };
    }
    return { name, text: this.readWord(), form: "bare" };
  }

  /** A quoted string starting at the current quote; doubled quotes and backtick-quote stand for a quote. */
  private readQuoted(name: string): string {
    const start = this.index;
    const quote = this.text[start] ?? '"';
    let value = "";
    let index = start + 1;
    while (index < this.text.length) {
      const char = this.text[index] ?? "";
      const next = this.text[index + 1];
      if (char === quote && next === quote) {
        value += quote;
        index += 2;
      } else if (char === quote) {
        this.index = index + 1;
        return value;
      } else if (char === "`" && next === quote) {
        value += quote;
        index += 2;
      } else {
        value += char;
        index += 1;
      }
    }
    throw this.error(`the value of -${name} opens a quote (${quote}) at ${this.where(start)} that is never closed.`);
  }

  /** A JSON object or array: up to the bracket that balances the first, skipping brackets inside JSON strings. */
  private readBalancedJson(name: string): string {
    const start = this.index;
    let depth = 0;
    let index = start;
    while (index < this.text.length) {
      const char = this.text[index];
      if (char === '"') {
        index = this.endOfJsonString(index, name);
        continue;
      }
      if (char === "{" || char === "[") depth += 1;
      else if (char === "}" || char === "]") depth -= 1;
      index += 1;
      if (depth === 0) {
        this.index = index;
        return this.text.slice(start, index);
      }
    }
    throw this.error(`the JSON value of -${name} that starts at ${this.where(start)} is never closed (unbalanced brackets).`);
  }

  private endOfJsonString(start: number, name: string): number {
    let index = start + 1;
    while (index < this.text.length) {
      const char = this.text[index];
      if (char === "\\") index += 2;
      else if (char === '"') return index + 1;
      else index += 1;
    }
    throw this.error(`the JSON value of -${name} has a string that starts at ${this.where(start)} and is never closed.`);
  }

  /** The text inside balanced parentheses (quotes respected); the reader moves past the closing one. */
  private readParenthesized(name: string): string {
    const start = this.index;
    let depth = 0;
    let index = start;
    while (index < this.text.length) {
      const char = this.text[index];
      if (char === '"' || char === "'") {
        const end = closingQuote(this.text, index);
        if (end === undefined) throw this.error(`the value of -${name} opens a quote (${char}) at ${this.where(index)} that is never closed.`);
        index = end + 1;
        continue;
      }
      if (char === "(") depth += 1;
      else if (char === ")") depth -= 1;
      index += 1;
      if (depth === 0) {
        this.index = index;
        return this.text.slice(start + 1, index - 1);
      }
    }
    throw this.error(`the value of -${name} opens a parenthesis at ${this.where(start)} that is never closed.`);
  }

  private readWord(): string {
    const start = this.index;
    while (!this.atEnd() && !this.isBlankAt(this.index)) this.index += 1;
    return this.text.slice(start, this.index);
  }

  private expectEndOfValue(name: string): void {
    if (!this.atEnd() && !this.isBlankAt(this.index)) {
      throw this.error(`unexpected text right after the value of -${name} at ${this.where(this.index)}. Separate parameters with a blank.`);
    }
  }

  private skipBlanks(): void {
    while (!this.atEnd()) {
      if (this.isBlankAt(this.index)) this.index += 1;
      else if (this.text[this.index] === "`" && /^`[ \t]*\r?\n/.test(this.text.slice(this.index, this.index + 64))) {
        this.index = this.text.indexOf("\n", this.index) + 1;
      } else return;
    }
  }

  private isBlankAt(index: number): boolean {
    return BLANK.test(this.text[index] ?? "");
  }

  private atEnd(): boolean {
    return this.index >= this.text.length;
  }

  private where(offset: number): string {
    return lineAndColumn(this.text, offset);
  }

  private error(problem: string): InputError {
    return new InputError(this.inputName, problem);
  }
}

/** Offset of the quote closing the one at `start`, honouring doubled quotes and backtick escapes. */
function closingQuote(text: string, start: number): number | undefined {
  const quote = text[start];
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if ((char === quote && text[index + 1] === quote) || (char === "`" && text[index + 1] === quote)) index += 2;
    else if (char === quote) return index;
    else index += 1;
  }
  return undefined;
}

function tryParseJson(text: string): { value: JsonValue } | undefined {
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch {
    return undefined;
  }
}

/**
 * `ConvertTo-SecureString -String '…' -AsPlainText -Force` (flags in any order and case, -String optional before
 * a first positional value) → the string. Undefined when the text is not a ConvertTo-SecureString call.
 */
export function unwrapSecureString(inner: string): string | { problem: string } | undefined {
  const call = /^\s*ConvertTo-SecureString(?=\s|$)/i.exec(inner);
  if (!call) return undefined;
  const usage = "write (ConvertTo-SecureString -String '…' -AsPlainText -Force)";
  let value: string | undefined;
  let plainText = false;
  let index = call[0].length;
  const skip = () => {
    while (index < inner.length && BLANK.test(inner[index] ?? "")) index += 1;
  };
  const readArgument = (): string | undefined => {
    skip();
    const char = inner[index];
    if (char === undefined) return undefined;
    if (char === '"' || char === "'") {
      const end = closingQuote(inner, index);
      if (end === undefined) return undefined;
      const raw = inner.slice(index + 1, end);
      index = end + 1;
      return raw.split(char + char).join(char).split("`" + char).join(char);
    }
    const start = index;
    while (index < inner.length && !BLANK.test(inner[index] ?? "")) index += 1;
    return inner.slice(start, index);
  };
  for (;;) {
    skip();
    if (index >= inner.length) break;
    const startsFlag = inner[index] === "-";
    const token = startsFlag ? readArgument() : undefined;
    const flag = token?.toLowerCase();
    if (flag === "-string") {
      if (value !== undefined) return { problem: `the string is given twice; ${usage}.` };
      value = readArgument();
      if (value === undefined) return { problem: `-String has no value; ${usage}.` };
    } else if (flag === "-asplaintext") plainText = true;
    else if (flag === "-force") continue;
    else if (startsFlag) return { problem: `ConvertTo-SecureString's ${token ?? "-"} is not supported here; ${usage}.` };
    else if (value === undefined) value = readArgument();
    else return { problem: `ConvertTo-SecureString has an extra argument; ${usage}.` };
  }
  if (value === undefined) return { problem: `ConvertTo-SecureString has no string; ${usage}.` };
  if (!plainText) return { problem: `only plain text can be converted (add -AsPlainText); ${usage}.` };
  return value;
}
