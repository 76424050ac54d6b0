// Getting a deployment's template and parameters: inline, or from templateLink/parametersLink. A link is
// fetched only from the emulator's own storage (a SAS URL in Azurite): no machine here reaches the
// internet, so other hosts cannot be fetched (see README: nested deployments of public templates).
import type { ArmContext } from "../core/context";
import { ArmError } from "../core/errors";
import { isObject, type JsonObject } from "../core/json";

export class ExternalLinkError extends Error {}

function invalidContentLink(uri: string, why: string): ArmError {
  return new ArmError(
    400,
    "InvalidContentLink",
    `Unable to download deployment content from '${uri.replace(/\?.*$/, "")}'. ${why} Please see https://aka.ms/arm-deploy for usage details.`,
  );
}

/** True when the URI points at this emulator's storage (so it can be fetched offline). */
export function isLocalUri(ctx: ArmContext, uri: string): boolean {
  try {
    const u = new URL(uri);
    const storage = new URL(ctx.options.storage.blobEndpoint);
    return u.origin === storage.origin || ["127.0.0.1", "localhost", "::1"].includes(u.hostname);
  } catch {
    return false;
  }
}

/** Downloads a JSON document from a link as ARM would (plain HTTPS GET of the URI with its SAS). */
export async function fetchJson(ctx: ArmContext, uri: string): Promise<JsonObject> {
  if (!/^https:\/\//i.test(uri)) throw invalidContentLink(uri, "The content link must use https.");
  if (!isLocalUri(ctx, uri)) throw new ExternalLinkError(uri);
  let status: number;
  let text: string;
  const storage = ctx.options.storage;
  try {
    if (storage.fetchBlobUrl) {
      const res = await storage.fetchBlobUrl(uri);
      status = res.status;
      text = res.body ? res.body.toString("utf8") : "";
    } else {
      const res = await fetch(uri);
      status = res.status;
      text = await res.text();
    }
  } catch (e) {
    throw invalidContentLink(uri, `The request failed: ${e instanceof Error ? e.message : String(e)}.`);
  }
  if (status !== 200) throw invalidContentLink(uri, `The remote server returned status code '${status}'.`);
  try {
    const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ""));
    if (!isObject(parsed)) throw new Error("not an object");
    return parsed;
  } catch {
    throw new ArmError(400, "InvalidContentLink", `The content downloaded from '${uri.replace(/\?.*$/, "")}' is not valid JSON.`);
  }
}
