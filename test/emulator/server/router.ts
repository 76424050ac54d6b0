// Every request enters here: admin calls go straight to the admin API; everything else passes the fault rules
// (latency, connection reset, injected status), is routed to identity, Azure DevOps, managed identity, cloud
// metadata or ARM, and is written to the request log.
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { ArmEmulator } from "../core/contracts";
import { aadErrorReply, aad } from "../identity/aad-errors";
import { defaultTokenLifetimeSeconds, type AccessTokens } from "../identity/access-tokens";
import { handleOidcRequest, oidcPathPattern } from "../identity/devops-oidc";
import type { Directory, Identity } from "../identity/directory";
import { adfsConfiguration, devOpsConfiguration, entraConfiguration, instanceDiscovery, keysDocument } from "../identity/discovery";
import { devOpsIssuer, entraIssuer } from "../identity/issuers";
import { handleManagedIdentityRequest, managedIdentityPath } from "../identity/managed-identity";
import type { SigningKey } from "../identity/signing-key";
import { handleTokenRequest, type StsContext } from "../identity/token-endpoint";
import type { AzuriteBlobStorage } from "../storage/blob-backend";
import { adminPrefix, handleAdminRequest } from "./admin";
import { cloudMetadata } from "./arm-builtins";
import { injectedFault, missingApiVersion } from "./arm-errors";
import { handleArmRequest, withArmHeaders } from "./arm-front-door";
import type { FaultStore } from "./faults";
import { decodePath, flattenHeaders, json, readBody, type HostRequest, type Reply } from "./http";
import type { RateLimits } from "./rate-limits";
import type { RequestLog } from "./request-log";

export interface HostServices {
  baseUrl: string;
  armUrl: string;
  directory: Directory;
  tokens: AccessTokens;
  stsKey: SigningKey;
  oidcKey: SigningKey;
  faults: FaultStore;
  requestLog: RequestLog;
  rateLimits: RateLimits;
  arm: ArmEmulator;
  storage: AzuriteBlobStorage;
  systemAccessToken: string;
  identityHeader: string;
  timeScale: number;
  log(message: string): void;
}

type RouteKind = "token" | "discovery" | "oidc" | "managedIdentity" | "metadata" | "arm";

interface Route {
  kind: RouteKind;
  handle(request: HostRequest): Reply | Promise<Reply>;
}

const maxBodyBytes = 64 * 1024 * 1024;

/** The server's request listener; `services` is filled in once the port is known. */
export function createRequestListener(getServices: () => HostServices | undefined): (request: IncomingMessage, response: ServerResponse) => void {
  return (incoming, response) => {
    const services = getServices();
    if (!services) {
      write(response, json(503, { error: { code: "ServiceUnavailable", message: "The emulator is starting." } }));
      return;
    }
    handle(services, incoming, response).catch((error: unknown) => {
      services.log(`request ${incoming.method ?? "?"} ${incoming.url ?? "?"} failed: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) write(response, json(500, { error: { code: "InternalServerError", message: "The emulator failed to handle the request; see its stderr." } }));
      else response.destroy();
    });
  };
}

async function handle(services: HostServices, incoming: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const url = new URL(incoming.url ?? "/", services.baseUrl);
  // Clients that join a base URL with a trailing slash and a path with a leading one send `//`; ARM tolerates it.
  const rawPath = url.pathname.replace(/\/{2,}/g, "/");
  const request: HostRequest = {
    method: (incoming.method ?? "GET").toUpperCase(),
    rawPath,
    path: decodePath(rawPath),
    query: url.searchParams,
    headers: flattenHeaders(incoming.headers),
    body: await readBody(incoming, maxBodyBytes),
    baseUrl: services.baseUrl,
  };

  if (request.path === adminPrefix || request.path.startsWith(`${adminPrefix}/`)) {
    write(response, await handleAdminRequest(services, request));
    return;
  }

  const route = routeOf(services, request);
  const decision = services.faults.httpFaults(request.method, request.path);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);

  let reply: Reply | undefined;
  if (decision.rule?.kind === "reset") {
    incoming.socket.destroy();
  } else if (decision.rule?.kind === "status") {
    reply = faultReply(services, request, route.kind, decision.rule.status ?? 500, decision.rule.code, decision.rule.message, decision.rule.retryAfter);
  } else {
    reply = await route.handle(request);
  }
  if (reply) write(response, reply);

  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  const status = reply?.status ?? 0;
  services.requestLog.add({
    time: new Date().toISOString(),
    method: request.method,
    path: request.path,
    query: Object.fromEntries(request.query),
    status,
    durationMs,
    route: route.kind,
    caller: reply?.caller,
    faultId: decision.rule?.id,
    requestHeaders: request.headers,
    requestBody: request.body.length > 0 ? request.body.toString("utf8") : undefined,
    responseHeaders: reply?.headers ?? {},
    responseBody: reply?.body === undefined ? undefined : reply.body.toString(),
  });
  services.log(`${request.method} ${request.rawPath}${url.search} -> ${status === 0 ? "connection reset" : status} ${durationMs}ms${decision.rule ? ` [fault ${decision.rule.kind}]` : ""}`);
}

function routeOf(services: HostServices, request: HostRequest): Route {
  const { path, method } = request;
  const { directory } = services;
  const base = services.baseUrl;
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const sts: StsContext = { directory, tokens: services.tokens, oidcKey: services.oidcKey, lifetimeFor: (identity) => lifetimeFor(services, identity) };

  if (/^\/adfs\/\.well-known\/openid-configuration$/i.test(trimmed)) return { kind: "discovery", handle: () => adfsConfiguration(base) };
  if (/^\/adfs\/discovery\/keys$/i.test(trimmed)) return { kind: "discovery", handle: () => keysDocument(services.stsKey) };
  if (/^\/adfs\/oauth2\/token$/i.test(trimmed) && method === "POST") return { kind: "token", handle: (r) => handleTokenRequest(sts, r, { kind: "adfs" }) };
  if (/^\/common\/discovery\/instance$/i.test(trimmed)) return { kind: "discovery", handle: (r) => instanceDiscovery(base, r.query) };

  let match = /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/i.exec(trimmed);
  if (match?.[1] && !match[1].startsWith("_")) {
    const tenant = match[1];
    const v2 = match[2] !== undefined;
    return { kind: "discovery", handle: () => entraConfiguration(base, directory, tenant, v2) };
  }
  match = /^\/([^/]+)\/discovery\/(v2\.0\/)?keys$/i.exec(trimmed);
  if (match?.[1]) {
    const tenant = directory.tenant(match[1]);
    return { kind: "discovery", handle: () => (tenant ? keysDocument(services.stsKey, entraIssuer(base, tenant.id)) : aadErrorReply(base, aad.tenantNotFound(match?.[1] ?? ""))) };
  }
  match = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token$/i.exec(trimmed);
  if (match?.[1] && method === "POST") {
    const tenant = match[1];
    const endpoint = match[2] !== undefined ? { kind: "v2" as const, tenant } : { kind: "v1" as const, tenant };
    return { kind: "token", handle: (r) => handleTokenRequest(sts, r, endpoint) };
  }
  match = /^\/_vstoken\/([^/]+)\/\.well-known\/(openid-configuration|jwks)$/i.exec(trimmed);
  if (match?.[1]) {
    const organizationId = match[1];
    const document = match[2]?.toLowerCase();
    return { kind: "discovery", handle: () => (document === "jwks" ? keysDocument(services.oidcKey, devOpsIssuer(base, organizationId)) : devOpsConfiguration(base, organizationId)) };
  }
  if (oidcPathPattern.test(trimmed) && method === "POST") {
    return { kind: "oidc", handle: (r) => handleOidcRequest({ directory, oidcKey: services.oidcKey, systemAccessToken: services.systemAccessToken, assertionExpired: (id) => services.faults.oidcAssertionExpired(id) }, r) };
  }
  if (trimmed.toLowerCase() === managedIdentityPath) {
    return { kind: "managedIdentity", handle: (r) => handleManagedIdentityRequest({ directory, tokens: services.tokens, identityHeader: services.identityHeader, lifetimeFor: sts.lifetimeFor }, r) };
  }
  if (/^\/metadata\/endpoints$/i.test(trimmed) && method === "GET") {
    return {
      kind: "metadata",
      handle: (r) => {
        const apiVersion = r.query.get("api-version");
        return apiVersion ? cloudMetadata(services.armUrl, base, apiVersion) : missingApiVersion();
      },
    };
  }
  return {
    kind: "arm",
    handle: (r) => handleArmRequest({ ...services, authorityHost: base, log: services.log }, r),
  };
}

function lifetimeFor(services: HostServices, identity: Identity): number {
  return services.faults.shortLifetime(identity) ?? defaultTokenLifetimeSeconds;
}

/** An injected status in the shape the route's real service uses. */
function faultReply(services: HostServices, request: HostRequest, kind: RouteKind, status: number, code: string | undefined, message: string | undefined, retryAfter: number | undefined): Reply {
  if (kind === "token" || kind === "discovery") {
    const reply = aadErrorReply(services.baseUrl, { ...aad.temporarilyUnavailable(status), ...(message ? { description: message } : {}) });
    const seconds = retryAfter ?? (status === 429 ? 1 : undefined);
    return seconds === undefined ? reply : { ...reply, headers: { ...reply.headers, "retry-after": String(seconds) } };
  }
  const reply = injectedFault(status, code, message, retryAfter);
  return kind === "arm" ? withArmHeaders(reply, request) : reply;
}

function write(response: ServerResponse, reply: Reply): void {
  const body = reply.body === undefined ? undefined : typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
  response.writeHead(reply.status, { ...reply.headers, "content-length": String(body?.length ?? 0) });
  response.end(body);
}
