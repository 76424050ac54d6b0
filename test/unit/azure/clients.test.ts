// The SDK clients: the connection's ARM URL and token scope, the user agent, the cache per subscription and
// retries that follow Retry-After (answered in memory, no network).
import { strict as assert } from "node:assert";
import { isRestError } from "@azure/core-rest-pipeline";
import { InputError } from "../../../src/errors";
import { USER_AGENT, createAzureClients } from "../../../src/azure/clients";
import type { AzureConnection } from "../../../src/azure/connection";
import { version } from "../../../package.json";
import { FakeAzure, type RecordedRequest } from "./fake-http";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
const OTHER_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";
const EMULATOR = "https://127.0.0.1:8443";

const connection: AzureConnection = {
  id: "9d3f1a52-0c5e-4d2b-8a7e-2f4b6c8d0e13",
  scheme: "ServicePrincipal",
  authenticationType: "spnKey",
  tenantId: TENANT,
  clientId: "0b5c1f8e-3d4a-4c7b-9e2f-6a8d1c3e5f70",
  clientSecret: "secret",
  subscriptionId: SUBSCRIPTION,
  environment: "AzureCloud",
  armUrl: `${EMULATOR}/`,
  authorityHost: EMULATOR,
  audience: "https://management.core.windows.net/",
};

const lab = (request: RecordedRequest) => ({
  status: 200,
  body: { id: request.url.pathname, name: "lab1", type: "Microsoft.DevTestLab/labs", location: "westeurope", properties: { provisioningState: "Succeeded" } },
});
const armRequests = (fake: FakeAzure) => fake.requests.filter((request) => request.url.pathname.startsWith("/subscriptions/"));

describe("azure/clients: createAzureClients", () => {
  it("calls the connection's ARM URL with a token for the connection's audience and our user agent", async () => {
    const fake = new FakeAzure().route((request) => (request.url.pathname.includes("/labs/") ? lab(request) : undefined));
    const clients = createAzureClients(connection, { httpClient: fake });
    const result = await clients.devTestLabs().labs.get("rg1", "lab1");
    assert.equal(result.name, "lab1");
    const [call] = armRequests(fake);
    assert.equal(call?.url.origin, EMULATOR);
    assert.equal(call?.url.pathname, `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg1/providers/Microsoft.DevTestLab/labs/lab1`);
    assert.equal(call?.url.searchParams.get("api-version"), "2018-09-15");
    assert.equal(call?.headers.authorization, "Bearer access-token-1");
    assert.ok(call?.headers["user-agent"]?.startsWith(`dtl-image-factory/${version} `), call?.headers["user-agent"]);
    assert.equal(fake.to(/oauth2\/v2\.0\/token$/)[0]?.form.get("scope"), "https://management.core.windows.net//.default");
    assert.equal(USER_AGENT, `dtl-image-factory/${version}`);
  });

  it("builds each client once per subscription and signs in once", async () => {
    const fake = new FakeAzure().route((request) => (request.url.pathname.includes("/labs/") ? lab(request) : undefined));
    const clients = createAzureClients(connection, { httpClient: fake });
    assert.equal(clients.devTestLabs(), clients.devTestLabs(SUBSCRIPTION));
    assert.equal(clients.devTestLabs(OTHER_SUBSCRIPTION), clients.devTestLabs(OTHER_SUBSCRIPTION.toUpperCase()));
    assert.notEqual(clients.devTestLabs(), clients.devTestLabs(OTHER_SUBSCRIPTION));
    assert.equal(clients.resources(), clients.resources());
    await clients.devTestLabs().labs.get("rg1", "lab1");
    await clients.devTestLabs(OTHER_SUBSCRIPTION).labs.get("rg2", "lab2");
    assert.deepEqual(
      armRequests(fake).map((request) => request.url.pathname.split("/")[2]),
      [SUBSCRIPTION, OTHER_SUBSCRIPTION],
    );
    assert.equal(fake.to(/oauth2\/v2\.0\/token$/).length, 1, "one token for the run");
  });

  it("builds the resources client (deployments) against the same endpoint", async () => {
    const fake = new FakeAzure().route((request) =>
      request.url.pathname.includes("/deployments/") ? { status: 200, body: { id: request.url.pathname, name: "d1", properties: { provisioningState: "Succeeded" } } } : undefined,
    );
    const clients = createAzureClients(connection, { httpClient: fake });
    const deployment = await clients.resources().deployments.get("rg1", "d1");
    assert.equal(deployment.name, "d1");
    const [call] = armRequests(fake);
    assert.equal(call?.url.origin, EMULATOR);
    assert.equal(call?.url.pathname, `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg1/providers/Microsoft.Resources/deployments/d1`);
  });

  it("exposes the pipeline options for other SDK clients", () => {
    const clients = createAzureClients(connection, { retries: 2, userAgent: "custom/1" });
    assert.equal(clients.pipelineOptions.endpoint, EMULATOR);
    assert.deepEqual(clients.pipelineOptions.credentialScopes, ["https://management.core.windows.net//.default"]);
    assert.equal(clients.pipelineOptions.retryOptions?.maxRetries, 2);
    assert.equal(clients.pipelineOptions.userAgentOptions?.userAgentPrefix, "custom/1");
    assert.equal(clients.cloud.armUrl, EMULATOR);
  });

  for (const status of [429, 503]) {
    it(`retries a ${status} after the Retry-After it names`, async () => {
      let throttled = 0;
      const fake = new FakeAzure().route((request) => {
        if (!request.url.pathname.includes("/labs/")) return undefined;
        if (throttled < 2) {
          throttled += 1;
          return { status, headers: { "retry-after": "0" }, body: { error: { code: "TooManyRequests", message: "slow down" } } };
        }
        return lab(request);
      });
      const clients = createAzureClients(connection, { httpClient: fake });
      const result = await clients.devTestLabs().labs.get("rg1", "lab1");
      assert.equal(result.name, "lab1");
      assert.equal(armRequests(fake).length, 3);
    });
  }

  it("gives up after the configured number of retries", async () => {
    const fake = new FakeAzure().route((request) =>
      request.url.pathname.includes("/labs/") ? { status: 429, headers: { "retry-after": "0" }, body: { error: { code: "TooManyRequests", message: "slow down" } } } : undefined,
    );
    const clients = createAzureClients(connection, { httpClient: fake, retries: 1 });
    await assert.rejects(clients.devTestLabs().labs.get("rg1", "lab1"), (error: unknown) => isRestError(error) && error.statusCode === 429);
    assert.equal(armRequests(fake).length, 2, "the first try and one retry");
  });

  it("rejects a connection without a subscription", () => {
    assert.throws(
      () => createAzureClients({ ...connection, subscriptionId: "" }),
      (error: unknown) => error instanceof InputError && error.input === "azureSubscription" && /no subscription id/.test(error.message),
    );
  });

  it("checks the connection before building anything", () => {
    assert.throws(() => createAzureClients({ ...connection, scheme: "Certificate" }), (error: unknown) => error instanceof InputError && /'Certificate'/.test(error.message));
  });
});
