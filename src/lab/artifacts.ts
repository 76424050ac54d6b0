// Artifacts on a lab VM: the JSON users write to request them, and what the VM reports about installing them.
// Parsing and evaluation are pure; the wait lives in vm-wait.ts.
import type { ArtifactInstallProperties, LabVirtualMachine } from "@azure/arm-devtestlabs";
import { AzureOperationError } from "../errors";
import { artifactId, parseArtifactId, type LabRef } from "../azure/ids";

/** The artifact source every lab has: Microsoft's public repository. */
export const PUBLIC_ARTIFACT_SOURCE = "public repo";

export interface ArtifactRequest {
  /** Full artifact id, or undefined when named by `name` (+ `source`). */
  artifactId?: string;
  name?: string;
  /** Artifact source (repository) name; the public repository when omitted. */
  source?: string;
  parameters: { name: string; value: string }[];
}

/** The form the artifacts inputs take, for messages. */
export const ARTIFACTS_JSON_FORM =
  'a JSON array like [{"name": "windows-sysprep"}, {"artifactId": "/subscriptions/…/artifactsources/{source}/artifacts/{name}", "parameters": {"param": "value"}}]';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parameterValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) || isObject(value)) return JSON.stringify(value);
  return undefined;
}

/**
 * Validates parsed artifacts JSON (an array of {artifactId | name [, source], parameters}), parameters given as an
 * object {name: value} or as ARM's [{name, value}]. Returns the requests, or a problem to report against the input.
 */
export function parseArtifactRequests(value: unknown): ArtifactRequest[] | string {
  const list = isObject(value) ? [value] : value;
  if (!Array.isArray(list)) return "The value is not a JSON array of artifacts.";
  const requests: ArtifactRequest[] = [];
  for (const [index, item] of list.entries()) {
    const where = `Artifact ${index + 1}`;
    if (!isObject(item)) return `${where} is not a JSON object.`;
    const keys = Object.keys(item);
    const unknown = keys.filter((k) => !["artifactId", "name", "source", "artifactSource", "parameters"].includes(k));
    if (unknown.length > 0) return `${where} has unknown properties: ${unknown.join(", ")}.`;
    const id = item.artifactId;
    const name = item.name;
    const source = item.source ?? item.artifactSource;
    if (id !== undefined && typeof id !== "string") return `${where}: artifactId must be a string.`;
    if (name !== undefined && typeof name !== "string") return `${where}: name must be a string.`;
    if (source !== undefined && typeof source !== "string") return `${where}: source must be a string.`;
    if (!id?.trim() && !name?.trim()) return `${where} has neither an artifactId nor a name.`;
    if (id?.trim() && name?.trim()) return `${where} has both an artifactId and a name; give one.`;
    if (id?.trim() && !id.trim().startsWith("/subscriptions/")) return `${where}: artifactId '${id}' is not a resource id (use "name" for an artifact of the public repository).`;
    const parameters: { name: string; value: string }[] = [];
    const raw = item.parameters;
    if (Array.isArray(raw)) {
      for (const p of raw) {
        if (!isObject(p) || typeof p.name !== "string" || p.name.trim() === "") return `${where}: each parameter needs a "name" and a "value".`;
        const v = parameterValue(p.value);
        if (v === undefined) return `${where}: parameter '${p.name}' has no value.`;
        parameters.push({ name: p.name, value: v });
      }
    } else if (isObject(raw)) {
      for (const [k, v] of Object.entries(raw)) {
        const text = parameterValue(v);
        if (text === undefined) return `${where}: parameter '${k}' has no value.`;
        parameters.push({ name: k, value: text });
      }
    } else if (raw !== undefined) {
      return `${where}: parameters must be an object {"name": "value"} or an array [{"name": …, "value": …}].`;
    }
    requests.push({
      ...(id?.trim() ? { artifactId: id.trim() } : { name: name?.trim(), source: source?.trim() || undefined }),
      parameters,
    });
  }
  return requests;
}

/** The artifact's full id in the given lab (a named artifact comes from its source, the public repository by default). */
export function resolveArtifactId(request: ArtifactRequest, lab: LabRef, inputName: string): string {
  if (request.artifactId) {
    const ref = parseArtifactId(request.artifactId, inputName);
    if (ref.labName.toLowerCase() !== lab.labName.toLowerCase() || ref.resourceGroup.toLowerCase() !== lab.resourceGroup.toLowerCase()) {
      // DTL only installs artifacts from the VM's own lab's repositories.
      throw new AzureOperationError("Resolving artifact", request.artifactId, `the artifact belongs to the lab '${ref.labName}', not to '${lab.labName}'. Use an artifact of the VM's lab.`, "InvalidArtifact");
    }
    return request.artifactId;
  }
  return artifactId({ ...lab, artifactSourceName: request.source ?? PUBLIC_ARTIFACT_SOURCE, artifactName: request.name ?? "" });
}

/** Parameter names whose values are treated as secrets (DTL does not tell us which artifact parameters are secure). */
const SECRET_PARAMETER = /pass(word)?|secret|key|token|credential|sas|pat$|connectionstring/i;

export function secretArtifactValues(requests: readonly ArtifactRequest[]): string[] {
  return requests.flatMap((r) => r.parameters.filter((p) => SECRET_PARAMETER.test(p.name)).map((p) => p.value));
}

// ---------------------------------------------------------------- installation status

/** Artifact states after which nothing more will happen. */
const FINAL_ARTIFACT_STATES = new Set(["succeeded", "failed", "skipped"]);

export interface ArtifactResult {
  /** The artifact's name (last id segment) or title. */
  name: string;
  status: string;
  /** Why it failed, from DTL's deployment and VM extension messages. */
  message?: string;
}

export interface ArtifactEvaluation {
  /** Nothing more will change: every artifact is in a final state. */
  final: boolean;
  total: number;
  succeeded: number;
  failed: ArtifactResult[];
  pending: ArtifactResult[];
  results: ArtifactResult[];
}

export function artifactName(artifact: ArtifactInstallProperties): string {
  const fromId = artifact.artifactId?.split("/").filter(Boolean).pop();
  return fromId ?? artifact.artifactTitle ?? "(unnamed artifact)";
}

/**
 * What the VM says about its artifacts. `fromIndex` limits the evaluation to artifacts listed at or after it (those
 * an apply-artifacts call added). Without an artifacts list, the VM's summary counters decide.
 */
export function evaluateArtifacts(vm: LabVirtualMachine, options: { fromIndex?: number } = {}): ArtifactEvaluation {
  const artifacts = (vm.artifacts ?? []).slice(options.fromIndex ?? 0);
  const results: ArtifactResult[] = artifacts.map((a) => {
    const message = [a.deploymentStatusMessage, a.vmExtensionStatusMessage].filter((m): m is string => !!m && m.trim() !== "").join(" ");
    return { name: artifactName(a), status: a.status ?? "Pending", ...(message ? { message } : {}) };
  });
  const isFinal = (r: ArtifactResult) => FINAL_ARTIFACT_STATES.has(r.status.toLowerCase());
  const failed = results.filter((r) => r.status.toLowerCase() === "failed");
  const pending = results.filter((r) => !isFinal(r));
  const succeeded = results.filter((r) => r.status.toLowerCase() === "succeeded").length;
  if (results.length === 0 && options.fromIndex === undefined) {
    // No per-artifact list (not expanded, or none requested): trust the counters.
    const status = vm.artifactDeploymentStatus;
    const total = status?.totalArtifacts ?? 0;
    const applied = status?.artifactsApplied ?? 0;
    const deployment = (status?.deploymentStatus ?? "").toLowerCase();
    const final = total === 0 || applied >= total || deployment === "succeeded" || deployment === "failed";
    return { final, total, succeeded: applied, failed: [], pending: [], results: [] };
  }
  return { final: pending.length === 0, total: results.length, succeeded, failed, pending, results };
}

/** One line per artifact for the log, e.g. "windows-sysprep: Failed — The script exited with code 1". */
export function describeArtifactResults(results: readonly ArtifactResult[]): string[] {
  return results.map((r) => `${r.name}: ${r.status}${r.message ? ` — ${r.message}` : ""}`);
}

/** Artifacts that failed to install; another attempt on a new VM may succeed, so this is retryable. */
export class ArtifactsFailedError extends AzureOperationError {
  constructor(
    readonly vmName: string,
    readonly failed: readonly ArtifactResult[],
  ) {
    super(
      "Installing artifacts",
      `lab VM '${vmName}'`,
      `${failed.length} artifact${failed.length === 1 ? "" : "s"} failed:\n${describeArtifactResults(failed).join("\n")}\nSee the artifact's log on the VM's Artifacts page in the lab, fix the artifact or its parameters, or clear "fail on artifact error" to continue anyway.`,
      "ArtifactFailed",
    );
    this.name = "ArtifactsFailedError";
  }
}
