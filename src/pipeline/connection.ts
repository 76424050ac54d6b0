// Reads an AzureRM service connection as the agent hands it to a task, into the AzureConnection the core signs in
// with. Every credential is registered as a secret the moment it is read, before anything can print it.
import { connectionSecrets, planCredential, SUPPORTED_SCHEMES, type AzureConnection, type ConnectionScheme } from "../azure/connection";
import { InputError } from "../errors";
import { agentEndpoints, type EndpointSource } from "./agent";
import type { TaskInputs } from "./inputs";
import { registerSecret } from "./secrets";


/** The agent's own connection: its OAuth access token is what the OIDC request endpoint accepts. */
const SYSTEM_CONNECTION = "SystemVssConnection";

export interface ReadConnectionOptions {
  inputs: TaskInputs;
  /** The connectedService:AzureRM input (main name). */
  inputName: string;
  /** Where endpoint fields come from (default: the agent through task-lib). */
  endpoints?: EndpointSource;
  /** Registers a secret with the agent (default: task-lib's setSecret, line by line). */
  registerSecret?: (value: string | undefined) => void;
}

function canonicalScheme(scheme: string): ConnectionScheme | undefined {
  return SUPPORTED_SCHEMES.find((s) => s.toLowerCase() === scheme.toLowerCase());
}

/** ARM's base URL with exactly one trailing slash; only https (as ARM and @azure/identity require). */
function armBaseUrl(inputName: string, id: string, url: string | undefined): string {
  if (!url) throw new InputError(inputName, `the service connection '${id}' has no URL. Edit the connection and save it again, or choose another one.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(inputName, `the service connection's URL is not a valid URL. Set the Azure Resource Manager URL of its cloud (e.g. https://management.azure.com/).`);
  }
  if (parsed.protocol !== "https:") throw new InputError(inputName, `the service connection's URL '${parsed.origin}' must use https: set the Azure Resource Manager URL of its cloud (e.g. https://management.azure.com/).`);
  return parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
}

export function readAzureConnection(options: ReadConnectionOptions): AzureConnection {
  const { inputs, inputName } = options;
  const endpoints = options.endpoints ?? agentEndpoints;
  const secret = options.registerSecret ?? registerSecret;

  const id = inputs.requiredString(inputName, "an Azure Resource Manager service connection");
  const auth = (key: string) => endpoints.authParameter(id, key)?.trim() || undefined;
  const data = (key: string) => endpoints.dataParameter(id, key)?.trim() || undefined;
  const requiredAuth = (key: string, what: string) => {
    const value = auth(key);
    if (!value) throw new InputError(inputName, `the service connection has no ${what} (authorization parameter '${key}'). Edit the connection, verify it and save it again.`);
    return value;
  };

  const rawScheme = endpoints.scheme(id)?.trim();
  if (!rawScheme) {
    throw new InputError(inputName, `'${id}' is not an Azure Resource Manager service connection this job can use (the agent passed no authorization scheme). Check the connection name and that the pipeline is authorised to use it.`);
  }
  const scheme = canonicalScheme(rawScheme);
  if (!scheme) {
    throw new InputError(inputName, `the service connection uses the authorization scheme '${rawScheme}', which these tasks do not support. Supported: ${SUPPORTED_SCHEMES.join(", ")}.`);
  }

  const scopeLevel = data("ScopeLevel");
  if (scopeLevel && scopeLevel.toLowerCase() !== "subscription") {
    throw new InputError(inputName, `the service connection is scoped to a ${scopeLevel}; these tasks need a connection scoped to a subscription.`);
  }
  const subscriptionId = data("subscriptionId");
  if (!subscriptionId) throw new InputError(inputName, "the service connection names no subscription (data 'subscriptionId'). Choose a subscription-scoped Azure Resource Manager connection.");

  const connection: AzureConnection = {
    id,
    scheme,
    subscriptionId,
    subscriptionName: data("subscriptionName"),
    environment: data("environment"),
    armUrl: armBaseUrl(inputName, id, endpoints.url(id)),
    authorityHost: data("environmentAuthorityUrl") ?? data("activeDirectoryAuthority"),
    audience: data("activeDirectoryServiceEndpointResourceId"),
    tenantId: auth("tenantid"),
  };

  switch (scheme) {
    case "ServicePrincipal": {
      const authenticationType = (auth("authenticationType") ?? "spnKey").toLowerCase() === "spncertificate" ? "spnCertificate" : "spnKey";
      connection.authenticationType = authenticationType;
      connection.clientId = requiredAuth("serviceprincipalid", "service principal id");
      connection.tenantId = requiredAuth("tenantid", "tenant id");
      if (authenticationType === "spnCertificate") {
        connection.certificatePem = requiredAuth("servicePrincipalCertificate", "service principal certificate");
        secret(connection.certificatePem);
      } else {
        connection.clientSecret = requiredAuth("serviceprincipalkey", "service principal key");
        secret(connection.clientSecret);
      }
      break;
    }
    case "WorkloadIdentityFederation": {
      connection.clientId = requiredAuth("serviceprincipalid", "service principal id");
      connection.tenantId = requiredAuth("tenantid", "tenant id");
      connection.systemAccessToken = endpoints.authParameter(SYSTEM_CONNECTION, "AccessToken")?.trim() || undefined;
      secret(connection.systemAccessToken);
      connection.oidcRequestUri = endpoints.variable("System.OidcRequestUri")?.trim() || undefined;
      if (!connection.systemAccessToken) {
        throw new InputError(inputName, "the connection uses workload identity federation, but the job has no access token to request an OIDC token with. Allow scripts to access the OAuth token for this job, or use an agent that provides it.");
      }
      if (!connection.oidcRequestUri) {
        throw new InputError(inputName, "the connection uses workload identity federation, but the agent did not provide System.OidcRequestUri. Update the agent (3.227 or later) and run the job again.");
      }
      break;
    }
    case "ManagedServiceIdentity": {
      connection.msiClientId = auth("msiclientId");
      break;
    }
  }
  // Also the forms the core derives (a certificate's key converted to PKCS#8), in case one of them is ever printed.
  for (const value of connectionSecrets(connection)) secret(value);
  // Everything else the sign-in needs (cloud endpoints, tenant id form, certificate) is checked now, before any call.
  planCredential(connection, { inputName });
  return connection;
}
