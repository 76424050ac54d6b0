// Deleting a lab VM. A VM that is already gone counts as deleted (Microsoft's task failed then), so a re-run after
// success, or a clean-up after a partial failure, converges.
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import type { LabVmRef } from "../azure/ids";
import type { LabContext } from "./context";
import { describeVm } from "./lab";
import { isGoneError, requestDelete, runLabOperation } from "./operation";

export interface DeleteLabVmOptions {
  vm: LabVmRef & { id: string };
  timeoutMs: number;
  /** Wait until Azure reports the VM gone; otherwise return once Azure accepted the delete. */
  waitForCompletion: boolean;
}

export interface DeleteResult {
  /** False when there was nothing to delete. */
  deleted: boolean;
  /** The delete was accepted but not waited for. */
  pending: boolean;
  message: string;
}

export async function deleteLabVm(ctx: LabContext, options: DeleteLabVmOptions): Promise<DeleteResult> {
  const { vm } = options;
  const client = ctx.clients.devTestLabs(vm.subscriptionId);
  const what = describeVm(vm);
  const gone: DeleteResult = { deleted: false, pending: false, message: `The ${what} does not exist (already deleted); nothing to do.` };
  try {
    await client.virtualMachines.get(vm.resourceGroup, vm.labName, vm.vmName, { abortSignal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) return gone;
    throw toAzureOperationError(err, { operation: "Reading the lab VM before deleting it", resource: vm.id });
  }
  if (!options.waitForCompletion) {
    const outcome = await requestDelete(ctx, { client, resourceId: vm.id, what: `Deleting the ${what}` });
    if (outcome === "gone") return gone;
    return { deleted: true, pending: true, message: `Azure accepted the delete of the ${what}; it finishes in the background.` };
  }
  ctx.log.info(`Deleting the ${what}.`);
  try {
    await runLabOperation(ctx, { what: `Deleting the ${what}`, resource: vm.id, timeoutMs: options.timeoutMs }, (lro) =>
      client.virtualMachines.beginDelete(vm.resourceGroup, vm.labName, vm.vmName, lro),
    );
  } catch (err) {
    if (isNotFoundError(err) || isGoneError(err)) return gone;
    throw err;
  }
  return { deleted: true, pending: false, message: `Deleted the ${what}.` };
}
