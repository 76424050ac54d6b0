// The URLs that name the emulator's token issuers. Every one lives on the emulator's own origin, because MSAL
// refuses an OpenID configuration whose issuer is on another origin than the authority.
import { Buffer } from "node:buffer";

/** The audience Azure DevOps puts in its OIDC tokens and Entra expects of a federated assertion. */
export const tokenExchangeAudience = "api://AzureADTokenExchange";
/** The Azure DevOps application, part of the Entra-issued service connection subject. */
export const azureDevOpsAppId = "499b84ac-1321-427f-aa17-267ca6975798";

export const entraIssuer = (baseUrl: string, tenantId: string): string => `${baseUrl}/${tenantId}/v2.0`;
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
