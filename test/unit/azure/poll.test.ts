// Waiting for long-running operations: cancellation stops the poller, the timeout is measured in real elapsed time
// (also past an hour), progress is reported, failures become readable errors. A fake poller stands in for
// core-lro's, and one test drives the real SDK poller over an in-memory HTTP client.
import { strict as assert } from "node:assert";
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import sinon from "sinon";
import { AzureOperationError } from "../../../src/errors";
import { createAzureClients } from "../../../src/azure/clients";
import type { AzureConnection } from "../../../src/azure/connection";
import { DEFAULT_POLL_INTERVAL_MS, formatDuration, runOperation, waitForOperation, type LroStartOptions, type OperationPoller } from "../../../src/azure/poll";
import { CancelledError } from "../../../src/steps/cancelled";
import { FakeAzure } from "./fake-http";

/** Behaves like core-lro 2.x: pollUntilDone ignores its abortSignal; stopPolling rejects the pending wait. */
class FakePoller<T> implements OperationPoller<T> {
  readonly waits: { abortSignal?: unknown }[] = [];
  stopCalls = 0;
  private stopped = false;
  private done = false;
  private settle?: { resolve: (value: T) => void; reject: (error: unknown) => void };
  private readonly promise: Promise<T>;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // As core-lro does: a stopped poller nobody waits on must not be an unhandled rejection.
    this.promise.catch(() => undefined);
  }

  pollUntilDone(options?: { abortSignal?: unknown }): Promise<T> {
    this.waits.push(options ?? {});
    return this.promise;
  }
  stopPolling(): void {
    this.stopCalls += 1;
    if (this.stopped) return;
    this.stopped = true;
    const error = new Error("This poller is already stopped");
    error.name = "PollerStoppedError";
    this.settle?.reject(error);
  }
  isStopped(): boolean {
    return this.stopped;
  }
  isDone(): boolean {
    return this.done;
  }
  complete(value: T): void {
    this.done = true;
    this.settle?.resolve(value);
  }
  fail(error: unknown): void {
    this.done = true;
    this.settle?.reject(error);
  }
}

const WHAT = "Creating VM 'web01' in lab 'factory'";
const RESOURCE = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/factory/virtualmachines/web01";

function isCancelled(error: unknown): boolean {
  return error instanceof CancelledError && error.name === "AbortError" && /Creating VM 'web01' in lab 'factory' was cancelled/.test(error.message);
}

describe("azure/poll", () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  describe("waitForOperation", () => {
    it("resolves with the operation's result and gives the poller the job's signal", async () => {
      const poller = new FakePoller<string>();
      const controller = new AbortController();
      const wait = waitForOperation(poller, { signal: controller.signal, timeoutMs: 60_000, what: WHAT });
      poller.complete("vm");
      assert.equal(await wait, "vm");
      assert.equal(poller.waits[0]?.abortSignal, controller.signal);
      assert.equal(poller.stopCalls, 0);
    });

    it("stops the poller and rejects as cancelled when the job is cancelled", async () => {
      const poller = new FakePoller<string>();
      const controller = new AbortController();
      const wait = waitForOperation(poller, { signal: controller.signal, timeoutMs: 60_000, what: WHAT });
      controller.abort(new Error("SIGINT"));
      await assert.rejects(wait, isCancelled);
      assert.equal(poller.isStopped(), true, "core-lro 2.x would keep polling without stopPolling()");
    });

    it("does not start waiting when the job is already cancelled", async () => {
      const poller = new FakePoller<string>();
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(waitForOperation(poller, { signal: controller.signal, timeoutMs: 60_000, what: WHAT }), isCancelled);
      assert.equal(poller.isStopped(), true);
      assert.equal(poller.waits.length, 0);
    });

    it("times out with a message that says what, after how long, and what to do", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
      const poller = new FakePoller<string>();
      const wait = waitForOperation(poller, { signal: new AbortController().signal, timeoutMs: 30 * 60_000, what: WHAT, resource: RESOURCE });
      const outcome = wait.then(
        () => undefined,
        (error: unknown) => error,
      );
      await clock.tickAsync(30 * 60_000);
      const error = await outcome;
      assert.ok(error instanceof AzureOperationError);
      assert.equal(error.code, "OperationTimedOut");
      assert.match(error.message, /^Creating VM 'web01' in lab 'factory' failed on \/subscriptions\/.*web01: it did not finish within 30 min \(the timeout\)\. It may still be running in Azure: check it, then re-run or raise the timeout\.$/);
      assert.equal(poller.isStopped(), true);
    });

    it("waits the full time for timeouts past an hour (Microsoft's task used Date#getMinutes and never expired)", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "Date"] });
      const poller = new FakePoller<string>();
      let settled = false;
      const wait = waitForOperation(poller, { signal: new AbortController().signal, timeoutMs: 90 * 60_000, what: WHAT }).finally(() => {
        settled = true;
      });
      const outcome = wait.then(
        () => undefined,
        (error: unknown) => error,
      );
      await clock.tickAsync(60 * 60_000);
      assert.equal(settled, false, "still waiting at 60 min");
      await clock.tickAsync(29 * 60_000);
      assert.equal(settled, false, "still waiting at 89 min");
      await clock.tickAsync(60_000);
      const error = await outcome;
      assert.ok(error instanceof AzureOperationError && /within 90 min/.test(error.message));
    });

    it("reports progress every interval with the time waited, and survives a failing callback", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
      const poller = new FakePoller<string>();
      const seen: number[] = [];
      const wait = waitForOperation(poller, {
        signal: new AbortController().signal,
        timeoutMs: 60 * 60_000,
        what: WHAT,
        pollIntervalMs: 10_000,
        onProgress: (elapsed) => {
          seen.push(elapsed);
          if (seen.length === 2) throw new Error("progress display broke");
        },
      });
      await clock.tickAsync(35_000);
      poller.complete("done");
      assert.equal(await wait, "done");
      assert.deepEqual(seen, [10_000, 20_000, 30_000]);
      await clock.tickAsync(60_000);
      assert.equal(seen.length, 3, "no progress after the end");
    });

    it("turns a failed operation into an AzureOperationError with Azure's code, neutralised", async () => {
      const poller = new FakePoller<string>();
      const wait = waitForOperation(poller, { signal: new AbortController().signal, timeoutMs: 60_000, what: WHAT, resource: "web01" });
      poller.fail(new Error("The long-running operation has failed. VmProvisioningFailed. Disk full\n##vso[task.setvariable variable=x]pwned"));
      await assert.rejects(wait, (error: unknown) => {
        assert.ok(error instanceof AzureOperationError);
        assert.equal(error.code, "VmProvisioningFailed");
        assert.match(error.message, /^Creating VM 'web01' in lab 'factory' failed on web01: Disk full ##vso_\[task\.setvariable/);
        assert.ok(!error.message.includes("##vso["));
        assert.ok(!error.message.includes("\n"));
        return true;
      });
    });

    it("turns an HTTP error while polling into an AzureOperationError", async () => {
      const poller = new FakePoller<string>();
      const wait = waitForOperation(poller, { signal: new AbortController().signal, timeoutMs: 60_000, what: WHAT });
      const request = createPipelineRequest({ url: "https://127.0.0.1/x", body: '{"password":"Hunter2!"}' });
      poller.fail(
        new RestError("Conflict", {
          statusCode: 409,
          request,
          response: { status: 409, headers: createHttpHeaders(), request, bodyAsText: '{"error":{"code":"Conflict","message":"The VM is busy."}}' },
        }),
      );
      await assert.rejects(wait, (error: unknown) => error instanceof AzureOperationError && error.code === "Conflict" && /The VM is busy\. \(HTTP 409\)/.test(error.message) && !error.message.includes("Hunter2"));
    });

    it("rejects a timeout that is not positive", async () => {
      await assert.rejects(waitForOperation(new FakePoller<string>(), { signal: new AbortController().signal, timeoutMs: 0, what: WHAT }), RangeError);
    });
  });

  describe("runOperation", () => {
    it("gives the begin… call the job's signal and the polling interval, then waits", async () => {
      const controller = new AbortController();
      const poller = new FakePoller<string>();
      let given: LroStartOptions | undefined;
      const run = runOperation(
        async (lro) => {
          given = lro;
          return poller;
        },
        { signal: controller.signal, timeoutMs: 60_000, what: WHAT, pollIntervalMs: 250 },
      );
      await new Promise((resolve) => setImmediate(resolve));
      poller.complete("created");
      assert.equal(await run, "created");
      assert.equal(given?.updateIntervalInMs, 250);
      assert.equal(given?.abortSignal.aborted, false);
      controller.abort();
      assert.equal(given?.abortSignal.aborted, true, "the SDK's signal follows the job's");
    });

    it("uses the default interval when none is given", async () => {
      let given: LroStartOptions | undefined;
      const poller = new FakePoller<number>();
      poller.complete(1);
      await runOperation(
        async (lro) => {
          given = lro;
          return poller;
        },
        { signal: new AbortController().signal, timeoutMs: 60_000, what: WHAT },
      );
      assert.equal(given?.updateIntervalInMs, DEFAULT_POLL_INTERVAL_MS);
    });

    it("reports a cancel during the first request as cancelled", async () => {
      const controller = new AbortController();
      const run = runOperation(
        (lro) =>
          new Promise<OperationPoller<string>>((_, reject) => {
            lro.abortSignal.addEventListener("abort", () => reject(Object.assign(new Error("The operation was aborted."), { name: "AbortError" })));
          }),
        { signal: controller.signal, timeoutMs: 60_000, what: WHAT },
      );
      controller.abort();
      await assert.rejects(run, isCancelled);
    });

    it("times out a first request that hangs", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
      const run = runOperation(
        (lro) =>
          new Promise<OperationPoller<string>>((_, reject) => {
            lro.abortSignal.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })));
          }),
        { signal: new AbortController().signal, timeoutMs: 5 * 60_000, what: WHAT },
      );
      const outcome = run.then(
        () => undefined,
        (error: unknown) => error,
      );
      await clock.tickAsync(5 * 60_000);
      const error = await outcome;
      assert.ok(error instanceof AzureOperationError && error.code === "OperationTimedOut" && /within 5 min/.test(error.message));
    });

    it("turns a rejected first request into an AzureOperationError", async () => {
      const request = createPipelineRequest({ url: "https://127.0.0.1/x" });
      const run = runOperation(
        async () => {
          throw new RestError("bad", {
            statusCode: 400,
            request,
            response: { status: 400, headers: createHttpHeaders(), request, bodyAsText: '{"error":{"code":"InvalidParameter","message":"Size is not allowed."}}' },
          });
        },
        { signal: new AbortController().signal, timeoutMs: 60_000, what: WHAT, resource: "web01" },
      );
      await assert.rejects(run, (error: unknown) => error instanceof AzureOperationError && error.code === "InvalidParameter" && /Size is not allowed/.test(error.message));
    });

    it("stops a real SDK poller on cancel: no status request after the cancel", async () => {
      const connection: AzureConnection = {
        id: "9d3f1a52-0c5e-4d2b-8a7e-2f4b6c8d0e13",
        scheme: "ServicePrincipal",
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        clientId: "0b5c1f8e-3d4a-4c7b-9e2f-6a8d1c3e5f70",
        clientSecret: "secret",
        subscriptionId: "11111111-2222-3333-4444-555555555555",
        armUrl: "https://127.0.0.1:8443/",
        authorityHost: "https://127.0.0.1:8443",
        audience: "https://management.core.windows.net/",
      };
      const operation = "https://127.0.0.1:8443/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.DevTestLab/locations/westeurope/operations/op1";
      const fake = new FakeAzure().route((request) => {
        if (request.method === "DELETE") return { status: 202, headers: { "azure-asyncoperation": `${operation}?api-version=2018-09-15`, location: `${operation}?api-version=2018-09-15` } };
        if (request.url.pathname.endsWith("/operations/op1")) return { status: 200, body: { status: "Running" } };
        return undefined;
      });
      const clients = createAzureClients(connection, { httpClient: fake });
      const controller = new AbortController();
      const run = runOperation((lro) => clients.devTestLabs().virtualMachines.beginDelete("rg", "factory", "web01", lro), {
        signal: controller.signal,
        timeoutMs: 60_000,
        what: "Deleting VM 'web01'",
        pollIntervalMs: 5,
      });
      while (fake.to(/\/operations\/op1$/).length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await assert.rejects(run, (error: unknown) => error instanceof CancelledError && /Deleting VM 'web01' was cancelled/.test(error.message));
      const pollsAtCancel = fake.to(/\/operations\/op1$/).length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(fake.to(/\/operations\/op1$/).length, pollsAtCancel, "polling stopped with the cancel");
    });
  });

  it("formats durations for people", () => {
    assert.equal(formatDuration(1500), "1.5 s");
    assert.equal(formatDuration(45_000), "45 s");
    assert.equal(formatDuration(30 * 60_000), "30 min");
    assert.equal(formatDuration(90 * 60_000), "90 min");
    assert.equal(formatDuration(125 * 60_000), "2 h 5 min");
    assert.equal(formatDuration(4 * 3600_000), "4 h");
  });
});
