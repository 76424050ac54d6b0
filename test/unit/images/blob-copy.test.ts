import { strict as assert } from "node:assert";
import { RestError } from "@azure/core-rest-pipeline";
import type { AbortSignalLike } from "@azure/abort-controller";
import { ABORT_COPY_ON_CANCEL_TIMEOUT_MS, copyBlobFromUrl, deleteStagedBlob, parseCopyProgress, type CopyTargetBlob, type DeletionCandidate } from "../../../src/images/blob-copy";
import { AzureOperationError } from "../../../src/errors";
import { CancelledError } from "../../../src/steps/cancelled";
import { fakeClock } from "./fakes";

const SOURCE = "https://md-x.blob.test/disk/abcd?sp=r&sig=READSECRET";

/** A copy target that reports the given statuses, one per poll. */
function target(statuses: { copyStatus?: string; copyProgress?: string; copyId?: string; copyStatusDescription?: string }[], start: { copyId?: string; copyStatus?: string } | Error = { copyId: "c1", copyStatus: "pending" }) {
  const calls: string[] = [];
  const blob: CopyTargetBlob = {
    startCopyFromURL: async (source) => {
      calls.push(`start ${source === SOURCE ? "source" : source}`);
      if (start instanceof Error) throw start;
      return start;
    },
    getProperties: async () => {
      calls.push("poll");
      return { copyId: "c1", ...(statuses.shift() ?? { copyStatus: "pending" }) };
    },
    abortCopyFromURL: async (copyId) => {
      calls.push(`abort ${copyId}`);
      return {};
    },
  };
  return { blob, calls };
}

const base = { sourceUrl: SOURCE, timeoutMs: 60_000, pollIntervalMs: 1000, what: "Copying the disk of 'img' → lab 'L'", resource: "/labs/L", secrets: [SOURCE] };

describe("images: server-side blob copy", () => {
  it("reads copy progress", () => {
    assert.deepEqual(parseCopyProgress("512/2048"), { copiedBytes: 512, totalBytes: 2048, percent: 25 });
    assert.deepEqual(parseCopyProgress("0/0"), { copiedBytes: 0, totalBytes: 0 });
    assert.deepEqual(parseCopyProgress(undefined), {});
    assert.deepEqual(parseCopyProgress("garbage"), {});
  });

  it("polls until the copy succeeds, reporting progress, at the poll interval", async () => {
    const { blob, calls } = target([{ copyStatus: "pending", copyProgress: "10/100" }, { copyStatus: "success", copyProgress: "100/100" }]);
    const clock = fakeClock();
    const progress: (number | undefined)[] = [];
    await copyBlobFromUrl({ ...base, target: blob, signal: new AbortController().signal, clock, onProgress: (p) => progress.push(p.percent) });
    assert.deepEqual(calls, ["start source", "poll", "poll"]);
    assert.deepEqual(progress, [10, 100]);
    assert.deepEqual(clock.slept, [1000, 1000]);
  });

  it("returns at once when the copy finished synchronously", async () => {
    const { blob, calls } = target([], { copyId: "c1", copyStatus: "success" });
    await copyBlobFromUrl({ ...base, target: blob, signal: new AbortController().signal, clock: fakeClock() });
    assert.deepEqual(calls, ["start source"]);
  });

  it("fails with the storage description, neutralised, when the copy fails", async () => {
    const { blob } = target([{ copyStatus: "failed", copyStatusDescription: `403 AuthenticationFailed ${SOURCE}\n##vso[task.complete result=Succeeded]` }]);
    await assert.rejects(copyBlobFromUrl({ ...base, target: blob, signal: new AbortController().signal, clock: fakeClock() }), (error: unknown) => {
      assert.ok(error instanceof AzureOperationError);
      assert.equal(error.code, "CopyFailed");
      assert.match(error.message, /reports the copy as failed \(403 AuthenticationFailed \*\*\* ##vso_\[task/);
      assert.doesNotMatch(error.message, /READSECRET/);
      return true;
    });
  });

  it("aborts the copy in Azure when the timeout passes", async () => {
    const { blob, calls } = target([]);
    await assert.rejects(copyBlobFromUrl({ ...base, timeoutMs: 3500, target: blob, signal: new AbortController().signal, clock: fakeClock() }), (error: unknown) => error instanceof AzureOperationError && error.code === "OperationTimedOut" && /Raise the timeout/.test(error.message));
    assert.equal(calls.at(-1), "abort c1");
    assert.equal(calls.filter((c) => c === "poll").length, 4);
  });

  it("aborts the copy in Azure when the job is cancelled", async () => {
    const controller = new AbortController();
    const { blob, calls } = target([{ copyStatus: "pending" }]);
    const clock = fakeClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      if (clock.slept.length === 1) controller.abort();
      return sleep(ms, signal);
    };
    await assert.rejects(copyBlobFromUrl({ ...base, target: blob, signal: controller.signal, clock }), (error: unknown) => error instanceof CancelledError && /the copy was aborted/.test(error.message));
    assert.equal(calls.at(-1), "abort c1");
  });

  it("after a cancel, gives up on an abort Azure does not answer within 2 s (the cleanups need the rest of the 10 s)", async function () {
    this.timeout(10_000);
    const controller = new AbortController();
    const { blob } = target([{ copyStatus: "pending" }]);
    let abortSignal: AbortSignalLike | undefined;
    blob.abortCopyFromURL = (_copyId, options) =>
      new Promise((_, reject) => {
        abortSignal = options?.abortSignal;
        abortSignal?.addEventListener("abort", () => reject(new Error("aborted")));
      });
    const clock = fakeClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      if (clock.slept.length === 1) controller.abort();
      return sleep(ms, signal);
    };
    const started = performance.now();
    await assert.rejects(copyBlobFromUrl({ ...base, target: blob, signal: controller.signal, clock }), CancelledError);
    const waited = performance.now() - started;
    assert.ok(abortSignal !== undefined, "the copy was asked to abort");
    assert.ok(waited >= ABORT_COPY_ON_CANCEL_TIMEOUT_MS - 100 && waited < 3500, `waited ${Math.round(waited)} ms for the abort`);
  });

  it("explains a source that cannot be read, and a copy someone else started", async () => {
    const missing = target([], new RestError("Copy source blob not found", { statusCode: 404, code: "CannotVerifyCopySource" }));
    await assert.rejects(copyBlobFromUrl({ ...base, target: missing.blob, signal: new AbortController().signal, clock: fakeClock() }), /could not read the source \(CannotVerifyCopySource\)/);
    const raced = target([{ copyId: "c2", copyStatus: "pending" }]);
    await assert.rejects(copyBlobFromUrl({ ...base, target: raced.blob, signal: new AbortController().signal, clock: fakeClock() }), (error: unknown) => error instanceof AzureOperationError && error.code === "CopyConflict");
    assert.equal(raced.calls.at(-1), "abort c1", "our copy is stopped");
  });

  describe("deleting a staged blob", () => {
    const refused = (): DeletionCandidate => ({ via: "sas", blob: () => ({ deleteIfExists: async () => Promise.reject(new RestError("no", { statusCode: 403 })) }) });
    const works = (succeeded: boolean): DeletionCandidate => ({ via: "identity", blob: () => ({ deleteIfExists: async () => ({ succeeded }) }) });
    const options = { signal: new AbortController().signal, what: "Deleting the staged VHD", resource: "https://l.blob.test/uploads/x.vhd" };

    it("falls back to the next credential when the upload SAS may not delete", async () => {
      assert.deepEqual(await deleteStagedBlob({ ...options, candidates: [refused(), works(true)] }), { result: "deleted", via: "identity" });
      assert.deepEqual(await deleteStagedBlob({ ...options, candidates: [works(false)] }), { result: "absent", via: "identity" });
    });

    it("says what remains and how to allow its removal when nothing may delete it", async () => {
      const cannotSignIn: DeletionCandidate = { via: "identity", blob: () => ({ deleteIfExists: async () => Promise.reject(new Error("AADSTS700016: no token for storage")) }) };
      for (const candidates of [[refused(), refused()], [refused(), cannotSignIn]]) {
        await assert.rejects(deleteStagedBlob({ ...options, candidates }), (error: unknown) => error instanceof AzureOperationError && error.code === "StagedBlobNotDeleted" && /Storage Blob Data Contributor/.test(error.message));
      }
    });

    it("reports another failure as it is, without trying more credentials", async () => {
      let second = false;
      const broken: DeletionCandidate = { via: "sas", blob: () => ({ deleteIfExists: async () => Promise.reject(new RestError("Server busy", { statusCode: 503 })) }) };
      const spy: DeletionCandidate = { via: "identity", blob: () => ((second = true), { deleteIfExists: async () => ({ succeeded: true }) }) };
      await assert.rejects(deleteStagedBlob({ ...options, candidates: [broken, spy] }), /Server busy/);
      assert.equal(second, false);
    });
  });
});
