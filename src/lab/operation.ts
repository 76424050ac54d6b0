// Runs one Azure long-running operation for a lab task: bounded by the timeout, cancelled with the job, with
// progress in the log while it runs.
import { createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { toAzureOperationError } from "../azure/errors";
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

export async function runLabOperation<T>(ctx: LabContext, options: LabOperationOptions, start: (lro: LroStartOptions) => Promise<OperationPoller<T>>): Promise<T> {
  return runOperation(start, {
    signal: ctx.signal,
    timeoutMs: options.timeoutMs,
    what: options.what,
    resource: options.resource,
    secrets: options.secrets,
    onProgress: (elapsedMs) => ctx.log.progress(undefined, `${options.what}: ${formatDuration(elapsedMs)} so far.`),
    ...(ctx.pollIntervalMs !== undefined ? { pollIntervalMs: ctx.pollIntervalMs } : {}),
  });
}

/** An error of a 404 kind after it went through toAzureOperationError (the resource is not there). */
export function isGoneError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return status === 404 || code === "NotFound" || code === "ResourceNotFound" || (error instanceof Error && /\(HTTP 404\)/.test(error.message));
}

/** What requestDelete needs of an SDK client: its pipeline (auth, retries) and its API version. */
export interface DeleteCapableClient {
  apiVersion: string;
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/**
 * Sends one DELETE and resolves once Azure accepted it ("accepted") or says the resource is not there ("gone"),
 * without waiting for the delete to finish. The SDK's begin… calls poll once before they return, and that poll
 * can take longer than a cancelled job has left (the agent kills the task 10 s after the cancel).
 */
export async function requestDelete(ctx: LabContext, options: { client: DeleteCapableClient; resourceId: string; what: string }): Promise<"accepted" | "gone"> {
  const base = ctx.clients.pipelineOptions.endpoint.replace(/\/+$/, "");
  const path = options.resourceId.split("/").map(encodeURIComponent).join("/");
  const request = createPipelineRequest({ url: `${base}${path}?api-version=${options.client.apiVersion}`, method: "DELETE", abortSignal: ctx.signal });
  let response: PipelineResponse;
  try {
    response = await options.client.sendRequest(request);
  } catch (err) {
    throw toAzureOperationError(err, { operation: options.what, resource: options.resourceId });
  }
  if (response.status === 404) return "gone";
  if (response.status >= 200 && response.status < 300) return "accepted";
  const error = new RestError(`Azure answered HTTP ${response.status}.`, { statusCode: response.status, response, request });
  throw toAzureOperationError(error, { operation: options.what, resource: options.resourceId });
}
