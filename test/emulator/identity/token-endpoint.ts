// The OAuth token endpoints, client credentials grant only: Entra v2 (`/{tenant}/oauth2/v2.0/token`, scope),
// Entra v1 (`/{tenant}/oauth2/token`, resource) and AD FS as Azure Stack Hub runs it (`/adfs/oauth2/token`).
import { randomUUID } from "node:crypto";
import { formBody, json, type HostRequest, type Reply } from "../server/http";
import { aad, aadErrorReply, type AadError } from "./aad-errors";
import type { AccessTokens } from "./access-tokens";
import { authenticateClient } from "./client-authentication";
import type { Directory, Identity, Principal } from "./directory";
import { accessTokenIssuer, adfsIssuer } from "./issuers";
import type { SigningKey } from "./signing-key";

export interface StsContext {
  directory: Directory;
  tokens: AccessTokens;
  oidcKey: SigningKey;
  /** Token lifetime in seconds for an identity (the tokenExpiry fault shortens it). */
  lifetimeFor(identity: Identity): number;
}

export type TokenEndpoint = { kind: "v2"; tenant: string } | { kind: "v1"; tenant: string } | { kind: "adfs" };

const openIdScopes = new Set(["openid", "profile", "offline_access", "email"]);

export function handleTokenRequest(context: StsContext, request: HostRequest, endpoint: TokenEndpoint): Reply {
  const correlationId = request.headers["client-request-id"] ?? randomUUID();
  const fail = (failure: AadError): Reply =>
    endpoint.kind === "adfs" ? adfsErrorReply(failure) : aadErrorReply(request.baseUrl, failure, correlationId);
  const form = formBody(request.body);

  const tenant = endpoint.kind === "adfs" ? undefined : context.directory.tenant(endpoint.tenant);
  if (endpoint.kind !== "adfs" && !tenant) return fail(aad.tenantNotFound(endpoint.tenant));

  const grantType = form.get("grant_type");
  if (!grantType) return fail(aad.missingParameter("grant_type"));
  if (grantType !== "client_credentials") return fail(aad.unsupportedGrantType(grantType));

  const basic = basicCredentials(request.headers.authorization);
  const clientId = form.get("client_id") ?? basic?.clientId;
  if (!clientId) return fail(aad.missingParameter("client_id"));

  const audience = requestedAudience(form, endpoint.kind === "v2");
  if ("code" in audience) return fail(audience);

  const principal: Principal | undefined = tenant ? context.directory.principal(tenant.id, clientId) : context.directory.principalInAnyTenant(clientId);
  if (!principal) return fail(aad.unknownApplication(clientId, tenant?.displayName ?? "adfs"));

  const tokenEndpoints = endpoint.kind === "adfs"
    ? [`${request.baseUrl}/adfs/oauth2/token`]
    : [tenant?.id, tenant?.defaultDomain, endpoint.tenant].flatMap((segment) => [`${request.baseUrl}/${segment}/oauth2/v2.0/token`, `${request.baseUrl}/${segment}/oauth2/token`]);
  const proof = authenticateClient(
    { directory: context.directory, baseUrl: request.baseUrl, oidcKey: context.oidcKey, tokenEndpoints },
    principal,
    {
      clientSecret: form.get("client_secret") ?? basic?.clientSecret,
      clientAssertion: form.get("client_assertion") ?? undefined,
      clientAssertionType: form.get("client_assertion_type") ?? undefined,
    },
  );
  if ("code" in proof) return fail(proof);

  const identity: Identity = { kind: "servicePrincipal", tenantId: principal.tenantId, clientId: principal.clientId, objectId: principal.objectId, displayName: principal.displayName };
  const lifetimeSeconds = context.lifetimeFor(identity);
  const issued = context.tokens.issue({
    identity,
    audience: audience.audience,
    issuer: endpoint.kind === "adfs" ? adfsIssuer(request.baseUrl) : accessTokenIssuer(request.baseUrl, principal.tenantId, audience.audience),
    lifetimeSeconds,
    appidacr: proof.appidacr,
  });
  const caller = { tenantId: identity.tenantId, objectId: identity.objectId, clientId: identity.clientId };
  if (endpoint.kind === "v2") {
    return { ...json(200, { token_type: "Bearer", expires_in: lifetimeSeconds, ext_expires_in: lifetimeSeconds, access_token: issued.accessToken }, noStore), caller };
  }
  // v1 and AD FS answer with strings and absolute times, as those endpoints do.
  return {
    ...json(200, {
      token_type: "Bearer",
      expires_in: String(lifetimeSeconds),
      ext_expires_in: String(lifetimeSeconds),
      expires_on: String(issued.expiresOn),
      not_before: String(issued.issuedAt),
      resource: audience.audience,
      access_token: issued.accessToken,
    }, noStore),
    caller,
  };
}

const noStore = { "cache-control": "no-store, no-cache", pragma: "no-cache" };

/** The token's audience: a v2 scope `<resource>/.default`, or a v1 `resource`. */
function requestedAudience(form: URLSearchParams, v2: boolean): { audience: string } | AadError {
  const resource = form.get("resource");
  if (!v2 && resource) return { audience: resource };
  const scope = form.get("scope");
  if (!scope) return aad.missingParameter(v2 ? "scope" : "resource");
  const resourceScopes = scope.split(/\s+/).filter((entry) => entry !== "" && !openIdScopes.has(entry));
  const only = resourceScopes.length === 1 ? resourceScopes[0] : undefined;
  if (!only || !only.endsWith("/.default")) return aad.invalidScope(scope);
  return { audience: only.slice(0, -"/.default".length) };
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** AD FS answers with MSIS codes and no AADSTS decoration. */
function adfsErrorReply(failure: AadError): Reply {
  const msis: Record<number, string> = {
    700016: "MSIS9607: The 'client_id' parameter in the request is invalid. No registered client is found with this identifier.",
    7000215: "MSIS9622: Client authentication failed. Please verify the credential provided for client authentication is valid.",
    700027: "MSIS9622: Client authentication failed. Please verify the credential provided for client authentication is valid.",
    700024: "MSIS9622: Client authentication failed. Please verify the credential provided for client authentication is valid.",
  };
  return json(failure.status, { error: failure.error, error_description: msis[failure.code] ?? `MSIS9600: ${failure.description}` });
}
