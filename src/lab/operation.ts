// Runs one Azure long-running operation for a lab task: bounded by the timeout, cancelled with the job, with
// progress in the log while it runs.
import { formatDuration, runOperation, type LroStartOptions, type OperationPoller } from "../azure/poll";
import type { LabContext } from "./context";

export interface LabOperationOptions {
  /** What is happening, in words: "Deleting lab VM 'vm1' in lab 'factory'". */
  what: string;
  /** The resource id or name, for errors. */
  resource: string;
  timeoutMs: number;
  /** Values (passwords) that must never appear in an error, even if Azure echoes them. */
  secrets?: readonly string[];
}

export function runLabOperation<T>(ctx: LabContext, options: LabOperationOptions, start: (lro: LroStartOptions) => Promise<OperationPoller<T>>): Promise<T> {
  return runOperation(start, {
    signal: ctx.signal,
    timeoutMs: options.timeoutMs,
    what: options.what,
    resource: options.resource,
    secrets: options.secrets,
    ...(ctx.pollIntervalMs !== undefined ? { pollIntervalMs: ctx.pollIntervalMs } : {}),
    onProgress: (elapsedMs) => ctx.log.progress(undefined, `${options.what}: ${formatDuration(elapsedMs)} so far.`),
  });
}

/** An error of a 404 kind after it went through toAzureOperationError (the resource is not there). */
export function isGoneError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 404 || code === "NotFound" || code === "ResourceNotFound" || (error instanceof Error && /\(HTTP 404\)/.test(error.message));
}
