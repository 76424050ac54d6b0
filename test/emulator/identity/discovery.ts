// OpenID discovery documents, signing keys and MSAL's instance discovery: everything a client reads before it
// asks for a token. Every URL is on the emulator's own origin.
import { json, type Reply } from "../server/http";
import { aad, aadErrorReply } from "./aad-errors";
import type { Directory } from "./directory";
import { adfsIssuer, devOpsIssuer, entraIssuer } from "./issuers";
import type { SigningKey } from "./signing-key";

/** `/{tenant}/v2.0/.well-known/openid-configuration` and the v1 form `/{tenant}/.well-known/openid-configuration`. */
export function entraConfiguration(baseUrl: string, directory: Directory, tenantSegment: string, v2: boolean): Reply {
  const tenant = directory.tenant(tenantSegment);
  if (!tenant) return aadErrorReply(baseUrl, aad.tenantNotFound(tenantSegment));
  const root = `${baseUrl}/${tenantSegment}`;
  const version = v2 ? "/v2.0" : "";
  return json(200, {
    token_endpoint: `${root}/oauth2${version}/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${root}/discovery${version}/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: v2 ? entraIssuer(baseUrl, tenant.id) : `${baseUrl}/${tenant.id}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${root}/oauth2${version}/authorize`,
    device_authorization_endpoint: `${root}/oauth2${version}/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${root}/oauth2${version}/logout`,
    claims_supported: ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
    kerberos_endpoint: `${root}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: new URL(baseUrl).host,
    cloud_graph_host_name: new URL(baseUrl).host,
    msgraph_host: new URL(baseUrl).host,
    rbac_url: baseUrl,
  });
}

/** AD FS (Azure Stack Hub) discovery: `/adfs/.well-known/openid-configuration`. */
export function adfsConfiguration(baseUrl: string): Reply {
  const root = `${baseUrl}/adfs`;
  return json(200, {
    issuer: adfsIssuer(baseUrl),
    authorization_endpoint: `${root}/oauth2/authorize/`,
    token_endpoint: `${root}/oauth2/token/`,
    jwks_uri: `${root}/discovery/keys`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt", "windows_client_authentication"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token", "code token", "code id_token token"],
    response_modes_supported: ["query", "fragment", "form_post"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer", "implicit", "password"],
    subject_types_supported: ["pairwise"],
    scopes_supported: ["openid", "profile", "email", "allatclaims", "aza", "user_impersonation"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_signing_alg_values_supported: ["RS256"],
    access_token_issuer: `${baseUrl}/adfs/services/trust`,
    claims_supported: ["aud", "iss", "iat", "exp", "auth_time", "nonce", "at_hash", "c_hash", "sub", "upn", "unique_name", "pwd_url", "pwd_exp", "sid"],
    microsoft_multi_refresh_token: true,
    userinfo_endpoint: `${root}/userinfo`,
    capabilities: [],
    end_session_endpoint: `${root}/oauth2/logout`,
    as_access_token_token_binding_supported: true,
    as_refresh_token_token_binding_supported: true,
    resource_access_token_token_binding_supported: true,
    op_id_token_token_binding_supported: true,
    rp_id_token_token_binding_supported: true,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
  });
}

export function keysDocument(key: SigningKey, issuer?: string): Reply {
  return json(200, { keys: [key.jwk(issuer)] });
}

/** The Azure DevOps OIDC issuer's discovery: `/_vstoken/{organizationId}/.well-known/openid-configuration`. */
export function devOpsConfiguration(baseUrl: string, organizationId: string): Reply {
  const issuer = devOpsIssuer(baseUrl, organizationId);
  return json(200, {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks`,
    subject_types_supported: ["public", "pairwise"],
    response_types_supported: ["id_token"],
    claims_supported: ["sub", "aud", "exp", "iat", "iss", "nbf"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid"],
  });
}

/** MSAL's `GET /common/discovery/instance`: this host is its own single cloud. */
export function instanceDiscovery(baseUrl: string, query: URLSearchParams): Reply {
  const host = new URL(baseUrl).host;
  let tenantPath = "common";
  const authorizationEndpoint = query.get("authorization_endpoint");
  if (authorizationEndpoint) {
    try {
      tenantPath = new URL(authorizationEndpoint).pathname.split("/").filter(Boolean)[0] ?? "common";
    } catch {
      // Keep "common" for an endpoint that is not a URL.
    }
  }
  return json(200, {
    tenant_discovery_endpoint: `${baseUrl}/${tenantPath}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}
