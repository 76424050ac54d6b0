// Text that came from outside the task (ARM error bodies, resource properties, artifact messages) must not be able
// to drive the agent. The agent reads stdout line by line (it splits on CR as well as LF) and runs any line holding
// `##vso[` as a logging command, and renders a line starting with `##[` as a formatting command (error, group...).
// So: split into lines ourselves, and defuse both markers wherever they appear. Pure; no task-lib here.
import { SAS_SIGNATURE } from "../azure/untrusted-text";

/** Everything a line reader may treat as a line break: CRLF, LF, CR, NEL and the Unicode line/paragraph separators. */
const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/;

/** C0/C1 control characters except TAB (ANSI escapes, backspace, NUL...), which could hide or rewrite log text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** `##vso[` in any letter case (the agent compares ignoring case), and `##[` formatting markers. */
const VSO_MARKER = /##(\s*)vso\[/gi;
const FORMAT_MARKER = /##\[/g;

/** Credentials Azure sometimes echoes back: a SAS signature in a URL (in any of the encodings SAS_SIGNATURE knows),
 * a bearer token in a header. */
const BEARER_TOKEN = /(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;

/** One line, safe to print: no line breaks, no control characters, no agent command markers, no SAS signature. */
export function neutraliseLine(text: string): string {
  return text
    .split(LINE_BREAK)
    .join(" ")
    .replace(CONTROL, "")
    .replace(SAS_SIGNATURE, "$1***")
    .replace(BEARER_TOKEN, "$1***")
    .replace(VSO_MARKER, "##_$1vso[")
    .replace(FORMAT_MARKER, "##_[");
}

/** Several lines, each safe to print on its own (for multi-line text such as an error with details). */
export function neutraliseLines(text: string): string[] {
  return text.split(LINE_BREAK).map(neutraliseLine);
}

/** Text for a markdown summary: neutralised and with markdown/HTML syntax escaped so it renders as written. */
export function markdownText(text: string): string {
  return neutraliseLine(text)
    .replace(/[\\`*_{}[\]()#+|!~-]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}
