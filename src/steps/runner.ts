// Runs a task as a list of steps, each with an optional cleanup, in the manner of Packer's builders: the steps run
// in order; when one fails or the job is cancelled, the cleanups of the steps that started run in reverse order,
// each once. Cleanups get their own signal and time budget: the agent kills the task 10 s after its first SIGINT,
// so a cleanup after a cancel must be quick, and it must still run although the job's signal has fired.
// A cleanup error never hides the error that stopped the run; both are reported.
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { CancelledError, isCancellation } from "./cancelled";

export interface StepOutcome {
  /** The run did not complete (a step failed or the job was cancelled). */
  failed: boolean;
  /** The job was cancelled: do only what is quick (start deletions, do not wait for them). */
  cancelled: boolean;
}

export interface Step<S> {
  /** What the step does, in words: "Create lab VM 'x'". */
  name: string;
  run(state: S, signal: AbortSignal): Promise<void>;
  /** Undoes what run did (or the part of it that happened). Gets its own signal, aborted when its time is up. */
  cleanup?(state: S, outcome: StepOutcome, signal: AbortSignal): Promise<void>;
  /** Run cleanup after a successful run too (revoke access, delete a temporary VM). */
  always?: boolean;
}

export interface StepLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface RunStepsOptions {
  /** The job's cancellation. */
  signal: AbortSignal;
  log: StepLog;
  /** Time for all cleanups after a failure or a success. Default 10 minutes. */
  cleanupTimeoutMs?: number;
  /** Time for all cleanups once the job is cancelled. Default 6 s (the agent sends SIGTERM at 7.5 s, kills at 10 s). */
  cancelCleanupTimeoutMs?: number;
}

export interface CleanupFailure {
  step: string;
  error: unknown;
}

export interface StepsReport {
  /** Names of the steps that ran, in order. */
  completed: string[];
  /** Cleanups (of `always` steps) that failed after a successful run. */
  cleanupFailures: CleanupFailure[];
}

export const DEFAULT_CLEANUP_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_CANCEL_CLEANUP_TIMEOUT_MS = 6000;

const failuresByError = new WeakMap<object, CleanupFailure[]>();

/** Cleanups that failed while runSteps was handling this error. */
export function cleanupFailuresOf(error: unknown): readonly CleanupFailure[] {
  return (typeof error === "object" && error !== null && failuresByError.get(error)) || [];
}

/** Runs the steps; resolves with a report, or rejects with the error that stopped the run (after cleanup). */
export async function runSteps<S>(steps: readonly Step<S>[], state: S, options: RunStepsOptions): Promise<StepsReport> {
  const { signal } = options;
  const started: Step<S>[] = [];
  // The agent counts its 10 s from the cancel, not from when the step that was running gives up: note when it came.
  const cancel: { at?: number } = signal.aborted ? { at: performance.now() } : {};
  const noteCancel = () => (cancel.at ??= performance.now());
  signal.addEventListener("abort", noteCancel, { once: true });
  try {
    return await runAndCleanUp(steps, state, options, started, cancel);
  } finally {
    signal.removeEventListener("abort", noteCancel);
  }
}

async function runAndCleanUp<S>(steps: readonly Step<S>[], state: S, options: RunStepsOptions, started: Step<S>[], cancel: { at?: number }): Promise<StepsReport> {
  const { signal, log } = options;
  let failure: { error: unknown; step: string } | undefined;
  for (const step of steps) {
    if (signal.aborted) {
      failure = { error: new CancelledError(`The job was cancelled before '${step.name}'.`, { cause: signal.reason }), step: step.name };
      break;
    }
    started.push(step);
    log.info(step.name);
    try {
      await step.run(state, signal);
    } catch (error) {
      failure = { error, step: step.name };
      break;
    }
    if (signal.aborted) {
      failure = { error: new CancelledError(`The job was cancelled during '${step.name}'.`, { cause: signal.reason }), step: step.name };
      break;
    }
  }

  if (failure === undefined) {
    const cleanupFailures = await runCleanups(started.filter((step) => step.always), state, { failed: false, cancelled: false }, options);
    return { completed: started.map((step) => step.name), cleanupFailures };
  }

  const cancelled = signal.aborted || isCancellation(failure.error);
  const cleanupFailures = await runCleanups(started, state, { failed: true, cancelled }, options, cancel.at);
  // Our CancelledError says what was cancelled; a bare AbortError from the SDK ("The operation was aborted.") does not.
  const error = cancelled && !(failure.error instanceof CancelledError) ? new CancelledError(`The job was cancelled during '${failure.step}'.`, { cause: failure.error }) : failure.error;
  if (cleanupFailures.length > 0 && typeof error === "object" && error !== null) failuresByError.set(error, cleanupFailures);
  throw error;
}

async function runCleanups<S>(started: readonly Step<S>[], state: S, result: StepOutcome, options: RunStepsOptions, cancelledAt?: number): Promise<CleanupFailure[]> {
  const withCleanup = [...started].reverse().filter((step) => step.cleanup !== undefined);
  if (withCleanup.length === 0) return [];
  const { log } = options;
  const failures: CleanupFailure[] = [];
  const done = new Set<Step<S>>();
  const cancelBudget = options.cancelCleanupTimeoutMs ?? DEFAULT_CANCEL_CLEANUP_TIMEOUT_MS;
  // After a cancel, what the running step spent giving up (aborting a copy, a last request) comes off the budget;
  // a sixth of it is always left, so the quickest cleanups (start a delete) still get their request out.
  const sinceCancel = cancelledAt === undefined ? 0 : performance.now() - cancelledAt;
  const budget = new CleanupBudget(result.cancelled ? Math.max(cancelBudget - sinceCancel, cancelBudget / 6) : (options.cleanupTimeoutMs ?? DEFAULT_CLEANUP_TIMEOUT_MS));
  // A cancel that arrives during cleanup shortens what is left to the cancel budget.
  const onCancel = () => budget.shortenTo(options.cancelCleanupTimeoutMs ?? DEFAULT_CANCEL_CLEANUP_TIMEOUT_MS);
  options.signal.addEventListener("abort", onCancel, { once: true });
  try {
    for (const step of withCleanup) {
      if (done.has(step) || step.cleanup === undefined) continue;
      done.add(step);
      if (budget.signal.aborted) {
        const error = new Error(`Cleanup of '${step.name}' was skipped: no time was left. What it created may remain.`);
        log.warn(error.message);
        failures.push({ step: step.name, error });
        continue;
      }
      const outcome: StepOutcome = { failed: result.failed, cancelled: result.cancelled || options.signal.aborted };
      log.info(`Cleaning up: ${step.name}`);
      try {
        await budget.race(Promise.resolve().then(() => step.cleanup?.(state, outcome, budget.signal)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.warn(`Cleanup of '${step.name}' failed: ${neutralizeUntrustedText(message)}`);
        failures.push({ step: step.name, error });
      }
    }
  } finally {
    options.signal.removeEventListener("abort", onCancel);
    budget.dispose();
  }
  return failures;
}

/** A deadline for all cleanups: a signal that aborts when it passes, and a race against it. */
class CleanupBudget {
  private readonly controller = new AbortController();
  private deadline: number;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(timeoutMs: number) {
    this.deadline = performance.now() + timeoutMs;
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  shortenTo(timeoutMs: number): void {
    const candidate = performance.now() + timeoutMs;
    if (candidate < this.deadline) {
      this.deadline = candidate;
      this.arm();
    }
  }

  /** Resolves with the cleanup, or rejects when the deadline passes first. */
  race(cleanup: Promise<unknown>): Promise<unknown> {
    const signal = this.controller.signal;
    return new Promise((resolve, reject) => {
      const expire = () => reject(new Error("it did not finish within the time left for cleanup"));
      if (signal.aborted) return expire();
      signal.addEventListener("abort", expire, { once: true });
      cleanup.then(resolve, reject).finally(() => signal.removeEventListener("abort", expire));
    });
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const remaining = Math.max(0, this.deadline - performance.now());
    this.timer = setTimeout(() => {
      this.controller.abort(new CancelledError("The time for cleanup is up."));
    }, Math.min(remaining, 2 ** 31 - 1));
  }
}
