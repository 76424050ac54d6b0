// Validates traffic against the official swagger with oav: classifies each entry (coverage.ts), loads only the
// spec files the covered entries need, runs oav on each request/response pair and collects every violation
// with what a reader needs to find it: operation, request, the broken rule and where the spec says it.
import type { TrafficEntry } from "./entry";
import { classify, isOperationMonitorPath, monitorSkip, type ApiVersionSubstitute, apiVersionSubstitutes } from "./coverage";
import { knownDifferenceFor, knownDifferences, type KnownDifference } from "./known-differences";
import { createOavValidator, type OavValidator } from "./oav-adapter";
import { describeRequest, toPayload } from "./payload";
import { loadSpecCatalog, type SpecCatalog } from "./spec-catalog";

export interface TrafficSource {
  /** A traffic file or a recording: named in every violation it holds. */
  name: string;
  entries: TrafficEntry[];
  /** Entries the emulator's log dropped before they were collected. */
  droppedEntries?: number;
}

export interface Violation {
  source: string;
  seq?: number;
  request: string;
  status: number;
  /** The swagger operation the request matched; undefined when it matched none. */
  operationId?: string;
  provider: string;
  apiVersion: string;
  /** Set when the entry was checked against an older swagger (see coverage.ts apiVersionSubstitutes). */
  validatedAs?: string;
  /** request/response: the payload broke the spec; match: no spec operation or version covers the request. */
  side: "request" | "response" | "match";
  code: string;
  message: string;
  /** Where in the body, e.g. $.properties.osType. */
  payloadPath: string;
  /** The rule broken, e.g. #/properties/osType/type. */
  schemaPath: string;
  /** spec file#jsonRef (line n). */
  spec?: string;
}

export interface SkippedGroup {
  group: string;
  reason: string;
  count: number;
  /** A few of the requests, to show what was left out. */
  examples: string[];
}

export interface Substitution {
  provider: string;
  apiVersion: string;
  validateAs: string;
  reason: string;
  count: number;
}

export interface TrafficReport {
  entries: number;
  validated: number;
  skipped: SkippedGroup[];
  violations: Violation[];
  /** Violations that match a known difference between the swagger and the real service (known-differences.ts). */
  accepted: (Violation & { reason: string })[];
  /**
   * Requests outside the swagger (bad bodies, unknown routes or api-versions) that the emulator rejected with a
   * 4xx, as ARM would: negative tests. Not violations; their error responses are still validated where a spec
   * operation matched.
   */
  rejected: Violation[];
  substitutions: Substitution[];
  droppedEntries: number;
  specFiles: string[];
  /** How many entries each operation validated ("operationId [provider api-version]"), to show what was covered. */
  operations: Record<string, number>;
  timings: { specLoadMs: number; validateMs: number };
}

export interface ValidateOptions {
  catalog?: SpecCatalog;
  substitutes?: readonly ApiVersionSubstitute[];
  knownDifferences?: readonly KnownDifference[];
}

const exampleCount = 3;

export async function validateTraffic(sources: TrafficSource[], options: ValidateOptions = {}): Promise<TrafficReport> {
  const catalog = options.catalog ?? defaultCatalog();
  const substitutes = options.substitutes ?? apiVersionSubstitutes;
  const skipped = new Map<string, SkippedGroup>();
  const substitutions = new Map<string, Substitution>();
  const violations: Violation[] = [];
  const rejected: Violation[] = [];
  const noteSkip = (group: string, reason: string, entry: TrafficEntry): void => {
    let item = skipped.get(group);
    if (item === undefined) skipped.set(group, (item = { group, reason, count: 0, examples: [] }));
    item.count += 1;
    const request = describeRequest(entry);
    if (item.examples.length < exampleCount && !item.examples.includes(request)) item.examples.push(request);
  };

  // First pass: decide coverage, so the validator is built once over exactly the specs in use.
  type Planned = { source: string; entry: TrafficEntry; provider: string; apiVersion: string; validateAs?: string };
  const planned: Planned[] = [];
  const specFiles = new Set<string>();
  let entries = 0;
  for (const source of sources) {
    for (const entry of source.entries) {
      entries += 1;
      const coverage = classify(entry, catalog, substitutes);
      if (coverage.kind === "skip") {
        noteSkip(coverage.group, coverage.reason, entry);
      } else if (coverage.kind === "no-spec") {
        (isClientError(entry.status) ? rejected : violations).push({
          ...locate(source.name, entry),
          provider: coverage.provider,
          apiVersion: coverage.apiVersion,
          side: "match",
          code: "NO_SPEC_FOR_API_VERSION",
          message: `no swagger for ${coverage.provider} api-version ${coverage.apiVersion} in test/fixtures/specs (it has ${coverage.known.join(", ")})`,
          payloadPath: "",
          schemaPath: "",
        });
      } else {
        for (const file of coverage.specFiles) specFiles.add(file);
        const item: Planned = { source: source.name, entry, provider: coverage.provider, apiVersion: coverage.apiVersion };
        if (coverage.validateAs !== undefined) {
          item.validateAs = coverage.validateAs.apiVersion;
          const key = `${coverage.provider} ${coverage.apiVersion}`;
          const known = substitutions.get(key);
          if (known !== undefined) known.count += 1;
          else substitutions.set(key, { provider: coverage.provider, apiVersion: coverage.apiVersion, validateAs: coverage.validateAs.apiVersion, reason: coverage.validateAs.reason, count: 1 });
        }
        planned.push(item);
      }
    }
  }

  const loadStart = Date.now();
  const validator = planned.length > 0 ? await validatorFor(catalog.root, [...specFiles].sort()) : undefined;
  const specLoadMs = Date.now() - loadStart;

  const validateStart = Date.now();
  let validated = 0;
  const operations: Record<string, number> = {};
  for (const item of planned) {
    if (validator === undefined) break;
    const { entry } = item;
    const base = { ...locate(item.source, entry), provider: item.provider, apiVersion: item.apiVersion, ...(item.validateAs ? { validatedAs: item.validateAs } : {}) };
    let payload = toPayload(entry, item.validateAs);
    if (!payload.ok && payload.side === "request" && !payload.clipped && isClientError(entry.status)) {
      // A malformed request the emulator refused: note it, and still check the refusal against the error schema.
      rejected.push({ ...base, side: "request", code: "BODY_NOT_JSON", message: payload.problem, payloadPath: "", schemaPath: "" });
      payload = toPayload({ ...entry, requestBody: undefined }, item.validateAs);
    }
    if (!payload.ok) {
      if (payload.clipped) noteSkip("body cut short by the request log", "bodies over 256 KiB are clipped by the request log and cannot be parsed", entry);
      else violations.push({ ...base, side: payload.side, code: "BODY_NOT_JSON", message: payload.problem, payloadPath: "", schemaPath: "" });
      continue;
    }
    const result = await validator.validate(payload.payload);
    if (result.exception !== undefined) {
      if (/^OPERATION_NOT_FOUND/.test(result.exception.code) && isOperationMonitorPath(entry.path)) {
        noteSkip(monitorSkip.group, monitorSkip.reason, entry);
        continue;
      }
      validated += 1;
      const violation: Violation = { ...base, side: "match", code: result.exception.code, message: firstLine(result.exception.message), payloadPath: "", schemaPath: "" };
      (/^OPERATION_NOT_FOUND/.test(result.exception.code) && isClientError(entry.status) ? rejected : violations).push(violation);
      continue;
    }
    validated += 1;
    const operation = `${result.operationId ?? "?"} [${item.provider} ${item.apiVersion}${item.validateAs ? ` as ${item.validateAs}` : ""}]`;
    operations[operation] = (operations[operation] ?? 0) + 1;
    for (const issue of result.issues) {
      const violation: Violation = {
        ...base,
        side: issue.side,
        code: issue.code,
        message: issue.message,
        payloadPath: issue.payloadPath,
        schemaPath: issue.schemaPath,
      };
      if (result.operationId !== undefined) violation.operationId = result.operationId;
      if (issue.specFile !== undefined) violation.spec = `${issue.specFile}${issue.specRef ?? ""}${issue.specLine ? ` (line ${issue.specLine})` : ""}`;
      // A request the swagger forbids is fine when the emulator refused it; accepting it would be the violation.
      (issue.side === "request" && isClientError(entry.status) ? rejected : violations).push(violation);
    }
  }

  const known = options.knownDifferences ?? knownDifferences;
  const accepted: TrafficReport["accepted"] = [];
  const remaining: Violation[] = [];
  for (const violation of violations) {
    const difference = knownDifferenceFor(violation, known);
    if (difference === undefined) remaining.push(violation);
    else accepted.push({ ...violation, reason: difference.reason });
  }

  return {
    entries,
    validated,
    skipped: [...skipped.values()].sort((a, b) => b.count - a.count || a.group.localeCompare(b.group)),
    violations: remaining,
    accepted,
    rejected,
    substitutions: [...substitutions.values()],
    droppedEntries: sources.reduce((sum, source) => sum + (source.droppedEntries ?? 0), 0),
    specFiles: [...specFiles].sort().map((file) => file.slice(catalog.root.length + 1)),
    operations,
    timings: { specLoadMs, validateMs: Date.now() - validateStart },
  };
}

/** Violations grouped by the operation they belong to (operationId, or the request for unmatched ones). */
export function groupByOperation<T extends Violation>(violations: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const violation of violations) {
    const key = `${violation.operationId ?? `(no operation) ${violation.request.split("?")[0] ?? ""}`} [${violation.provider} ${violation.apiVersion}${violation.validatedAs ? ` as ${violation.validatedAs}` : ""}]`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [violation]);
    else list.push(violation);
  }
  return groups;
}

// oav builds schema validators lazily and caches them on the loaded spec, so one validator per spec set is reused
// across calls in a test run (the suite validates several sources against the same specs).
const validators = new Map<string, Promise<OavValidator>>();
let catalogCache: SpecCatalog | undefined;

function defaultCatalog(): SpecCatalog {
  return (catalogCache ??= loadSpecCatalog());
}

function validatorFor(root: string, files: string[]): Promise<OavValidator> {
  const key = `${root}\n${files.join("\n")}`;
  let validator = validators.get(key);
  if (validator === undefined) {
    validator = createOavValidator(root, files);
    validators.set(key, validator);
    validator.catch(() => validators.delete(key));
  }
  return validator;
}

function locate(source: string, entry: TrafficEntry): { source: string; request: string; status: number; seq?: number } {
  return { source, request: describeRequest(entry), status: entry.status, ...(entry.seq !== undefined ? { seq: entry.seq } : {}) };
}

function isClientError(status: number): boolean {
  return status >= 400 && status < 500;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
