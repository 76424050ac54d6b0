// The long-running-operation engine. Shapes follow the recordings:
//  - DTL: status URL …/providers/Microsoft.DevTestLab/locations/{region}/operations/{yyyymmdd-guid}; PUT answers
//    201 with Azure-AsyncOperation only, DELETE/POST 202 with Azure-AsyncOperation and Location (…?monitor=true).
//  - ARM deployments: …/deployments/{name}/operationStatuses/{20 digits}.
//  - ARM Location-only operations (resource group delete): /subscriptions/{s}/operationresults/{token}.
//  - Compute disk operations: …/providers/Microsoft.Compute/locations/{region}/DiskOperations/{guid}.
// Status bodies are {"status":"Running"} until the work ends, then Succeeded or Failed with an ARM error.
import { randomBytes, randomUUID } from "node:crypto";
import type { ArmFaults, ArmResponse } from "../../core/contracts";
import { ArmError, type ArmErrorBody } from "./errors";
import type { Json } from "./json";
import { ARM_RETRY_AFTER_SECONDS, ClockClosedError, MIN_RUNNING_POLLS, armTimestamp, type Clock } from "./latency";

export type OperationStyle = "dtl" | "deployment" | "arm" | "compute";
export type OperationStatus = "Running" | "Succeeded" | "Failed" | "Canceled";

export interface OperationRecord {
  id: string;
  style: OperationStyle;
  kind: string;
  method: string;
  path: string;
  subscriptionId: string;
  region: string;
  resourceGroup?: string;
  deploymentName?: string;
  apiVersion: string;
  resourceId?: string;
  status: OperationStatus;
  error?: ArmErrorBody;
  startTime: string;
  endTime?: string;
  polls: number;
  /** Result of the operation (Compute puts it under properties.output; a Location poll returns it). */
  output?: Json;
}

/** Thrown by a provider's work to end its operation Failed with this error. */
export class OperationFailure extends Error {
  constructor(readonly error: ArmErrorBody) {
    super(error.message);
  }
}

export class OperationCanceled extends Error {
  constructor() {
    super("The operation was canceled.");
  }
}

export interface OperationHandle {
  readonly record: OperationRecord;
  /** Waits modelled seconds; throws OperationCanceled once the operation was canceled. */
  sleep(seconds: number): Promise<void>;
  throwIfCanceled(): void;
}

export interface OperationSpec {
  style: OperationStyle;
  kind: string;
  method: string;
  /** The request path the operation was started by (fault injection matches on it). */
  path: string;
  subscriptionId: string;
  region?: string;
  resourceGroup?: string;
  deploymentName?: string;
  apiVersion: string;
  resourceId?: string;
  /** Modelled duration, used to place an injected failure half-way. */
  nominalSeconds: number;
  work: (op: OperationHandle) => Promise<Json | void>;
  /** Lets the provider mark its resource Failed (or roll back) when the operation fails. */
  onFailed?: (error: ArmErrorBody) => void;
  /** Lets the provider tidy up when the operation is canceled. */
  onCanceled?: () => void;
}

export class Operation {
  canceled = false;
  done!: Promise<OperationRecord>;
  constructor(readonly record: OperationRecord) {}

  cancel(): void {
    this.canceled = true;
  }
}

function dtlOperationId(): string {
  const d = new Date();
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  return `${ymd}-${randomUUID()}`;
}

function deploymentOperationId(): string {
  // ARM's look: 0858 followed by 16 digits
  let digits = "0858";
  while (digits.length < 20) digits += String((randomBytes(1)[0] ?? 0) % 10);
  return digits;
}

export function toErrorBody(e: unknown): ArmErrorBody {
  if (e instanceof OperationFailure) return e.error;
  if (e instanceof ArmError) return e.body;
  const message = e instanceof Error ? e.message : String(e);
  return { code: "InternalServerError", message };
}

export class OperationEngine {
  private readonly ops = new Map<string, Operation>();

  constructor(
    private readonly clock: Clock,
    private readonly faults: ArmFaults,
  ) {}

  start(spec: OperationSpec): Operation {
    const id =
      spec.style === "dtl"
        ? dtlOperationId()
        : spec.style === "deployment"
          ? deploymentOperationId()
          : spec.style === "arm"
            ? randomBytes(24).toString("base64url")
            : randomUUID();
    const record: OperationRecord = {
      id,
      style: spec.style,
      kind: spec.kind,
      method: spec.method.toUpperCase(),
      path: spec.path,
      subscriptionId: spec.subscriptionId,
      region: (spec.region ?? "westus").toLowerCase().replace(/\s+/g, ""),
      apiVersion: spec.apiVersion,
      status: "Running",
      startTime: armTimestamp(),
      polls: 0,
      ...(spec.resourceGroup !== undefined ? { resourceGroup: spec.resourceGroup } : {}),
      ...(spec.deploymentName !== undefined ? { deploymentName: spec.deploymentName } : {}),
      ...(spec.resourceId !== undefined ? { resourceId: spec.resourceId } : {}),
    };
    const op = new Operation(record);
    const handle: OperationHandle = {
      record,
      sleep: async (seconds) => {
        handle.throwIfCanceled();
        await this.clock.sleep(seconds);
        handle.throwIfCanceled();
      },
      throwIfCanceled: () => {
        if (op.canceled) throw new OperationCanceled();
      },
    };
    const injected = this.faults.lroFailure(record.method, spec.path);
    op.done = (async () => {
      try {
        if (injected) {
          await handle.sleep(spec.nominalSeconds / 2);
          throw new OperationFailure({ code: injected.code, message: injected.message });
        }
        const output = await spec.work(handle);
        if (output !== undefined) record.output = output;
        record.status = "Succeeded";
      } catch (e) {
        if (e instanceof ClockClosedError) return record;
        if (e instanceof OperationCanceled) {
          record.status = "Canceled";
          spec.onCanceled?.();
        } else {
          record.status = "Failed";
          record.error = toErrorBody(e);
          try {
            spec.onFailed?.(record.error);
          } catch {
            // the failure stands even if the provider could not record it
          }
        }
      }
      record.endTime = armTimestamp();
      return record;
    })();
    this.ops.set(id.toLowerCase(), op);
    return op;
  }

  /**
   * At time scale 0 an operation "finishes at once": a poll waits (briefly) for work that is only waiting
   * for the event loop, so that the second poll reliably sees the end, as a client at real speed would.
   */
  async settle(op: Operation): Promise<void> {
    if (this.clock.timeScale !== 0 || op.record.status !== "Running") return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([op.done, new Promise<void>((r) => (timer = setTimeout(r, 200)))]);
    if (timer) clearTimeout(timer);
  }

  find(id: string): Operation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  all(): OperationRecord[] {
    return [...this.ops.values()].map((o) => o.record);
  }

  clear(): void {
    for (const op of this.ops.values()) op.cancel();
    this.ops.clear();
  }

  // ------------------------------------------------------------------ URLs and headers

  statusUrl(op: Operation, baseUrl: string): string {
    const r = op.record;
    switch (r.style) {
      case "dtl":
        return `${baseUrl}/subscriptions/${r.subscriptionId}/providers/Microsoft.DevTestLab/locations/${r.region}/operations/${r.id}?api-version=${r.apiVersion}`;
      case "deployment":
        return `${baseUrl}/subscriptions/${r.subscriptionId}/resourcegroups/${r.resourceGroup ?? ""}/providers/Microsoft.Resources/deployments/${r.deploymentName ?? ""}/operationStatuses/${r.id}?api-version=${r.apiVersion}`;
      case "compute":
        return `${baseUrl}/subscriptions/${r.subscriptionId}/providers/Microsoft.Compute/locations/${r.region}/DiskOperations/${r.id}?p=${r.id}&api-version=${r.apiVersion}`;
      case "arm":
        return this.locationUrl(op, baseUrl);
    }
  }

  locationUrl(op: Operation, baseUrl: string): string {
    const r = op.record;
    switch (r.style) {
      case "dtl":
        return `${baseUrl}/subscriptions/${r.subscriptionId}/providers/Microsoft.DevTestLab/locations/${r.region}/operations/${r.id}?monitor=true&api-version=${r.apiVersion}`;
      case "compute":
        return `${baseUrl}/subscriptions/${r.subscriptionId}/providers/Microsoft.Compute/locations/${r.region}/DiskOperations/${r.id}?p=${r.id}&monitor=true&api-version=${r.apiVersion}`;
      case "deployment":
      case "arm":
        return `${baseUrl}/subscriptions/${r.subscriptionId}/operationresults/${r.id}?api-version=${r.apiVersion}`;
    }
  }

  /** Headers of the response that started the operation. PUTs carry only Azure-AsyncOperation (as recorded). */
  startHeaders(op: Operation, baseUrl: string, withLocation: boolean): Record<string, string> {
    if (op.record.style === "arm") {
      return { Location: this.locationUrl(op, baseUrl), "Retry-After": String(Math.ceil(ARM_RETRY_AFTER_SECONDS * this.clock.timeScale)) };
    }
    const headers: Record<string, string> = { "Azure-AsyncOperation": this.statusUrl(op, baseUrl) };
    if (withLocation) headers["Location"] = this.locationUrl(op, baseUrl);
    return headers;
  }

  /** The status the next poll reports: Running until the work ended and the minimum Running polls were seen. */
  private pollStatus(op: Operation): OperationStatus {
    op.record.polls += 1;
    if (op.record.status === "Running" || op.record.polls <= MIN_RUNNING_POLLS) return "Running";
    return op.record.status;
  }

  /** Answer to a GET of the Azure-AsyncOperation URL. */
  statusResponse(op: Operation): ArmResponse {
    const status = this.pollStatus(op);
    const r = op.record;
    if (r.style === "compute") {
      const body: Record<string, unknown> = { startTime: r.startTime, status, name: r.id };
      if (status !== "Running" && r.endTime) body["endTime"] = r.endTime;
      if (status === "Succeeded" && r.output !== undefined) body["properties"] = { output: r.output };
      if (status === "Failed" && r.error) body["error"] = r.error;
      return { status: 200, body };
    }
    if (status === "Failed") return { status: 200, body: { status, error: r.error } };
    return { status: 200, body: { status } };
  }

  /** Answer to a GET of the Location URL: 202 while running, then the result. */
  locationResponse(op: Operation, baseUrl: string): ArmResponse {
    const status = this.pollStatus(op);
    const r = op.record;
    if (status === "Running") {
      const headers: Record<string, string> = { Location: this.locationUrl(op, baseUrl) };
      if (r.style === "arm") headers["Retry-After"] = String(Math.ceil(ARM_RETRY_AFTER_SECONDS * this.clock.timeScale));
      return { status: 202, headers };
    }
    if (status === "Failed" || status === "Canceled") {
      const error = r.error ?? { code: "OperationCanceled", message: "The operation was canceled." };
      return { status: error.code === "InternalServerError" ? 500 : 400, body: { error } };
    }
    if (r.output !== undefined) return { status: 200, body: r.output };
    if (r.method === "DELETE" && r.style !== "arm") return { status: 204 };
    // DTL's Operations_Get answers 200 with an OperationResult body (swagger); a finished action has no other result.
    if (r.style === "dtl") return { status: 200, body: { status } };
    return { status: 200 };
  }
}
