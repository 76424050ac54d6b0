// The leak check: no secret may reach the log. The agent masks what it knows, but a test must not rely on that —
// a value the task forgets to register, or prints before registering, or prints URL-encoded, would show. So every
// known secret is looked for in every line, raw and (for values of 6+ characters) in the encodings a leak usually
// takes, both as written and as the agent unescapes command text. The one place a secret may appear is the data
// of the command that registers it (task.setsecret, a secret task.setvariable...): the agent consumes that line
// (the runner adds task-lib's unavoidable debug echoes of values the agent masks; see task-lib-echoes.ts).
import type { VsoCommand } from "./commands";
import type { OutputLine, OutputStream } from "./lines";

export interface SecretSource {
  /** Where the value comes from, e.g. "secret variable sp.key" (never the value itself). */
  label: string;
  value: string;
}

export type LeakForm = "raw" | "url-encoded" | "form-encoded" | "json-escaped" | "base64" | "line of a multi-line value";

export interface SecretLeak {
  /** The secret's label. */
  secret: string;
  form: LeakForm;
  /** Where it was seen: a stream, or `summary:<path>` for a file uploaded with task.uploadsummary. */
  stream: OutputStream | `summary:${string}`;
  line: number;
  /** "output" for the raw line, or the unescaped part of a command, e.g. "task.debug data". */
  place: string;
  /** The line with every known secret masked. */
  excerpt: string;
}

interface Needle {
  secret: string;
  form: LeakForm;
  text: string;
}

const minEncodedLength = 6;

/** The forms a value is looked for in. */
export function secretForms(value: string): Array<{ form: LeakForm; text: string }> {
  const forms: Array<{ form: LeakForm; text: string }> = [{ form: "raw", text: value }];
  if (value.length >= minEncodedLength) {
    const url = encodeURIComponent(value);
    forms.push(
      { form: "url-encoded", text: url },
      { form: "form-encoded", text: url.replace(/%20/g, "+") },
      { form: "json-escaped", text: JSON.stringify(value).slice(1, -1) },
      { form: "base64", text: Buffer.from(value, "utf8").toString("base64").replace(/=+$/, "") },
    );
    if (/[\r\n]/.test(value)) {
      // A PEM key or certificate: each body line is as secret as the whole (armour lines are not).
      for (const line of value.split(/\r\n|\r|\n/)) {
        if (line.trim().length >= minEncodedLength && !line.startsWith("-----")) forms.push({ form: "line of a multi-line value", text: line.trim() });
      }
    }
  }
  const seen = new Set<string>();
  return forms.filter(({ text }) => text !== "" && !seen.has(text) && Boolean(seen.add(text)));
}

function needlesOf(secrets: readonly SecretSource[]): Needle[] {
  const needles: Needle[] = [];
  for (const { label, value } of secrets) {
    if (value.trim() === "") continue;
    for (const { form, text } of secretForms(value)) needles.push({ secret: label, form, text });
  }
  // Longest first, so masking a value that contains another secret masks all of it.
  return needles.sort((a, b) => b.text.length - a.text.length);
}

/** Replaces every known secret (in every form looked for) with "***". */
export function maskSecrets(text: string, secrets: readonly SecretSource[]): string {
  let masked = text;
  for (const { text: needle } of needlesOf(secrets)) masked = masked.split(needle).join("***");
  return masked;
}

/**
 * Finds every secret in the output. `exemptData` are the commands whose data may hold a secret: those that
 * register it, which the agent consumes without showing.
 */
export function findSecretLeaks(
  secrets: readonly SecretSource[],
  lines: readonly OutputLine[],
  exemptData: ReadonlySet<VsoCommand>,
): SecretLeak[] {
  const needles = needlesOf(secrets);
  const leaks: SecretLeak[] = [];
  const reported = new Set<string>();
  const report = (needle: Needle, line: OutputLine, place: string, excerptSource: string) => {
    const key = `${needle.secret}\u0000${line.stream}\u0000${line.number}`;
    if (reported.has(key)) return;
    reported.add(key);
    leaks.push({ secret: needle.secret, form: needle.form, stream: line.stream, line: line.number, place, excerpt: excerpt(excerptSource, secrets) });
  };

  for (const line of lines) {
    const command = line.command;
    const exempt = command !== undefined && exemptData.has(command);
    const places: Array<[place: string, text: string]> = [["output", exempt ? line.text.substring(0, command.dataOffset) : line.text]];
    if (command) {
      for (const [key, value] of Object.entries(command.properties)) places.push([`${command.name} property ${key}`, value]);
      if (!exempt) places.push([`${command.name} data`, command.data]);
    }
    for (const needle of needles) {
      for (const [place, text] of places) {
        if (text.includes(needle.text)) report(needle, line, place, place === "output" ? line.text : text);
      }
    }
  }

  // A value spanning lines (a PEM block printed whole) can only be seen across lines.
  for (const { label, value } of secrets) {
    if (!/[\r\n]/.test(value) || value.trim() === "") continue;
    const wanted = value.replace(/\r\n|\r/g, "\n");
    for (const stream of ["stdout", "stderr"] as const) {
      const streamLines = lines.filter((l) => l.stream === stream);
      const text = streamLines.map((l) => (l.command && exemptData.has(l.command) ? l.text.substring(0, l.command.dataOffset) : l.text)).join("\n");
      const at = text.indexOf(wanted);
      if (at < 0) continue;
      const firstIndex = text.substring(0, at).split("\n").length - 1;
      const spanned = streamLines.slice(firstIndex, firstIndex + wanted.split("\n").length);
      const first = spanned[0];
      // Its body lines may already be reported one by one; one report per printing is enough.
      if (first && !spanned.some((l) => reported.has(`${label}\u0000${stream}\u0000${l.number}`))) {
        report({ secret: label, form: "raw", text: wanted }, first, "output", first.text);
      }
    }
  }
  return leaks.sort((a, b) => a.stream.localeCompare(b.stream) || a.line - b.line);
}

function excerpt(text: string, secrets: readonly SecretSource[]): string {
  const masked = maskSecrets(text, secrets);
  const at = Math.max(masked.indexOf("***"), 0);
  const start = Math.max(at - 80, 0);
  const clipped = masked.substring(start, start + 200);
  return `${start > 0 ? "…" : ""}${clipped}${start + 200 < masked.length ? "…" : ""}`;
}

/** One line per leak, secrets masked. */
export function describeLeaks(leaks: readonly SecretLeak[]): string {
  return leaks
    .map((leak) => `- ${leak.secret} (${leak.form}) in ${leak.stream} line ${leak.line}, ${leak.place}: ${JSON.stringify(leak.excerpt)}`)
    .join("\n");
}

export class SecretLeakError extends Error {
  constructor(
    readonly leaks: readonly SecretLeak[],
    /** The run's result, for a test that wants to look closer (it contains the secrets). */
    readonly result: unknown,
    task: string,
  ) {
    super(`${task} printed ${leaks.length === 1 ? "a secret" : `secrets ${leaks.length} times`}:\n${describeLeaks(leaks)}`);
    this.name = "SecretLeakError";
  }
}
