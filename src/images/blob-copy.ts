// Server-side copy of a VHD from a read SAS into a blob the target lab gave a write SAS for, and removal of that
// staged blob afterwards. The copy is Azure Storage's asynchronous Copy Blob (startCopyFromURL, then polling the
// copy status): it copies page blobs of any size between accounts, regions and tenants without the data passing
// through the agent, where Put Blob From URL (syncCopyFromURL) stops at 256 MiB. A copy that is cancelled or
// times out is aborted, so no half-written blob keeps growing.
import type { AbortSignalLike } from "@azure/abort-controller";
import { describeAzureError, azureErrorStatus, toAzureOperationError } from "../azure/errors";
import { formatDuration } from "../azure/poll";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { AzureOperationError } from "../errors";
import { monotonicClock, type LabClock } from "../lab/context";
import { CancelledError } from "../steps/cancelled";

/** What the copy needs of @azure/storage-blob's BlobClient (structural, so tests can fake it). */
export interface CopyTargetBlob {
  startCopyFromURL(copySource: string, options?: { abortSignal?: AbortSignalLike }): Promise<{ copyId?: string; copyStatus?: string }>;
  getProperties(options?: { abortSignal?: AbortSignalLike }): Promise<{ copyId?: string; copyStatus?: string; copyProgress?: string; copyStatusDescription?: string }>;
  abortCopyFromURL(copyId: string, options?: { abortSignal?: AbortSignalLike }): Promise<unknown>;
}

/** What deleting needs of a BlobClient. */
export interface DeletableBlob {
  deleteIfExists(options?: { abortSignal?: AbortSignalLike; deleteSnapshots?: "include" | "only" }): Promise<{ succeeded: boolean }>;
}

export interface CopyProgress {
  copiedBytes?: number;
  totalBytes?: number;
  /** 0–100 when the sizes are known. */
  percent?: number;
}

export interface CopyBlobOptions {
  target: CopyTargetBlob;
  /** The source's read SAS URL (a secret). */
  sourceUrl: string;
  signal: AbortSignal;
  timeoutMs: number;
  /** How often to read the copy status. Default 10 s. */
  pollIntervalMs?: number;
  clock?: LabClock;
  /** What is copied, in words, for errors and progress: "Copying image 'x' to lab 'y'". */
  what: string;
  /** The target (lab or image) for errors. */
  resource: string;
  onProgress?: (progress: CopyProgress) => void;
  /** Values never to show (the SAS URLs). */
  secrets?: readonly string[];
}

export const DEFAULT_COPY_POLL_MS = 10_000;
/** How long aborting a copy may take after a timeout or an error. */
const ABORT_COPY_TIMEOUT_MS = 5_000;
/**
 * After a cancel: the agent kills the task 10 s after its SIGINT and the cleanups (deleting the staged blob, which
 * ends the copy too) need what is left, so asking Azure to abort the copy gets less.
 */
export const ABORT_COPY_ON_CANCEL_TIMEOUT_MS = 2_000;

/** "1234/5678" → bytes and percent. */
export function parseCopyProgress(text: string | undefined): CopyProgress {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text ?? "");
  if (!match) return {};
  const copiedBytes = Number(match[1]);
  const totalBytes = Number(match[2]);
  const percent = totalBytes > 0 ? Math.min(100, (copiedBytes / totalBytes) * 100) : undefined;
  return { copiedBytes, totalBytes, ...(percent !== undefined ? { percent } : {}) };
}

/** Copies and waits until the copy succeeded; throws CancelledError on cancel, AzureOperationError otherwise. */
export async function copyBlobFromUrl(options: CopyBlobOptions): Promise<void> {
  const clock = options.clock ?? monotonicClock;
  const started = clock.now();
  const remaining = () => (options.timeoutMs === Infinity ? Infinity : options.timeoutMs - (clock.now() - started));
  const clean = (text: string) => neutralizeUntrustedText(text, { secrets: options.secrets, maxLength: 1000 });
  const fail = (error: unknown) => toAzureOperationError(error, { operation: options.what, resource: options.resource, secrets: options.secrets });
  if (options.signal.aborted) throw new CancelledError(`${options.what} was cancelled before it started.`);

  let copyId: string | undefined;
  let status: string | undefined;
  let statusDescription: string | undefined;
  try {
    const start = await options.target.startCopyFromURL(options.sourceUrl, { abortSignal: options.signal });
    copyId = start.copyId;
    status = start.copyStatus;
  } catch (error) {
    if (options.signal.aborted) throw new CancelledError(`${options.what} was cancelled while the copy was being started.`, { cause: error });
    throw explainCopyError(error, options, fail);
  }

  try {
    for (;;) {
      const state = (status ?? "pending").toLowerCase();
      if (state === "success") return;
      if (state === "failed" || state === "aborted") {
        throw new AzureOperationError(options.what, options.resource, `Azure Storage reports the copy as ${state}${statusDescription ? ` (${statusDescription})` : ""}. Re-run the task; if it fails again, check that the source image still exists.`, "CopyFailed");
      }
      const left = remaining();
      if (left <= 0) {
        throw new AzureOperationError(options.what, options.resource, `the copy did not finish within ${formatDuration(options.timeoutMs)} (the timeout). Raise the timeout for large images, then re-run.`, "OperationTimedOut");
      }
      await clock.sleep(Math.min(options.pollIntervalMs ?? DEFAULT_COPY_POLL_MS, left), options.signal);
      let properties: Awaited<ReturnType<CopyTargetBlob["getProperties"]>>;
      try {
        properties = await options.target.getProperties({ abortSignal: options.signal });
      } catch (error) {
        if (options.signal.aborted) throw new CancelledError(`${options.what} was cancelled.`, { cause: error });
        throw fail(error);
      }
      if (copyId !== undefined && properties.copyId !== undefined && properties.copyId !== copyId) {
        throw new AzureOperationError(options.what, options.resource, "another copy into the same staging blob started meanwhile (is a second run distributing the same image?). Re-run when it is done.", "CopyConflict");
      }
      status = properties.copyStatus;
      statusDescription = properties.copyStatusDescription ? clean(properties.copyStatusDescription) : undefined;
      options.onProgress?.(parseCopyProgress(properties.copyProgress));
    }
  } catch (error) {
    // Stop the copy in Azure: on cancel, on timeout and on any error while it may still be running.
    const state = (status ?? "pending").toLowerCase();
    if (copyId !== undefined && state === "pending") await abortQuietly(options.target, copyId, error instanceof CancelledError || options.signal.aborted ? ABORT_COPY_ON_CANCEL_TIMEOUT_MS : ABORT_COPY_TIMEOUT_MS);
    if (error instanceof CancelledError) throw new CancelledError(`${options.what} was cancelled after ${formatDuration(clock.now() - started)}; the copy was aborted.`, { cause: error });
    throw error;
  }
}

async function abortQuietly(target: CopyTargetBlob, copyId: string, timeoutMs: number): Promise<void> {
  try {
    await target.abortCopyFromURL(copyId, { abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch {
    // Already finished or failed: nothing left to stop.
  }
}

function explainCopyError(error: unknown, options: CopyBlobOptions, fail: (error: unknown) => Error): Error {
  const described = describeAzureError(error);
  const status = azureErrorStatus(error);
  if (described.code === "CannotVerifyCopySource" || status === 404) {
    return new AzureOperationError(
      options.what,
      options.resource,
      `Azure Storage could not read the source (${described.code ?? `HTTP ${status ?? "?"}`}). The source image's disk may be gone or its read access expired; re-run the task.`,
      described.code ?? "CannotVerifyCopySource",
    );
  }
  return fail(error);
}

export type StagedBlobRemoval = { result: "deleted" | "absent"; via: string };

/** One way to delete a blob: a client with some credential, and what that credential is, for the log. */
export interface DeletionCandidate {
  via: string;
  blob(): DeletableBlob;
}

/**
 * Deletes a staged blob. The lab's upload SAS may not allow deleting; then the next candidate (the service
 * connection's identity through Azure AD, which needs a data role on the lab's storage) is tried. Throws an
 * AzureOperationError that says what remains and how to allow its removal when none may delete it.
 */
export async function deleteStagedBlob(options: { candidates: readonly DeletionCandidate[]; signal: AbortSignal; what: string; resource: string; secrets?: readonly string[] }): Promise<StagedBlobRemoval> {
  let refused = false;
  for (const candidate of options.candidates) {
    try {
      const result = await candidate.blob().deleteIfExists({ abortSignal: options.signal, deleteSnapshots: "include" });
      return { result: result.succeeded ? "deleted" : "absent", via: candidate.via };
    } catch (error) {
      if (options.signal.aborted) throw new CancelledError(`${options.what} was cancelled.`, { cause: error });
      const status = azureErrorStatus(error);
      if (status === 403 || status === 401) {
        refused = true;
        continue;
      }
      // A fallback that cannot even sign in (no blob data role, no token for storage) is a refusal too.
      if (refused) break;
      throw toAzureOperationError(error, { operation: options.what, resource: options.resource, secrets: options.secrets });
    }
  }
  throw new AzureOperationError(
    options.what,
    options.resource,
    "neither the lab's upload access nor the service connection may delete it. Delete the blob from the lab's 'uploads' container, and grant the connection's identity 'Storage Blob Data Contributor' on the lab's storage account so later runs remove it themselves.",
    "StagedBlobNotDeleted",
  );
}
