// Deleting an environment (DevTest Labs deletes its resource group with it). One that is already gone counts as
// deleted, so a re-run, or a clean-up after a partial failure, converges. A delete that fails for a reason another
// attempt can fix (throttling, a 5xx, an operation Azure reports failed for an internal reason) is tried again
// with backoff; the HTTP layer already retries single requests, this retries the whole operation.
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import type { EnvironmentRef } from "../azure/ids";
import { formatDuration } from "../azure/poll";
import { AzureOperationError, InputError } from "../errors";
import { clockOf, Deadline, type LabContext } from "../lab";
import { isGoneError, runLabOperation } from "../lab/operation";
import { CancelledError, isCancellation } from "../steps";
import { describeEnvironment } from "./targets";

export interface DeleteEnvironmentOptions {
  environment: EnvironmentRef & { id: string };
  timeoutMs: number;
  /** Wait until Azure reports the environment gone; otherwise return once Azure accepted the delete. */
  waitForCompletion: boolean;
  /** Further attempts after a transient failure (0 = none). */
  retries: number;
  /** Wait before the first retry; doubles each time. Default 10 s. */
  retryDelayMs?: number;
}

export interface DeleteEnvironmentResult {
  /** False when there was nothing to delete. */
  deleted: boolean;
  /** The delete was accepted but not waited for. */
  pending: boolean;
  attempts: number;
  message: string;
}

const DEFAULT_RETRY_DELAY_MS = 10_000;
const MAX_RETRY_DELAY_MS = 2 * 60_000;

/** Codes of delete failures that another attempt will not fix. */
const PERMANENT = new Set(["authorizationfailed", "authenticationfailed", "invalidauthenticationtoken", "linkedauthorizationfailed", "scopelocked", "subscriptionnotfound", "operationtimedout"]);

/** Whether a failed delete is worth another attempt. */
export function isTransientDeleteFailure(error: unknown): boolean {
  if (isCancellation(error) || error instanceof InputError) return false;
  if (error instanceof AzureOperationError) {
    const code = (error.code ?? "").toLowerCase();
    if (PERMANENT.has(code)) return false;
    const status = /\(HTTP (\d{3})\)/.exec(error.message)?.[1];
    if (status !== undefined) return status === "408" || status === "409" || status === "429" || status.startsWith("5");
    // An operation Azure ran and reports failed (no HTTP status): a delete has no input that could be wrong, so
    // apart from permissions and locks (above) such a failure is Azure's own and worth another attempt.
    return true;
  }
  return true;
}

export async function deleteEnvironment(ctx: LabContext, options: DeleteEnvironmentOptions): Promise<DeleteEnvironmentResult> {
  const { environment } = options;
  const client = ctx.clients.devTestLabs(environment.subscriptionId);
  const what = describeEnvironment(environment);
  const gone = (attempts: number): DeleteEnvironmentResult => ({ deleted: false, pending: false, attempts, message: `The ${what} does not exist (already deleted); nothing to do.` });
  const args = [environment.resourceGroup, environment.labName, environment.userId, environment.environmentName] as const;
  const clock = clockOf(ctx);
  const deadline = new Deadline(options.timeoutMs, clock);

  for (let attempt = 1; ; attempt++) {
    try {
      if (!options.waitForCompletion) {
        const poller = await client.environments.beginDelete(...args, { abortSignal: ctx.signal });
        poller.stopPolling();
        return { deleted: true, pending: true, attempts: attempt, message: `Azure accepted the delete of the ${what}; it finishes in the background.` };
      }
      if (attempt === 1) ctx.log.info(`Deleting the ${what}.`);
      const started = performance.now();
      await runLabOperation(ctx, { what: `Deleting the ${what}`, resource: environment.id, timeoutMs: deadline.remainingMs() }, (lro) => client.environments.beginDelete(...args, lro));
      return { deleted: true, pending: false, attempts: attempt, message: `Deleted the ${what} in ${formatDuration(performance.now() - started)}${attempt > 1 ? ` (attempt ${attempt})` : ""}.` };
    } catch (raw) {
      if (isNotFoundError(raw) || isGoneError(raw)) return gone(attempt);
      if (isCancellation(raw) || ctx.signal.aborted) throw raw;
      const err = toAzureOperationError(raw, { operation: `Deleting the ${what}`, resource: environment.id });
      const delay = Math.min(MAX_RETRY_DELAY_MS, (options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS) * 2 ** (attempt - 1));
      if (attempt > options.retries || !isTransientDeleteFailure(err) || deadline.remainingMs() <= delay) throw err;
      ctx.log.warn(`Attempt ${attempt} to delete the ${what} failed: ${err.message} Retrying in ${formatDuration(delay)}.`);
      try {
        await clock.sleep(delay, ctx.signal);
      } catch (sleepError) {
        throw new CancelledError(`The job was cancelled while waiting to retry deleting the ${what}.`, { cause: sleepError });
      }
    }
  }
}
