// Waiting for an Azure long-running operation with a timeout and cancellation.
//
// core-lro 2.x (what the ARM SDKs return from `begin…`) keeps polling after the abortSignal given to
// pollUntilDone fires; only stopPolling() ends its loop. So the wait is raced here against the job's signal and
// the timeout, and the poller is stopped when either wins. Time is measured with a monotonic clock in
// milliseconds, so a 90-minute timeout ends after 90 minutes (Microsoft's task compared Date#getMinutes()).
import type { AbortSignalLike } from "@azure/abort-controller";
import { AzureOperationError } from "../errors";
import { CancelledError } from "../steps/cancelled";
import { toAzureOperationError } from "./errors";

/** What this module needs of a poller: core-lro 2.x PollerLike and SimplePollerLike both have it. */
export interface OperationPoller<T> {
  pollUntilDone(options?: { abortSignal?: AbortSignalLike }): Promise<T>;
  stopPolling(): void;
  isStopped(): boolean;
  isDone(): boolean;
}

export interface WaitOptions {
  /** The job's cancellation. */
  signal: AbortSignal;
  /** How long to wait; Infinity for no limit. */
  timeoutMs: number;
  /** What is being waited for, in words: "Creating VM 'x' in lab 'y'". */
  what: string;
  /** The resource (id or name) for error messages. */
  resource?: string;
  /** Called every pollIntervalMs while waiting, with the time waited so far. */
  onProgress?: (elapsedMs: number) => void;
  /** Interval of the poller (runOperation) and of progress reports. Default 5 s. */
  pollIntervalMs?: number;
  /** Secret values to keep out of error messages. */
  secrets?: readonly string[];
}

/** The options every `begin…` SDK call must get: the job's signal and the polling interval. */
export interface LroStartOptions {
  abortSignal: AbortSignal;
  updateIntervalInMs: number;
}

export const DEFAULT_POLL_INTERVAL_MS = 5000;
// setTimeout fires at once for delays above 2^31-1 ms; longer timeouts are treated as that (24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `{abortSignal, updateIntervalInMs}` for a `begin…` call. */
export function lroStartOptions(options: { signal: AbortSignal; pollIntervalMs?: number }): LroStartOptions {
  return { abortSignal: options.signal, updateIntervalInMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS };
}

/** Waits for a started operation. Throws CancelledError on abort and AzureOperationError on timeout or failure. */
export async function waitForOperation<T>(poller: OperationPoller<T>, options: WaitOptions): Promise<T> {
  checkTimeout(options.timeoutMs);
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  if (options.signal.aborted) {
    stop(poller);
    throw cancelled(options, 0);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (progress !== undefined) clearInterval(progress);
      options.signal.removeEventListener("abort", onAbort);
      action();
    };
    const onAbort = () =>
      finish(() => {
        stop(poller);
        reject(cancelled(options, elapsed()));
      });
    const timer =
      options.timeoutMs === Infinity
        ? undefined
        : setTimeout(
            () =>
              finish(() => {
                stop(poller);
                reject(timedOut(options));
              }),
            Math.min(options.timeoutMs, MAX_TIMER_MS),
          );
    const onProgress = options.onProgress;
    const progress = onProgress === undefined ? undefined : reportProgressEvery(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, () => onProgress(elapsed()));
    options.signal.addEventListener("abort", onAbort, { once: true });
    poller.pollUntilDone({ abortSignal: options.signal }).then(
      (result) => finish(() => resolve(result)),
      (error: unknown) =>
        finish(() =>
          reject(
            options.signal.aborted
              ? cancelled(options, elapsed(), error)
              : toAzureOperationError(error, { operation: options.what, resource: options.resource ?? "Azure", secrets: options.secrets }),
          ),
        ),
    );
  });
}

/**
 * Starts an operation and waits for it. `start` must pass its argument to the SDK call
 * (`client.virtualMachines.beginDelete(rg, lab, vm, lro)`), so the first request and every poll request are
 * cancelled with the job; the timeout covers the start too.
 */
export async function runOperation<T>(start: (lro: LroStartOptions) => Promise<OperationPoller<T>>, options: WaitOptions): Promise<T> {
  checkTimeout(options.timeoutMs);
  const started = performance.now();
  if (options.signal.aborted) throw cancelled(options, 0);
  // Progress counts from here, not from the wait: the SDK's begin… call already polls once before it returns the
  // poller, and a slow first poll must show progress too.
  const { onProgress, ...waitOptions } = options;
  const progress = onProgress === undefined ? undefined : reportProgressEvery(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, () => onProgress(performance.now() - started));
  try {
    // Aborts the start request at the deadline; cleared once started (the wait below has its own timer), so after
    // that the signal given to the SDK follows the job's signal only.
    const startDeadline = new AbortController();
    const deadlineTimer = options.timeoutMs === Infinity ? undefined : setTimeout(() => startDeadline.abort(), Math.min(options.timeoutMs, MAX_TIMER_MS));
    let poller: OperationPoller<T>;
    try {
      poller = await start(lroStartOptions({ signal: AbortSignal.any([options.signal, startDeadline.signal]), pollIntervalMs: options.pollIntervalMs }));
    } catch (error) {
      if (options.signal.aborted) throw cancelled(options, performance.now() - started, error);
      if (startDeadline.signal.aborted) throw timedOut(options);
      throw toAzureOperationError(error, { operation: options.what, resource: options.resource ?? "Azure", secrets: options.secrets });
    } finally {
      if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    }
    const remaining = options.timeoutMs === Infinity ? Infinity : Math.max(1, options.timeoutMs - (performance.now() - started));
    return await waitForOperation(poller, { ...waitOptions, timeoutMs: remaining });
  } finally {
    if (progress !== undefined) clearInterval(progress);
  }
}

/** Calls report every intervalMs; a failing report never breaks the wait. */
function reportProgressEvery(intervalMs: number, report: () => void): ReturnType<typeof setInterval> {
  return setInterval(() => {
    try {
      report();
    } catch {
      // A progress report must never break the wait.
    }
  }, intervalMs);
}

/** "2 h 5 min", "90 s", "1.5 s". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 120) return `${totalSeconds} s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  if (totalMinutes < 120) return `${totalMinutes} min`;
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

function checkTimeout(timeoutMs: number): void {
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive (or Infinity), got ${timeoutMs}`);
}

function stop<T>(poller: OperationPoller<T>): void {
  try {
    if (!poller.isStopped()) poller.stopPolling();
  } catch {
    // Stopping is best effort; the wait is over either way.
  }
}

function cancelled(options: WaitOptions, elapsedMs: number, cause?: unknown): CancelledError {
  return new CancelledError(
    `${options.what} was cancelled after ${formatDuration(elapsedMs)}. The operation may still complete in Azure.`,
    cause === undefined ? undefined : { cause },
  );
}

function timedOut(options: WaitOptions): AzureOperationError {
  return new AzureOperationError(
    options.what,
    options.resource ?? "Azure",
    `it did not finish within ${formatDuration(options.timeoutMs)} (the timeout). It may still be running in Azure: check it, then re-run or raise the timeout.`,
    "OperationTimedOut",
  );
}
