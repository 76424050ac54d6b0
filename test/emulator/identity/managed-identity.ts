// The App Service managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), as MSAL Node calls it for
// @azure/identity's ManagedIdentityCredential: GET ?api-version=2019-08-01&resource=…[&client_id=|object_id=]
// with header X-IDENTITY-HEADER; the reply carries access_token, expires_on (epoch seconds), resource,
// token_type and client_id.
import { randomUUID } from "node:crypto";
import { json, type HostRequest, type Reply } from "../server/http";
import type { AccessTokens } from "./access-tokens";
import type { Directory, Identity } from "./directory";
import { accessTokenIssuer } from "./issuers";

export const managedIdentityPath = "/msi/token";

export interface ManagedIdentityContext {
  directory: Directory;
  tokens: AccessTokens;
  identityHeader: string;
  lifetimeFor(identity: Identity): number;
}

export function handleManagedIdentityRequest(context: ManagedIdentityContext, request: HostRequest): Reply {
  if (request.method !== "GET") return failure(405, "The managed identity endpoint only answers GET.");
  if (request.headers["x-identity-header"] !== context.identityHeader) return failure(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
  const apiVersion = request.query.get("api-version");
  if (!apiVersion) return failure(400, "The api-version query parameter is required.");
  const resource = request.query.get("resource");
  if (!resource) return failure(400, "The resource query parameter is required.");
  if (request.query.get("mi_res_id")) return failure(400, "Selecting a user-assigned identity by resource id (mi_res_id) is not supported by the emulator; use client_id.");

  const clientId = request.query.get("client_id") ?? request.query.get("clientid") ?? undefined;
  const objectId = request.query.get("object_id") ?? request.query.get("principal_id") ?? undefined;
  const seeded = context.directory.managedIdentity({ clientId, objectId });
  if (!seeded) return failure(400, "Unable to load the requested managed identity.");

  const identity: Identity = { kind: "managedIdentity", tenantId: seeded.tenantId, clientId: seeded.clientId, objectId: seeded.objectId, displayName: `managed-identity-${seeded.clientId}` };
  const lifetimeSeconds = context.lifetimeFor(identity);
  // Managed identity tokens name the resource exactly as requested (a v1 resource, not a v2 scope).
  const audience = resource.endsWith("/.default") ? resource.slice(0, -"/.default".length) : resource;
  const issued = context.tokens.issue({ identity, audience, issuer: accessTokenIssuer(request.baseUrl, seeded.tenantId, audience), lifetimeSeconds, appidacr: "0" });
  return {
    ...json(200, { access_token: issued.accessToken, expires_on: String(issued.expiresOn), resource, token_type: "Bearer", client_id: seeded.clientId }),
    caller: { tenantId: identity.tenantId, objectId: identity.objectId, clientId: identity.clientId },
  };
}

function failure(status: number, message: string): Reply {
  return json(status, { statusCode: status, message, correlationId: randomUUID() });
}
