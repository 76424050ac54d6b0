// A bound on how many jobs run at once (Microsoft's scripts started every copy at the same time and were throttled).
// Jobs waiting for a slot never start once the job's signal is aborted.
import { CancelledError } from "../steps/cancelled";

export interface Limiter {
  /** Runs `job` when a slot is free; rejects with a CancelledError, without running it, if cancelled first. */
  run<T>(job: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export function createLimiter(maxParallel: number, signal: AbortSignal): Limiter {
  if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new RangeError(`maxParallel must be a whole number >= 1, got ${maxParallel}`);
  let active = 0;
  const queue: { start: () => void; cancel: () => void }[] = [];
  const next = () => {
    while (active < maxParallel && queue.length > 0) {
      const entry = queue.shift();
      entry?.start();
    }
  };
  signal.addEventListener(
    "abort",
    () => {
      for (const entry of queue.splice(0)) entry.cancel();
    },
    { once: true },
  );
  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    run<T>(job: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const cancel = () => reject(new CancelledError("The job was cancelled before this step started."));
        if (signal.aborted) return cancel();
        queue.push({
          cancel,
          start: () => {
            active++;
            Promise.resolve()
              .then(job)
              .then(resolve, reject)
              .finally(() => {
                active--;
                next();
              });
          },
        });
        next();
      });
    },
  };
}
