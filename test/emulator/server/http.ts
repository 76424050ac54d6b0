// The small HTTP vocabulary every handler speaks: a request already read into memory, and a reply value the
// server writes (or a request to drop the connection, for the "reset" fault).
import type { IncomingMessage } from "node:http";

export interface HostRequest {
  method: string;
  /** Path as sent, with duplicate slashes collapsed, not decoded. */
  rawPath: string;
  /** Per-segment percent-decoded path (the ARM contract's form). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** https://127.0.0.1:PORT */
  baseUrl: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** For the request log: the identity the reply was issued for or to (ARM caller, token subject). */
  caller?: { tenantId: string; objectId: string; clientId: string };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) };
}

export function empty(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers };
}

export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error(`Request body larger than ${limitBytes} bytes.`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Node's header object flattened to one string per name (lower-case names). */
export function flattenHeaders(headers: IncomingMessage["headers"]): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

/** Decodes each path segment on its own, keeping undecodable ones as sent. */
export function decodePath(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

/** A form-encoded body (token endpoints) as parameters. */
export function formBody(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString("utf8"));
}
