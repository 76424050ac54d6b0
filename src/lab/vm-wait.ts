// Reading a lab VM with its artifacts and network details, and waiting until its artifacts are installed.
// The wait is bounded by a monotonic deadline in milliseconds (Microsoft's task compared Date#getMinutes(), so
// its wait never ended past 60 minutes), polls at a fixed interval, and stops at once on cancellation.
import type { LabVirtualMachine } from "@azure/arm-devtestlabs";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import type { LabVmRef } from "../azure/ids";
import { formatDuration } from "../azure/poll";
import { AzureOperationError } from "../errors";
import { CancelledError } from "../steps/cancelled";
import { ArtifactsFailedError, describeArtifactResults, evaluateArtifacts, type ArtifactEvaluation } from "./artifacts";
import { clockOf, Deadline, type LabContext } from "./context";
import { describeVm } from "./lab";
import { TIMEOUT_CODE } from "./retry";

/** DTL's $expand for a VM: its artifacts (with status), network interface (IP, DNS) and compute details. */
export const VM_EXPAND = "properties($expand=artifacts,networkInterface,computeVm)";

export const DEFAULT_ARTIFACT_POLL_MS = 15_000;

/** The VM with its artifacts and network details, or undefined when it does not exist. */
export async function findLabVm(ctx: LabContext, vm: LabVmRef): Promise<LabVirtualMachine | undefined> {
  try {
    return await ctx.clients.devTestLabs(vm.subscriptionId).virtualMachines.get(vm.resourceGroup, vm.labName, vm.vmName, { expand: VM_EXPAND, abortSignal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw new CancelledError(`Reading the ${describeVm(vm)} was cancelled.`, { cause: err });
    if (isNotFoundError(err)) return undefined;
    throw toAzureOperationError(err, { operation: "Reading the lab VM", resource: describeVm(vm) });
  }
}

/** The VM with its artifacts and network details; a VM that does not exist is an error. */
export async function getLabVm(ctx: LabContext, vm: LabVmRef): Promise<LabVirtualMachine> {
  const found = await findLabVm(ctx, vm);
  if (!found) throw new AzureOperationError("Reading the lab VM", describeVm(vm), "it does not exist (it may have been deleted).", "NotFound");
  return found;
}

export interface LabVmDetails {
  id: string;
  name: string;
  fqdn?: string;
  /** Public IP when the VM has one, else the private IP. */
  ipAddress?: string;
  osType?: string;
  powerState?: string;
  provisioningState?: string;
}

export function labVmDetails(vm: LabVirtualMachine, ref: LabVmRef & { id: string }): LabVmDetails {
  const nic = vm.networkInterface;
  const fqdn = vm.fqdn || nic?.dnsName || undefined;
  const ipAddress = nic?.publicIpAddress || nic?.privateIpAddress || undefined;
  return {
    id: vm.id ?? ref.id,
    name: vm.name ?? ref.vmName,
    ...(fqdn ? { fqdn } : {}),
    ...(ipAddress ? { ipAddress } : {}),
    ...(vm.osType ? { osType: vm.osType } : {}),
    ...(vm.lastKnownPowerState ? { powerState: vm.lastKnownPowerState } : {}),
    ...(vm.provisioningState ? { provisioningState: vm.provisioningState } : {}),
  };
}

export interface WaitForArtifactsOptions {
  vm: LabVmRef;
  timeoutMs: number;
  /** Throw ArtifactsFailedError when any artifact failed (otherwise the result lists the failures). */
  failOnArtifactError: boolean;
  /** Evaluate only the last N artifacts in the VM's list (those an apply-artifacts call added). */
  lastCount?: number;
  pollIntervalMs?: number;
}

export interface ArtifactWaitResult {
  vm: LabVirtualMachine;
  evaluation: ArtifactEvaluation;
}

export async function waitForArtifacts(ctx: LabContext, options: WaitForArtifactsOptions): Promise<ArtifactWaitResult> {
  const clock = clockOf(ctx);
  const deadline = new Deadline(options.timeoutMs, clock);
  const interval = options.pollIntervalMs ?? ctx.pollIntervalMs ?? DEFAULT_ARTIFACT_POLL_MS;
  const what = describeVm(options.vm);
  const reported = new Map<string, string>();
  const started = clock.now();
  for (;;) {
    const vm = await getLabVm(ctx, options.vm);
    const all = vm.artifacts ?? [];
    const fromIndex = options.lastCount === undefined ? undefined : Math.max(0, all.length - options.lastCount);
    const evaluation = evaluateArtifacts(vm, { fromIndex });
    // Report each artifact's status when it changes, not on every poll.
    evaluation.results.forEach((result, index) => {
      const key = `${index}:${result.name}`;
      const line = `${result.status}${result.message ? ` — ${result.message}` : ""}`;
      if (reported.get(key) !== line) {
        reported.set(key, line);
        ctx.log.info(`Artifact ${result.name}: ${line}`);
      }
    });
    if ((vm.provisioningState ?? "").toLowerCase() === "failed" && !evaluation.final) {
      throw new AzureOperationError("Installing artifacts", what, `the VM's provisioning failed while artifacts were still pending (${describeArtifactResults(evaluation.pending).join("; ")}).`, "VmProvisioningFailed");
    }
    if (evaluation.final) {
      if (evaluation.failed.length > 0) {
        if (options.failOnArtifactError) throw new ArtifactsFailedError(options.vm.vmName, evaluation.failed);
        ctx.log.warn(`${evaluation.failed.length} artifact(s) failed on ${what}: ${describeArtifactResults(evaluation.failed).join("; ")}`);
      }
      return { vm, evaluation };
    }
    if (deadline.expired) {
      throw new AzureOperationError(
        "Waiting for artifacts",
        what,
        `${evaluation.pending.length} of ${evaluation.total} artifact(s) were still not installed after ${formatDuration(options.timeoutMs)} (${describeArtifactResults(evaluation.pending).join("; ")}). Raise the artifact wait, or check the artifacts' logs on the VM.`,
        TIMEOUT_CODE,
      );
    }
    const done = evaluation.total - evaluation.pending.length;
    ctx.log.progress(evaluation.total > 0 ? (100 * done) / evaluation.total : undefined, `Installing artifacts on ${what}: ${done} of ${evaluation.total} done (${formatDuration(clock.now() - started)}).`);
    try {
      await clock.sleep(Math.min(interval, deadline.remainingMs()), ctx.signal);
    } catch (err) {
      throw new CancelledError(`Waiting for the artifacts of ${what} was cancelled after ${formatDuration(clock.now() - started)}.`, { cause: err });
    }
  }
}
