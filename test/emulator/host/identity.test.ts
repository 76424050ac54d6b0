// Every credential type of the real @azure/identity gets a token from the emulator and makes an ARM call with it;
// wrong secrets, foreign certificates, bad federated assertions and unknown clients fail as Entra fails them;
// ARM answers 403 for a subscription the principal may not touch and 401 for another tenant's subscription.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../client";
import { issueCertificate } from "../identity/certificates";
import type { CredentialCheckInput, Outcome } from "./support/credential-checks";
import { runChild } from "./support/run-child";

describe("emulator identity: the real @azure/identity credentials", function () {
  this.timeout(120_000);
  let emulator: RunningEmulator;
  let results: Record<string, Outcome>;
  let input: CredentialCheckInput;

  before(async () => {
    emulator = await startEmulator();
    const { ready, identities } = emulator;
    const factory = identities.principals.find((principal) => principal.clientId === ready.clientId);
    const limited = identities.principals.find((principal) => principal.tenantId === ready.tenantId && principal.clientId !== ready.clientId);
    const userAssigned = identities.managedIdentities.find((identity) => !identity.isDefault);
    const connections = identities.devOps?.serviceConnections ?? [];
    const federated = new Set(identities.principals.flatMap((principal) => principal.federatedCredentials.map((credential) => credential.serviceConnectionId)));
    const entraForm = connections.find((connection) => connection.issuerForm === "entra" && factory?.federatedCredentials.some((credential) => credential.serviceConnectionId === connection.id));
    const unfederated = connections.find((connection) => !federated.has(connection.id));
    const foreignSubscription = identities.subscriptions.find((subscription) => subscription.tenantId !== ready.tenantId);
    assert.ok(factory?.clientSecret && factory.certificateWithKeyPem && limited?.clientSecret && userAssigned && entraForm && unfederated && foreignSubscription, "the default seed has what these tests need");
    const foreign = await issueCertificate({ commonName: "not registered anywhere" });
    const mint = (extra: { lifetimeSeconds?: number; subject?: string; audience?: string } = {}): Promise<string> => emulator.admin.mintOidcToken({ serviceConnectionId: ready.serviceConnectionId, ...extra });

    input = {
      ready,
      factory: { clientId: factory.clientId, clientSecret: factory.clientSecret, certificateWithKeyPem: factory.certificateWithKeyPem },
      limited: { clientId: limited.clientId, clientSecret: limited.clientSecret },
      userAssignedClientId: userAssigned.clientId,
      entraFormConnectionId: entraForm.id,
      unfederatedConnectionId: unfederated.id,
      teamSubscriptionId: ready.subscriptionIds[1] ?? "",
      foreignTenantSubscriptionId: foreignSubscription.id,
      foreignCertificatePem: `${foreign.certificatePem}${foreign.privateKeyPem}`,
      assertions: {
        valid: await mint(),
        expired: await mint({ lifetimeSeconds: -120 }),
        wrongSubject: await mint({ subject: "sc://contoso/ImageFactory/someone-elses-connection" }),
        wrongAudience: await mint({ audience: "api://SomethingElse" }),
      },
    };
    results = await runChild<Record<string, Outcome>>(join(__dirname, "support", "credential-checks.ts"), input, {
      NODE_EXTRA_CA_CERTS: ready.caCertPath,
      IDENTITY_ENDPOINT: ready.identityEndpoint,
      IDENTITY_HEADER: ready.identityHeader,
      SYSTEM_OIDCREQUESTURI: ready.oidcRequestUri,
    });
  });

  after(async () => {
    await emulator?.stop();
  });

  const succeeded = (name: string): unknown => {
    const result = results[name];
    assert.ok(result, `no result for ${name}`);
    assert.ok(result.ok, `${name} failed: ${JSON.stringify(result)}`);
    return result.value;
  };
  const failed = (name: string): { name: string; message: string; statusCode?: number; code?: string } => {
    const result = results[name];
    assert.ok(result, `no result for ${name}`);
    assert.ok(!result.ok, `${name} should have failed but gave ${JSON.stringify(result)}`);
    return result.error;
  };
  const bothSubscriptions = (): string[] => [...emulator.ready.subscriptionIds].sort();

  it("ClientSecretCredential: token, then GET /subscriptions lists both subscriptions", () => {
    assert.deepEqual(succeeded("secret"), bothSubscriptions());
  });

  it("ClientSecretCredential through @azure/arm-resources (endpoint + credentialScopes)", () => {
    assert.ok((succeeded("secretThroughArmSdk") as string[]).includes("Microsoft.DevTestLab"));
  });

  it("ClientCertificateCredential with a PEM (certificate + key), with and without the x5c chain", () => {
    assert.deepEqual(succeeded("certificate"), bothSubscriptions());
    assert.deepEqual(succeeded("certificateWithChain"), bothSubscriptions());
  });

  it("ClientAssertionCredential with an Azure DevOps OIDC token", () => {
    assert.deepEqual(succeeded("assertion"), bothSubscriptions());
  });

  it("AzurePipelinesCredential: SYSTEM_OIDCREQUESTURI + system access token, classic and Entra-issued subjects", () => {
    assert.deepEqual(succeeded("pipelines"), bothSubscriptions());
    assert.deepEqual(succeeded("pipelinesEntraIssuer"), bothSubscriptions());
  });

  it("ManagedIdentityCredential (App Service form): system-assigned and user-assigned by client id", () => {
    assert.deepEqual(succeeded("managedIdentity"), bothSubscriptions());
    assert.deepEqual(succeeded("managedIdentityUserAssigned"), [emulator.ready.subscriptionIds[0]]);
  });

  it("AD FS (Azure Stack Hub): tenant 'adfs' with authority <host>/adfs", () => {
    assert.deepEqual(succeeded("adfs"), bothSubscriptions());
  });

  it("a principal limited to one subscription lists only that one", () => {
    assert.deepEqual(succeeded("limited"), [emulator.ready.subscriptionIds[0]]);
  });

  it("a wrong secret fails with AADSTS7000215", () => {
    assert.match(failed("wrongSecret").message, /AADSTS7000215: Invalid client secret provided\./);
  });

  it("an unknown client fails with AADSTS700016", () => {
    assert.match(failed("unknownClient").message, /AADSTS700016: Application with identifier '99999999-0000-4000-8000-000000000000' was not found in the directory 'Contoso Image Factory'/);
  });

  it("an unknown tenant fails", () => {
    assert.match(failed("unknownTenant").message, /AADSTS90002|endpoints_resolution_error|Tenant/i);
  });

  it("a certificate the app does not have fails with AADSTS700027", () => {
    assert.match(failed("foreignCertificate").message, /AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application/);
  });

  it("an expired federated assertion fails with AADSTS700024", () => {
    assert.match(failed("expiredAssertion").message, /AADSTS700024: Client assertion is not within its valid time range/);
  });

  it("a federated assertion with another subject or audience finds no federated identity record", () => {
    assert.match(failed("wrongSubjectAssertion").message, /AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: '.+_vstoken\/.+'\. Assertion Subject: 'sc:\/\/contoso\/ImageFactory\/someone-elses-connection'/);
    assert.match(failed("wrongAudienceAssertion").message, /AADSTS700212: No matching federated identity record found for presented assertion audience 'api:\/\/SomethingElse'/);
  });

  it("a service connection the principal does not trust fails with AADSTS70021", () => {
    assert.match(failed("unfederatedConnection").message, /AADSTS70021/);
  });

  it("the OIDC endpoint refuses a wrong system access token (401)", () => {
    assert.match(failed("wrongSystemToken").message, /401/);
  });

  it("ARM answers 403 AuthorizationFailed with ARM's message for a subscription the principal may not touch", () => {
    const error = failed("forbiddenSubscription");
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, "AuthorizationFailed");
    const objectId = emulator.identities.principals.find((principal) => principal.clientId === input.limited.clientId)?.objectId;
    assert.equal(
      error.message,
      `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/read' over scope '/subscriptions/${input.teamSubscriptionId}/resourcegroups/teams-rg' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  });

  it("ARM answers 401 InvalidAuthenticationTokenTenant for a subscription of another tenant", () => {
    const error = failed("foreignTenantSubscription");
    assert.equal(error.statusCode, 401);
    assert.equal(error.code, "InvalidAuthenticationTokenTenant");
  });

  it("logs token requests with the identity they were issued to", async () => {
    const { value } = await emulator.admin.requests();
    const tokens = value.filter((entry) => entry.route === "token" && entry.status === 200);
    assert.ok(tokens.some((entry) => entry.caller?.clientId === emulator.ready.clientId));
    assert.ok(value.some((entry) => entry.route === "managedIdentity" && entry.status === 200 && entry.caller?.clientId === input.userAssignedClientId));
    assert.ok(value.some((entry) => entry.route === "oidc" && entry.status === 401));
  });
});
