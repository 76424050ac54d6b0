// Hundreds of concurrent operations against one emulator: 250 lab VMs created at once by direct PUT through
// @azure/arm-devtestlabs (every poller awaited), then listed with paging and deleted at once. One client and one
// credential, as a task has. All must succeed with no server error, and ARM's per-principal write budget headers
// must count every write once. Speed is measured by `npm run bench`, not asserted here.
import assert from "node:assert/strict";
import type { DevTestLabsClient } from "@azure/arm-devtestlabs";
import { startEmulator, type RunningEmulator } from "../client";
import { armClients, collect, createVmsConcurrently, secretCredential } from "./support";

const RG = "factory-rg";
const LAB = "FactoryLab";
const COUNT = 250;
/** ARM's writes budget per principal and subscription (server/rate-limits.ts): 250 creates fit in it. */
const WRITES_BUDGET = 400;
/** At time scale 0 the work is done at once; the emulator holds a poll up to 200 ms while it finishes. */
const POLL = { updateIntervalInMs: 50 };

describe("SDK clients against the running emulator: 250 concurrent lab VM creates", function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let dtl: DevTestLabsClient;
  let since = 0;
  const names = Array.from({ length: COUNT }, (_, index) => `load-${String(index).padStart(4, "0")}`);

  before(async () => {
    emulator = await startEmulator({ timeScale: 0 });
    // The SDK's default retry policies: a 429 would be waited out as Azure asks.
    ({ dtl } = armClients(emulator, secretCredential(emulator), emulator.ready.subscriptionIds[0] ?? ""));
    await dtl.labs.get(RG, LAB); // sign in once; every create below shares the cached token
    since = (await emulator.admin.requests()).lastSeq;
  });

  after(async () => {
    await emulator?.stop();
  });

  it(`creates ${COUNT} VMs at once: every poller resolves with the VM, Succeeded`, async () => {
    const result = await createVmsConcurrently(dtl, { resourceGroup: RG, lab: LAB, prefix: "load-", count: COUNT, ...POLL });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.vms.map((vm) => vm.name), names);
    assert.ok(result.vms.every((vm) => vm.provisioningState === "Succeeded" && vm.osType === "Linux"));
    assert.equal(new Set(result.vms.map((vm) => vm.id?.toLowerCase())).size, COUNT, "distinct resources");
  });

  it("every VM exists afterwards: the paged list returns all of them", async () => {
    const listed = await collect(dtl.virtualMachines.list(RG, LAB));
    assert.deepEqual(listed.map((vm) => vm.name).sort(), names);
    assert.ok(listed.every((vm) => vm.provisioningState === "Succeeded"));
    const pages = (await emulator.admin.requests({ since })).value.filter((entry) => entry.method === "GET" && /\/virtualmachines$/i.test(entry.path));
    assert.ok(pages.length >= COUNT / 5, `followed nextLink over ${pages.length} pages`);
    assert.ok(pages.slice(1).every((entry) => entry.query.$skipToken !== undefined || entry.query.$skiptoken !== undefined), "pages after the first come from nextLink");
  });

  it("the request log: one 201 per create, no 5xx, no reset, no new sign-in; the writes budget counted each PUT once", async () => {
    const log = (await emulator.admin.requests({ since, full: true })).value;
    const puts = log.filter((entry) => entry.method === "PUT");
    assert.equal(puts.length, COUNT);
    assert.ok(puts.every((entry) => entry.status === 201), "no PUT was throttled or failed");
    assert.deepEqual(log.filter((entry) => entry.status >= 500 || entry.status === 0).map((entry) => `${entry.method} ${entry.path} ${entry.status}`), []);
    assert.equal(log.filter((entry) => entry.route === "token").length, 0, "the token was shared");
    const remaining = puts.map((entry) => Number(entry.responseHeaders["x-ms-ratelimit-remaining-subscription-writes"])).sort((a, b) => a - b);
    assert.deepEqual(remaining, Array.from({ length: COUNT }, (_, index) => WRITES_BUDGET - COUNT + index));
  });

  it(`deletes the ${COUNT} VMs at once; the lab is empty`, async () => {
    const settled = await Promise.allSettled(names.map((name) => dtl.virtualMachines.beginDeleteAndWait(RG, LAB, name, POLL)));
    assert.deepEqual(settled.filter((outcome) => outcome.status === "rejected"), []);
    assert.deepEqual(await collect(dtl.virtualMachines.list(RG, LAB)), []);
    const log = (await emulator.admin.requests({ since })).value;
    assert.ok(log.filter((entry) => entry.method === "DELETE").every((entry) => entry.status === 202));
    assert.deepEqual(log.filter((entry) => entry.status >= 500 || entry.status === 0), []);
  });
});
