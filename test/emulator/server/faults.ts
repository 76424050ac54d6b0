// Fault injection rules (admin API `POST /_emulator/faults`). A rule matches requests by method and path and
// fires every time, `count` times, or with probability `rate`. The server applies the HTTP kinds (status,
// reset, latency); token issuance and the ARM front door apply tokenExpiry; the ARM layer asks about lroFailure
// and artifactFailure through ArmFaults.
import { randomUUID } from "node:crypto";
import type { ArmFaults } from "../core/contracts";
import { compilePathPattern, matchesIdOrName } from "./path-pattern";

export const faultKinds = ["status", "reset", "latency", "lroFailure", "tokenExpiry", "artifactFailure"] as const;
export type FaultKind = (typeof faultKinds)[number];

/** What a test posts. Members beyond method/path/count/rate belong to one kind each. */
export interface FaultInput {
  kind: FaultKind;
  /** HTTP method, any when omitted. */
  method?: string;
  /** Glob or ^regex on the request path (case-insensitive); any path when omitted. */
  path?: string;
  /** Fire this many times, then stay listed but inert. Unlimited when omitted. */
  count?: number;
  /** Fire with this probability (0–1). Always when omitted. */
  rate?: number;
  /** status: the HTTP status (400–599). */
  status?: number;
  /** status and lroFailure: the error code and message in the body. */
  code?: string;
  message?: string;
  /** status: Retry-After seconds (default 1 for 429). */
  retryAfter?: number;
  /** latency: milliseconds added before the request is handled. */
  ms?: number;
  /** tokenExpiry: whose tokens (either id); everyone's when both are omitted. */
  clientId?: string;
  objectId?: string;
  /**
   * tokenExpiry: "expireNow" (default) makes ARM reject every token of that identity issued before the rule as
   * expired; "shortLifetime" issues new tokens that live `lifetimeSeconds` (default 5); "expiredAssertion" makes
   * the Azure DevOps OIDC endpoint hand out tokens that have already expired (for `serviceConnectionId`, or any),
   * so a workload identity sign-in presents an expired client assertion.
   */
  mode?: "expireNow" | "shortLifetime" | "expiredAssertion";
  /** tokenExpiry with mode expiredAssertion: the service connection whose OIDC tokens come back expired. */
  serviceConnectionId?: string;
  lifetimeSeconds?: number;
  /** artifactFailure: glob on the VM id or name, and on the artifact id or name. */
  vm?: string;
  artifact?: string;
}

export interface FaultRule extends FaultInput {
  id: string;
  createdAt: string;
  /** How many times it fired. */
  hits: number;
}

interface CompiledRule {
  rule: FaultRule;
  createdAtMs: number;
  path?: RegExp;
  vm?: RegExp;
  artifact?: RegExp;
}

export interface HttpFaultDecision {
  latencyMs: number;
  /** The status or reset rule that fired, if any. */
  rule?: FaultRule;
}

export class FaultStore {
  private rules: CompiledRule[] = [];

  add(input: unknown): FaultRule {
    const checked = validateFault(input);
    const compiled: CompiledRule = {
      rule: { ...checked, id: randomUUID(), createdAt: new Date().toISOString(), hits: 0 },
      createdAtMs: Date.now(),
      path: checked.path !== undefined ? compilePathPattern(checked.path) : undefined,
      vm: checked.vm !== undefined ? compilePathPattern(checked.vm) : undefined,
      artifact: checked.artifact !== undefined ? compilePathPattern(checked.artifact) : undefined,
    };
    this.rules.push(compiled);
    return compiled.rule;
  }

  list(): FaultRule[] {
    return this.rules.map((entry) => entry.rule);
  }

  delete(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((entry) => entry.rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Latency adds up over every firing rule; the first firing status/reset rule wins. */
  httpFaults(method: string, path: string): HttpFaultDecision {
    let latencyMs = 0;
    for (const entry of this.matching(["latency"], method, path)) if (this.fire(entry)) latencyMs += entry.rule.ms ?? 0;
    for (const entry of this.matching(["status", "reset"], method, path)) if (this.fire(entry)) return { latencyMs, rule: entry.rule };
    return { latencyMs };
  }

  /** Lifetime in seconds for a new token of this identity, when a shortLifetime rule applies. */
  shortLifetime(identity: { clientId: string; objectId: string }): number | undefined {
    for (const entry of this.rules) {
      if (entry.rule.kind !== "tokenExpiry" || entry.rule.mode !== "shortLifetime" || !identityMatches(entry.rule, identity)) continue;
      if (this.fire(entry)) return entry.rule.lifetimeSeconds ?? 5;
    }
    return undefined;
  }

  /** True when an expiredAssertion rule covers OIDC tokens for this service connection. */
  oidcAssertionExpired(serviceConnectionId: string): boolean {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.kind !== "tokenExpiry" || rule.mode !== "expiredAssertion") continue;
      if (rule.serviceConnectionId !== undefined && rule.serviceConnectionId.toLowerCase() !== serviceConnectionId.toLowerCase()) continue;
      if (this.fire(entry)) return true;
    }
    return false;
  }

  /** True when an expireNow rule created after the token was issued covers its identity. */
  revoked(identity: { clientId: string; objectId: string }, issuedAtMs: number): boolean {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.kind !== "tokenExpiry" || (rule.mode ?? "expireNow") !== "expireNow" || !identityMatches(rule, identity)) continue;
      if (issuedAtMs < entry.createdAtMs && this.fire(entry)) return true;
    }
    return false;
  }

  /** The ARM layer's view (ArmOptions.faults). */
  armFaults(): ArmFaults {
    return {
      lroFailure: (method, path) => {
        for (const entry of this.matching(["lroFailure"], method, path)) {
          if (this.fire(entry)) return { code: entry.rule.code ?? "InternalServerError", message: entry.rule.message ?? "The operation failed because of an injected fault." };
        }
        return undefined;
      },
      artifactFailure: (vmId, artifactId) => {
        for (const entry of this.rules) {
          if (entry.rule.kind !== "artifactFailure") continue;
          if (entry.vm && !matchesIdOrName(entry.vm, vmId)) continue;
          if (entry.artifact && !matchesIdOrName(entry.artifact, artifactId)) continue;
          if (this.fire(entry)) return entry.rule.message ?? "The artifact failed to apply (injected fault).";
        }
        return undefined;
      },
    };
  }

  private matching(kinds: FaultKind[], method: string, path: string): CompiledRule[] {
    return this.rules.filter((entry) =>
      kinds.includes(entry.rule.kind)
      && (entry.rule.method === undefined || entry.rule.method === "*" || entry.rule.method.toUpperCase() === method.toUpperCase())
      && (entry.path === undefined || entry.path.test(path)));
  }

  private fire(entry: CompiledRule): boolean {
    const { rule } = entry;
    if (rule.count !== undefined && rule.hits >= rule.count) return false;
    if (rule.rate !== undefined && Math.random() >= rule.rate) return false;
    rule.hits++;
    return true;
  }
}

function identityMatches(rule: FaultInput, identity: { clientId: string; objectId: string }): boolean {
  if (rule.clientId !== undefined && rule.clientId.toLowerCase() !== identity.clientId.toLowerCase()) return false;
  if (rule.objectId !== undefined && rule.objectId.toLowerCase() !== identity.objectId.toLowerCase()) return false;
  return true;
}

/** Checks a posted rule; throws an Error whose message says what is wrong. */
export function validateFault(input: unknown): FaultInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("A fault must be a JSON object.");
  const value = input as Record<string, unknown>;
  const kind = value.kind;
  if (typeof kind !== "string" || !(faultKinds as readonly string[]).includes(kind)) throw new Error(`"kind" must be one of ${faultKinds.join(", ")}.`);
  const strings = ["method", "path", "code", "message", "clientId", "objectId", "vm", "artifact", "mode", "serviceConnectionId"] as const;
  for (const key of strings) if (value[key] !== undefined && typeof value[key] !== "string") throw new Error(`"${key}" must be a string.`);
  const numbers = ["count", "rate", "status", "retryAfter", "ms", "lifetimeSeconds"] as const;
  for (const key of numbers) if (value[key] !== undefined && (typeof value[key] !== "number" || !Number.isFinite(value[key]))) throw new Error(`"${key}" must be a number.`);
  const fault = value as unknown as FaultInput;
  if (fault.count !== undefined && (fault.count < 0 || !Number.isInteger(fault.count))) throw new Error(`"count" must be a whole number ≥ 0.`);
  if (fault.rate !== undefined && (fault.rate < 0 || fault.rate > 1)) throw new Error(`"rate" must be between 0 and 1.`);
  if (fault.path !== undefined) compilePathPattern(fault.path);
  switch (fault.kind) {
    case "status":
      if (fault.status === undefined || !Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) throw new Error(`A status fault needs "status" between 400 and 599.`);
      if (fault.retryAfter !== undefined && fault.retryAfter < 0) throw new Error(`"retryAfter" must be ≥ 0 seconds.`);
      break;
    case "latency":
      if (fault.ms === undefined || fault.ms < 0) throw new Error(`A latency fault needs "ms" ≥ 0.`);
      break;
    case "tokenExpiry":
      if (fault.mode !== undefined && !["expireNow", "shortLifetime", "expiredAssertion"].includes(fault.mode)) throw new Error(`"mode" must be expireNow, shortLifetime or expiredAssertion.`);
      if (fault.lifetimeSeconds !== undefined && fault.lifetimeSeconds < 0) throw new Error(`"lifetimeSeconds" must be ≥ 0.`);
      break;
    case "artifactFailure":
      if (fault.vm === undefined && fault.artifact === undefined) throw new Error(`An artifactFailure fault needs "vm" or "artifact" (globs on id or name).`);
      break;
    default:
      break;
  }
  const known = new Set<string>(["kind", ...strings, ...numbers]);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`Unknown fault member(s): ${unknown.join(", ")}.`);
  return fault;
}
