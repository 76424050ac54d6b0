// The agent's logging-command parser (##vso[area.event k=v;k=v]data), reproduced rule for rule so a test sees a
// line the way the agent does, not the way the task meant it:
// - the command starts at the first "##vso[" anywhere in the line and ends at the first "]" after it;
// - the name is everything up to the first space and must split on "." into exactly two non-empty parts;
// - properties split on ";" and each at its first "="; a pair without a key or a value is dropped; names are
//   neither trimmed nor case-sensitive (stored lower-cased here, last one wins);
// - properties and data are both unescaped %3B, %0D, %0A, %5D first and %AZP25 last, so "%AZP253B" stays "%3B".

const prefix = "##vso[";

export interface VsoCommand {
  /** As written, e.g. "task" (the agent compares it case-insensitively). */
  area: string;
  /** As written, e.g. "setvariable". */
  event: string;
  /** "area.event", lower-cased: the key the views use. */
  name: string;
  /** Unescaped values; keys lower-cased because the agent looks them up case-insensitively. */
  properties: Record<string, string>;
  /** Unescaped text after the closing "]". */
  data: string;
  /** The whole line, as the task wrote it. */
  line: string;
  /** Where the (escaped) data starts in `line`: what follows is the message, what precedes is the command head. */
  dataOffset: number;
}

const escapes: ReadonlyArray<readonly [token: string, escaped: string]> = [
  [";", "%3B"],
  ["\r", "%0D"],
  ["\n", "%0A"],
  ["]", "%5D"],
];

/** The agent's unescape, applied to property values and to data alike. */
export function unescapeCommandValue(escaped: string): string {
  let value = escaped;
  for (const [token, replacement] of escapes) value = value.split(replacement).join(token);
  return value.split("%AZP25").join("%");
}

/** How task-lib escapes a property value: every special character. */
export function escapeCommandProperty(value: string): string {
  let escaped = value.split("%").join("%AZP25");
  for (const [token, replacement] of escapes) escaped = escaped.split(token).join(replacement);
  return escaped;
}

/** How task-lib escapes message data: only %, CR and LF (";" and "]" are safe after the closing bracket). */
export function escapeCommandData(value: string): string {
  return value.split("%").join("%AZP25").split("\r").join("%0D").split("\n").join("%0A");
}

/** Formats a command the way task-lib writes it (handy for expected values and hand-made output). */
export function formatCommand(name: string, properties: Record<string, string> = {}, data = ""): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== "")
    .map(([key, value]) => `${key}=${escapeCommandProperty(value)};`)
    .join("");
  return `${prefix}${name}${props ? ` ${props}` : ""}]${escapeCommandData(data)}`;
}

/** Parses one output line (without its line break); undefined when the agent would not see a command in it. */
export function parseCommandLine(line: string): VsoCommand | undefined {
  const start = line.indexOf(prefix);
  if (start < 0) return undefined;
  const close = line.indexOf("]", start);
  if (close < 0) return undefined;
  const head = line.substring(start + prefix.length, close);
  const space = head.indexOf(" ");
  const name = space < 0 ? head : head.substring(0, space);
  const parts = name.split(".").filter((part) => part !== "");
  if (parts.length !== 2) return undefined;
  const [area, event] = parts as [string, string];

  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of head.substring(space + 1).split(";")) {
      const eq = pair.indexOf("=");
      if (eq <= 0 || eq === pair.length - 1) continue; // no key, no value or no "=": the agent drops it
      properties[pair.substring(0, eq).toLowerCase()] = unescapeCommandValue(pair.substring(eq + 1));
    }
  }
  return {
    area,
    event,
    name: `${area}.${event}`.toLowerCase(),
    properties,
    data: unescapeCommandValue(line.substring(close + 1)),
    line,
    dataOffset: close + 1,
  };
}

/** Splits text into lines as the agent reads a stream: "\r\n", "\n" and a lone "\r" each end a line. */
export function splitOutputLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Parses every command in a block of output, in order. */
export function parseCommands(output: string): VsoCommand[] {
  return splitOutputLines(output)
    .map(parseCommandLine)
    .filter((command): command is VsoCommand => command !== undefined);
}
