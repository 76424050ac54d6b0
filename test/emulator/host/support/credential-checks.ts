// Child script of identity.test.ts: runs every credential type of the real @azure/identity against the emulator
// and prints one JSON line of outcomes. It runs in its own process because NODE_EXTRA_CA_CERTS (the emulator's
// CA) is only read at process start. Input: a JSON file named by CHECK_INPUT.
import { readFileSync } from "node:fs";
import { ResourceManagementClient } from "@azure/arm-resources";
import {
  AzurePipelinesCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import type { ReadyLine } from "../../emulator";
import { armScope, subscriptionIds } from "./arm-get";

export interface CredentialCheckInput {
  ready: ReadyLine;
  factory: { clientId: string; clientSecret: string; certificateWithKeyPem: string };
  limited: { clientId: string; clientSecret: string };
  userAssignedClientId: string;
  entraFormConnectionId: string;
  unfederatedConnectionId: string;
  teamSubscriptionId: string;
  foreignTenantSubscriptionId: string;
  /** A PEM (certificate + key) the directory does not know. */
  foreignCertificatePem: string;
  assertions: { valid: string; expired: string; wrongSubject: string; wrongAudience: string };
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: { name: string; message: string; statusCode?: number; code?: string } };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const failure = error as { name?: string; message?: string; statusCode?: number; code?: string };
    return { ok: false, error: { name: failure.name ?? "Error", message: failure.message ?? String(error), statusCode: failure.statusCode, code: failure.code } };
  }
}

async function main(): Promise<void> {
  const inputPath = process.env.CHECK_INPUT;
  if (!inputPath) throw new Error("CHECK_INPUT is required");
  const input = JSON.parse(readFileSync(inputPath, "utf8")) as CredentialCheckInput;
  const { ready } = input;
  const authority = { authorityHost: ready.authorityHost, disableInstanceDiscovery: true };
  const arm = { endpoint: ready.armUrl, credentialScopes: [armScope] };
  const list = (credential: TokenCredential): Promise<string[]> => subscriptionIds(credential, ready.armUrl);
  const secret = new ClientSecretCredential(ready.tenantId, input.factory.clientId, input.factory.clientSecret, authority);
  const limited = new ClientSecretCredential(ready.tenantId, input.limited.clientId, input.limited.clientSecret, authority);
  const pipelines = (connectionId: string, systemToken = ready.systemAccessToken): AzurePipelinesCredential =>
    new AzurePipelinesCredential(ready.tenantId, input.factory.clientId, connectionId, systemToken, authority);
  const assertion = (token: string): ClientAssertionCredential => new ClientAssertionCredential(ready.tenantId, input.factory.clientId, async () => token, authority);

  const checks: Record<string, () => Promise<unknown>> = {
    secret: () => list(secret),
    secretThroughArmSdk: async () => {
      const client = new ResourceManagementClient(secret, ready.subscriptionIds[0] ?? "", arm);
      const namespaces: string[] = [];
      for await (const provider of client.providers.list()) namespaces.push(provider.namespace ?? "");
      return namespaces;
    },
    certificate: () => list(new ClientCertificateCredential(ready.tenantId, input.factory.clientId, { certificate: input.factory.certificateWithKeyPem }, authority)),
    certificateWithChain: () => list(new ClientCertificateCredential(ready.tenantId, input.factory.clientId, { certificate: input.factory.certificateWithKeyPem }, { ...authority, sendCertificateChain: true })),
    assertion: () => list(assertion(input.assertions.valid)),
    pipelines: () => list(pipelines(ready.serviceConnectionId)),
    pipelinesEntraIssuer: () => list(pipelines(input.entraFormConnectionId)),
    managedIdentity: () => list(new ManagedIdentityCredential()),
    managedIdentityUserAssigned: () => list(new ManagedIdentityCredential({ clientId: input.userAssignedClientId })),
    limited: () => list(limited),
    adfs: () => list(new ClientSecretCredential("adfs", input.factory.clientId, input.factory.clientSecret, { authorityHost: `${ready.authorityHost}/adfs`, disableInstanceDiscovery: true })),
    wrongSecret: () => secretToken(new ClientSecretCredential(ready.tenantId, input.factory.clientId, "not-the-secret", authority)),
    unknownClient: () => secretToken(new ClientSecretCredential(ready.tenantId, "99999999-0000-4000-8000-000000000000", "whatever", authority)),
    unknownTenant: () => secretToken(new ClientSecretCredential("99999999-0000-4000-8000-00000000dead", input.factory.clientId, input.factory.clientSecret, authority)),
    foreignCertificate: () => secretToken(new ClientCertificateCredential(ready.tenantId, input.factory.clientId, { certificate: input.foreignCertificatePem }, authority)),
    expiredAssertion: () => secretToken(assertion(input.assertions.expired)),
    wrongSubjectAssertion: () => secretToken(assertion(input.assertions.wrongSubject)),
    wrongAudienceAssertion: () => secretToken(assertion(input.assertions.wrongAudience)),
    unfederatedConnection: () => secretToken(pipelines(input.unfederatedConnectionId)),
    wrongSystemToken: () => secretToken(pipelines(ready.serviceConnectionId, "not-the-system-token")),
    forbiddenSubscription: () => new ResourceManagementClient(limited, input.teamSubscriptionId, arm).resourceGroups.get("teams-rg"),
    foreignTenantSubscription: () => new ResourceManagementClient(secret, input.foreignTenantSubscriptionId, arm).resourceGroups.get("partner-rg"),
  };

  const results: Record<string, Outcome> = {};
  await Promise.all(Object.entries(checks).map(async ([name, run]) => {
    results[name] = await outcome(run);
  }));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function secretToken(credential: TokenCredential): Promise<string> {
  const token = await credential.getToken(armScope);
  return token ? "token" : "none";
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
