// Signing in with each service connection scheme: the right @azure/identity credential, built with the right
// authority and options, and the token requests it then makes (answered in memory, no network).
import { strict as assert } from "node:assert";
import { X509Certificate, constants, createHash, verify } from "node:crypto";
import { AzurePipelinesCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } from "@azure/identity";
import { InputError } from "../../../src/errors";
import { connectionSecrets, createCredential, planCredential, type AzureConnection } from "../../../src/azure/connection";
import { FakeAzure, OIDC_TOKEN, decodeJwt, makeCertificate } from "./fake-http";

const ID = "9d3f1a52-0c5e-4d2b-8a7e-2f4b6c8d0e13";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b5c1f8e-3d4a-4c7b-9e2f-6a8d1c3e5f70";
const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
const SECRET = "spn-secret-Zq9!x7#value";
const ACCESS_TOKEN = "system-access-token-value";
const EMULATOR = "https://127.0.0.1:8443";
const ARM_SCOPE = "https://management.core.windows.net//.default";

function emulatorConnection(overrides: Partial<AzureConnection> = {}): AzureConnection {
  return {
    id: ID,
    scheme: "ServicePrincipal",
    authenticationType: "spnKey",
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    subscriptionId: SUBSCRIPTION,
    environment: "AzureCloud",
    armUrl: `${EMULATOR}/`,
    authorityHost: `${EMULATOR}/`,
    audience: "https://management.core.windows.net/",
    ...overrides,
  };
}

function inputErrorMatching(pattern: RegExp, input = "azureSubscription") {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.input, input);
    assert.match(error.message, pattern);
    return true;
  };
}

/** Runs with some environment variables set, restoring them afterwards. */
async function withEnv<T>(values: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe("azure/connection: credentials for every scheme", () => {
  describe("ServicePrincipal with a secret (spnKey)", () => {
    it("builds a ClientSecretCredential that signs in at the connection's authority without instance discovery", async () => {
      const fake = new FakeAzure();
      const credential = createCredential(emulatorConnection(), { httpClient: fake });
      assert.ok(credential instanceof ClientSecretCredential);
      const token = await credential.getToken(ARM_SCOPE);
      assert.equal(token?.token, "access-token-1");
      assert.ok(fake.requests.every((request) => request.url.origin === EMULATOR), "no request leaves the connection's authority");
      const [discovery, tokenRequest] = fake.requests;
      assert.equal(discovery?.url.pathname, `/${TENANT}/v2.0/.well-known/openid-configuration`);
      assert.equal(tokenRequest?.method, "POST");
      assert.equal(tokenRequest?.url.pathname, `/${TENANT}/oauth2/v2.0/token`);
      assert.equal(tokenRequest?.form.get("grant_type"), "client_credentials");
      assert.equal(tokenRequest?.form.get("client_id"), CLIENT);
      assert.equal(tokenRequest?.form.get("client_secret"), SECRET);
      assert.equal(tokenRequest?.form.get("scope"), ARM_SCOPE);
    });

    it("accepts scheme and authentication type in any case", () => {
      const plan = planCredential(emulatorConnection({ scheme: "serviceprincipal", authenticationType: "SPNKEY" }));
      assert.equal(plan.kind, "clientSecret");
    });

    it("treats a connection without authenticationType (made before certificates existed) as secret-based", () => {
      assert.equal(planCredential(emulatorConnection({ authenticationType: undefined })).kind, "clientSecret");
      const { certPem, keyPem } = makeCertificate();
      assert.equal(planCredential(emulatorConnection({ authenticationType: undefined, clientSecret: undefined, certificatePem: `${certPem}${keyPem}` })).kind, "clientCertificate");
    });

    it("signs in against the public cloud when the connection says AzureCloud", async () => {
      const fake = new FakeAzure();
      const connection = emulatorConnection({ armUrl: "https://management.azure.com/", authorityHost: "https://login.microsoftonline.com/" });
      const plan = planCredential(connection);
      assert.equal(plan.cloud.disableInstanceDiscovery, false);
      await createCredential(connection, { httpClient: fake }).getToken(plan.cloud.scope);
      const tokenRequest = fake.to(/oauth2\/v2\.0\/token$/)[0];
      assert.equal(tokenRequest?.url.href.split("?")[0], `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    });

    it("signs in at Azure Government's authority with Government's audience", async () => {
      const fake = new FakeAzure();
      const connection = emulatorConnection({ environment: "AzureUSGovernment", armUrl: "https://management.usgovcloudapi.net/", authorityHost: undefined, audience: undefined });
      const plan = planCredential(connection);
      await createCredential(connection, { httpClient: fake }).getToken(plan.cloud.scope);
      const tokenRequest = fake.to(/oauth2\/v2\.0\/token$/)[0];
      assert.equal(tokenRequest?.url.origin, "https://login.microsoftonline.us");
      assert.equal(tokenRequest?.form.get("scope"), "https://management.core.usgovcloudapi.net//.default");
    });

    it("signs in at Azure China's authority", async () => {
      const fake = new FakeAzure();
      const connection = emulatorConnection({ environment: "AzureChinaCloud", armUrl: "https://management.chinacloudapi.cn/", authorityHost: undefined, audience: undefined });
      const plan = planCredential(connection);
      await createCredential(connection, { httpClient: fake }).getToken(plan.cloud.scope);
      const tokenRequest = fake.to(/oauth2\/v2\.0\/token$/)[0];
      // MSAL knows login.chinacloudapi.cn as an alias of China's preferred Entra host.
      assert.ok(["https://login.chinacloudapi.cn", "https://login.partner.microsoftonline.cn"].includes(tokenRequest?.url.origin ?? ""), tokenRequest?.url.origin);
      assert.equal(tokenRequest?.form.get("scope"), "https://management.core.chinacloudapi.cn//.default");
    });

    it("signs in against AD FS on Azure Stack (tenant 'adfs', authority …/adfs)", async () => {
      const fake = new FakeAzure();
      const connection = emulatorConnection({
        environment: "AzureStack",
        tenantId: "adfs",
        armUrl: "https://management.local.azurestack.external/",
        authorityHost: "https://adfs.local.azurestack.external/adfs/",
        audience: "https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155",
      });
      const plan = planCredential(connection);
      assert.equal(plan.kind === "clientSecret" && plan.tenantId, "adfs");
      assert.equal(plan.cloud.authorityHost, "https://adfs.local.azurestack.external/adfs");
      assert.equal(plan.cloud.disableInstanceDiscovery, true);
      await createCredential(connection, { httpClient: fake }).getToken(plan.cloud.scope);
      assert.deepEqual(
        fake.requests.map((request) => `${request.method} ${request.url.origin}${request.url.pathname}`),
        ["GET https://adfs.local.azurestack.external/adfs/.well-known/openid-configuration", "POST https://adfs.local.azurestack.external/adfs/oauth2/token"],
      );
      assert.equal(fake.requests[1]?.form.get("scope"), "https://management.adfs.azurestack.local/4de154de-f8a8-4017-af41-df619da68155/.default");
    });

    it("uses AD FS when the authority ends with /adfs even if the connection holds a tenant GUID", () => {
      const plan = planCredential(emulatorConnection({ environment: "AzureStack", authorityHost: "https://adfs.local.azurestack.external/adfs", audience: "https://management.adfs.azurestack.local/x" }));
      assert.ok(plan.kind === "clientSecret");
      assert.equal(plan.tenantId, "adfs");
      assert.equal(plan.cloud.adfs, true);
    });
  });

  describe("ServicePrincipal with a certificate (spnCertificate)", () => {
    for (const order of ["key first", "certificate first"] as const) {
      it(`builds a ClientCertificateCredential whose assertion is signed with the key (PEM ${order})`, async () => {
        const { certPem, keyPem } = makeCertificate();
        const pem = order === "key first" ? `${keyPem}${certPem}` : `${certPem}${keyPem}`;
        const fake = new FakeAzure();
        const credential = createCredential(emulatorConnection({ authenticationType: "spnCertificate", clientSecret: undefined, certificatePem: pem }), { httpClient: fake });
        assert.ok(credential instanceof ClientCertificateCredential);
        await credential.getToken(ARM_SCOPE);
        const tokenRequest = fake.to(/oauth2\/v2\.0\/token$/)[0];
        assert.equal(tokenRequest?.form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        assert.equal(tokenRequest?.form.get("client_secret"), null);
        const assertion = decodeJwt(tokenRequest?.form.get("client_assertion") ?? "");
        const x509 = new X509Certificate(certPem);
        const sha256 = createHash("sha256").update(x509.raw).digest("base64url");
        const sha1 = createHash("sha1").update(x509.raw).digest("base64url");
        assert.ok(assertion.header.x5t === sha1 || assertion.header["x5t#S256"] === sha256, "the assertion names the certificate by thumbprint");
        assert.equal(assertion.payload.iss, CLIENT);
        assert.equal(assertion.payload.aud, `${EMULATOR}/${TENANT}/oauth2/v2.0/token`);
        // MSAL signs with PS256 (RSA-PSS) when it sends the SHA-256 thumbprint, RS256 otherwise.
        const padding = assertion.header.alg === "PS256" ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {};
        const valid = verify("sha256", Buffer.from(assertion.signed), { key: x509.publicKey, ...padding }, Buffer.from(assertion.signature, "base64url"));
        assert.ok(valid, "signed with the certificate's key");
      });
    }
  });

  describe("WorkloadIdentityFederation", () => {
    it("builds an AzurePipelinesCredential that exchanges the job token at the connection's OIDC URL", async () => {
      const fake = new FakeAzure();
      const oidcRequestUri = `${EMULATOR}/oidc/${ID}/token`;
      await withEnv({ SYSTEM_OIDCREQUESTURI: "https://elsewhere.example/never-used" }, async () => {
        const credential = createCredential(emulatorConnection({ scheme: "WorkloadIdentityFederation", clientSecret: undefined, systemAccessToken: ACCESS_TOKEN, oidcRequestUri }), {
          httpClient: fake,
        });
        assert.ok(credential instanceof AzurePipelinesCredential);
        assert.equal(process.env.SYSTEM_OIDCREQUESTURI, "https://elsewhere.example/never-used", "the process environment is left as it was");
        await credential.getToken(ARM_SCOPE);
      });
      const oidc = fake.to(/\/oidc\//)[0];
      assert.equal(oidc?.method, "POST");
      assert.equal(`${oidc?.url.origin}${oidc?.url.pathname}`, oidcRequestUri);
      assert.equal(oidc?.url.searchParams.get("serviceConnectionId"), ID);
      assert.equal(oidc?.url.searchParams.get("api-version"), "7.1");
      assert.equal(oidc?.headers.authorization, `Bearer ${ACCESS_TOKEN}`);
      const tokenRequest = fake.to(/oauth2\/v2\.0\/token$/)[0];
      assert.equal(tokenRequest?.url.origin, EMULATOR);
      assert.equal(tokenRequest?.form.get("client_assertion"), OIDC_TOKEN);
      assert.equal(tokenRequest?.form.get("client_id"), CLIENT);
    });

    it("falls back to SYSTEM_OIDCREQUESTURI when the connection carries no OIDC URL", () => {
      const plan = planCredential(emulatorConnection({ scheme: "WorkloadIdentityFederation", systemAccessToken: ACCESS_TOKEN }), { env: { SYSTEM_OIDCREQUESTURI: `${EMULATOR}/oidc/x` } });
      assert.ok(plan.kind === "workloadIdentity");
      assert.equal(plan.oidcRequestUri, `${EMULATOR}/oidc/x`);
      assert.equal(plan.serviceConnectionId, ID);
    });
  });

  describe("ManagedServiceIdentity", () => {
    // MSAL keeps the managed identity source, with the network client it was first given, for the whole process:
    // both tests share one fake and look at the newest request.
    const fake = new FakeAzure();
    const msiEnv = { IDENTITY_ENDPOINT: `${EMULATOR}/msi/token`, IDENTITY_HEADER: "header-secret", MSI_ENDPOINT: undefined, MSI_SECRET: undefined };

    it("builds a ManagedIdentityCredential for the system identity", async () => {
      await withEnv(msiEnv, async () => {
        const credential = createCredential(emulatorConnection({ scheme: "ManagedServiceIdentity", tenantId: undefined, clientId: undefined, clientSecret: undefined }), { httpClient: fake });
        assert.ok(credential instanceof ManagedIdentityCredential);
        const token = await credential.getToken(ARM_SCOPE);
        assert.equal(token?.token, "managed-identity-token");
      });
      const request = fake.to(/\/msi\//).at(-1);
      assert.equal(request?.url.searchParams.get("resource"), "https://management.core.windows.net/");
      assert.equal(request?.url.searchParams.get("client_id"), null);
    });

    it("asks for the user-assigned identity named by msiClientId", async () => {
      await withEnv(msiEnv, async () => {
        const credential = createCredential(emulatorConnection({ scheme: "ManagedServiceIdentity", msiClientId: "5e0f1d2c-aaaa-bbbb-cccc-000000000001", clientSecret: undefined }), { httpClient: fake });
        assert.ok(credential instanceof ManagedIdentityCredential);
        // Another resource than the test before, so MSAL's process-wide token cache cannot answer.
        await credential.getToken("https://management.azure.com/.default");
      });
      const request = fake.to(/\/msi\//).at(-1);
      assert.equal(request?.url.searchParams.get("resource"), "https://management.azure.com");
      assert.equal(request?.url.searchParams.get("client_id"), "5e0f1d2c-aaaa-bbbb-cccc-000000000001");
    });
  });

  describe("bad connections fail before any network call", () => {
    const cases: { name: string; connection: Partial<AzureConnection>; pattern: RegExp }[] = [
      { name: "no scheme", connection: { scheme: "" }, pattern: /no authentication scheme.*Supported: ServicePrincipal.*WorkloadIdentityFederation.*ManagedServiceIdentity/ },
      { name: "an unknown scheme", connection: { scheme: "UsernamePassword" }, pattern: /'UsernamePassword'.*not support.*Supported: ServicePrincipal/ },
      { name: "an unknown authentication type", connection: { authenticationType: "spnPassword" }, pattern: /'spnPassword'.*Supported: spnKey, spnCertificate/ },
      { name: "no tenant", connection: { tenantId: undefined }, pattern: /no tenant id/ },
      { name: "a malformed tenant", connection: { tenantId: "my tenant" }, pattern: /'my tenant', which is not a tenant id/ },
      { name: "no client id", connection: { clientId: "  " }, pattern: /no service principal client id/ },
      { name: "no secret", connection: { clientSecret: "" }, pattern: /no client secret \(serviceprincipalkey\)/ },
      { name: "no certificate", connection: { authenticationType: "spnCertificate", certificatePem: undefined }, pattern: /no certificate/ },
      { name: "a certificate without its key", connection: { authenticationType: "spnCertificate", certificatePem: makeCertificate().certPem }, pattern: /no private key/ },
      { name: "federation without the job token", connection: { scheme: "WorkloadIdentityFederation", oidcRequestUri: `${EMULATOR}/oidc/x` }, pattern: /no job access token/ },
      { name: "federation without the OIDC URL", connection: { scheme: "WorkloadIdentityFederation", systemAccessToken: ACCESS_TOKEN }, pattern: /no OIDC request URL/ },
      { name: "federation with an http OIDC URL", connection: { scheme: "WorkloadIdentityFederation", systemAccessToken: ACCESS_TOKEN, oidcRequestUri: "http://127.0.0.1/oidc" }, pattern: /OIDC request URL .* is not an https URL/ },
      { name: "an http authority", connection: { authorityHost: "http://127.0.0.1:8443/" }, pattern: /authority URL .* must use https/ },
      { name: "an http ARM URL", connection: { armUrl: "http://127.0.0.1:8443/" }, pattern: /Resource Manager URL .* must use https/ },
      { name: "Azure Stack without an authority", connection: { environment: "AzureStack", authorityHost: undefined }, pattern: /authority URL .* is missing/ },
      { name: "Azure Stack without an audience", connection: { environment: "AzureStack", audience: undefined }, pattern: /token audience .* is missing/ },
    ];
    for (const { name, connection, pattern } of cases) {
      it(`${name}`, () => {
        const fake = new FakeAzure();
        assert.throws(() => createCredential(emulatorConnection(connection), { httpClient: fake, env: {} }), inputErrorMatching(pattern));
        assert.equal(fake.requests.length, 0);
      });
    }

    it("names the input the task gives", () => {
      assert.throws(() => createCredential(emulatorConnection({ scheme: "Nope" }), { inputName: "ConnectedServiceName" }), inputErrorMatching(/Nope/, "ConnectedServiceName"));
    });

    it("never puts the secret in an error", () => {
      assert.throws(
        () => createCredential(emulatorConnection({ authenticationType: "bogus" })),
        (error: unknown) => error instanceof Error && !error.message.includes(SECRET),
      );
    });
  });

  describe("connectionSecrets", () => {
    it("lists the secret, the job token and the private key in the forms it may be printed", () => {
      const { certPem, keyPem } = makeCertificate();
      const secrets = connectionSecrets(emulatorConnection({ systemAccessToken: ACCESS_TOKEN, certificatePem: `${certPem}${keyPem}` }));
      assert.ok(secrets.includes(SECRET));
      assert.ok(secrets.includes(ACCESS_TOKEN));
      assert.ok(secrets.includes(keyPem.trim()));
      assert.ok(secrets.some((secret) => secret.startsWith("-----BEGIN PRIVATE KEY-----")), "and the PKCS#8 form the credential uses");
    });
  });
});
