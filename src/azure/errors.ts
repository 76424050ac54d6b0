// Turns what the Azure SDK throws (RestError with an ARM error body, a failed long-running operation, an identity
// error, a network error) into an AzureOperationError whose text is safe to log: the ARM code and message, the
// nested details, a hint for the common status codes. Request bodies are never read (they hold passwords).
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import { AzureOperationError, InputError } from "../errors";
import { isCancellation } from "../steps/cancelled";
import { neutralizeUntrustedText } from "./untrusted-text";

export interface AzureErrorContext {
  /** What was being done, e.g. "Deleting VM 'vm1'". */
  operation: string;
  /** The resource as the user knows it: an id or a name. */
  resource: string;
  /** Secret values that must not appear even if Azure echoes them. */
  secrets?: readonly string[];
}

/** The ARM error shape: `{error: {code, message, details}}` or the inner object itself. */
interface ArmErrorBody {
  code?: unknown;
  message?: unknown;
  target?: unknown;
  details?: unknown;
  error?: unknown;
}

const MAX_DETAILS = 10;
const MAX_DEPTH = 4;
const LRO_FAILURE = /^The long-running operation has failed(?:\. ([^.\s]*)\. ([\s\S]*))?$/;

/** The error to show the user. InputErrors, AzureOperationErrors and cancellations pass through unchanged. */
export function toAzureOperationError(error: unknown, context: AzureErrorContext): Error {
  if (error instanceof AzureOperationError || error instanceof InputError || isCancellation(error)) return error as Error;
  const clean = (text: string) => neutralizeUntrustedText(text, { secrets: context.secrets, maxLength: 3000 });
  const resource = clean(context.resource);
  const operation = clean(context.operation);
  const described = describeAzureError(error);
  const parts = [described.message];
  if (described.details.length > 0) parts.push(`Details: ${described.details.join("; ")}`);
  if (described.statusCode !== undefined) parts.push(`(HTTP ${described.statusCode})`);
  const hint = hintFor(described.statusCode, described.code);
  if (hint) parts.push(hint);
  return new AzureOperationError(operation, resource, clean(parts.join(" ")), described.code === undefined ? undefined : clean(described.code));
}

export interface DescribedAzureError {
  code?: string;
  message: string;
  details: string[];
  statusCode?: number;
}

/** Code, message and flattened details of anything the SDK throws; the text is raw (not yet neutralised). */
export function describeAzureError(error: unknown): DescribedAzureError {
  if (isRestError(error)) return describeRestError(error);
  if (error instanceof Error) {
    const lro = LRO_FAILURE.exec(error.message);
    if (lro) {
      const nested = lro[2] ? parseJsonObject(lro[2]) : undefined;
      if (nested) return { ...describeBody(nested), statusCode: undefined };
      const code = lro[1] && lro[1] !== "undefined" ? lro[1] : undefined;
      return { code, message: lro[2] || "The operation failed in Azure without a reason.", details: [] };
    }
    if (error.name === "AuthenticationError" || error.name === "CredentialUnavailableError" || error.name === "AuthenticationRequiredError") {
      return { code: "AuthenticationFailed", message: `Signing in with the service connection failed: ${error.message}`, details: [] };
    }
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : undefined, message: error.message || error.name, details: [] };
  }
  return { message: String(error), details: [] };
}

/** The HTTP status of a RestError, if any. */
export function azureErrorStatus(error: unknown): number | undefined {
  return isRestError(error) ? (error.statusCode ?? error.response?.status) : undefined;
}

/**
 * A 404 or an ARM "not found" code: what a delete of something already gone gets. Not a subscription that does not
 * exist: that is a wrong id or connection (a subscription does not vanish between steps), and taking it for "already
 * deleted" would let a typo pass silently.
 */
export function isNotFoundError(error: unknown): boolean {
  if (!isRestError(error)) return false;
  if ((error.code ?? describeAzureError(error).code) === "SubscriptionNotFound") return false;
  if (azureErrorStatus(error) === 404) return true;
  const code = isRestError(error) ? error.code : undefined;
  return code === "ResourceNotFound" || code === "NotFound" || code === "ResourceGroupNotFound";
}

function describeRestError(error: RestError): DescribedAzureError {
  const statusCode = error.statusCode ?? error.response?.status;
  const bodyText = error.response?.bodyAsText;
  const body = bodyText ? parseJsonObject(bodyText) : undefined;
  if (body) {
    const fromBody = describeBody(body);
    if (fromBody.code !== undefined || fromBody.message !== "") return { ...fromBody, statusCode };
  }
  // No ARM body: a network error (code like ECONNREFUSED) or a non-JSON reply (a proxy's HTML page).
  const message = error.message || (statusCode !== undefined ? `Azure answered HTTP ${statusCode}.` : "The request failed.");
  return { code: error.code, message, details: [], statusCode };
}

function describeBody(raw: ArmErrorBody): { code?: string; message: string; details: string[] } {
  const inner = isObject(raw.error) ? (raw.error as ArmErrorBody) : raw;
  const details: string[] = [];
  collectDetails(inner.details, details, 0);
  return {
    code: typeof inner.code === "string" ? inner.code : undefined,
    message: typeof inner.message === "string" ? inner.message : "",
    details,
  };
}

// ARM nests errors (DeploymentFailed → details → a message that is itself a JSON error body): flatten them.
function collectDetails(details: unknown, into: string[], depth: number): void {
  if (!Array.isArray(details) || depth >= MAX_DEPTH) return;
  for (const detail of details) {
    if (into.length >= MAX_DETAILS) return;
    if (!isObject(detail)) continue;
    const body = detail as ArmErrorBody;
    const code = typeof body.code === "string" ? body.code : undefined;
    const message = typeof body.message === "string" ? body.message : "";
    const nested = parseJsonObject(message);
    if (nested) {
      const inner = describeBody(nested);
      into.push([code, inner.code, inner.message].filter(Boolean).join(": "));
      collectDetails((isObject(nested.error) ? (nested.error as ArmErrorBody) : nested).details, into, depth + 1);
    } else {
      const target = typeof body.target === "string" && body.target !== "" ? ` (target ${body.target})` : "";
      into.push(`${code ? `${code}: ` : ""}${message}${target}`);
    }
    collectDetails(body.details, into, depth + 1);
  }
}

function hintFor(statusCode: number | undefined, code: string | undefined): string | undefined {
  if (statusCode === 401 || code === "AuthenticationFailed" || code === "InvalidAuthenticationToken") {
    return "Check the service connection: its secret, certificate or federated credential may be wrong or expired.";
  }
  if (statusCode === 403 || code === "AuthorizationFailed") {
    return "The service connection's identity lacks permission here: grant it a role on this lab or subscription.";
  }
  if (statusCode === 404) return "Check the id or name, and that it is in the service connection's subscription.";
  if (statusCode === 429) return "Azure kept throttling the requests; retry later or run fewer jobs in parallel.";
  return undefined;
}

function parseJsonObject(text: string): ArmErrorBody | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return isObject(value) ? (value as ArmErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
