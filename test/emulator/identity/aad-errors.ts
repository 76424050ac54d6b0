// Error replies in Entra ID's shape: OAuth `error` plus an `error_description` that starts with the AADSTS code
// and ends with trace, correlation and timestamp lines, `error_codes`, `timestamp`, `trace_id`, `correlation_id`,
// `error_uri`. MSAL surfaces error_description, so tests and users see the real wording.
import { randomUUID } from "node:crypto";
import { json, type Reply } from "../server/http";

export interface AadError {
  status: number;
  error: string;
  code: number;
  description: string;
}

export function aadErrorReply(baseUrl: string, failure: AadError, correlationId: string = randomUUID()): Reply {
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  return json(failure.status, {
    error: failure.error,
    error_description: `AADSTS${failure.code}: ${failure.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${baseUrl}/error?code=${failure.code}`,
  });
}

// The failures the emulator can give, worded as Entra words them.
export const aad = {
  tenantNotFound: (tenant: string): AadError => ({
    status: 400,
    error: "invalid_tenant",
    code: 90002,
    description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  missingParameter: (name: string): AadError => ({ status: 400, error: "invalid_request", code: 900144, description: `The request body must contain the following parameter: '${name}'.` }),
  unsupportedGrantType: (grantType: string): AadError => ({
    status: 400,
    error: "unsupported_grant_type",
    code: 70003,
    description: `The app requested an unsupported grant type '${grantType}'.`,
  }),
  invalidScope: (scope: string): AadError => ({
    status: 400,
    error: "invalid_scope",
    code: 1002012,
    description: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  unknownApplication: (clientId: string, tenantName: string): AadError => ({
    status: 400,
    error: "unauthorized_client",
    code: 700016,
    description: `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  invalidSecret: (clientId: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 7000215,
    description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  missingCredential: (): AadError => ({ status: 401, error: "invalid_client", code: 7000218, description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." }),
  malformedAssertion: (): AadError => ({ status: 400, error: "invalid_request", code: 50027, description: "JWT token is invalid or malformed." }),
  badAssertionType: (type: string): AadError => ({
    status: 400,
    error: "invalid_request",
    code: 700021,
    description: `Client assertion type '${type}' is invalid. The assertion type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.`,
  }),
  certificateNotRegistered: (clientId: string, thumbprint: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    description: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'.]`,
  }),
  badAssertionSignature: (thumbprint: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    description: `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}']`,
  }),
  assertionAudience: (audience: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700212,
    description: `The client assertion audience '${audience}' does not match the token endpoint of this tenant.`,
  }),
  assertionExpired: (now: Date, notBefore: Date | undefined, expiry: Date | undefined): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700024,
    description: `Client assertion is not within its valid time range. Current time: ${aadTime(now)}, assertion valid from ${aadTime(notBefore ?? new Date(0))}, expiry time of assertion ${aadTime(expiry ?? new Date(0))}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
  }),
  noFederatedRecord: (issuer: string, subject: string, audience: string): AadError => ({
    status: 400,
    error: "invalid_request",
    code: 70021,
    description: `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
  }),
  federatedAudience: (audience: string): AadError => ({
    status: 400,
    error: "invalid_request",
    code: 700212,
    description: `No matching federated identity record found for presented assertion audience '${audience}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
  }),
  federatedSignature: (issuer: string): AadError => ({
    status: 401,
    error: "invalid_client",
    code: 700027,
    description: `Client assertion failed signature validation. [Reason - The key used to sign the assertion was not found in the keys published by the issuer '${issuer}'.]`,
  }),
  temporarilyUnavailable: (status: number): AadError => ({
    status,
    error: status === 429 ? "temporarily_unavailable" : "server_error",
    code: status === 429 ? 50196 : 90033,
    description: status === 429 ? "The server terminated an operation because it encountered a client request loop. Please try again later." : "A transient error has occurred. Please try again.",
  }),
};

/** Entra prints times with seven fractional digits. */
function aadTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}
