// JSON as ARM reads it: a leading byte-order mark and // or /* */ comments are allowed. Errors give the line and
// column only: V8's own message quotes the text around the error, and a parameters file holds passwords.
import { InputError } from "../errors";
import type { JsonValue } from "./types";

export interface ParseJsonOptions {
  /** The task input the text came from. */
  inputName: string;
  /** What the text is, for messages: "the parameters file". */
  what: string;
}

export function parseJsonText(text: string, options: ParseJsonOptions): JsonValue {
  const withoutBom = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (withoutBom.trim() === "") throw new InputError(options.inputName, `${options.what} is empty.`);
  const stripped = stripComments(withoutBom);
  if (typeof stripped !== "string") {
    throw new InputError(options.inputName, `${options.what} has a /* comment that is never closed (${lineAndColumn(withoutBom, stripped.openedAt)}).`);
  }
  try {
    return JSON.parse(stripped) as JsonValue;
  } catch (error) {
    const position = errorPosition(error, stripped);
    const where = position === undefined ? "" : ` near ${lineAndColumn(withoutBom, position)}`;
    throw new InputError(options.inputName, `${options.what} is not valid JSON${where}.`);
  }
}

/** "line 3, column 14" (1-based) for an offset into text. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return `line ${line}, column ${column}`;
}

/** Comments become spaces (line breaks kept), so offsets in the result are offsets in the input. */
function stripComments(text: string): string | { openedAt: number } {
  let out = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? "";
    const next = text[index + 1];
    if (char === '"') {
      const end = endOfString(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (char === "/" && next === "/") {
      const end = text.indexOf("\n", index);
      const stop = end === -1 ? text.length : end;
      out += " ".repeat(stop - index);
      index = stop;
    } else if (char === "/" && next === "*") {
      const end = text.indexOf("*/", index + 2);
      if (end === -1) return { openedAt: index };
      out += text.slice(index, end + 2).replace(/[^\n]/g, " ");
      index = end + 2;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** Offset just after the JSON string that starts at `start` (or the end of text if it never closes). */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === "\\") index += 2;
    else if (char === '"') return index + 1;
    else index += 1;
  }
  return text.length;
}

// V8 reports the offset for some errors only ("…at position 42"); the scanner finds it for the others.
function errorPosition(error: unknown, text: string): number | undefined {
  const message = error instanceof Error ? error.message : "";
  const match = /position (\d+)/.exec(message);
  if (match?.[1] !== undefined) return Number(match[1]);
  return firstSyntaxError(text);
}

/** Offset of the first JSON syntax error, or undefined when the text is valid. */
export function firstSyntaxError(text: string): number | undefined {
  let index = 0;
  const fail = (at: number): never => {
    throw new SyntaxAt(at);
  };
  const skipSpace = () => {
    while (index < text.length && " \t\n\r".includes(text[index] ?? "")) index += 1;
  };
  const expect = (literal: string) => {
    if (text.startsWith(literal, index)) index += literal.length;
    else fail(index);
  };
  const string = () => {
    index += 1;
    while (index < text.length) {
      const char = text[index] ?? "";
      if (char === '"') {
        index += 1;
        return;
      }
      if (char < " ") fail(index);
      if (char === "\\") {
        const escape = text[index + 1] ?? "";
        if (escape === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) fail(index);
          index += 6;
        } else if ('"\\/bfnrt'.includes(escape) && escape !== "") index += 2;
        else fail(index);
      } else index += 1;
    }
    fail(index);
  };
  const value = (): void => {
    skipSpace();
    const char = text[index];
    if (char === "{") {
      index += 1;
      skipSpace();
      if (text[index] === "}") {
        index += 1;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[index] !== '"') fail(index);
        string();
        skipSpace();
        expect(":");
        value();
        skipSpace();
        if (text[index] === ",") index += 1;
        else if (text[index] === "}") {
          index += 1;
          return;
        } else fail(index);
      }
    } else if (char === "[") {
      index += 1;
      skipSpace();
      if (text[index] === "]") {
        index += 1;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (text[index] === ",") index += 1;
        else if (text[index] === "]") {
          index += 1;
          return;
        } else fail(index);
      }
    } else if (char === '"') string();
    else if (char === "t") expect("true");
    else if (char === "f") expect("false");
    else if (char === "n") expect("null");
    else {
      const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(index));
      if (!number) fail(index);
      index += number?.[0].length ?? 0;
    }
  };
  try {
    value();
    skipSpace();
    if (index < text.length) fail(index);
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    throw error;
  }
}

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}
