// What must match between a recorded answer and the emulator's: the status code, which long-running-operation
// headers are present, and the body properties that carry behaviour (name, type, id modulo case,
// provisioningState, an operation's status, an error's code, the names a list returns, and the values the
// request set). Timestamps, unique ids, etc. legitimately differ and are not compared.
import { isDeepStrictEqual } from "node:util";
import type { HttpResponse } from "./http";
import type { RecordedExchange } from "./recordings";

export interface Difference {
  aspect: "status" | "header" | "body";
  field: string;
  recorded: string;
  emulator: string;
}

export const lroHeaderNames = ["azure-asyncoperation", "location", "retry-after"] as const;

/** A property the request set: its path in the body and the value sent. */
export interface Leaf {
  path: string[];
}

export function compareAnswer(recorded: RecordedExchange, actual: HttpResponse, requestLeaves: Leaf[]): Difference[] {
  const differences: Difference[] = [];
  if (recorded.status !== actual.status) differences.push({ aspect: "status", field: "status code", recorded: String(recorded.status), emulator: String(actual.status) });
  for (const header of lroHeaderNames) {
    const was = recorded.responseHeaders[header] !== undefined;
    const is = actual.headers[header] !== undefined;
    if (was !== is) differences.push({ aspect: "header", field: header, recorded: was ? "present" : "absent", emulator: is ? "present" : "absent" });
  }
  differences.push(...compareBodies(recorded.responseBody, actual.body, requestLeaves));
  return differences;
}

/** The final answer of a status poll: the operation's end state (and error code), not how many polls it took. */
export function compareFinalPoll(recorded: RecordedExchange, actual: HttpResponse): Difference[] {
  const differences: Difference[] = [];
  if (recorded.status !== actual.status) differences.push({ aspect: "status", field: "final poll status code", recorded: String(recorded.status), emulator: String(actual.status) });
  differences.push(...compareBodies(recorded.responseBody, actual.body, []));
  return differences;
}

function compareBodies(recordedText: string | undefined, actualText: string, requestLeaves: Leaf[]): Difference[] {
  const recorded = parse(recordedText);
  if (recorded === undefined) {
    return actualText.trim() === "" || recordedText !== undefined ? [] : [{ aspect: "body", field: "body", recorded: "(empty)", emulator: shorten(actualText) }];
  }
  const actual = parse(actualText);
  if (actual === undefined) return [{ aspect: "body", field: "body", recorded: "JSON", emulator: actualText.trim() === "" ? "(empty)" : `not JSON: ${shorten(actualText)}` }];
  if (!isRecord(recorded)) return [];
  const differences: Difference[] = [];
  const check = (field: string, was: unknown, is: unknown): void => {
    if (!sameValue(was, is)) differences.push({ aspect: "body", field, recorded: show(was), emulator: show(is) });
  };

  const recordedError = recorded["error"];
  if (isRecord(recordedError) && recorded["status"] === undefined) {
    check("error.code", recordedError["code"], at(actual, ["error", "code"]));
    return differences;
  }
  if (Array.isArray(recorded["value"])) {
    const names = (list: unknown): string => (Array.isArray(list) ? list.map((item) => String(at(item, ["name"]) ?? "?")).sort().join(", ") : "(no list)");
    check("value[].name", names(recorded["value"]), names(at(actual, ["value"])));
    return differences;
  }
  for (const field of ["name", "type", "id", "status"]) {
    if (recorded[field] !== undefined) check(field, recorded[field], at(actual, [field]));
  }
  if (recorded["status"] === "Failed" || isRecord(recordedError)) check("error.code", at(recorded, ["error", "code"]), at(actual, ["error", "code"]));
  const provisioningState = at(recorded, ["properties", "provisioningState"]);
  if (provisioningState !== undefined) check("properties.provisioningState", provisioningState, at(actual, ["properties", "provisioningState"]));
  for (const leaf of requestLeaves) {
    const was = at(recorded, leaf.path);
    // Only what the service echoed back: secrets (passwords, secret values) are set but never returned.
    if (was !== undefined) check(leaf.path.join("."), was, at(actual, leaf.path));
  }
  return differences;
}

/** The properties a request body sets (location, tags and everything under properties), as leaf paths. */
export function requestLeaves(body: string | undefined): Leaf[] {
  const parsed = parse(body);
  if (!isRecord(parsed)) return [];
  const leaves: Leaf[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (isRecord(value) && Object.keys(value).length > 0) for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    else leaves.push({ path });
  };
  for (const key of ["location", "tags", "properties"]) if (parsed[key] !== undefined) walk(parsed[key], [key]);
  return leaves;
}

/** Equal, with resource ids compared without regard to case (ARM returns them lower-cased in places). */
function sameValue(was: unknown, is: unknown): boolean {
  if (typeof was === "string" && typeof is === "string" && was.startsWith("/subscriptions/")) return was.toLowerCase() === is.toLowerCase();
  return isDeepStrictEqual(was, is);
}

function at(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function parse(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? "(absent)" : shorten(typeof value === "string" ? value : JSON.stringify(value));
}

function shorten(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
