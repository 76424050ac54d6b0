// The recorded real-service traffic (test/fixtures/recordings) as traffic entries, so the validator can be run
// on what Azure itself answered. The route is derived from the host, as the emulator's log derives it from the
// handler: ARM, Entra ID or Graph.
import { loadRecording, type RecordedExchange, type Recording } from "../emulator/replay/recordings";
import type { TrafficEntry } from "./entry";
import type { TrafficSource } from "./validate";

export function recordingAsTraffic(recording: Recording): TrafficSource {
  return { name: recording.name, entries: recording.exchanges.map(exchangeAsEntry) };
}

export function recordingFileAsTraffic(file: string): TrafficSource {
  return recordingAsTraffic(loadRecording(file));
}

export function exchangeAsEntry(exchange: RecordedExchange): TrafficEntry {
  const query: Record<string, string> = {};
  exchange.url.searchParams.forEach((value, name) => (query[name] = value));
  const entry: TrafficEntry = {
    seq: exchange.index,
    method: exchange.method,
    path: exchange.url.pathname,
    query,
    status: exchange.status,
    route: routeOf(exchange.url.hostname),
    requestHeaders: exchange.requestHeaders,
    responseHeaders: exchange.responseHeaders,
  };
  if (exchange.requestBody !== undefined) entry.requestBody = exchange.requestBody;
  if (exchange.responseBody !== undefined) entry.responseBody = exchange.responseBody;
  return entry;
}

function routeOf(host: string): string {
  if (host === "management.azure.com") return "arm";
  if (host.startsWith("login.")) return "entra";
  if (host === "graph.microsoft.com" || host === "graph.windows.net") return "graph";
  if (host.endsWith(".blob.core.windows.net")) return "blob";
  return `host ${host}`;
}
