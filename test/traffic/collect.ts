// The collector: end-to-end tests stop their emulators through test/emulator/client.ts, which calls
// saveTraffic() first, so each emulator's request log lands as one file in EMULATOR_TRAFFIC_DIR. The last test of
// the suite (validate.test.ts) reads those files and validates them against the swagger.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { asTrafficEntry, parseTrafficFile, trafficFileFormat, type TrafficEntry, type TrafficFile } from "./entry";

export const repoRoot = resolve(__dirname, "../..");

/** EMULATOR_TRAFFIC_DIR, or .tmp/traffic under the repository root. */
export function trafficDir(): string {
  const configured = process.env["EMULATOR_TRAFFIC_DIR"];
  return configured ? resolve(configured) : join(repoRoot, ".tmp", "traffic");
}

export interface SaveOptions {
  /** The emulator's CA (its ready line's caCertPath), when this process was not started with NODE_EXTRA_CA_CERTS. */
  caCertPath?: string;
}

// The highest sequence number already saved per emulator, so saving twice (e.g. before a reset and at stop) writes
// each entry once.
const savedUpTo = new Map<string, number>();
let prunedThisProcess = false;

/**
 * Reads the emulator's full request log (`GET {adminUrl}/requests?full=1`) and writes it to dir as one traffic file.
 * Returns the file written, or undefined when there was nothing new. Call it before stopping the emulator (and
 * before any admin reset that clears the log).
 */
export async function saveTraffic(adminUrl: string, dir: string = trafficDir(), options: SaveOptions = {}): Promise<string | undefined> {
  const base = adminUrl.replace(/\/+$/, "");
  let since = savedUpTo.get(base) ?? 0;
  let body = await getJson(`${base}/requests?full=1${since > 0 ? `&since=${since}` : ""}`, options.caCertPath);
  // A new emulator on a port an earlier one used starts counting again: its log is all new.
  if (since > 0 && lastSeqOf(body) < since) {
    since = 0;
    body = await getJson(`${base}/requests?full=1`, options.caCertPath);
  }
  const entries = logEntries(body)
    .filter((entry) => entry.seq === undefined || entry.seq > since)
    .map(redact);
  if (entries.length === 0) return undefined;

  mkdirSync(dir, { recursive: true });
  if (!prunedThisProcess) {
    prunedThisProcess = true;
    pruneDeadWriters(dir);
  }
  const file: TrafficFile = {
    format: trafficFileFormat,
    source: adminUrl,
    savedAt: new Date().toISOString(),
    writerPid: process.pid,
    droppedEntries: countMissing(entries, since),
    entries,
  };
  const lastSeq = entries.reduce((max, entry) => Math.max(max, entry.seq ?? 0), since);
  savedUpTo.set(base, lastSeq);
  const name = `traffic-${process.pid}-${Date.now()}-${randomBytes(3).toString("hex")}.json`;
  // Write then rename, so a validator running at the same time never reads half a file.
  const temporary = join(dir, `.${name}.partial`);
  writeFileSync(temporary, JSON.stringify(file));
  renameSync(temporary, join(dir, name));
  return join(dir, name);
}

export interface CollectedTraffic {
  files: { path: string; traffic: TrafficFile }[];
  /** Files in the folder left out because another process wrote them. */
  otherRuns: number;
}

/** The traffic files in dir; by default only those this process wrote (other runs may share the folder). */
export function readTraffic(dir: string = trafficDir(), options: { allRuns?: boolean } = {}): CollectedTraffic {
  const result: CollectedTraffic = { files: [], otherRuns: 0 };
  if (!existsSync(dir)) return result;
  for (const name of readdirSync(dir).sort()) {
    if (!/^traffic-.*\.json$/.test(name)) continue;
    const path = join(dir, name);
    const traffic = parseTrafficFile(readFileSync(path, "utf8"), path);
    if (options.allRuns || traffic.writerPid === process.pid) result.files.push({ path, traffic });
    else result.otherRuns += 1;
  }
  return result;
}

/** Deletes every traffic file in dir (e.g. before a separate validation step's run). */
export function clearTraffic(dir: string = trafficDir()): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (/^\.?traffic-.*\.json(\.partial)?$/.test(name)) rmSync(join(dir, name), { force: true });
}

/**
 * Files outlive the run in .tmp: leave out bearer tokens and the bodies of sign-in requests (client secrets,
 * assertions), none of which the swagger check reads (it skips non-ARM routes and ignores Authorization).
 */
function redact(entry: TrafficEntry): TrafficEntry {
  const requestHeaders = { ...entry.requestHeaders };
  for (const name of Object.keys(requestHeaders)) if (name.toLowerCase() === "authorization") requestHeaders[name] = "[redacted]";
  const result: TrafficEntry = { ...entry, requestHeaders };
  if (entry.route !== undefined && entry.route !== "arm") {
    delete result.requestBody;
    delete result.responseBody;
  }
  return result;
}

/** The admin API answers a list, or an object holding it; accept both, and check each entry's shape. */
function logEntries(body: unknown): TrafficEntry[] {
  const list = Array.isArray(body) ? body : firstArray(body, ["value", "requests", "entries"]);
  if (list === undefined) throw new Error("the emulator's /requests answer holds no list of requests");
  return list.map((item: unknown, i) => {
    const entry = asTrafficEntry(item);
    if (entry === undefined) throw new Error(`request-log entry ${i} has no method, path or status`);
    if (!("requestHeaders" in (item as object))) throw new Error("the request log was read without full=1 (no headers or bodies)");
    return entry;
  });
}

function lastSeqOf(body: unknown): number {
  const lastSeq = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["lastSeq"] : undefined;
  return typeof lastSeq === "number" ? lastSeq : Number.POSITIVE_INFINITY;
}

function firstArray(body: unknown, names: string[]): unknown[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  for (const name of names) {
    const value = (body as Record<string, unknown>)[name];
    if (Array.isArray(value)) return value;
  }
  return undefined;
}

/** Entries the bounded log dropped (or a reset cleared) between what was saved before and what we got. */
function countMissing(entries: TrafficEntry[], since: number): number {
  const seqs = entries.map((entry) => entry.seq).filter((seq): seq is number => seq !== undefined).sort((a, b) => a - b);
  if (seqs.length === 0) return 0;
  const first = seqs[0] ?? since + 1;
  const last = seqs[seqs.length - 1] ?? first;
  return first - since - 1 + (last - first + 1 - seqs.length);
}

/** Removes files whose writer process has ended: they belong to finished runs, and would only pile up. */
function pruneDeadWriters(dir: string): void {
  for (const name of readdirSync(dir)) {
    const match = /^traffic-(\d+)-/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function getJson(url: string, caCertPath: string | undefined): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: "GET", headers: { accept: "application/json" }, ...(caCertPath ? { ca: readFileSync(caCertPath) } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${url} answered ${res.statusCode ?? "?"}: ${text.slice(0, 200)}`));
          return;
        }
        try {
          resolvePromise(JSON.parse(text) as unknown);
        } catch (error) {
          reject(new Error(`GET ${url} did not answer JSON: ${(error as Error).message}`));
        }
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.end();
  });
}
