// The URLs that name the emulator's token issuers. Every one lives on the emulator's own origin, because MSAL
// refuses an OpenID configuration whose issuer is on another origin than the authority.
import { Buffer } from "node:buffer";

/** The audience Azure DevOps puts in its OIDC tokens and Entra expects of a federated assertion. */
export const tokenExchangeAudience = "api://AzureADTokenExchange";
/** The Azure DevOps application, part of the Entra-issued service connection subject. */
export const azureDevOpsAppId = "499b84ac-1321-427f-aa17-267ca6975798";

export const entraIssuer = (baseUrl: string, tenantId: string): string => `${baseUrl}/${tenantId}/v2.0`;

/** Azure Storage's audiences: the service-wide one (and its app id) and an account's own blob endpoint. */
const storageAudience = /^(https:\/\/storage\.azure\.com\/?|e406a681-f3d4-42a8-90b6-c2b029497af1|https:\/\/[^/]+\.blob\.core\.[a-z.]+\/?)$/i;

/**
 * The `iss` of an access token. Storage accepts Entra's v1 tokens, whose issuer is https://sts.windows.net/{tenant}/
 * (Azurite's OAuth check insists on it); other audiences keep the emulator's own issuer.
 */
export function accessTokenIssuer(baseUrl: string, tenantId: string, audience: string): string {
  return storageAudience.test(audience) ? `https://sts.windows.net/${tenantId}/` : entraIssuer(baseUrl, tenantId);
}
export const adfsIssuer = (baseUrl: string): string => `${baseUrl}/adfs`;
export const devOpsIssuer = (baseUrl: string, organizationId: string): string => `${baseUrl}/_vstoken/${organizationId}`;

export function devOpsSubject(organization: string, project: string, connectionName: string): string {
  return `sc://${organization}/${project}/${connectionName}`;
}

/** The subject Entra-issued service connection tokens carry: GUIDs as base64url of their bytes. */
export function entraServiceConnectionSubject(tenantId: string, organizationId: string, connectionId: string): string {
  return `/eid1/c/pub/t/${guidBase64(tenantId)}/a/${guidBase64(azureDevOpsAppId)}/sc/${organizationId}/${connectionId}`;
}

function guidBase64(guid: string): string {
  return Buffer.from(guid.replace(/-/g, ""), "hex").toString("base64url");
}
