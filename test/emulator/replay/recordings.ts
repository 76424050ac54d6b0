// Loads the recorded service traffic in test/fixtures/recordings into one shape, whatever recorder wrote it:
// vcrpy cassettes (azure-cli and the older python SDK tests, YAML) and the azure-sdk test-proxy (JSON).
// Both the swagger check of real traffic (test/traffic) and the replay test read recordings through here.
import { readFileSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export const recordingsDir = resolve(__dirname, "../../fixtures/recordings");

export interface RecordedExchange {
  /** Position in the recording, from 0. */
  index: number;
  method: string;
  url: URL;
  /** Header names lower-cased; repeated values joined with ", " as HTTP would. */
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string | undefined;
}

export interface Recording {
  /** File name without folder. */
  name: string;
  file: string;
  exchanges: RecordedExchange[];
}

export function listRecordingFiles(dir: string = recordingsDir): string[] {
  return readdirSync(dir)
    .filter((name) => /\.(ya?ml|json)$/i.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export function loadRecordings(dir: string = recordingsDir): Recording[] {
  return listRecordingFiles(dir).map(loadRecording);
}

export function loadRecording(file: string): Recording {
  const text = readFileSync(file, "utf8");
  const exchanges = /\.json$/i.test(file) ? fromTestProxy(file, text) : fromVcr(file, text);
  return { name: basename(file), file, exchanges };
}

// ---------------------------------------------------------------- vcrpy (YAML)

function fromVcr(file: string, text: string): RecordedExchange[] {
  // Python 2 era cassettes tag strings `!!python/unicode`; a strict YAML 1.2 loader rejects the unknown tag,
  // and the tag carries no meaning for us (the value is a plain string).
  const document: unknown = parseYaml(text.replace(/!!python\/unicode /g, ""));
  const interactions = field(document, "interactions");
  if (!Array.isArray(interactions)) throw new Error(`${file}: no "interactions" list`);
  return interactions.map((interaction: unknown, index) => {
    const request = field(interaction, "request");
    const response = field(interaction, "response");
    const where = `${file} interaction ${index}`;
    return {
      index,
      method: requireString(field(request, "method"), `${where} request.method`).toUpperCase(),
      url: new URL(requireString(field(request, "uri"), `${where} request.uri`)),
      requestHeaders: vcrHeaders(field(request, "headers")),
      requestBody: vcrBody(field(request, "body")),
      status: requireNumber(field(field(response, "status"), "code"), `${where} response.status.code`),
      responseHeaders: vcrHeaders(field(response, "headers")),
      responseBody: vcrBody(field(response, "body")),
    };
  });
}

/** vcrpy stores each header as a list of values. */
function vcrHeaders(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isRecord(value)) return headers;
  for (const [name, raw] of Object.entries(value)) {
    const values = Array.isArray(raw) ? raw : [raw];
    headers[name.toLowerCase()] = values.map((item) => String(item)).join(", ");
  }
  return headers;
}

/** A request body is a string (or null); a response body is `{string: ...}`. Empty means none. */
function vcrBody(value: unknown): string | undefined {
  const text = isRecord(value) ? value["string"] : value;
  if (typeof text !== "string" || text === "") return undefined;
  return text;
}

// ---------------------------------------------------------------- azure-sdk test-proxy (JSON)

function fromTestProxy(file: string, text: string): RecordedExchange[] {
  const entries = field(JSON.parse(text) as unknown, "Entries");
  if (!Array.isArray(entries)) throw new Error(`${file}: no "Entries" list`);
  return entries.map((entry: unknown, index) => {
    const where = `${file} entry ${index}`;
    return {
      index,
      method: requireString(field(entry, "RequestMethod"), `${where} RequestMethod`).toUpperCase(),
      url: new URL(requireString(field(entry, "RequestUri"), `${where} RequestUri`)),
      requestHeaders: proxyHeaders(field(entry, "RequestHeaders")),
      requestBody: proxyBody(field(entry, "RequestBody")),
      status: requireNumber(field(entry, "StatusCode"), `${where} StatusCode`),
      responseHeaders: proxyHeaders(field(entry, "ResponseHeaders")),
      responseBody: proxyBody(field(entry, "ResponseBody")),
    };
  });
}

function proxyHeaders(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isRecord(value)) return headers;
  for (const [name, raw] of Object.entries(value)) headers[name.toLowerCase()] = Array.isArray(raw) ? raw.map(String).join(", ") : String(raw);
  return headers;
}

/** The proxy stores JSON bodies parsed and other bodies as text; give both back as text. */
function proxyBody(value: unknown): string | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------- helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what} is not a string`);
  return value;
}

function requireNumber(value: unknown, what: string): number {
  if (typeof value !== "number") throw new Error(`${what} is not a number`);
  return value;
}
