// Lists come in pages with nextLink, as ARM's do. The page size is small on purpose so that clients
// that ignore nextLink fail in tests. $top caps the whole list (the recording of armtemplates?$top=3
// returns three items and no nextLink); $skipToken is our opaque offset.
import type { ArmRequest, ArmResponse } from "../../core/contracts";
import { ArmError } from "./errors";
import type { JsonObject } from "./json";

export const DEFAULT_PAGE_SIZE = 5;

export function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodeToken(token: string): number {
  const m = /^offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m) throw new ArmError(400, "InvalidSkipToken", `The skip token '${token}' is not valid.`);
  return Number(m[1]);
}

export function topOf(req: ArmRequest): number | undefined {
  const raw = req.query.get("$top");
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ArmError(400, "InvalidTopInQueryString", `The value '${raw}' of $top is not valid.`);
  return n;
}

export function page(req: ArmRequest, items: JsonObject[], pageSize = DEFAULT_PAGE_SIZE): ArmResponse {
  const top = topOf(req);
  const all = top === undefined ? items : items.slice(0, top);
  const token = req.query.get("$skipToken");
  const offset = token ? decodeToken(token) : 0;
  const value = all.slice(offset, offset + pageSize);
  const body: { value: JsonObject[]; nextLink?: string } = { value };
  if (offset + pageSize < all.length) {
    const query = new URLSearchParams(req.query);
    query.delete("$skipToken");
    query.set("$skipToken", encodeToken(offset + pageSize));
    // URLSearchParams would encode $ as %24, which ARM clients accept, but keep ARM's literal look
    const qs = query.toString().replace(/%24/g, "$");
    body.nextLink = `${req.baseUrl}${encodePath(req.path)}?${qs}`;
  }
  return { status: 200, body };
}
