// The request log behind `GET /_emulator/requests`: a bounded list of every non-admin request with its outcome,
// and the full headers and bodies for tests that validate the traffic against the swagger afterwards.

export interface LoggedCaller {
  tenantId: string;
  objectId: string;
  clientId: string;
}

export interface RequestLogEntry {
  /** Increasing from 1; `?since=<seq>` returns entries with a greater seq. */
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the connection was reset by a fault. */
  status: number;
  durationMs: number;
  /** arm, token, discovery, oidc, managedIdentity, metadata. */
  route: string;
  caller?: LoggedCaller;
  /** Id of the fault rule that answered, if one did. */
  faultId?: string;
}

export interface FullRequestLogEntry extends RequestLogEntry {
  requestHeaders: Record<string, string | undefined>;
  requestBody?: string;
  responseHeaders: Record<string, string>;
  responseBody?: string;
}

// Bounds: a long e2e run must not grow the emulator without limit. Readers notice dropped entries by the gap in seq.
const maxEntries = 20000;
const maxBodyChars = 256 * 1024;
const maxTotalChars = 64 * 1024 * 1024;

export class RequestLog {
  private entries: FullRequestLogEntry[] = [];
  private nextSeq = 1;
  private totalChars = 0;

  add(entry: Omit<FullRequestLogEntry, "seq">): void {
    const full = { ...entry, seq: this.nextSeq++, requestBody: clip(entry.requestBody), responseBody: clip(entry.responseBody) };
    this.entries.push(full);
    this.totalChars += size(full);
    // Drop the oldest tenth at once rather than one by one: shifting a large array per request is quadratic.
    while (this.entries.length > maxEntries || (this.totalChars > maxTotalChars && this.entries.length > 1)) {
      const dropped = this.entries.splice(0, Math.ceil(this.entries.length / 10));
      for (const old of dropped) this.totalChars -= size(old);
    }
  }

  list(options: { since?: number; full?: boolean } = {}): RequestLogEntry[] | FullRequestLogEntry[] {
    const since = options.since ?? 0;
    const selected = this.entries.filter((entry) => entry.seq > since);
    if (options.full) return selected;
    return selected.map(({ requestHeaders: _rh, requestBody: _rb, responseHeaders: _sh, responseBody: _sb, ...short }) => short);
  }

  /** Sequence numbers keep increasing across a clear, so a reader's `since` stays meaningful. */
  clear(): void {
    this.entries = [];
    this.totalChars = 0;
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }
}

/** Roughly what an entry holds in memory: its bodies dominate. */
function size(entry: FullRequestLogEntry): number {
  return (entry.requestBody?.length ?? 0) + (entry.responseBody?.length ?? 0) + 1024;
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= maxBodyChars) return text;
  return `${text.slice(0, maxBodyChars)}…[${text.length - maxBodyChars} more characters]`;
}
