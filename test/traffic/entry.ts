// The unit of traffic this folder validates: one request and its response as the emulator's request log keeps
// it (`GET /_emulator/requests?full=1`, see test/emulator/server/request-log.ts). Declared here rather than
// imported so the validator also accepts traffic converted from the recordings, and only needs these members.

export interface TrafficEntry {
  /** The log's sequence number, or the position in a recording. */
  seq?: number;
  method: string;
  /** Path as the log holds it, without query. */
  path: string;
  query: Record<string, string>;
  /** 0 when the emulator reset the connection (a fault) and so sent no response. */
  status: number;
  /** Which part of the emulator answered: arm, token, discovery, oidc, managedIdentity, metadata… */
  route?: string;
  /** Set when a fault rule answered instead of the resource provider. */
  faultId?: string;
  requestHeaders: Record<string, string | undefined>;
  requestBody?: string;
  responseHeaders: Record<string, string>;
  responseBody?: string;
}

/** A file the collector writes into EMULATOR_TRAFFIC_DIR: one emulator's request log at the time it stopped. */
export interface TrafficFile {
  format: typeof trafficFileFormat;
  /** Where the entries came from: the emulator's admin URL, or a recording's path. */
  source: string;
  savedAt: string;
  /** The process that saved it (the test run), so a validator can tell this run's files from stale ones. */
  writerPid: number;
  /** Entries the emulator's bounded log had already dropped before it was read (they cannot be validated). */
  droppedEntries: number;
  entries: TrafficEntry[];
}

export const trafficFileFormat = "dtl-emulator-traffic/1";

/** Checks the shape of one request-log entry (the admin API is another engineer's code and may change). */
export function asTrafficEntry(value: unknown): TrafficEntry | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  if (typeof entry["method"] !== "string" || typeof entry["path"] !== "string" || typeof entry["status"] !== "number") return undefined;
  const result: TrafficEntry = {
    method: entry["method"],
    path: entry["path"],
    query: stringRecord(entry["query"]),
    status: entry["status"],
    requestHeaders: stringRecord(entry["requestHeaders"]),
    responseHeaders: stringRecord(entry["responseHeaders"]),
  };
  if (typeof entry["seq"] === "number") result.seq = entry["seq"];
  if (typeof entry["route"] === "string") result.route = entry["route"];
  if (typeof entry["faultId"] === "string") result.faultId = entry["faultId"];
  if (typeof entry["requestBody"] === "string") result.requestBody = entry["requestBody"];
  if (typeof entry["responseBody"] === "string") result.responseBody = entry["responseBody"];
  return result;
}

export function parseTrafficFile(text: string, where: string): TrafficFile {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) throw new Error(`${where}: not a traffic file`);
  const file = value as Record<string, unknown>;
  if (file["format"] !== trafficFileFormat || !Array.isArray(file["entries"])) throw new Error(`${where}: not a ${trafficFileFormat} file`);
  const entries = file["entries"].map((item: unknown, i) => {
    const entry = asTrafficEntry(item);
    if (entry === undefined) throw new Error(`${where}: entry ${i} is not a request-log entry`);
    return entry;
  });
  return {
    format: trafficFileFormat,
    source: typeof file["source"] === "string" ? file["source"] : where,
    savedAt: typeof file["savedAt"] === "string" ? file["savedAt"] : "",
    writerPid: typeof file["writerPid"] === "number" ? file["writerPid"] : 0,
    droppedEntries: typeof file["droppedEntries"] === "number" ? file["droppedEntries"] : 0,
    entries,
  };
}

function stringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return result;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === "string") result[key] = item;
    else if (typeof item === "number" || typeof item === "boolean") result[key] = String(item);
    else if (Array.isArray(item)) result[key] = item.map(String).join(", ");
  }
  return result;
}
