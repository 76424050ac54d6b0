// The AzureRM service connection as the agent describes it, and what it takes to sign in with it. Checked
// completely before any network call: a missing or unknown scheme, or a missing parameter, is an InputError on
// the service connection input that says what is wrong and what is supported.
import { InputError } from "../errors";
import { normalizeCertificatePem, type NormalizedCertificate } from "./certificate";
import { resolveCloud, type ResolvedCloud } from "./clouds";
import { neutralizeUntrustedText } from "./untrusted-text";

export { createCredential, type CreateCredentialOptions } from "./credential";

export interface AzureConnection {
  /** Service connection (endpoint) id. */
  id: string;
  /** ENDPOINT_AUTH_SCHEME as given: ServicePrincipal | ManagedServiceIdentity | WorkloadIdentityFederation. */
  scheme: string;
  /** ServicePrincipal only: spnKey | spnCertificate. */
  authenticationType?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  certificatePem?: string;
  msiClientId?: string;
  subscriptionId: string;
  subscriptionName?: string;
  /** AzureCloud | AzureUSGovernment | AzureChinaCloud | AzureGermanCloud | AzureStack */
  environment?: string;
  /** The endpoint URL (ENDPOINT_URL_<id>): the Resource Manager URL. */
  armUrl: string;
  /** Data environmentAuthorityUrl or activeDirectoryAuthority. */
  authorityHost?: string;
  /** Data activeDirectoryServiceEndpointResourceId. */
  audience?: string;
  /** Workload identity federation: from the agent (System.OidcRequestUri, System.AccessToken). */
  oidcRequestUri?: string;
  systemAccessToken?: string;
}

/** The YAML name of the service connection input every Azure task has. */
export const SERVICE_CONNECTION_INPUT = "azureSubscription";

export type ConnectionScheme = "ServicePrincipal" | "ManagedServiceIdentity" | "WorkloadIdentityFederation";
export const SUPPORTED_SCHEMES: readonly ConnectionScheme[] = ["ServicePrincipal", "WorkloadIdentityFederation", "ManagedServiceIdentity"];
export const SUPPORTED_AUTHENTICATION_TYPES = ["spnKey", "spnCertificate"] as const;
const SUPPORTED_TEXT = "ServicePrincipal (authenticationType spnKey or spnCertificate), WorkloadIdentityFederation, ManagedServiceIdentity";

// @azure/identity accepts only these characters in a tenant id; checked here to fail with a useful message.
const TENANT_ID = /^[0-9a-zA-Z.-]+$/;

interface PlanBase {
  cloud: ResolvedCloud;
}
/** What createCredential will build; everything in it has been checked. */
export type CredentialPlan =
  | (PlanBase & { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string })
  | (PlanBase & { kind: "clientCertificate"; tenantId: string; clientId: string; certificate: NormalizedCertificate })
  | (PlanBase & { kind: "workloadIdentity"; tenantId: string; clientId: string; serviceConnectionId: string; systemAccessToken: string; oidcRequestUri: string })
  | (PlanBase & { kind: "managedIdentity"; clientId?: string });

export interface ConnectionCheckOptions {
  /** The task input that names the service connection. Default azureSubscription. */
  inputName?: string;
  /** Where SYSTEM_OIDCREQUESTURI is read when the connection has no oidcRequestUri. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Validates the connection and decides which credential to build, without building it. */
export function planCredential(connection: AzureConnection, options: ConnectionCheckOptions = {}): CredentialPlan {
  const inputName = options.inputName ?? SERVICE_CONNECTION_INPUT;
  const named = `the service connection '${neutralizeUntrustedText(connection.id || "(no id)", { maxLength: 80 })}'`;
  const scheme = parseScheme(connection.scheme, named, inputName);
  const required = (value: string | undefined, what: string): string => {
    const trimmed = value?.trim();
    if (!trimmed) throw new InputError(inputName, `${named} (scheme ${scheme}) has no ${what}. Edit the service connection and set it.`);
    return trimmed;
  };
  const tenant = (): string => {
    const tenantId = required(connection.tenantId, "tenant id (tenantid)");
    if (!TENANT_ID.test(tenantId)) throw new InputError(inputName, `${named} has the tenant id '${neutralizeUntrustedText(tenantId, { maxLength: 80 })}', which is not a tenant id (a GUID or a domain name).`);
    return tenantId;
  };

  if (scheme === "ManagedServiceIdentity") {
    const cloud = resolveCloud(connection, { inputName });
    const clientId = connection.msiClientId?.trim();
    return clientId ? { kind: "managedIdentity", clientId, cloud } : { kind: "managedIdentity", cloud };
  }

  const tenantId = tenant();
  const clientId = required(connection.clientId, "service principal client id (serviceprincipalid)");
  const cloud = resolveCloud(connection, { inputName, tenantId });
  // AD FS signs in against the authority itself; @azure/identity expects the tenant "adfs" for that.
  const effectiveTenant = cloud.adfs ? "adfs" : tenantId;

  if (scheme === "WorkloadIdentityFederation") {
    const serviceConnectionId = required(connection.id, "id");
    const systemAccessToken = required(
      connection.systemAccessToken,
      "job access token (System.AccessToken, needed to request the federated token; the agent provides it)",
    );
    const env = options.env ?? process.env;
    const oidcRequestUri = required(connection.oidcRequestUri ?? env.SYSTEM_OIDCREQUESTURI, "OIDC request URL (System.OidcRequestUri; the agent provides it)");
    if (!/^https:\/\/[^\s?#]+$/i.test(oidcRequestUri)) {
      throw new InputError(inputName, `${named}: the agent's OIDC request URL '${neutralizeUntrustedText(oidcRequestUri, { maxLength: 200 })}' is not an https URL without a query.`);
    }
    return { kind: "workloadIdentity", tenantId: effectiveTenant, clientId, serviceConnectionId, systemAccessToken, oidcRequestUri, cloud };
  }

  const authenticationType = parseAuthenticationType(connection, named, inputName);
  if (authenticationType === "spnCertificate") {
    const pem = required(connection.certificatePem, "certificate (servicePrincipalCertificate)");
    return { kind: "clientCertificate", tenantId: effectiveTenant, clientId, certificate: normalizeCertificatePem(pem, inputName), cloud };
  }
  const clientSecret = required(connection.clientSecret, "client secret (serviceprincipalkey)");
  return { kind: "clientSecret", tenantId: effectiveTenant, clientId, clientSecret, cloud };
}

/** Endpoints, authority and scope for this connection. */
export function resolveConnectionCloud(connection: AzureConnection, options: { inputName?: string } = {}): ResolvedCloud {
  return resolveCloud(connection, { inputName: options.inputName ?? SERVICE_CONNECTION_INPUT, tenantId: connection.tenantId });
}

/** Values the task must register as secrets before anything can print them. */
export function connectionSecrets(connection: AzureConnection): string[] {
  const secrets = [connection.clientSecret, connection.systemAccessToken, connection.certificatePem];
  if (connection.certificatePem) {
    // The key as given and in the PKCS#8 form we convert it to.
    for (const match of connection.certificatePem.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g)) secrets.push(match[0]);
    try {
      secrets.push(normalizeCertificatePem(connection.certificatePem, SERVICE_CONNECTION_INPUT).privateKeyPem);
    } catch {
      // A broken PEM fails later with a clear message; the raw text is registered already.
    }
  }
  return secrets.filter((value): value is string => typeof value === "string" && value.trim() !== "");
}

function parseScheme(scheme: string | undefined, named: string, inputName: string): ConnectionScheme {
  const wanted = scheme?.trim().toLowerCase();
  if (!wanted) throw new InputError(inputName, `${named} has no authentication scheme. Supported: ${SUPPORTED_TEXT}.`);
  const found = SUPPORTED_SCHEMES.find((candidate) => candidate.toLowerCase() === wanted);
  if (!found) {
    throw new InputError(inputName, `${named} uses the authentication scheme '${neutralizeUntrustedText(scheme ?? "", { maxLength: 60 })}', which this task does not support. Supported: ${SUPPORTED_TEXT}.`);
  }
  return found;
}

function parseAuthenticationType(connection: AzureConnection, named: string, inputName: string): "spnKey" | "spnCertificate" {
  const given = connection.authenticationType?.trim();
  if (!given) {
    // Connections made before certificates were supported carry no authenticationType: they are secret-based.
    return connection.certificatePem?.trim() && !connection.clientSecret?.trim() ? "spnCertificate" : "spnKey";
  }
  const found = SUPPORTED_AUTHENTICATION_TYPES.find((candidate) => candidate.toLowerCase() === given.toLowerCase());
  if (!found) {
    throw new InputError(inputName, `${named} uses the service principal authentication type '${neutralizeUntrustedText(given, { maxLength: 60 })}', which this task does not support. Supported: ${SUPPORTED_AUTHENTICATION_TYPES.join(", ")}.`);
  }
  return found;
}
