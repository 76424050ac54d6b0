// Builds the official @azure/identity credential for a checked service connection.
import type { HttpClient } from "@azure/core-rest-pipeline";
import {
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type ClientSecretCredentialOptions,
  type TokenCredential,
} from "@azure/identity";
import { planCredential, type AzureConnection, type ConnectionCheckOptions, type CredentialPlan } from "./connection";

export interface CreateCredentialOptions extends ConnectionCheckOptions {
  /** Replaces the network layer (tests). */
  httpClient?: HttpClient;
}

export function createCredential(connection: AzureConnection, options: CreateCredentialOptions = {}): TokenCredential {
  return credentialFromPlan(planCredential(connection, options), options);
}

export function credentialFromPlan(plan: CredentialPlan, options: { httpClient?: HttpClient } = {}): TokenCredential {
  const network = options.httpClient ? { httpClient: options.httpClient } : {};
  if (plan.kind === "managedIdentity") {
    return new ManagedIdentityCredential(plan.clientId ? { clientId: plan.clientId, ...network } : { ...network });
  }
  const authority: ClientSecretCredentialOptions = {
    authorityHost: plan.cloud.authorityHost,
    disableInstanceDiscovery: plan.cloud.disableInstanceDiscovery,
    ...network,
  };
  switch (plan.kind) {
    case "clientSecret":
      return new ClientSecretCredential(plan.tenantId, plan.clientId, plan.clientSecret, authority);
    case "clientCertificate":
      return new ClientCertificateCredential(plan.tenantId, plan.clientId, { certificate: plan.certificate.pem }, authority);
    case "workloadIdentity":
      return withOidcRequestUri(
        plan.oidcRequestUri,
        () => new AzurePipelinesCredential(plan.tenantId, plan.clientId, plan.serviceConnectionId, plan.systemAccessToken, authority),
      );
  }
}

// AzurePipelinesCredential (identity 4.14) reads SYSTEM_OIDCREQUESTURI from process.env in its constructor and
// builds the request URL there, so the connection's value is put in place for the construction only.
function withOidcRequestUri<T>(uri: string, create: () => T): T {
  const previous = process.env.SYSTEM_OIDCREQUESTURI;
  process.env.SYSTEM_OIDCREQUESTURI = uri;
  try {
    return create();
  } finally {
    if (previous === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
    else process.env.SYSTEM_OIDCREQUESTURI = previous;
  }
}
