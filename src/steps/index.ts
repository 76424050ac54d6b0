// The step runner and the cancellation error shared by every wait.
export { runSteps, cleanupFailuresOf, DEFAULT_CANCEL_CLEANUP_TIMEOUT_MS, DEFAULT_CLEANUP_TIMEOUT_MS } from "./runner";
export type { Step, StepLog, StepOutcome, RunStepsOptions, StepsReport, CleanupFailure } from "./runner";
export { CancelledError, isCancellation } from "./cancelled";
