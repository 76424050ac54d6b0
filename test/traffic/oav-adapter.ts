// The one place that talks to oav. It runs the same engine as `oav validate-traffic` (oav's LiveValidator, which
// that command builds over the spec folder and feeds one {liveRequest, liveResponse} payload at a time), but in
// process and over only the spec files the traffic needs, so a few thousand entries take seconds, not minutes.
// oav's own types are loose (StringMap<unknown>, `any` metadata); everything leaving this file is ours.
import { LiveValidator, getProvider } from "oav";
import type { LiveValidationIssue, LiveValidationResult, RequestResponsePair } from "oav";

/** The payload shape of `oav validate-traffic` (one such object per JSON file in its traffic folder). */
export interface TrafficPayload {
  liveRequest: {
    url: string;
    method: string;
    headers: Record<string, string>;
    /** Parsed JSON (an object for every ARM body). */
    body?: unknown;
  };
  liveResponse: {
    statusCode: string;
    headers: Record<string, string>;
    body?: unknown;
  };
}

export interface OavIssue {
  /** Whether the request the client sent or the response the service gave broke the spec. */
  side: "request" | "response";
  /** oav's error code, e.g. OBJECT_MISSING_REQUIRED_PROPERTY, INVALID_TYPE, INVALID_RESPONSE_CODE. */
  code: string;
  message: string;
  /** Where in the payload body, e.g. $.properties.osType ("" when the issue is not about one place). */
  payloadPath: string;
  /** The violated schema rule, relative to the schema that was applied, e.g. #/properties/osType/type. */
  schemaPath: string;
  /** The spec file and JSON reference (and line) of that schema. */
  specFile?: string;
  specRef?: string;
  specLine?: number;
}

export interface OavResult {
  operationId?: string;
  apiVersion?: string;
  issues: OavIssue[];
  /** oav could not validate at all, e.g. OPERATION_NOT_FOUND_IN_CACHE when no spec path matches the URL. */
  exception?: { code: string; message: string };
}

export interface OavValidator {
  validate(payload: TrafficPayload): Promise<OavResult>;
}

/**
 * Builds a validator over the given swagger files. specRoot is the folder that holds `specification/`: oav
 * reports spec locations relative to it. Fails when a spec does not load, rather than validating against less.
 */
export async function createOavValidator(specRoot: string, specFiles: string[]): Promise<OavValidator> {
  const loadProblems: string[] = [];
  const validator = new LiveValidator(
    {
      directory: specRoot,
      swaggerPaths: [...specFiles],
      git: { shouldClone: false },
      // ARM matches paths case-insensitively (and our clients send e.g. "resourcegroups" and "resourceGroups").
      isPathCaseSensitive: false,
      // Build each operation's schema validator when it is first used; building all up front costs seconds.
      loadValidatorInBackground: false,
      loadValidatorInInitialize: false,
      // Adds ARM's long-running-operation rules (status codes, Location/Azure-AsyncOperation on 202).
      isArmCall: true,
    },
    (message, level) => {
      // oav logs every step; keep only the failures that mean a spec was not (fully) loaded.
      if ((level === "warn" || level === "error") && /Unable to initialize|Failed to load spec|Failed to transform/.test(message)) {
        loadProblems.push(message.split("\n")[0] ?? message);
      }
    },
  );
  await validator.initialize();
  if (loadProblems.length > 0) throw new Error(`oav could not load the specs:\n  ${loadProblems.join("\n  ")}`);

  return {
    async validate(payload) {
      // oav rewrites the payload it is given (query and header transforms), so hand it a copy.
      // oav types bodies as string maps; ARM bodies are JSON objects, and anything else is oav's to report.
      const copy = structuredClone(payload) as RequestResponsePair;
      const result = await validator.validateLiveRequestResponse(copy);
      const request = result.requestValidationResult;
      const response = result.responseValidationResult;
      const exception = result.runtimeException ?? request.runtimeException ?? response.runtimeException;
      const output: OavResult = {
        issues: [...toIssues("request", request), ...(response === request ? [] : toIssues("response", response))],
      };
      const operationId = request.operationInfo.operationId;
      if (operationId && operationId !== "unknownOperationId") output.operationId = operationId;
      const apiVersion = request.operationInfo.apiVersion;
      if (apiVersion && apiVersion !== "unknown-api-version") output.apiVersion = apiVersion;
      if (exception !== undefined) output.exception = { code: String(exception.code), message: String(exception.message) };
      return output;
    },
  };
}

function toIssues(side: OavIssue["side"], result: LiveValidationResult): OavIssue[] {
  return result.errors.map((issue: LiveValidationIssue) => {
    const converted: OavIssue = {
      side,
      code: String(issue.code),
      message: issue.message,
      payloadPath: issue.jsonPathsInPayload.join(", "),
      schemaPath: issue.schemaPath,
    };
    // oav's source is typed as always present but is empty for issues not tied to a schema (e.g. a status code).
    const source = issue.source as Partial<typeof issue.source> | undefined;
    if (source?.url) converted.specFile = source.url;
    if (source?.jsonRef) converted.specRef = source.jsonRef;
    if (source?.position?.line) converted.specLine = source.position.line;
    return converted;
  });
}

/** The provider namespace oav files a path (or path template) under; undefined for paths without one. */
export function providerOfPath(path: string): string | undefined {
  const provider: unknown = getProvider(path);
  return typeof provider === "string" ? provider : undefined;
}
