// ARM's front door: authenticate the bearer token, check the caller may touch the subscription in the path,
// answer the platform endpoints, hand everything else to the resource providers (ArmEmulator.handle), and put
// ARM's response headers on every reply.
import { randomUUID } from "node:crypto";
import type { ArmEmulator, ArmResponse, CallerIdentity } from "../core/contracts";
import type { AccessTokens } from "../identity/access-tokens";
import type { Directory } from "../identity/directory";
import { entraIssuer } from "../identity/issuers";
import { armAction } from "./arm-actions";
import { getSubscription, listLocations, listProviders, listSubscriptions, listTenants } from "./arm-builtins";
import { armAuthErrors, armError, authorizationFailed, invalidRequestContent, missingApiVersion, subscriptionNotFound } from "./arm-errors";
import type { FaultStore } from "./faults";
import { json, type HostRequest, type Reply } from "./http";
import type { RateLimits } from "./rate-limits";

export interface FrontDoorContext {
  directory: Directory;
  tokens: AccessTokens;
  faults: FaultStore;
  arm: ArmEmulator;
  rateLimits: RateLimits;
  authorityHost: string;
  /** With trailing slash. */
  armUrl: string;
  log(message: string): void;
}

/** The audiences ARM accepts: the public cloud's two and the emulator's own URL, each with or without slash. */
export function allowedAudiences(armUrl: string): string[] {
  const base = armUrl.replace(/\/$/, "");
  return ["https://management.core.windows.net/", "https://management.core.windows.net", "https://management.azure.com/", "https://management.azure.com", `${base}/`, base];
}

export async function handleArmRequest(context: FrontDoorContext, request: HostRequest): Promise<Reply> {
  const authenticated = authenticate(context, request);
  if ("status" in authenticated) return withArmHeaders(authenticated, request);
  const { caller } = authenticated;
  const reply = await route(context, request, caller);
  return withArmHeaders({ ...reply, caller }, request, context.rateLimits.take(caller.objectId, subscriptionOf(request.path), request.method));
}

function authenticate(context: FrontDoorContext, request: HostRequest): { caller: CallerIdentity } | Reply {
  const { authorityHost } = context;
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === "") return armAuthErrors.missingHeader(authorityHost);
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) return armAuthErrors.invalidHeader(authorityHost);
  const checked = context.tokens.check(token);
  if (checked.kind !== "valid") return armAuthErrors.invalidToken(authorityHost);
  const { claims } = checked;
  const allowed = allowedAudiences(context.armUrl);
  if (!allowed.includes(claims.aud)) return armAuthErrors.wrongAudience(authorityHost, claims.aud, allowed);
  const now = Date.now();
  const identity = { clientId: claims.appid, objectId: claims.oid };
  if (claims.exp * 1000 <= now || context.faults.revoked(identity, claims.issuedAtMs)) {
    return armAuthErrors.expired(authorityHost, new Date(Math.min(claims.exp * 1000, now - 1000)), new Date(now));
  }
  return { caller: { tenantId: claims.tid, objectId: claims.oid, clientId: claims.appid } };
}

async function route(context: FrontDoorContext, request: HostRequest, caller: CallerIdentity): Promise<Reply> {
  if (!request.query.get("api-version")) return missingApiVersion();
  let body: unknown;
  if (request.body.length > 0) {
    try {
      body = JSON.parse(request.body.toString("utf8").replace(/^\uFEFF/, ""));
    } catch (error) {
      return invalidRequestContent((error as Error).message);
    }
  }
  const segments = request.path.split("/").filter(Boolean).map((segment) => segment.toLowerCase());
  const method = request.method.toUpperCase();
  const { directory } = context;

  if (method === "GET" && segments.length === 1 && segments[0] === "subscriptions") return listSubscriptions(directory, caller);
  if (method === "GET" && segments.length === 1 && segments[0] === "tenants") return listTenants(directory, caller);
  if (method === "GET" && segments.length === 1 && segments[0] === "providers") return listProviders(undefined);

  const subscriptionId = subscriptionOf(request.path);
  if (subscriptionId !== undefined) {
    const subscription = directory.subscription(subscriptionId);
    if (!subscription) return subscriptionNotFound(subscriptionId);
    if (subscription.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
      return armAuthErrors.wrongTenant(context.authorityHost, entraIssuer(context.authorityHost, caller.tenantId), entraIssuer(context.authorityHost, subscription.tenantId), subscription.tenantId);
    }
    if (!directory.canAccess(caller.objectId, subscriptionId)) {
      const { action, scope } = armAction(method, request.path);
      return authorizationFailed(caller.objectId, action, scope);
    }
    if (method === "GET" && segments.length === 2) return getSubscription(directory, subscriptionId);
  }

  let response: ArmResponse;
  try {
    response = await context.arm.handle({
      method,
      path: request.path,
      query: request.query,
      headers: request.headers,
      body,
      caller,
      baseUrl: request.baseUrl,
    });
  } catch (error) {
    context.log(`ARM handler failed for ${method} ${request.path}: ${(error as Error).stack ?? String(error)}`);
    return armError(500, "InternalServerError", "Encountered internal server error. The emulator's ARM layer threw; see its stderr.");
  }
  if (response.status === 404 && method === "GET" && subscriptionId !== undefined) {
    const fallback = platformFallback(subscriptionId, segments);
    if (fallback) return fallback;
  }
  return fromArmResponse(response);
}

/** Subscription-level platform lists, answered when the providers do not answer them themselves. */
function platformFallback(subscriptionId: string, segments: string[]): Reply | undefined {
  if (segments.length === 3 && segments[2] === "locations") return listLocations(subscriptionId);
  if (segments.length === 3 && segments[2] === "providers") return listProviders(subscriptionId);
  if (segments.length === 4 && segments[2] === "providers") return listProviders(subscriptionId, segments[3]);
  return undefined;
}

function fromArmResponse(response: ArmResponse): Reply {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
  if (response.body === undefined) return { status: response.status, headers };
  const reply = json(response.status, response.body);
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

export function subscriptionOf(path: string): string | undefined {
  const match = /^\/subscriptions\/([^/]+)/i.exec(path);
  return match?.[1];
}

/** The headers ARM puts on every response, ids fresh per request; the correlation id echoes the client's. */
export function withArmHeaders(reply: Reply, request: HostRequest, rateLimit?: Record<string, string>): Reply {
  const requestId = randomUUID();
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return {
    ...reply,
    headers: {
      "cache-control": "no-cache",
      pragma: "no-cache",
      expires: "-1",
      "x-content-type-options": "nosniff",
      "strict-transport-security": "max-age=31536000; includeSubDomains",
      "x-ms-request-id": requestId,
      "x-ms-correlation-request-id": request.headers["x-ms-correlation-request-id"] ?? randomUUID(),
      "x-ms-routing-request-id": `WESTEUROPE:${stamp}:${requestId}`,
      ...(request.headers["x-ms-client-request-id"] ? { "x-ms-client-request-id": request.headers["x-ms-client-request-id"] } : {}),
      ...rateLimit,
      ...reply.headers,
    },
  };
}
