// Test doubles for the lab domain: SDK clients whose operations are sinon stubs, pollers that finish at once (or
// never), a clock that advances only when slept on, and a log that records lines.
import type { LabVirtualMachine } from "@azure/arm-devtestlabs";
import { RestError } from "@azure/core-rest-pipeline";
import sinon from "sinon";
import type { AzureClients } from "../../../src/azure/clients";
import type { LabClock, LabContext, LabLog } from "../../../src/lab/context";

export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const RG = "factory-rg";
export const LAB = "factory";
export const LAB_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.DevTestLab/labs/${LAB}`;
export const vmIdOf = (name: string) => `${LAB_ID}/virtualmachines/${name}`;

export interface FakePoller<T> {
  pollUntilDone(options?: { abortSignal?: unknown }): Promise<T>;
  stopPolling(): void;
  isStopped(): boolean;
  isDone(): boolean;
  stopped: boolean;
}

/** A poller that resolves with `result` (or rejects with `error`) on the first wait. */
export function donePoller<T>(result: T, error?: unknown): FakePoller<T> {
  const poller: FakePoller<T> = {
    stopped: false,
    pollUntilDone: () => (error === undefined ? Promise.resolve(result) : Promise.reject(error)),
    stopPolling: () => {
      poller.stopped = true;
    },
    isStopped: () => poller.stopped,
    isDone: () => true,
  };
  return poller;
}

/** A poller that never finishes by itself (the operation is still running in Azure). */
export function hangingPoller<T>(): FakePoller<T> {
  const poller: FakePoller<T> = {
    stopped: false,
    pollUntilDone: () => new Promise<T>(() => undefined),
    stopPolling: () => {
      poller.stopped = true;
    },
    isStopped: () => poller.stopped,
    isDone: () => false,
  };
  return poller;
}

export function notFound(): RestError {
  return new RestError("The resource was not found.", { statusCode: 404, code: "NotFound" });
}

export async function* asyncItems<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** Stubs for every SDK operation the lab domain calls; unstubbed calls fail loudly. */
export function fakeDtl() {
  const unexpected = (name: string) => sinon.stub().callsFake(() => Promise.reject(new Error(`unexpected call to ${name}`)));
  return {
    apiVersion: "2018-09-15",
    /** Raw requests (the fire-and-forget DELETE of a clean-up after cancel): 202 unless told otherwise. */
    sendRequest: sinon.stub().callsFake(async (request: { method: string; url: string }) => ({ status: 202, request, headers: { get: () => undefined } })),
    labs: {
      get: sinon.stub().resolves({ id: LAB_ID, name: LAB, location: "westeurope" }),
      listBySubscription: sinon.stub().callsFake(() => asyncItems([{ id: LAB_ID, name: LAB, location: "westeurope" }])),
    },
    virtualMachines: {
      get: sinon.stub().rejects(notFound()),
      beginCreateOrUpdate: unexpected("virtualMachines.beginCreateOrUpdate"),
      beginDelete: sinon.stub().callsFake(() => Promise.resolve(donePoller<void>(undefined))),
      beginStart: unexpected("beginStart"),
      beginStop: unexpected("beginStop"),
      beginRestart: unexpected("beginRestart"),
      beginClaim: unexpected("beginClaim"),
      beginApplyArtifacts: unexpected("beginApplyArtifacts"),
    },
    customImages: {
      get: sinon.stub().rejects(notFound()),
      beginCreateOrUpdate: unexpected("customImages.beginCreateOrUpdate"),
      beginDelete: sinon.stub().callsFake(() => Promise.resolve(donePoller<void>(undefined))),
    },
    formulas: { get: sinon.stub().rejects(notFound()) },
    virtualNetworks: { list: sinon.stub().callsFake(() => asyncItems([])) },
  };
}

export function fakeResources() {
  return {
    apiVersion: "2025-03-01",
    sendRequest: sinon.stub().callsFake(async (request: { method: string; url: string }) => ({ status: 202, request, headers: { get: () => undefined } })),
    deployments: {
      beginCreateOrUpdate: sinon.stub().callsFake(() => Promise.reject(new Error("unexpected deployment"))),
      beginDelete: sinon.stub().callsFake(() => Promise.resolve(donePoller<void>(undefined))),
      cancel: sinon.stub().resolves(),
    },
    deploymentOperations: { list: sinon.stub().callsFake(() => asyncItems([])) },
  };
}

export type FakeDtl = ReturnType<typeof fakeDtl>;
export type FakeResources = ReturnType<typeof fakeResources>;

export function fakeClients(dtl: FakeDtl, resources: FakeResources = fakeResources()): AzureClients {
  return { devTestLabs: () => dtl, resources: () => resources, pipelineOptions: { endpoint: "https://management.example/" } } as unknown as AzureClients;
}

/** A clock that moves only when something sleeps on it (a 90-minute wait takes no real time). */
export class FakeClock implements LabClock {
  time = 0;
  sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw Object.assign(new Error("aborted"), { name: "AbortError" });
    this.sleeps.push(ms);
    this.time += ms;
    await Promise.resolve();
  }
}

export interface RecordingLog extends LabLog {
  lines: string[];
  warnings: string[];
}

export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    info: (m) => lines.push(m),
    warn: (m) => warnings.push(m),
    debug: () => undefined,
    progress: () => undefined,
  };
}

export function labContext(dtl: FakeDtl, options: { resources?: FakeResources; signal?: AbortSignal; clock?: FakeClock; log?: RecordingLog } = {}): LabContext & { log: RecordingLog } {
  return {
    clients: fakeClients(dtl, options.resources),
    signal: options.signal ?? new AbortController().signal,
    log: options.log ?? recordingLog(),
    clock: options.clock ?? new FakeClock(),
    pollIntervalMs: 1,
  };
}

/**
 * A lab held in memory behind the stubs: creating a VM stores it (artifacts get the status `artifactStatus` gives
 * them), getting reads it, deleting removes it. Individual stubs can still be overridden per test.
 */
export function statefulDtl(options: { artifactStatus?: (artifactId: string, vmName: string) => string; createError?: (vmName: string, attempt: number) => unknown } = {}) {
  const dtl = fakeDtl();
  const vms = new Map<string, LabVirtualMachine>();
  let creates = 0;
  dtl.virtualMachines.get.callsFake(async (_rg: string, _lab: string, name: string) => {
    const vm = vms.get(name.toLowerCase());
    if (!vm) throw notFound();
    return vm;
  });
  dtl.virtualMachines.beginCreateOrUpdate.callsFake(async (_rg: string, _lab: string, name: string, body: LabVirtualMachine) => {
    creates++;
    const error = options.createError?.(name, creates);
    const vm: LabVirtualMachine = {
      ...body,
      id: vmIdOf(name),
      name,
      provisioningState: error ? "Failed" : "Succeeded",
      fqdn: `${name}.westeurope.cloudapp.azure.com`,
      networkInterface: { privateIpAddress: "10.0.0.4" },
      artifacts: (body.artifacts ?? []).map((a) => ({ ...a, status: options.artifactStatus?.(a.artifactId ?? "", name) ?? "Succeeded" })),
    };
    vms.set(name.toLowerCase(), vm);
    return donePoller(vm, error);
  });
  dtl.virtualMachines.beginDelete.callsFake(async (_rg: string, _lab: string, name: string) => {
    vms.delete(name.toLowerCase());
    return donePoller<void>(undefined);
  });
  dtl.sendRequest.callsFake(async (request: { method: string; url: string }) => {
    const name = decodeURIComponent(new URL(request.url).pathname.split("/").pop() ?? "").toLowerCase();
    const existed = request.method === "DELETE" && vms.delete(name);
    return { status: existed ? 202 : 404, request, headers: { get: () => undefined } };
  });
  return { dtl, vms };
}
