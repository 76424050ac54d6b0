// The test-only admin API under /_emulator (no authentication): state, request log, reset, faults, permissions,
// and minting Azure DevOps OIDC tokens for assertion tests. Answers in JSON; errors as {error:{code,message}}.
import type { ArmEmulator } from "../core/contracts";
import type { Directory } from "../identity/directory";
import { mintOidcToken } from "../identity/devops-oidc";
import type { SigningKey } from "../identity/signing-key";
import type { AzuriteBlobStorage } from "../storage/blob-backend";
import type { FaultStore } from "./faults";
import { empty, json, type HostRequest, type Reply } from "./http";
import type { RateLimits } from "./rate-limits";
import type { RequestLog } from "./request-log";

export const adminPrefix = "/_emulator";

export interface AdminContext {
  arm: ArmEmulator;
  directory: Directory;
  faults: FaultStore;
  requestLog: RequestLog;
  rateLimits: RateLimits;
  storage: AzuriteBlobStorage;
  oidcKey: SigningKey;
  timeScale: number;
}

const routes = [
  "GET state",
  "GET requests[?since=<seq>][&full=1]",
  "POST reset",
  "GET faults",
  "POST faults",
  "DELETE faults",
  "DELETE faults/{id}",
  "GET permissions",
  "PUT permissions",
  "POST oidc-token",
];

export async function handleAdminRequest(context: AdminContext, request: HostRequest): Promise<Reply> {
  const path = request.path.slice(adminPrefix.length).replace(/\/+$/, "");
  const method = request.method.toUpperCase();
  const body = parseBody(request.body);
  if (body instanceof Error) return badRequest(body.message);

  if (path === "" && method === "GET") return json(200, { routes: routes.map((route) => `${route.split(" ")[0]} ${adminPrefix}/${route.split(" ")[1]}`) });
  if (path === "/state" && method === "GET") return json(200, state(context, request.baseUrl));
  if (path === "/requests" && method === "GET") {
    const since = Number(request.query.get("since") ?? "0");
    if (!Number.isFinite(since)) return badRequest("since must be a number.");
    const full = request.query.get("full") === "1" || request.query.get("full") === "true";
    return json(200, { value: context.requestLog.list({ since, full }), lastSeq: context.requestLog.lastSeq });
  }
  if (path === "/reset" && method === "POST") {
    await context.storage.deleteAllContainers();
    await context.arm.reset();
    context.directory.resetPermissions();
    context.faults.clear();
    context.rateLimits.reset();
    context.requestLog.clear();
    return empty(204);
  }
  if (path === "/faults") {
    if (method === "GET") return json(200, { value: context.faults.list() });
    if (method === "POST") {
      try {
        return json(201, context.faults.add(body));
      } catch (error) {
        return badRequest((error as Error).message);
      }
    }
    if (method === "DELETE") {
      context.faults.clear();
      return empty(204);
    }
  }
  const faultId = /^\/faults\/([^/]+)$/.exec(path)?.[1];
  if (faultId !== undefined && method === "DELETE") {
    return context.faults.delete(faultId) ? empty(204) : json(404, { error: { code: "NotFound", message: `No fault rule ${faultId}.` } });
  }
  if (path === "/permissions") {
    if (method === "GET") return json(200, { overrides: context.directory.permissionOverrides() });
    if (method === "PUT") return setPermissions(context, body);
  }
  if (path === "/oidc-token" && method === "POST") return oidcToken(context, request.baseUrl, body);
  return json(404, { error: { code: "NotFound", message: `No admin route ${method} ${request.path}. Routes: ${routes.join("; ")}` } });
}

function state(context: AdminContext, baseUrl: string): unknown {
  return {
    arm: context.arm.state(),
    identities: context.directory.describe(baseUrl),
    faults: context.faults.list(),
    permissions: context.directory.permissionOverrides(),
    storage: { blobEndpoint: context.storage.blobEndpoint },
    timeScale: context.timeScale,
    lastRequestSeq: context.requestLog.lastSeq,
  };
}

function setPermissions(context: AdminContext, body: unknown): Reply {
  if (!isRecord(body)) return badRequest("Send {clientId or objectId, subscriptions: [...]}.");
  const { clientId, objectId, subscriptions } = body;
  if ((typeof clientId !== "string") === (typeof objectId !== "string")) return badRequest("Name the identity by exactly one of clientId or objectId.");
  if (!Array.isArray(subscriptions) || subscriptions.some((id) => typeof id !== "string")) return badRequest("subscriptions must be an array of subscription ids.");
  const unknown = (subscriptions as string[]).filter((id) => !context.directory.subscription(id));
  if (unknown.length > 0) return badRequest(`Unknown subscription(s): ${unknown.join(", ")}.`);
  try {
    const identity = context.directory.setPermissions(
      typeof clientId === "string" ? { clientId } : { objectId: objectId as string },
      subscriptions as string[],
    );
    return json(200, { identity, subscriptions });
  } catch (error) {
    return json(404, { error: { code: "NotFound", message: (error as Error).message } });
  }
}

function oidcToken(context: AdminContext, baseUrl: string, body: unknown): Reply {
  if (!isRecord(body) || typeof body.serviceConnectionId !== "string") return badRequest("Send {serviceConnectionId, lifetimeSeconds?, audience?, subject?, issuer?}.");
  const optionalString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  const token = mintOidcToken({ directory: context.directory, oidcKey: context.oidcKey }, baseUrl, {
    serviceConnectionId: body.serviceConnectionId,
    lifetimeSeconds: typeof body.lifetimeSeconds === "number" ? body.lifetimeSeconds : undefined,
    audience: optionalString(body.audience),
    subject: optionalString(body.subject),
    issuer: optionalString(body.issuer),
  });
  return token ? json(200, { oidcToken: token }) : json(404, { error: { code: "NotFound", message: `No service connection ${body.serviceConnectionId} in the seed.` } });
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    return new Error(`The body is not JSON: ${(error as Error).message}`);
  }
}

function badRequest(message: string): Reply {
  return json(400, { error: { code: "BadRequest", message } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
