// When a lab VM creation is retried, how long to wait first, and under which name. Pure.
import { AzureOperationError, InputError } from "../errors";
import { LAB_VM_MAX_LENGTH, type OsType } from "../azure/names";
import { isCancellation } from "../steps/cancelled";

export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  retries: number;
  /** Wait before the first retry; doubles for each further one. */
  initialDelayMs: number;
  /** Longest wait between attempts. */
  maxDelayMs: number;
  /** Remove the failed VM before the next attempt (frees its name and the lab's quota). */
  deleteFailedVm: boolean;
  /** Remove the failed deployment before the next attempt (template mode). */
  deleteFailedDeployment: boolean;
  /** Name attempt n (n ≥ 2) `<name>-<n>`, so a failed VM that is kept does not block the retry. */
  appendAttemptToVmName: boolean;
}

export const NO_RETRY: RetryPolicy = {
  retries: 0,
  initialDelayMs: 0,
  maxDelayMs: 0,
  deleteFailedVm: true,
  deleteFailedDeployment: false,
  appendAttemptToVmName: false,
};

/** Wait before attempt `nextAttempt` (2 = the first retry): exponential from the initial delay, capped. */
export function retryDelayMs(policy: RetryPolicy, nextAttempt: number): number {
  if (nextAttempt <= 1) return 0;
  const exponent = Math.min(nextAttempt - 2, 30);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

/**
 * ARM error codes that another attempt cannot fix: the template, the inputs, permissions, quota or the lab's
 * policies are wrong. Anything else (capacity, transient service errors, an artifact whose script failed on this
 * VM, a VM that failed to provision) is worth another attempt.
 */
const PERMANENT_CODES = new Set(
  [
    "InvalidTemplate",
    "InvalidTemplateDeployment",
    "InvalidDeploymentParameterValue",
    "InvalidParameter",
    "InvalidRequestContent",
    "InvalidRequestFormat",
    "InvalidResourceName",
    "InvalidResourceType",
    "InvalidApiVersionParameter",
    "MissingSubscriptionRegistration",
    "NoRegisteredProviderFound",
    "AuthorizationFailed",
    "AuthenticationFailed",
    "InvalidAuthenticationToken",
    "InvalidAuthenticationTokenTenant",
    "ExpiredAuthenticationToken",
    "LinkedAuthorizationFailed",
    "SubscriptionNotFound",
    "ResourceGroupNotFound",
    "ParentResourceNotFound",
    "NotFound",
    "ResourceNotFound",
    "QuotaExceeded",
    "OperationNotAllowed",
    "SkuNotAvailable",
    "RequestDisallowedByPolicy",
    "PolicyViolation",
    "LabPolicyViolation",
    "MarketplaceImageNotAllowed",
    "PasswordTooShort",
    "InvalidPassword",
  ].map((c) => c.toLowerCase()),
);

/** The error codes an error carries: its own and those named in its text (a deployment lists its operations' codes). */
function codesOf(error: AzureOperationError): string[] {
  const codes = error.code ? [error.code] : [];
  for (const match of error.message.matchAll(/\b([A-Z][A-Za-z]+)(?=:\s)/g)) if (match[1]) codes.push(match[1]);
  return codes.map((c) => c.toLowerCase());
}

/** Whether another attempt may succeed after this failure. Bad inputs, cancellation and timeouts never retry. */
export function isRetryableFailure(error: unknown): boolean {
  if (isCancellation(error)) return false;
  if (error instanceof InputError) return false;
  if (error instanceof AzureOperationError) {
    // The timeout bounds the whole task; another attempt would only run past it.
    if (error.code === TIMEOUT_CODE) return false;
    // An artifact's script failing is often flaky (downloads, package mirrors): a fresh VM may well succeed.
    if (error.code === "ArtifactFailed") return true;
    // A deployment that failed wraps the real cause; any permanent cause makes the whole failure permanent.
    return !codesOf(error).some((code) => PERMANENT_CODES.has(code));
  }
  // Anything else (a network error the SDK gave up on, an unexpected shape) is treated as transient.
  return true;
}

/** The code src/azure/poll.ts gives a wait that ran out of time; the lab's own waits use it too. */
export const TIMEOUT_CODE = "OperationTimedOut";

/**
 * The VM name for an attempt: the base name for the first, `<base>-<n>` after, when the policy appends the
 * attempt number. The base is shortened so the result still fits the OS's limit (15 characters for Windows).
 */
export function vmNameForAttempt(baseName: string, attempt: number, options: { append: boolean; osType?: OsType }): string {
  if (!options.append || attempt <= 1) return baseName;
  const suffix = `-${attempt}`;
  const max = LAB_VM_MAX_LENGTH[options.osType ?? "Linux"];
  const base = baseName.slice(0, Math.max(1, max - suffix.length)).replace(/-+$/, "");
  return `${base}${suffix}`;
}
