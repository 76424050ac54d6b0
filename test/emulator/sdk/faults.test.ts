// Every fault kind of the admin API, as an application using the official SDK clients sees it over HTTPS:
// @azure/arm-devtestlabs and @azure/arm-resources with a ClientSecretCredential, their own retry, bearer-token and
// LRO policies. What each assertion expects is what those SDKs do with Azure's answers (throttling with
// Retry-After, transient 5xx, dropped connections, slow replies, operations ending Failed, revoked and
// short-lived tokens) — the emulator's request log shows what went over the wire.
import assert from "node:assert/strict";
import type { DevTestLabsClient, LabVirtualMachineCreationParameter } from "@azure/arm-devtestlabs";
import type { ResourceManagementClient } from "@azure/arm-resources";
import { isRestError } from "@azure/core-rest-pipeline";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "../client";
import { ARM_SCOPE, armClients, collect, failure, secretCredential } from "./support";

const RG = "factory-rg";
const LAB = "FactoryLab";
const FAST = { updateIntervalInMs: 10 };
/** Exponential backoff in milliseconds instead of seconds; Retry-After is honoured as sent. */
const QUICK_RETRIES = { retryDelayInMs: 20, maxRetryDelayInMs: 100 };
const LINUX_VM: LabVirtualMachineCreationParameter = {
  location: "westeurope",
  size: "Standard_B2s",
  userName: "factory",
  password: "Factory-Passw0rd!",
  galleryImageReference: { offer: "0001-com-ubuntu-server-jammy", publisher: "Canonical", sku: "22_04-lts-gen2", osType: "Linux", version: "latest" },
};
const VM_PATH = `/subscriptions/*/resourceGroups/${RG}/providers/Microsoft.DevTestLab/labs/${LAB}/virtualmachines`;

describe("SDK clients against the running emulator: fault injection as the client sees it", function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let subscriptionId: string;
  let dtl: DevTestLabsClient;
  let resources: ResourceManagementClient;

  before(async () => {
    emulator = await startEmulator({ timeScale: 0 });
    subscriptionId = emulator.ready.subscriptionIds[0] ?? "";
    ({ dtl, resources } = armClients(emulator, secretCredential(emulator), subscriptionId, { retryOptions: QUICK_RETRIES }));
    await dtl.labs.get(RG, LAB); // a token in the credential's cache
  });

  after(async () => {
    await emulator?.stop();
  });

  afterEach(async () => {
    await emulator.admin.clearFaults();
  });

  async function mark(): Promise<number> {
    return (await emulator.admin.requests()).lastSeq;
  }

  async function logSince(seq: number, filter: (entry: RequestLogEntry) => boolean = () => true): Promise<RequestLogEntry[]> {
    return (await emulator.admin.requests({ since: seq })).value.filter(filter);
  }

  const isVmPut = (name: string) => (entry: RequestLogEntry): boolean => entry.method === "PUT" && entry.path.toLowerCase().endsWith(`/virtualmachines/${name}`);

  describe("status faults", () => {
    it("429 with Retry-After on a VM create: the SDK waits the time ARM asked for, retries, and the create completes", async () => {
      const fault = await emulator.admin.addFault({ kind: "status", status: 429, retryAfter: 1, method: "PUT", path: `${VM_PATH}/throttled`, count: 1 });
      const since = await mark();
      const vm = await dtl.virtualMachines.beginCreateOrUpdateAndWait(RG, LAB, "throttled", LINUX_VM, FAST);
      assert.equal(vm.provisioningState, "Succeeded");
      const puts = await logSince(since, isVmPut("throttled"));
      assert.deepEqual(puts.map((entry) => entry.status), [429, 201]);
      assert.equal(puts[0]?.faultId, fault.id);
      assert.ok(Date.parse(puts[1]?.time ?? "") - Date.parse(puts[0]?.time ?? "") >= 900, "the retry came after Retry-After: 1");
      const [throttled] = (await emulator.admin.requests({ since, full: true })).value.filter(isVmPut("throttled"));
      assert.equal(throttled?.responseHeaders["retry-after"], "1");
      assert.equal(JSON.parse(throttled?.responseBody ?? "{}").error.code, "TooManyRequests");
    });

    it("throttling that outlasts the retries reaches the caller as a RestError 429 TooManyRequests", async () => {
      await emulator.admin.addFault({ kind: "status", status: 429, retryAfter: 0, method: "GET", path: `/subscriptions/*/resourceGroups/${RG}/providers/Microsoft.DevTestLab/labs/${LAB}` });
      const since = await mark();
      const error = await failure(() => dtl.labs.get(RG, LAB));
      assert.ok(isRestError(error), `a RestError, not ${error.name}`);
      assert.equal(error.statusCode, 429);
      assert.equal(error.code, "TooManyRequests");
      assert.match(error.message, /throttled/);
      assert.equal(error.response?.headers.get("retry-after"), "0");
      assert.deepEqual((await logSince(since, (entry) => entry.route === "arm")).map((entry) => entry.status), [429, 429, 429, 429], "the first try and the SDK's three retries");
    });

    it("500 and 503 are retried with exponential backoff until the service answers", async () => {
      await emulator.admin.addFault({ kind: "status", status: 500, method: "GET", path: `${VM_PATH}`, count: 2 });
      await emulator.admin.addFault({ kind: "status", status: 503, method: "GET", path: `${VM_PATH}`, count: 1 });
      const since = await mark();
      const vms = await collect(dtl.virtualMachines.list(RG, LAB));
      assert.ok(vms.some((vm) => vm.name === "throttled"));
      assert.deepEqual((await logSince(since, (entry) => entry.route === "arm")).map((entry) => entry.status), [500, 500, 503, 200]);
    });

    it("503 with Retry-After on a POST action: waited for, retried, the action completes", async () => {
      await emulator.admin.addFault({ kind: "status", status: 503, retryAfter: 1, method: "POST", path: `${VM_PATH}/throttled/stop`, count: 1 });
      const since = await mark();
      await dtl.virtualMachines.beginStopAndWait(RG, LAB, "throttled", FAST);
      assert.equal((await dtl.virtualMachines.get(RG, LAB, "throttled")).lastKnownPowerState, "Stopped");
      const posts = await logSince(since, (entry) => entry.method === "POST");
      assert.deepEqual(posts.map((entry) => entry.status), [503, 202]);
      assert.ok(Date.parse(posts[1]?.time ?? "") - Date.parse(posts[0]?.time ?? "") >= 900);
    });

    it("5xx on the operation status the poller follows: the poller retries and still finishes", async () => {
      await emulator.admin.addFault({ kind: "status", status: 500, method: "GET", path: "/subscriptions/*/providers/Microsoft.DevTestLab/locations/*/operations/*", count: 2 });
      const since = await mark();
      const vm = await dtl.virtualMachines.beginCreateOrUpdateAndWait(RG, LAB, "flaky-poll", LINUX_VM, FAST);
      assert.equal(vm.provisioningState, "Succeeded");
      const polls = await logSince(since, (entry) => /\/operations\//i.test(entry.path));
      assert.deepEqual(polls.slice(0, 2).map((entry) => entry.status), [500, 500]);
      assert.ok(polls.slice(2).every((entry) => entry.status === 200) && polls.length > 2);
    });

    it("a status fault on Entra's token endpoint: @azure/identity's client retries after Retry-After", async () => {
      await emulator.admin.addFault({ kind: "status", status: 503, retryAfter: 1, path: "/*/oauth2/v2.0/token", count: 1 });
      const since = await mark();
      const token = await secretCredential(emulator).getToken(ARM_SCOPE);
      assert.ok(token?.token);
      assert.deepEqual((await logSince(since, (entry) => entry.route === "token")).map((entry) => entry.status), [503, 200]);
    });
  });

  describe("connection reset and latency", () => {
    it("a connection reset on a VM create is a network error the SDK retries; the VM is created once", async () => {
      await emulator.admin.addFault({ kind: "reset", method: "PUT", path: `${VM_PATH}/reset-once`, count: 1 });
      const since = await mark();
      const vm = await dtl.virtualMachines.beginCreateOrUpdateAndWait(RG, LAB, "reset-once", LINUX_VM, FAST);
      assert.equal(vm.provisioningState, "Succeeded");
      assert.deepEqual((await logSince(since, isVmPut("reset-once"))).map((entry) => entry.status), [0, 201], "0: the connection was dropped");
      assert.equal((await collect(dtl.virtualMachines.list(RG, LAB, { filter: "name eq 'reset-once'" }))).length, 1);
    });

    it("resets on every try: the caller gets the network error once the retries are spent", async () => {
      await emulator.admin.addFault({ kind: "reset", method: "GET", path: `${VM_PATH}/reset-once` });
      const error = await failure(() => dtl.virtualMachines.get(RG, LAB, "reset-once"));
      assert.ok(error.code === "ECONNRESET" || /socket hang up/i.test(error.message), `${error.code}: ${error.message}`);
      assert.equal((await emulator.admin.faults())[0]?.hits, 4, "the first try and three retries");
    });

    it("added latency delays the reply by at least that much; the call still succeeds", async () => {
      await emulator.admin.addFault({ kind: "latency", ms: 300, method: "GET", path: `${VM_PATH}/reset-once` });
      const since = await mark();
      const started = performance.now();
      const vm = await dtl.virtualMachines.get(RG, LAB, "reset-once");
      assert.equal(vm.name, "reset-once");
      assert.ok(performance.now() - started >= 300);
      const [entry] = await logSince(since, (logged) => logged.route === "arm");
      assert.equal(entry?.status, 200);
      assert.ok((entry?.durationMs ?? 0) >= 300, `logged ${entry?.durationMs} ms`);
    });
  });

  describe("long-running operations ending Failed", () => {
    it("a lab VM create (PUT 201 + Azure-AsyncOperation) ends Failed: the poller rejects naming ARM's code and message; the VM is Failed", async () => {
      await emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: `${VM_PATH}/no-capacity`, code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity for the requested VM size in this region." });
      const error = await failure(() => dtl.virtualMachines.beginCreateOrUpdateAndWait(RG, LAB, "no-capacity", LINUX_VM, FAST));
      // core-lro 2.x reads the Failed status body (HTTP 200) and throws an Error carrying its code and message.
      assert.equal(error.message, "The long-running operation has failed. AllocationFailed. Allocation failed. We do not have sufficient capacity for the requested VM size in this region.");
      assert.equal(isRestError(error), false, "the status GET itself answered 200");
      assert.equal((await dtl.virtualMachines.get(RG, LAB, "no-capacity")).provisioningState, "Failed");
    });

    it("a failed lab VM delete (202): the poller rejects and the VM is still there", async () => {
      await emulator.admin.addFault({ kind: "lroFailure", method: "DELETE", path: `${VM_PATH}/reset-once`, code: "VmDeleteFailed", message: "The VM could not be deleted." });
      const error = await failure(() => dtl.virtualMachines.beginDeleteAndWait(RG, LAB, "reset-once", FAST));
      assert.match(error.message, /VmDeleteFailed\. The VM could not be deleted\./);
      assert.equal((await dtl.virtualMachines.get(RG, LAB, "reset-once")).provisioningState, "Succeeded");
    });

    it("a deployment whose operation fails: rejected with the deployment's error; the deployment reads Failed", async () => {
      await emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: `/subscriptions/*/resourcegroups/${RG}/providers/Microsoft.Resources/deployments/doomed`, code: "DeploymentFailed", message: "At least one resource deployment operation failed." });
      const template = { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: [] };
      const error = await failure(() => resources.deployments.beginCreateOrUpdateAndWait(RG, "doomed", { properties: { mode: "Incremental", template } }, FAST));
      assert.equal(error.message, "The long-running operation has failed. DeploymentFailed. At least one resource deployment operation failed.");
      const deployment = await resources.deployments.get(RG, "doomed");
      assert.equal(deployment.properties?.provisioningState, "Failed");
      assert.equal(deployment.properties?.error?.code, "DeploymentFailed");
    });

    it("a resource group delete (202 + Location only) that fails: a RestError with ARM's code from the Location poll", async () => {
      await emulator.admin.addFault({ kind: "lroFailure", method: "DELETE", path: "/subscriptions/*/resourcegroups/teams-east-rg", code: "ResourceGroupDeletionBlocked", message: "Deletion of resource group 'teams-east-rg' is blocked." });
      const error = await failure(() => resources.resourceGroups.beginDeleteAndWait("teams-east-rg", FAST));
      assert.ok(isRestError(error), `a RestError, not ${error.name}`);
      assert.equal(error.code, "ResourceGroupDeletionBlocked");
      assert.match(error.message, /is blocked/);
      assert.equal((await resources.resourceGroups.checkExistence("teams-east-rg")).body, true);
    });

    it("artifactFailure: the apply operation succeeds (as DTL does) but the artifact and the VM's deployment status say Failed", async () => {
      await emulator.admin.addFault({ kind: "artifactFailure", vm: "flaky-poll", artifact: "linux-deprovision", message: "waagent -deprovision exited with code 1." });
      const lab = await dtl.labs.get(RG, LAB);
      await dtl.virtualMachines.beginApplyArtifactsAndWait(RG, LAB, "flaky-poll", { artifacts: [{ artifactId: `${lab.id ?? ""}/artifactSources/Public Repo/artifacts/linux-deprovision` }] }, FAST);
      const vm = await dtl.virtualMachines.get(RG, LAB, "flaky-poll", { expand: "properties($expand=artifacts)" });
      assert.equal(vm.artifactDeploymentStatus?.deploymentStatus, "Failed");
      assert.equal(vm.artifacts?.[0]?.status, "Failed");
      assert.match(vm.artifacts?.[0]?.deploymentStatusMessage ?? "", /waagent -deprovision exited with code 1/);
    });
  });

  describe("token expiry", () => {
    it("expireNow: the cached token is refused with 401 ExpiredAuthenticationToken (not retried); a fresh token works", async () => {
      await dtl.labs.get(RG, LAB);
      await emulator.admin.addFault({ kind: "tokenExpiry", clientId: emulator.ready.clientId });
      const since = await mark();
      const error = await failure(() => dtl.labs.get(RG, LAB));
      assert.ok(isRestError(error));
      assert.equal(error.statusCode, 401);
      assert.equal(error.code, "ExpiredAuthenticationToken");
      assert.match(error.message, /^The access token expiry UTC time '.+' is earlier than current UTC time '.+'\.$/);
      assert.match(error.response?.headers.get("www-authenticate") ?? "", /^Bearer authorization_uri=".+", error="invalid_token", error_description="The access token has expired\."$/);
      const afterRefusal = await logSince(since);
      assert.deepEqual(afterRefusal.map((entry) => `${entry.route} ${entry.status}`), ["arm 401"], "no CAE claims in the challenge: the SDK neither retries nor fetches a token");

      // The application signs in again: a new credential has no cached token, gets a fresh one, and is let in.
      const fresh = armClients(emulator, secretCredential(emulator), subscriptionId).dtl;
      assert.equal((await fresh.labs.get(RG, LAB)).name, LAB);
      const signIn = (await logSince(since)).slice(1).filter((entry) => entry.route !== "discovery");
      assert.deepEqual(signIn.map((entry) => `${entry.route} ${entry.status}`), ["token 200", "arm 200"]);
      // The old client still holds the revoked token.
      assert.equal((await failure(() => dtl.labs.get(RG, LAB))).code, "ExpiredAuthenticationToken");
      ({ dtl } = armClients(emulator, secretCredential(emulator), subscriptionId, { retryOptions: QUICK_RETRIES }));
    });

    it("shortLifetime: the SDK renews a token before it lapses, so ARM never sees an expired one", async () => {
      await emulator.admin.addFault({ kind: "tokenExpiry", mode: "shortLifetime", lifetimeSeconds: 2, clientId: emulator.ready.clientId });
      const short = armClients(emulator, secretCredential(emulator), subscriptionId).dtl;
      const since = await mark();
      assert.equal((await short.labs.get(RG, LAB)).name, LAB);
      await new Promise((resolve) => setTimeout(resolve, 2200));
      assert.equal((await short.labs.get(RG, LAB)).name, LAB);
      const log = await logSince(since);
      assert.ok(log.filter((entry) => entry.route === "token").length >= 2, "a new token for the second call");
      assert.deepEqual(log.filter((entry) => entry.route === "arm").map((entry) => entry.status), [200, 200]);
    });
  });

  describe("afterwards", () => {
    it("every 5xx and reset in the log came from a fault rule", async () => {
      const log = (await emulator.admin.requests()).value;
      assert.ok(log.some((entry) => entry.faultId), "faults fired");
      const unexplained = log.filter((entry) => (entry.status >= 500 || entry.status === 0) && !entry.faultId);
      assert.deepEqual(unexplained, []);
    });
  });
});
