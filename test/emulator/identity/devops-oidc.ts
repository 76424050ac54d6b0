// Azure DevOps' OIDC token endpoint (the SYSTEM_OIDCREQUESTURI of a job): given the job's System.AccessToken
// and a service connection id, it returns `{ oidcToken }`, a JWT Entra accepts as a federated assertion.
import { randomUUID } from "node:crypto";
import { json, type HostRequest, type Reply } from "../server/http";
import type { Directory } from "./directory";
import { tokenExchangeAudience } from "./issuers";
import type { SigningKey } from "./signing-key";

export const oidcPathPattern = /^\/[^/]+\/[^/]+\/_apis\/distributedtask\/hubs\/[^/]+\/plans\/[^/]+\/jobs\/[^/]+\/oidctoken$/i;

export interface OidcContext {
  directory: Directory;
  oidcKey: SigningKey;
  systemAccessToken: string;
  /** True when tokens for this service connection should come back already expired (fault injection). */
  assertionExpired?: (serviceConnectionId: string) => boolean;
}

export interface MintOptions {
  serviceConnectionId: string;
  /** Seconds the token lives; negative gives an already expired token (for tests). Default 600. */
  lifetimeSeconds?: number;
  /** Overrides for tests of bad assertions. */
  audience?: string;
  subject?: string;
  issuer?: string;
}

/** The job's OIDC request URI for the seeded organization and project. */
export function oidcRequestUri(baseUrl: string, directory: Directory): string {
  const devOps = directory.seed.devOps;
  const organization = devOps?.organization ?? "emulator";
  const projectId = devOps?.projectId ?? "00000000-0000-0000-0000-000000000000";
  return `${baseUrl}/${organization}/${projectId}/_apis/distributedtask/hubs/build/plans/7e1f3a52-0c1d-4a0e-9d8f-2b6c4e5a9f10/jobs/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/oidctoken`;
}

export function handleOidcRequest(context: OidcContext, request: HostRequest): Reply {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1];
  if (bearer !== context.systemAccessToken) {
    // Azure DevOps answers an unauthenticated API call with 401 and a Bearer challenge.
    return json(401, devOpsError("TF400813: The user '' is not authorized to access this resource.", "UnauthorizedRequestException"), { "www-authenticate": "Bearer" });
  }
  const connectionId = request.query.get("serviceConnectionId");
  if (!connectionId) return json(400, devOpsError("The serviceConnectionId query parameter is required.", "ArgumentNullException"));
  // An injected expiredAssertion fault: the token is issued already expired, as a stale one would arrive.
  const expired = context.assertionExpired?.(connectionId) ?? false;
  const minted = mintOidcToken(context, request.baseUrl, { serviceConnectionId: connectionId, ...(expired ? { lifetimeSeconds: -300 } : {}) });
  if (!minted) return json(404, devOpsError(`Service connection ${connectionId} could not be found.`, "ServiceEndpointNotFoundException"));
  return json(200, { oidcToken: minted });
}

/** Signs an OIDC token for a service connection; undefined when the seed has no such connection. */
export function mintOidcToken(context: Pick<OidcContext, "directory" | "oidcKey">, baseUrl: string, options: MintOptions): string | undefined {
  const connection = context.directory.serviceConnection(options.serviceConnectionId);
  const identity = connection ? context.directory.oidcIdentity(baseUrl, connection) : undefined;
  if (!connection || !identity) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = options.lifetimeSeconds ?? 600;
  const devOps = context.directory.seed.devOps;
  return context.oidcKey.sign({
    jti: randomUUID(),
    sub: options.subject ?? identity.subject,
    aud: options.audience ?? tokenExchangeAudience,
    iss: options.issuer ?? identity.issuer,
    // An expired token must also have been valid once: back-date iat and nbf with it.
    iat: Math.min(now, now + lifetime - 60),
    nbf: Math.min(now, now + lifetime - 60),
    exp: now + lifetime,
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/ns": devOps?.organizationId,
    sc: connection.id,
  });
}

function devOpsError(message: string, typeKey: string): unknown {
  return { $id: "1", innerException: null, message, typeName: `Microsoft.VisualStudio.Services.${typeKey}, Microsoft.VisualStudio.Services.Common`, typeKey, errorCode: 0, eventId: 3000 };
}
