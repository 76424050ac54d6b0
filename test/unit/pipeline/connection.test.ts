// The service connection as the agent passes it: environment variables that task-lib moves into its vault.
import { strict as assert } from "node:assert";
import { captureAgentOutput, loadAgentEnvironment, restoreAgentOutput, type CapturedOutput } from "./agent-env";
import { InputError } from "../../../src/errors";
import { readAzureConnection } from "../../../src/pipeline/connection";
import { TaskInputs } from "../../../src/pipeline/inputs";
import { makeCertificate } from "../azure/fake-http";

const ID = "9d3f1a52-0c5e-4d2b-8a7e-2f4b6c8d0e13";
const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
const SECRET = "spn-secret-Zq9!x7#value";
const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.system-access-token.signature";
/** A self-signed certificate and its key in one PEM, as a certificate-based service connection holds them. */
const CERTIFICATE = makeCertificate("dtl-task-test");
const PEM = `${CERTIFICATE.keyPem.trim()}\n${CERTIFICATE.certPem.trim()}\n`;
const KEY_LINE = CERTIFICATE.keyPem.split("\n")[1] ?? "";

function endpointEnv(scheme: string | undefined, parameters: Record<string, string>, data: Record<string, string> = {}, url = "https://management.azure.com/"): Record<string, string> {
  const env: Record<string, string> = {
    INPUT_AZURESUBSCRIPTION: ID,
    ENDPOINT_URL_: "",
    [`ENDPOINT_URL_${ID}`]: url,
    [`ENDPOINT_AUTH_${ID}`]: JSON.stringify({ parameters, scheme }),
    [`ENDPOINT_DATA_${ID}_SUBSCRIPTIONID`]: SUBSCRIPTION,
    [`ENDPOINT_DATA_${ID}_SUBSCRIPTIONNAME`]: "Factory",
    [`ENDPOINT_DATA_${ID}_ENVIRONMENT`]: "AzureCloud",
    [`ENDPOINT_DATA_${ID}_ENVIRONMENTAUTHORITYURL`]: "https://login.microsoftonline.com/",
    [`ENDPOINT_DATA_${ID}_ACTIVEDIRECTORYSERVICEENDPOINTRESOURCEID`]: "https://management.core.windows.net/",
    [`ENDPOINT_DATA_${ID}_SCOPELEVEL`]: "Subscription",
  };
  delete env.ENDPOINT_URL_;
  if (scheme !== undefined) env[`ENDPOINT_AUTH_SCHEME_${ID}`] = scheme;
  for (const [k, v] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${ID}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(data)) env[`ENDPOINT_DATA_${ID}_${k.toUpperCase()}`] = v;
  return env;
}

function read() {
  return readAzureConnection({ inputs: new TaskInputs(), inputName: "azureSubscription" });
}

function assertConnectionError(pattern: RegExp): void {
  assert.throws(read, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.input, "azureSubscription");
    assert.match(err.message, pattern);
    return true;
  });
}

describe("pipeline/connection", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureAgentOutput();
  });
  afterEach(() => restoreAgentOutput());

  /** Secrets may appear only inside the setsecret commands that register them. */
  function assertNotLeaked(...secrets: string[]): void {
    for (const line of output.lines()) {
      if (line.startsWith("##vso[task.setsecret]")) continue;
      for (const s of secrets) assert.ok(!line.includes(s), `secret leaked in: ${line}`);
    }
  }
  const registered = () => output.commands().filter((c) => c.name === "task.setsecret").map((c) => c.data);

  it("reads a service principal with a secret and registers the secret", () => {
    loadAgentEnvironment({ ...endpointEnv("ServicePrincipal", { serviceprincipalid: "app-1", serviceprincipalkey: SECRET, tenantid: "tenant-1", authenticationType: "spnKey" }), SYSTEM_DEBUG: "true" });
    const c = read();
    assert.equal(c.id, ID);
    assert.equal(c.scheme, "ServicePrincipal");
    assert.equal(c.authenticationType, "spnKey");
    assert.equal(c.clientId, "app-1");
    assert.equal(c.clientSecret, SECRET);
    assert.equal(c.tenantId, "tenant-1");
    assert.equal(c.subscriptionId, SUBSCRIPTION);
    assert.equal(c.subscriptionName, "Factory");
    assert.equal(c.environment, "AzureCloud");
    assert.equal(c.armUrl, "https://management.azure.com/");
    assert.equal(c.authorityHost, "https://login.microsoftonline.com/");
    assert.equal(c.audience, "https://management.core.windows.net/");
    assert.deepEqual(registered(), [SECRET]);
    assertNotLeaked(SECRET);
  });

  it("treats a service principal without authenticationType as a key (older connections)", () => {
    loadAgentEnvironment(endpointEnv("ServicePrincipal", { serviceprincipalid: "app-1", serviceprincipalkey: SECRET, tenantid: "t" }));
    assert.equal(read().authenticationType, "spnKey");
  });

  it("reads a service principal with a certificate and registers each key line", () => {
    loadAgentEnvironment(endpointEnv("ServicePrincipal", { serviceprincipalid: "app-2", servicePrincipalCertificate: PEM, tenantid: "t", authenticationType: "spnCertificate" }));
    const c = read();
    assert.equal(c.authenticationType, "spnCertificate");
    assert.equal(c.certificatePem, PEM.trim());
    assert.equal(c.clientSecret, undefined);
    assert.ok(registered().includes(KEY_LINE));
    assert.ok(!registered().some((s) => s.includes("\n")), "no multi-line secret");
    assertNotLeaked(KEY_LINE);
  });

  it("reads workload identity federation with the agent's token and OIDC request URI", () => {
    loadAgentEnvironment({
      ...endpointEnv("WorkloadIdentityFederation", { serviceprincipalid: "app-3", tenantid: "t" }),
      ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: TOKEN }, scheme: "OAuth" }),
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: TOKEN,
      SYSTEM_OIDCREQUESTURI: "https://dev.azure.com/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken",
      SYSTEM_DEBUG: "true",
    });
    const c = read();
    assert.equal(c.scheme, "WorkloadIdentityFederation");
    assert.equal(c.clientId, "app-3");
    assert.equal(c.systemAccessToken, TOKEN);
    assert.match(c.oidcRequestUri ?? "", /oidctoken$/);
    assert.deepEqual(registered(), [TOKEN]);
    assertNotLeaked(TOKEN);
  });

  it("fails workload identity federation without the agent's OIDC request URI", () => {
    loadAgentEnvironment({
      ...endpointEnv("WorkloadIdentityFederation", { serviceprincipalid: "app-3", tenantid: "t" }),
      ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: TOKEN,
    });
    assertConnectionError(/System\.OidcRequestUri/);
  });

  it("fails workload identity federation without the job's access token", () => {
    loadAgentEnvironment({ ...endpointEnv("WorkloadIdentityFederation", { serviceprincipalid: "app-3", tenantid: "t" }), SYSTEM_OIDCREQUESTURI: "https://x/oidc" });
    assertConnectionError(/access token/);
  });

  it("reads a managed identity with and without a client id", () => {
    loadAgentEnvironment(endpointEnv("ManagedServiceIdentity", { tenantid: "t", msiclientId: "mi-client" }));
    assert.equal(read().msiClientId, "mi-client");
    loadAgentEnvironment(endpointEnv("ManagedServiceIdentity", { tenantid: "t" }));
    const c = read();
    assert.equal(c.scheme, "ManagedServiceIdentity");
    assert.equal(c.msiClientId, undefined);
  });

  it("accepts the Azure Stack / sovereign cloud authority from activeDirectoryAuthority and adds a slash to the URL", () => {
    const env = endpointEnv("ServicePrincipal", { serviceprincipalid: "a", serviceprincipalkey: SECRET, tenantid: "t" }, { activeDirectoryAuthority: "https://login.chinacloudapi.cn/" }, "https://management.chinacloudapi.cn");
    delete env[`ENDPOINT_DATA_${ID}_ENVIRONMENTAUTHORITYURL`];
    loadAgentEnvironment(env);
    const c = read();
    assert.equal(c.armUrl, "https://management.chinacloudapi.cn/");
    assert.equal(c.authorityHost, "https://login.chinacloudapi.cn/");
  });

  it("fails on an unknown scheme, naming it and the supported ones", () => {
    loadAgentEnvironment(endpointEnv("UsernamePassword", { username: "u", password: "p" }));
    assertConnectionError(/authorization scheme 'UsernamePassword'.*Supported: ServicePrincipal, WorkloadIdentityFederation, ManagedServiceIdentity/);
  });

  it("fails on a missing scheme (an id that is not a usable connection)", () => {
    loadAgentEnvironment(endpointEnv(undefined, {}));
    assertConnectionError(/no authorization scheme/);
  });

  it("fails when the connection input is empty", () => {
    loadAgentEnvironment({});
    assertConnectionError(/is required: give an Azure Resource Manager service connection/);
  });

  it("fails on a service principal without its key, naming the parameter", () => {
    loadAgentEnvironment(endpointEnv("ServicePrincipal", { serviceprincipalid: "a", tenantid: "t", authenticationType: "spnKey" }));
    assertConnectionError(/service principal key \(authorization parameter 'serviceprincipalkey'\)/);
  });

  it("fails on a connection without a subscription or scoped to a management group", () => {
    const env = endpointEnv("ServicePrincipal", { serviceprincipalid: "a", serviceprincipalkey: SECRET, tenantid: "t" });
    delete env[`ENDPOINT_DATA_${ID}_SUBSCRIPTIONID`];
    loadAgentEnvironment(env);
    assertConnectionError(/names no subscription/);
    loadAgentEnvironment(endpointEnv("ServicePrincipal", { serviceprincipalid: "a", serviceprincipalkey: SECRET, tenantid: "t" }, { ScopeLevel: "ManagementGroup" }));
    assertConnectionError(/scoped to a ManagementGroup/);
  });

  it("refuses a plain-http ARM URL", () => {
    loadAgentEnvironment(endpointEnv("ServicePrincipal", { serviceprincipalid: "a", serviceprincipalkey: SECRET, tenantid: "t" }, {}, "http://127.0.0.1:8080/"));
    assertConnectionError(/must use https/);
  });

  it("never echoes the key while reading, also with system.debug=true", () => {
    loadAgentEnvironment({ ...endpointEnv("ServicePrincipal", { serviceprincipalid: "a", serviceprincipalkey: SECRET, tenantid: "t" }), SYSTEM_DEBUG: "true" });
    read();
    assertNotLeaked(SECRET);
    assert.ok(!/auth param|azureSubscription=/.test(output.text), "task-lib echoes of inputs and endpoint parameters are dropped");
  });
});
