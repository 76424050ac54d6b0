// Template text: parsing (ARM accepts a UTF-8 byte-order mark) and the line/column of template elements for
// error messages. Positions are computed only when an error needs one.
import { TemplateError, type SourcePosition } from "./errors";
import { isObject, type Json } from "./values";

/** Remembers the text a parsed template came from, so errors can point into it. */
const sourceTexts = new WeakMap<object, string>();

export type PathSegment = string | number;

/** The text parseTemplateText read this template from, if it did. */
export function sourceTextOf(template: object): string | undefined {
  return sourceTexts.get(template);
}

/** Parses template JSON text as ARM does: a leading BOM is accepted; anything else that is not JSON is rejected. */
export function parseTemplateText(text: string): Json {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: Json;
  try {
    value = JSON.parse(body) as Json;
  } catch (error) {
    throw new TemplateError({ code: "InvalidTemplate", message: `Unable to parse template content. ${describeJsonError(body, error)}` });
  }
  if (typeof value === "object" && value !== null) sourceTexts.set(value, body);
  return value;
}

function describeJsonError(text: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(reason);
  if (!match) return `${reason}.`;
  const { line, column } = lineAndColumn(text, Number(match[1]));
  return `Invalid JSON at line ${line}, position ${column}.`;
}

function lineAndColumn(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Finds where template elements are, from the original text or, for objects, their compact serialisation (line 1, as ARM sees a REST body). */
export class TemplateSource {
  private positions: Map<string, SourcePosition> | undefined;

  constructor(private readonly template: Json) {}

  position(path: PathSegment[]): SourcePosition {
    this.positions ??= indexContainers(isObject(this.template) || Array.isArray(this.template) ? (sourceTexts.get(this.template) ?? JSON.stringify(this.template)) : "");
    for (let length = path.length; length >= 0; length--) {
      const found = this.positions.get(pathKey(path.slice(0, length)));
      if (found) return found;
    }
    return { line: 1, column: 1 };
  }
}

function pathKey(path: PathSegment[]): string {
  return path.map((segment) => (typeof segment === "number" ? `[${segment}]` : `.${segment.toLowerCase()}`)).join("");
}

/**
 * Records the position of the opening brace or bracket of every object and array, by path: 1-based line
 * and column, as Json.NET reports a JObject's line info. A small scanner, since JSON.parse gives no positions.
 */
function indexContainers(text: string): Map<string, SourcePosition> {
  const positions = new Map<string, SourcePosition>();
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const skipWhitespace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        lineStart = i + 1;
      } else if (c !== 32 && c !== 9 && c !== 13) break;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return "";
    }
  };
  const readValue = (path: PathSegment[]): void => {
    skipWhitespace();
    const c = text[i];
    if (c === "{" || c === "[") {
      i++;
      positions.set(pathKey(path), { line, column: i - lineStart });
      let index = 0;
      for (;;) {
        skipWhitespace();
        if (i >= text.length) return;
        if (text[i] === "}" || text[i] === "]") {
          i++;
          return;
        }
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (c === "{") {
          const key = readString();
          skipWhitespace();
          i++; // the colon
          readValue([...path, key]);
        } else {
          readValue([...path, index++]);
        }
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (i < text.length && !",}] \t\r\n".includes(text[i] as string)) i++;
  };
  readValue([]);
  return positions;
}
