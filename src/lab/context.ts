// What every lab operation gets: the SDK clients of the run, the job's cancellation and a log. The log has the same
// shape as the pipeline's TaskLog but is declared here, so the domain never depends on the agent.
import { setTimeout as delay } from "node:timers/promises";
import type { AzureClients } from "../azure/clients";
import { CancelledError } from "../steps/cancelled";

export interface LabLog {
  info(message: string): void;
  warn(message: string): void;
  /** Diagnostic detail; never secrets or request bodies. */
  debug(message: string): void;
  /** Progress of a long wait: percent when known, and what is happening. */
  progress(percent: number | undefined, message: string): void;
}

export interface LabContext {
  clients: AzureClients;
  /** Aborted when the job is cancelled; every wait honours it. */
  signal: AbortSignal;
  log: LabLog;
  /** Poll interval for Azure operations and artifact status (tests shorten it). Default 5 s / 15 s. */
  pollIntervalMs?: number;
  /** The clock the lab's own waits use (artifact polling, retry backoff); tests give a fake one. */
  clock?: LabClock;
}

export interface LabClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Resolves after ms; rejects with a CancelledError when the signal aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const monotonicClock: LabClock = {
  now: () => performance.now(),
  async sleep(ms, signal) {
    try {
      await delay(ms, undefined, { signal });
    } catch (err) {
      throw new CancelledError("The job was cancelled while waiting.", { cause: err });
    }
  },
};

export function clockOf(ctx: LabContext): LabClock {
  return ctx.clock ?? monotonicClock;
}

/** A deadline measured on the monotonic clock, so waits end on time whatever the wall clock does. */
export class Deadline {
  private readonly end: number;
  constructor(
    readonly timeoutMs: number,
    private readonly clock: LabClock = monotonicClock,
  ) {
    this.end = clock.now() + timeoutMs;
  }
  /** Milliseconds left (at least 1, so a wait started at the edge still gets a timer and reports the timeout). */
  remainingMs(): number {
    return this.timeoutMs === Infinity ? Infinity : Math.max(1, this.end - this.clock.now());
  }
  get expired(): boolean {
    return this.timeoutMs !== Infinity && this.clock.now() >= this.end;
  }
}
