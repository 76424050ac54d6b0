// The step runner: order, cleanup in reverse for the steps that started, each once, its own signal and time budget
// (a cancel leaves a few seconds), cleanup errors reported beside the original error, `always` cleanups on success.
import { strict as assert } from "node:assert";
import sinon from "sinon";
import { AzureOperationError, InputError } from "../../../src/errors";
import { CancelledError, isCancellation } from "../../../src/steps/cancelled";
import { cleanupFailuresOf, runSteps, type Step, type StepLog, type StepOutcome } from "../../../src/steps/runner";

interface State {
  events: string[];
}

function recordingLog(): StepLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (message) => lines.push(`info: ${message}`), warn: (message) => lines.push(`warn: ${message}`) };
}

function step(name: string, options: { fail?: Error; always?: boolean; cleanupFails?: Error; noCleanup?: boolean; onRun?: (signal: AbortSignal) => Promise<void> } = {}): Step<State> {
  const result: Step<State> = {
    name,
    async run(state, signal) {
      state.events.push(`run ${name}`);
      if (options.onRun) await options.onRun(signal);
      if (options.fail) throw options.fail;
    },
  };
  if (!options.noCleanup) {
    result.cleanup = async (state, outcome) => {
      state.events.push(`cleanup ${name} ${outcome.failed ? "failed" : "ok"}${outcome.cancelled ? " cancelled" : ""}`);
      if (options.cleanupFails) throw options.cleanupFails;
    };
  }
  if (options.always) result.always = true;
  return result;
}

describe("steps/runner: runSteps", () => {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  it("runs the steps in order and cleans up nothing on success", async () => {
    const state: State = { events: [] };
    const log = recordingLog();
    const report = await runSteps([step("a"), step("b"), step("c")], state, { signal: new AbortController().signal, log });
    assert.deepEqual(state.events, ["run a", "run b", "run c"]);
    assert.deepEqual(report, { completed: ["a", "b", "c"], cleanupFailures: [] });
    assert.deepEqual(log.lines, ["info: a", "info: b", "info: c"]);
  });

  it("runs the `always` cleanups after a success, in reverse", async () => {
    const state: State = { events: [] };
    await runSteps([step("grant", { always: true }), step("copy"), step("snapshot", { always: true })], state, { signal: new AbortController().signal, log: recordingLog() });
    assert.deepEqual(state.events, ["run grant", "run copy", "run snapshot", "cleanup snapshot ok", "cleanup grant ok"]);
  });

  it("on failure cleans up the started steps in reverse, including the one that failed, and rethrows the same error", async () => {
    const state: State = { events: [] };
    const failure = new AzureOperationError("Creating VM 'x'", "lab", "boom");
    await assert.rejects(
      runSteps([step("a"), step("b", { noCleanup: true }), step("c", { fail: failure }), step("d")], state, { signal: new AbortController().signal, log: recordingLog() }),
      (error: unknown) => error === failure,
    );
    assert.deepEqual(state.events, ["run a", "run b", "run c", "cleanup c failed", "cleanup a failed"]);
  });

  it("runs each cleanup once even when a step object appears twice", async () => {
    const state: State = { events: [] };
    const shared = step("shared");
    await assert.rejects(runSteps([shared, shared, step("bad", { fail: new Error("x"), noCleanup: true })], state, { signal: new AbortController().signal, log: recordingLog() }));
    assert.deepEqual(state.events.filter((event) => event.startsWith("cleanup")), ["cleanup shared failed"]);
  });

  it("keeps the original error when a cleanup fails, and reports the cleanup failure beside it", async () => {
    const state: State = { events: [] };
    const log = recordingLog();
    const original = new InputError("vmName", "bad");
    const cleanupError = new Error("delete failed ##vso[task.complete result=Succeeded]\nsecond line");
    const run = runSteps([step("a", { cleanupFails: cleanupError }), step("b"), step("c", { fail: original })], state, { signal: new AbortController().signal, log });
    await assert.rejects(run, (error: unknown) => {
      assert.equal(error, original);
      assert.deepEqual(cleanupFailuresOf(error), [{ step: "a", error: cleanupError }]);
      return true;
    });
    assert.deepEqual(state.events, ["run a", "run b", "run c", "cleanup c failed", "cleanup b failed", "cleanup a failed"], "later cleanups still run");
    assert.ok(log.lines.includes("warn: Cleanup of 'a' failed: delete failed ##vso_[task.complete result=Succeeded] second line"));
  });

  it("reports a failed `always` cleanup after a success in the report", async () => {
    const failure = new Error("revoke failed");
    const report = await runSteps([step("grant", { always: true, cleanupFails: failure })], { events: [] }, { signal: new AbortController().signal, log: recordingLog() });
    assert.deepEqual(report.cleanupFailures, [{ step: "grant", error: failure }]);
  });

  describe("cancellation", () => {
    it("stops at the next step, cleans up with cancelled=true on a signal of its own, and throws a cancellation", async () => {
      const state: State = { events: [] };
      const controller = new AbortController();
      let cleanupSignal: AbortSignal | undefined;
      const cleanupStep: Step<State> = {
        name: "create VM",
        run: async (s) => {
          s.events.push("run create VM");
        },
        cleanup: async (s, outcome, signal) => {
          cleanupSignal = signal;
          s.events.push(`cleanup create VM cancelled=${outcome.cancelled} signalAborted=${signal.aborted}`);
        },
      };
      const run = runSteps([cleanupStep, step("wait", { onRun: async () => controller.abort(new Error("SIGINT")) }), step("capture")], state, { signal: controller.signal, log: recordingLog() });
      await assert.rejects(run, (error: unknown) => isCancellation(error) && /cancelled during 'wait'/.test((error as Error).message));
      assert.deepEqual(state.events, ["run create VM", "run wait", "cleanup wait failed cancelled", "cleanup create VM cancelled=true signalAborted=false"]);
      assert.notEqual(cleanupSignal, controller.signal, "cleanup does not get the job's aborted signal");
    });

    it("keeps a step's own cancellation error (it says what was cancelled)", async () => {
      const controller = new AbortController();
      const ownError = new CancelledError("Creating VM 'x' was cancelled after 3 min.");
      const run = runSteps(
        [
          step("create", {
            onRun: async () => {
              controller.abort();
              throw ownError;
            },
          }),
        ],
        { events: [] },
        { signal: controller.signal, log: recordingLog() },
      );
      await assert.rejects(run, (error: unknown) => error === ownError);
    });

    it("replaces the SDK's bare AbortError with one that names the step", async () => {
      const controller = new AbortController();
      const sdkAbort = Object.assign(new Error("The operation was aborted."), { name: "AbortError" });
      const run = runSteps(
        [
          step("Deleting VM 'web01'", {
            onRun: async () => {
              controller.abort();
              throw sdkAbort;
            },
          }),
        ],
        { events: [] },
        { signal: controller.signal, log: recordingLog() },
      );
      await assert.rejects(run, (error: unknown) => error instanceof CancelledError && error.message === "The job was cancelled during 'Deleting VM 'web01''." && error.cause === sdkAbort);
    });

    it("runs no step when the job is already cancelled", async () => {
      const state: State = { events: [] };
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(runSteps([step("a")], state, { signal: controller.signal, log: recordingLog() }), (error: unknown) => isCancellation(error) && /before 'a'/.test((error as Error).message));
      assert.deepEqual(state.events, []);
    });

    it("gives cleanups only the cancel budget, aborts their signal when it is spent, and skips what has no time left", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
      const state: State = { events: [] };
      const log = recordingLog();
      const controller = new AbortController();
      let slowSignal: AbortSignal | undefined;
      const slow: Step<State> = {
        name: "slow",
        run: async () => undefined,
        cleanup: (_state, _outcome, signal) => {
          slowSignal = signal;
          return new Promise<void>(() => undefined); // never finishes
        },
      };
      const run = runSteps([step("first"), slow, step("cancelled", { onRun: async () => controller.abort() })], state, {
        signal: controller.signal,
        log,
        cancelCleanupTimeoutMs: 6000,
      });
      const outcome = run.then(
        () => undefined,
        (error: unknown) => error,
      );
      await clock.tickAsync(5999);
      assert.equal(slowSignal?.aborted, false);
      await clock.tickAsync(1);
      const error = await outcome;
      assert.ok(isCancellation(error));
      assert.equal(slowSignal?.aborted, true, "the cleanup's signal fires when the budget is spent");
      const failures = cleanupFailuresOf(error).map((failure) => `${failure.step}: ${(failure.error as Error).message}`);
      assert.deepEqual(failures, ["slow: it did not finish within the time left for cleanup", "first: Cleanup of 'first' was skipped: no time was left. What it created may remain."]);
      assert.ok(log.lines.some((line) => line.startsWith("warn: Cleanup of 'first' was skipped")));
    });

    it("counts the cancel budget from the cancel, not from when the running step gave up", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
      const controller = new AbortController();
      let cleanupSignal: AbortSignal | undefined;
      const copying: Step<State> = {
        name: "copy",
        // Like a blob copy that, on cancel, first spends up to 5 s asking Azure to abort the copy.
        run: (_state, signal) =>
          new Promise<void>((_, reject) => {
            signal.addEventListener("abort", () => setTimeout(() => reject(new CancelledError("copy cancelled")), 5000), { once: true });
          }),
        cleanup: (_state, _outcome, signal) => {
          cleanupSignal = signal;
          return new Promise<void>(() => undefined);
        },
      };
      const run = runSteps([copying], { events: [] }, { signal: controller.signal, log: recordingLog(), cancelCleanupTimeoutMs: 6000 });
      const outcome = run.then(
        () => undefined,
        (error: unknown) => error,
      );
      controller.abort(); // SIGINT; the agent kills the task 10 s later
      await clock.tickAsync(5000);
      assert.equal(cleanupSignal?.aborted, false, "the cleanup started");
      await clock.tickAsync(1000);
      assert.equal(cleanupSignal?.aborted, true, "6 s after the cancel, not 6 s after the cleanup started (11 s: past the kill)");
      assert.ok(isCancellation(await outcome));
    });

    it("leaves a cleanup a sixth of the cancel budget however long the step took to give up", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
      const controller = new AbortController();
      let cleanupSignal: AbortSignal | undefined;
      const stubborn: Step<State> = {
        name: "stubborn",
        run: (_state, signal) =>
          new Promise<void>((_, reject) => {
            signal.addEventListener("abort", () => setTimeout(() => reject(new CancelledError("late")), 9000), { once: true });
          }),
        cleanup: (_state, _outcome, signal) => {
          cleanupSignal = signal;
          return new Promise<void>(() => undefined);
        },
      };
      const outcome = runSteps([stubborn], { events: [] }, { signal: controller.signal, log: recordingLog(), cancelCleanupTimeoutMs: 6000 }).catch((error: unknown) => error);
      controller.abort();
      await clock.tickAsync(9999);
      assert.equal(cleanupSignal?.aborted, false);
      await clock.tickAsync(1);
      assert.equal(cleanupSignal?.aborted, true);
      assert.ok(isCancellation(await outcome));
    });

    it("shortens a failure's cleanup budget when the job is cancelled during cleanup", async () => {
      clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
      const controller = new AbortController();
      const outcomes: StepOutcome[] = [];
      const hanging: Step<State> = {
        name: "hanging",
        run: async () => undefined,
        cleanup: (_state, outcome) => {
          outcomes.push(outcome);
          controller.abort(); // the user cancels while we clean up after a failure
          return new Promise<void>(() => undefined);
        },
      };
      const run = runSteps([hanging, step("bad", { fail: new Error("deployment failed"), noCleanup: true })], { events: [] }, {
        signal: controller.signal,
        log: recordingLog(),
        cleanupTimeoutMs: 10 * 60_000,
        cancelCleanupTimeoutMs: 6000,
      });
      const outcome = run.then(
        () => undefined,
        (error: unknown) => error,
      );
      await clock.tickAsync(6000);
      const error = await outcome;
      assert.ok(error instanceof Error && error.message === "deployment failed", "the failure stays the error");
      assert.deepEqual(outcomes, [{ failed: true, cancelled: false }]);
      assert.equal(cleanupFailuresOf(error).length, 1);
    });
  });
});
