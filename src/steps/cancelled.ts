// The error every wait throws when the job is cancelled. Its name is "AbortError", as the Azure SDK and the
// platform name theirs, so one check recognises a cancellation wherever it started.

export class CancelledError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AbortError";
  }
}

/** True for our CancelledError, the SDK's AbortError and the platform's AbortSignal errors. */
export function isCancellation(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error instanceof CancelledError);
}
