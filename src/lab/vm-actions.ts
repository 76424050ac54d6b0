// Actions on an existing lab VM: start, stop, restart, apply artifacts (with their results checked), claim.
import type { LabVirtualMachine } from "@azure/arm-devtestlabs";
import { toAzureOperationError } from "../azure/errors";
import type { LabVmRef } from "../azure/ids";
import { formatDuration } from "../azure/poll";
import { AzureOperationError, InputError } from "../errors";
import { describeArtifactResults, resolveArtifactId, secretArtifactValues, type ArtifactRequest, type ArtifactResult } from "./artifacts";
import { clockOf, Deadline, type LabContext } from "./context";
import { describeVm } from "./lab";
import { runLabOperation } from "./operation";
import { findLabVm, getLabVm, labVmDetails, waitForArtifacts, type LabVmDetails } from "./vm-wait";

export const LAB_VM_ACTIONS = ["start", "stop", "restart", "applyArtifacts", "claim"] as const;
export type LabVmAction = (typeof LAB_VM_ACTIONS)[number];

export interface LabVmActionOptions {
  vm: LabVmRef & { id: string };
  action: LabVmAction;
  /** The input that named the VM, for "does not exist". */
  vmInput: string;
  /** applyArtifacts: what to apply, and the input they came from. */
  artifacts?: readonly ArtifactRequest[];
  artifactsInput?: string;
  failOnArtifactError?: boolean;
  /** Bounds the action (and, for applyArtifacts, the wait for the artifacts' results). */
  timeoutMs: number;
}

export interface LabVmActionResult {
  message: string;
  /** True when artifacts failed but the task was told not to fail for it. */
  withIssues: boolean;
  details: LabVmDetails;
  artifactResults?: ArtifactResult[];
}

function powerState(vm: LabVirtualMachine): string {
  return (vm.lastKnownPowerState ?? "").toLowerCase();
}

export async function runLabVmAction(ctx: LabContext, options: LabVmActionOptions): Promise<LabVmActionResult> {
  const { vm, action } = options;
  const what = describeVm(vm);
  const deadline = new Deadline(options.timeoutMs, clockOf(ctx));
  const client = ctx.clients.devTestLabs(vm.subscriptionId);

  const current = await findLabVm(ctx, vm);
  if (!current) throw new InputError(options.vmInput, `the ${what} does not exist. Check the VM id, or that the step that created it succeeded.`);
  const done = (message: string, vmAfter: LabVirtualMachine, extra: Partial<LabVmActionResult> = {}): LabVmActionResult => ({
    message,
    withIssues: false,
    details: labVmDetails(vmAfter, vm),
    ...extra,
  });
  const run = (verb: string, start: Parameters<typeof runLabOperation<void>>[2], secrets?: readonly string[]) =>
    runLabOperation(ctx, { what: `${verb} the ${what}`, resource: vm.id, timeoutMs: deadline.remainingMs(), secrets }, start);

  switch (action) {
    case "start": {
      if (powerState(current) === "running") return done(`The ${what} is already running.`, current);
      await run("Starting", (lro) => client.virtualMachines.beginStart(vm.resourceGroup, vm.labName, vm.vmName, lro));
      return done(`Started the ${what}.`, await getLabVm(ctx, vm));
    }
    case "stop": {
      if (["stopped", "deallocated"].includes(powerState(current))) return done(`The ${what} is already stopped.`, current);
      await run("Stopping", (lro) => client.virtualMachines.beginStop(vm.resourceGroup, vm.labName, vm.vmName, lro));
      return done(`Stopped the ${what}.`, await getLabVm(ctx, vm));
    }
    case "restart": {
      await run("Restarting", (lro) => client.virtualMachines.beginRestart(vm.resourceGroup, vm.labName, vm.vmName, lro));
      return done(`Restarted the ${what}.`, await getLabVm(ctx, vm));
    }
    case "claim": {
      if (!current.allowClaim && current.ownerObjectId) {
        return done(`The ${what} already has an owner (it is not claimable); nothing to do.`, current);
      }
      await run("Claiming", (lro) => client.virtualMachines.beginClaim(vm.resourceGroup, vm.labName, vm.vmName, lro));
      return done(`Claimed the ${what}.`, await getLabVm(ctx, vm));
    }
    case "applyArtifacts": {
      const requests = options.artifacts ?? [];
      const artifactsInput = options.artifactsInput ?? "artifacts";
      if (requests.length === 0) throw new InputError(artifactsInput, "is required for the applyArtifacts action: give the artifacts to apply as a JSON array.");
      if (["stopped", "deallocated"].includes(powerState(current))) {
        throw new AzureOperationError("Applying artifacts", what, "the VM is stopped; artifacts install only on a running VM. Start it first (a start action before this one).", "VmNotRunning");
      }
      const artifacts = requests.map((r) => ({ artifactId: resolveArtifactId(r, vm, artifactsInput), parameters: r.parameters }));
      const secrets = secretArtifactValues(requests);
      ctx.log.info(`Applying ${artifacts.length} artifact(s) to the ${what}: ${artifacts.map((a) => a.artifactId.split("/").pop()).join(", ")}.`);
      const started = performance.now();
      try {
        await run("Applying artifacts to", (lro) => client.virtualMachines.beginApplyArtifacts(vm.resourceGroup, vm.labName, vm.vmName, { artifacts }, lro), secrets);
      } catch (err) {
        throw toAzureOperationError(err, { operation: `Applying artifacts to the ${what}`, resource: vm.id, secrets });
      }
      const { vm: after, evaluation } = await waitForArtifacts(ctx, {
        vm,
        timeoutMs: deadline.remainingMs(),
        failOnArtifactError: options.failOnArtifactError ?? true,
        lastCount: artifacts.length,
      });
      const took = formatDuration(performance.now() - started);
      if (evaluation.failed.length > 0) {
        return done(`Applied artifacts to the ${what} in ${took}; ${evaluation.failed.length} failed: ${describeArtifactResults(evaluation.failed).join("; ")}`, after, {
          withIssues: true,
          artifactResults: evaluation.results,
        });
      }
      return done(`Applied ${evaluation.succeeded} artifact(s) to the ${what} in ${took}.`, after, { artifactResults: evaluation.results });
    }
  }
}
