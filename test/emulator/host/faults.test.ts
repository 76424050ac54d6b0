// Every fault kind, observed by a client: the HTTP kinds through @azure/core-rest-pipeline's real retry policies
// (what every Azure SDK client uses), tokenExpiry at the token endpoint, and lroFailure/artifactFailure as the ARM
// layer sees them through ArmFaults.
import assert from "node:assert/strict";
import { ResourceManagementClient } from "@azure/arm-resources";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type PipelineOptions,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { startEmulator, type RunningEmulator } from "../client";
import { FaultStore } from "../server/faults";
import { raw, secretToken } from "./support/raw";

describe("emulator faults, observed by clients", function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let credential: TokenCredential;
  let subscriptionPath: string;

  before(async () => {
    emulator = await startEmulator();
    const token = await secretToken(emulator);
    const fixed: AccessToken = { token: token.access_token, expiresOnTimestamp: Date.now() + token.expires_in * 1000 };
    credential = { getToken: async () => fixed };
    subscriptionPath = `/subscriptions/${emulator.ready.subscriptionIds[0]}`;
  });

  after(async () => {
    await emulator?.stop();
  });

  afterEach(async () => {
    await emulator.admin.clearFaults();
  });

  /** A GET through the SDK pipeline (retry policies included), with fast exponential backoff unless told otherwise. */
  async function sdkGet(path: string, options: PipelineOptions = { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100 } }): Promise<PipelineResponse> {
    const pipeline = createPipelineFromOptions(options);
    pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: "https://management.azure.com/.default" }));
    const request = createPipelineRequest({ url: `${emulator.ready.authorityHost}${path}`, method: "GET" });
    request.agent = emulator.httpsAgent;
    return pipeline.sendRequest(createDefaultHttpClient(), request);
  }

  async function logSince(seq: number): Promise<Array<{ status: number; time: string; faultId?: string; durationMs: number }>> {
    return (await emulator.admin.requests({ since: seq })).value;
  }

  it("429 with Retry-After: the SDK waits that long and retries", async () => {
    const fault = await emulator.admin.addFault({ kind: "status", status: 429, retryAfter: 1, method: "GET", path: "/subscriptions/*", count: 1 });
    const { lastSeq } = await emulator.admin.requests();
    const started = Date.now();
    const response = await sdkGet(`${subscriptionPath}?api-version=2022-12-01`);
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 950, "waited for Retry-After");
    const entries = await logSince(lastSeq);
    assert.deepEqual(entries.map((entry) => entry.status), [429, 200]);
    assert.equal(entries[0]?.faultId, fault.id);
    assert.ok(Date.parse(entries[1]?.time ?? "") - Date.parse(entries[0]?.time ?? "") >= 900);
    const full = await emulator.admin.requests({ since: lastSeq, full: true });
    assert.equal(full.value[0]?.responseHeaders["retry-after"], "1");
    assert.equal(JSON.parse(full.value[0]?.responseBody ?? "{}").error.code, "TooManyRequests");
    assert.equal((await emulator.admin.faults())[0]?.hits, 1);
  });

  it("500 and 503: retried with exponential backoff until the fault is spent", async () => {
    await emulator.admin.addFault({ kind: "status", status: 500, path: "/subscriptions/*", count: 2 });
    await emulator.admin.addFault({ kind: "status", status: 503, path: "/subscriptions/*", count: 1 });
    const { lastSeq } = await emulator.admin.requests();
    assert.equal((await sdkGet(`${subscriptionPath}?api-version=2022-12-01`)).status, 200);
    assert.deepEqual((await logSince(lastSeq)).map((entry) => entry.status), [500, 500, 503, 200]);
  });

  it("a fault that outlasts the retries reaches the caller with ARM's error body", async () => {
    await emulator.admin.addFault({ kind: "status", status: 503, code: "ServerBusy", message: "Try later.", path: "/subscriptions/*" });
    const response = await sdkGet(`${subscriptionPath}?api-version=2022-12-01`);
    assert.equal(response.status, 503);
    assert.deepEqual(JSON.parse(response.bodyAsText ?? "{}"), { error: { code: "ServerBusy", message: "Try later." } });
    assert.equal((await emulator.admin.faults())[0]?.hits, 4, "the first try and three retries");
  });

  it("connection reset: the SDK sees a network error and retries", async () => {
    await emulator.admin.addFault({ kind: "reset", path: "/subscriptions/*", count: 1 });
    const { lastSeq } = await emulator.admin.requests();
    assert.equal((await sdkGet(`${subscriptionPath}?api-version=2022-12-01`)).status, 200);
    assert.deepEqual((await logSince(lastSeq)).map((entry) => entry.status), [0, 200]);
  });

  it("connection reset without retries: the caller gets ECONNRESET", async () => {
    await emulator.admin.addFault({ kind: "reset", path: "/subscriptions/*" });
    await assert.rejects(sdkGet(`${subscriptionPath}?api-version=2022-12-01`, { retryOptions: { maxRetries: 0 } }), (error: { code?: string }) => error.code === "ECONNRESET" || /socket hang up/i.test(String(error)));
  });

  it("latency: adds the delay before the reply", async () => {
    await emulator.admin.addFault({ kind: "latency", ms: 400, method: "GET", path: "/subscriptions/**" });
    const { lastSeq } = await emulator.admin.requests();
    const started = Date.now();
    assert.equal((await sdkGet(`${subscriptionPath}?api-version=2022-12-01`)).status, 200);
    assert.ok(Date.now() - started >= 400);
    assert.ok(((await logSince(lastSeq))[0]?.durationMs ?? 0) >= 400);
  });

  it("matches by method, glob and regex; rate 0 never fires", async () => {
    await emulator.admin.addFault({ kind: "status", status: 500, method: "PUT", path: "/subscriptions/**" });
    await emulator.admin.addFault({ kind: "status", status: 500, path: "^/subscriptions/[^/]+/resourcegroups$" });
    await emulator.admin.addFault({ kind: "status", status: 500, path: "/subscriptions/*", rate: 0 });
    assert.equal((await sdkGet(`${subscriptionPath}?api-version=2022-12-01`)).status, 200);
    assert.equal((await sdkGet(`${subscriptionPath}/resourceGroups?api-version=2021-04-01`, { retryOptions: { maxRetries: 0 } })).status, 500, "case-insensitive regex");
  });

  it("a status fault on the token endpoint answers in Entra's shape", async () => {
    await emulator.admin.addFault({ kind: "status", status: 503, path: "/*/oauth2/v2.0/token", count: 1, retryAfter: 2 });
    const reply = await raw(emulator, "POST", `/${emulator.ready.tenantId}/oauth2/v2.0/token`, { body: "grant_type=client_credentials", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(reply.status, 503);
    assert.equal(reply.headers["retry-after"], "2");
    assert.equal((reply.body as { error: string }).error, "server_error");
    assert.equal((await secretToken(emulator)).token_type, "Bearer", "count 1: the next request gets through");
  });

  it("lroFailure and artifactFailure are accepted by the admin API and listed in state", async () => {
    await emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: "/subscriptions/**/virtualmachines/*", code: "AllocationFailed", message: "No capacity." });
    await emulator.admin.addFault({ kind: "artifactFailure", vm: "factory-*", artifact: "windows-sysprep", message: "Sysprep failed." });
    const state = await emulator.admin.state();
    assert.deepEqual(state.faults.map((fault) => fault.kind), ["lroFailure", "artifactFailure"]);
  });

  it("lroFailure: the long-running operation the SDK polls ends Failed with the injected error", async () => {
    const [subscriptionId] = emulator.ready.subscriptionIds;
    await emulator.admin.addFault({ kind: "lroFailure", method: "DELETE", path: "/subscriptions/*/resourcegroups/teams-east-rg", code: "ResourceGroupDeletionBlocked", message: "Deletion is blocked (injected)." });
    // The real ARM SDK in this process: its HTTP client only needs to trust the emulator's CA.
    const defaultClient = createDefaultHttpClient();
    const httpClient: HttpClient = {
      sendRequest: (request) => {
        request.agent = emulator.httpsAgent;
        return defaultClient.sendRequest(request);
      },
    };
    const client = new ResourceManagementClient(credential, subscriptionId ?? "", { endpoint: emulator.ready.armUrl, credentialScopes: ["https://management.azure.com/.default"], httpClient });
    await assert.rejects(
      client.resourceGroups.beginDeleteAndWait("teams-east-rg", { updateIntervalInMs: 10 }),
      (error: { code?: string; message?: string }) => error.code === "ResourceGroupDeletionBlocked" && /Deletion is blocked/.test(error.message ?? ""),
    );
    assert.equal((await emulator.admin.faults())[0]?.hits, 1);
    await emulator.admin.reset();
  });

  describe("ArmFaults as the ARM layer sees them", () => {
    it("lroFailure: by method and path, with count", () => {
      const store = new FaultStore();
      store.add({ kind: "lroFailure", method: "PUT", path: "/subscriptions/**/virtualmachines/*", code: "AllocationFailed", message: "No capacity.", count: 1 });
      const faults = store.armFaults();
      const vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l/virtualMachines/vm1";
      assert.equal(faults.lroFailure("DELETE", vm), undefined);
      assert.deepEqual(faults.lroFailure("PUT", vm), { code: "AllocationFailed", message: "No capacity." });
      assert.equal(faults.lroFailure("PUT", vm), undefined, "count spent");
    });

    it("artifactFailure: VM and artifact by id or name glob", () => {
      const store = new FaultStore();
      store.add({ kind: "artifactFailure", vm: "factory-*", artifact: "windows-sysprep", message: "Sysprep failed." });
      const faults = store.armFaults();
      const vm = "/subscriptions/s/resourcegroups/rg/providers/microsoft.devtestlab/labs/l/virtualmachines/factory-win2022";
      const artifact = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l/artifactSources/public repo/artifacts/windows-sysprep";
      assert.equal(faults.artifactFailure(vm, artifact), "Sysprep failed.");
      assert.equal(faults.artifactFailure(vm, artifact.replace("windows-sysprep", "linux-deprovision")), undefined);
      assert.equal(faults.artifactFailure(vm.replace("factory-win2022", "team-vm"), artifact), undefined);
    });
  });
});
