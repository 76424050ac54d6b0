// Errors a user sees. Each says what failed, on which input or resource, and what to do.

/** A bad input, found before any Azure write. `input` is the task input's name as the user wrote it in YAML. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input '${input}': ${problem}`);
    this.name = "InputError";
  }
}

/** An Azure call or operation that failed on a resource; `resource` is an id or a name the user recognises. */
export class AzureOperationError extends Error {
  constructor(
    readonly operation: string,
    readonly resource: string,
    detail: string,
    readonly code?: string,
  ) {
    super(`${operation} failed on ${resource}: ${detail}`);
    this.name = "AzureOperationError";
  }
}
