// The collector against a real emulator (its request log, over HTTPS with the emulator's CA), and the closing
// test's rules: what it validates, when an empty collection passes, and that a violation fails it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator/client";
import { openArmSession } from "../emulator/replay/http";
import { loadRecording, recordingsDir } from "../emulator/replay/recordings";
import { readTraffic, saveTraffic } from "./collect";
import { trafficFileFormat, type TrafficEntry, type TrafficFile } from "./entry";
import { exchangeAsEntry } from "./recorded-traffic";
import { checkCollectedTraffic } from "./suite-check";
import { validateTraffic } from "./validate";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "traffic-test-"));
}

describe("saveTraffic collects an emulator's request log", function () {
  this.timeout(120000);
  let emulator: RunningEmulator | undefined;
  const dir = tempDir();

  before(async function () {
    emulator = await startEmulator({ timeScale: 0 });
  });

  after(async function () {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes the full log once, and the emulator's answers pass the swagger", async function () {
    if (emulator === undefined) throw new Error("the emulator did not start");
    const { ready } = emulator;
    const session = await openArmSession(emulator.httpsAgent, ready);
    const lab = `/subscriptions/${ready.subscriptionIds[0] ?? ""}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab`;
    assert.equal((await session.send("GET", `${lab}?api-version=2018-09-15`)).status, 200);
    assert.equal((await session.send("GET", `${lab}/virtualmachines?api-version=2018-09-15`)).status, 200);
    assert.equal((await session.send("GET", `${lab}/virtualmachines/no-such-vm?api-version=2018-09-15`)).status, 404);

    const file = await saveTraffic(ready.adminUrl, dir, { caCertPath: ready.caCertPath });
    assert.ok(file !== undefined, "nothing was saved");
    assert.equal(await saveTraffic(ready.adminUrl, dir, { caCertPath: ready.caCertPath }), undefined, "the same entries were saved twice");

    const collected = readTraffic(dir);
    assert.equal(collected.files.length, 1);
    const traffic = collected.files[0]?.traffic;
    const routes = new Set(traffic?.entries.map((entry) => entry.route));
    assert.ok(routes.has("token") && routes.has("arm"), `routes: ${[...routes].join(", ")}`);
    assert.ok(traffic?.entries.every((entry) => entry.requestHeaders !== undefined && entry.responseHeaders !== undefined));
    const text = JSON.stringify(traffic);
    assert.ok(!text.includes(ready.clientSecret), "the client secret of the sign-in was saved");
    assert.ok(!/Bearer ey/.test(text), "a bearer token was saved");
    assert.ok(traffic?.entries.some((entry) => entry.route === "arm" && entry.responseBody !== undefined), "ARM bodies are kept");

    const report = await validateTraffic([{ name: "emulator", entries: traffic?.entries ?? [] }]);
    assert.equal(report.violations.length, 0, JSON.stringify(report.violations, null, 2));
    assert.ok(report.operations["Labs_Get [microsoft.devtestlab 2018-09-15]"] === 1);
    assert.ok(report.operations["VirtualMachines_Get [microsoft.devtestlab 2018-09-15]"] === 1, "the 404 was validated against the error schema");
    assert.ok(report.skipped.some((group) => group.group === "route token"));
  });
});

describe("the closing traffic check", function () {
  this.timeout(60000);
  const recorded = loadRecording(join(recordingsDir, "azure-cli-test_lab_custom_image.yaml"));
  const vmGet = exchangeAsEntry(recorded.exchanges[0] ?? assert.fail("no exchange 0"));

  function write(dir: string, entries: TrafficEntry[], writerPid = process.pid): void {
    const file: TrafficFile = { format: trafficFileFormat, source: "test", savedAt: new Date().toISOString(), writerPid, droppedEntries: 0, entries };
    writeFileSync(join(dir, `traffic-${writerPid}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}.json`), JSON.stringify(file));
  }

  it("passes an empty collection, unless traffic is required", async function () {
    const dir = tempDir();
    try {
      assert.equal((await checkCollectedTraffic({ dir, allRuns: false, requireTraffic: false })).ok, true);
      const required = await checkCollectedTraffic({ dir, allRuns: false, requireTraffic: true });
      assert.equal(required.ok, false);
      assert.match(required.message, /REQUIRE_TRAFFIC=1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails on a violation and names it", async function () {
    const dir = tempDir();
    try {
      write(dir, [vmGet, { ...vmGet, status: 202 }]);
      const verdict = await checkCollectedTraffic({ dir, allRuns: false, requireTraffic: true });
      assert.equal(verdict.ok, false);
      assert.match(verdict.message, /1 swagger violation/);
      assert.match(verdict.message, /VirtualMachines_Get .*\n.*INVALID_RESPONSE_CODE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("validates only this run's files unless told to take all", async function () {
    const dir = tempDir();
    try {
      write(dir, [{ ...vmGet, status: 202 }], 999999999);
      const own = await checkCollectedTraffic({ dir, allRuns: false, requireTraffic: false });
      assert.equal(own.ok, true);
      assert.match(own.message, /1 file\(s\) of other runs ignored/);
      assert.equal((await checkCollectedTraffic({ dir, allRuns: true, requireTraffic: false })).ok, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
