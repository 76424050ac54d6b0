// Turns a request-log entry into oav's traffic payload ({liveRequest, liveResponse}, the JSON that
// `oav validate-traffic` reads). ARM paths match swagger templates whatever the host, so the URL is given
// the public ARM host: the emulator's loopback address and port mean nothing to the spec.
import type { TrafficEntry } from "./entry";
import type { TrafficPayload } from "./oav-adapter";

export const armHost = "https://management.azure.com";

export type PayloadResult = { ok: true; payload: TrafficPayload } | { ok: false; side: "request" | "response"; clipped: boolean; problem: string };

/** apiVersion, when given, replaces the entry's api-version (validation against a substitute spec). */
export function toPayload(entry: TrafficEntry, apiVersion?: string): PayloadResult {
  const requestBody = parseBody(entry.requestBody);
  if (!requestBody.ok) return { ok: false, side: "request", clipped: requestBody.clipped, problem: `request body: ${requestBody.problem}` };
  const responseBody = parseBody(entry.responseBody);
  if (!responseBody.ok) return { ok: false, side: "response", clipped: responseBody.clipped, problem: `response body: ${responseBody.problem}` };

  const payload: TrafficPayload = {
    liveRequest: { url: requestUrl(entry, apiVersion), method: entry.method.toUpperCase(), headers: requestHeaders(entry.requestHeaders) },
    liveResponse: { statusCode: String(entry.status), headers: lowerCaseNames(entry.responseHeaders) },
  };
  if (requestBody.value !== undefined) payload.liveRequest.body = requestBody.value;
  if (responseBody.value !== undefined) payload.liveResponse.body = responseBody.value;
  return { ok: true, payload };
}

/** The request as a person reads it in a report: METHOD /path?query, long query values (signatures) cut. */
export function describeRequest(entry: TrafficEntry): string {
  const query = Object.entries(entry.query)
    .map(([name, value]) => `${name}=${value.length > 40 ? `${value.slice(0, 12)}…` : value}`)
    .join("&");
  return `${entry.method.toUpperCase()} ${entry.path}${query ? `?${query}` : ""}`;
}

function requestUrl(entry: TrafficEntry, apiVersion: string | undefined): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(entry.query)) {
    query.set(name, apiVersion !== undefined && name.toLowerCase() === "api-version" ? apiVersion : value);
  }
  // The log may hold the path percent-decoded; only characters that would end the path need escaping again.
  const path = entry.path.replace(/%(?![0-9a-fA-F]{2})/g, "%25").replace(/\?/g, "%3F").replace(/#/g, "%23");
  const search = query.toString();
  return `${armHost}${path}${search ? `?${search}` : ""}`;
}

function requestHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // The bearer token is no input to the spec and has no business in a report or a payload file.
    if (value === undefined || name.toLowerCase() === "authorization") continue;
    result[name.toLowerCase()] = value;
  }
  return result;
}

function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

type BodyResult = { ok: true; value: unknown } | { ok: false; clipped: boolean; problem: string };

function parseBody(text: string | undefined): BodyResult {
  if (text === undefined || text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, "")) };
  } catch (error) {
    // The request log cuts bodies over 256 KiB and says so at the end; such a body cannot be checked.
    const clipped = /…\[\d+ more characters\]$/.test(text);
    const problem = clipped ? "cut short by the request log" : `not JSON (${(error as Error).message}): ${text.slice(0, 120)}`;
    return { ok: false, clipped, problem };
  }
}
