// Capturing a custom image from a lab VM, and deleting a custom image. Capture is a step with a cleanup: an image
// this run started to create is deleted again when the run fails or is cancelled. A re-run converges: an image of
// that name made from the same VM is kept as it is; delete of an image that is gone is a success.
import type { CustomImage } from "@azure/arm-devtestlabs";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import { customImageId, sameResourceId, type CustomImageRef, type LabVmRef } from "../azure/ids";
import type { OsType } from "../azure/names";
import { formatDuration } from "../azure/poll";
import { AzureOperationError, InputError } from "../errors";
import { runSteps, type Step } from "../steps";
import { clockOf, Deadline, type LabContext } from "./context";
import { describeVm } from "./lab";
import { isGoneError, requestDelete, runLabOperation } from "./operation";
import { CREATED_BY_TAG } from "./vm-spec";
import { deleteLabVm } from "./vm-delete";
import { findLabVm } from "./vm-wait";

export const WINDOWS_OS_STATES = ["NonSysprepped", "SysprepRequested", "SysprepApplied"] as const;
export const LINUX_OS_STATES = ["NonDeprovisioned", "DeprovisionRequested", "DeprovisionApplied"] as const;
export type WindowsOsState = (typeof WINDOWS_OS_STATES)[number];
export type LinuxOsState = (typeof LINUX_OS_STATES)[number];

export interface CaptureCustomImageOptions {
  vm: LabVmRef & { id: string };
  /** The inputs that named the VM and the image, for errors. */
  vmInput: string;
  imageInput: string;
  imageName: string;
  osType: OsType;
  windowsOsState?: WindowsOsState;
  linuxOsState?: LinuxOsState;
  description?: string;
  tags?: Record<string, string>;
  /** Delete the source VM once the image exists. */
  deleteSourceVm: boolean;
  timeoutMs: number;
}

export interface CaptureCustomImageResult {
  imageId: string;
  imageName: string;
  /** The image existed already, made from the same VM: nothing was created. */
  reused: boolean;
  sourceVmDeleted: boolean;
  message: string;
}

function imageDescription(image: CustomImageRef): string {
  return `custom image '${image.imageName}' in lab '${image.labName}'`;
}

/** The custom image body captured from a VM, with the OS state DTL needs to know how it was prepared. */
export function customImageBody(options: Pick<CaptureCustomImageOptions, "vm" | "osType" | "windowsOsState" | "linuxOsState" | "description" | "tags">, location?: string): CustomImage {
  const vm =
    options.osType === "Windows"
      ? { sourceVmId: options.vm.id, windowsOsInfo: { windowsOsState: options.windowsOsState ?? "NonSysprepped" } }
      : { sourceVmId: options.vm.id, linuxOsInfo: { linuxOsState: options.linuxOsState ?? "NonDeprovisioned" } };
  return {
    ...(location ? { location } : {}),
    vm,
    ...(options.description ? { description: options.description } : {}),
    tags: { ...(options.tags ?? {}), [CREATED_BY_TAG.name]: CREATED_BY_TAG.value },
  };
}

async function findCustomImage(ctx: LabContext, image: CustomImageRef): Promise<CustomImage | undefined> {
  try {
    return await ctx.clients.devTestLabs(image.subscriptionId).customImages.get(image.resourceGroup, image.labName, image.imageName, { abortSignal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw toAzureOperationError(err, { operation: "Reading the custom image", resource: customImageId(image) });
  }
}

interface CaptureState {
  image: CustomImageRef;
  imageId: string;
  /** This run sent the PUT that creates the image: clean-up deletes it on failure, unless the capture finished. */
  createdByThisRun: boolean;
  captured: boolean;
  reused: boolean;
  sourceVmDeleted: boolean;
}

export async function captureCustomImage(ctx: LabContext, options: CaptureCustomImageOptions): Promise<CaptureCustomImageResult> {
  const { vm } = options;
  const deadline = new Deadline(options.timeoutMs, clockOf(ctx));
  const image: CustomImageRef = { subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup, labName: vm.labName, imageName: options.imageName };
  const state: CaptureState = { image, imageId: customImageId(image), createdByThisRun: false, captured: false, reused: false, sourceVmDeleted: false };
  const client = ctx.clients.devTestLabs(vm.subscriptionId);
  const what = imageDescription(image);

  const steps: Step<CaptureState>[] = [
    {
      name: `Capture the ${what} from the ${describeVm(vm)}`,
      run: async (s) => {
        const existing = await findCustomImage(ctx, image);
        if (existing) {
          const from = existing.vm?.sourceVmId;
          const succeeded = (existing.provisioningState ?? "Succeeded").toLowerCase() === "succeeded";
          if (from && sameResourceId(from, vm.id) && succeeded) {
            ctx.log.info(`The ${what} already exists, captured from this VM; it is left as it is.`);
            s.reused = true;
            s.imageId = existing.id ?? s.imageId;
            return;
          }
          if (succeeded) {
            throw new InputError(options.imageInput, `the ${what} already exists${from ? ` (captured from ${from.split("/").pop()})` : ""}. Choose another name, or delete that image first.`);
          }
        }
        const source = await findLabVm(ctx, vm);
        if (!source) throw new InputError(options.vmInput, `the ${describeVm(vm)} does not exist, so no image can be captured from it.`);
        const lab = await client.labs.get(vm.resourceGroup, vm.labName, { abortSignal: ctx.signal }).catch((err: unknown) => {
          throw toAzureOperationError(err, { operation: "Reading the lab", resource: vm.labName });
        });
        ctx.log.info(`Capturing the ${what} from the ${describeVm(vm)} (${options.osType}, ${options.osType === "Windows" ? (options.windowsOsState ?? "NonSysprepped") : (options.linuxOsState ?? "NonDeprovisioned")}).`);
        const started = performance.now();
        s.createdByThisRun = true;
        const created = await runLabOperation(ctx, { what: `Capturing the ${what}`, resource: s.imageId, timeoutMs: deadline.remainingMs() }, (lro) =>
          client.customImages.beginCreateOrUpdate(vm.resourceGroup, vm.labName, options.imageName, customImageBody(options, lab.location), lro),
        );
        if (created?.provisioningState && created.provisioningState.toLowerCase() !== "succeeded") {
          throw new AzureOperationError(`Capturing the ${what}`, s.imageId, `Azure reports its provisioning state as ${created.provisioningState}.`, "ProvisioningFailed");
        }
        s.imageId = created?.id ?? s.imageId;
        s.captured = true;
        ctx.log.info(`Captured the ${what} in ${formatDuration(performance.now() - started)}.`);
      },
      cleanup: async (s, outcome, signal) => {
        // A finished image is the product, not a leftover: when only the source VM's delete failed, a re-run keeps
        // the image (same source) and retries the delete.
        if (!s.createdByThisRun || s.captured) return;
        await removeCustomImage({ ...ctx, signal }, image, { wait: !outcome.cancelled, timeoutMs: 10 * 60_000 });
        ctx.log.info(`Removed the partly created ${what}.`);
      },
    },
    {
      name: `Delete the source VM ${vm.vmName}`,
      run: async (s) => {
        if (!options.deleteSourceVm) return;
        const result = await deleteLabVm(ctx, { vm, timeoutMs: deadline.remainingMs(), waitForCompletion: true });
        s.sourceVmDeleted = result.deleted;
        ctx.log.info(result.message);
      },
    },
  ];
  await runSteps(options.deleteSourceVm ? steps : steps.slice(0, 1), state, { signal: ctx.signal, log: ctx.log });
  const message = state.reused
    ? `The ${what} already existed (captured from ${vm.vmName}); nothing changed.`
    : `Captured the ${what} from ${vm.vmName}${state.sourceVmDeleted ? " and deleted the VM" : ""}.`;
  return { imageId: state.imageId, imageName: options.imageName, reused: state.reused, sourceVmDeleted: state.sourceVmDeleted, message };
}

/** Starts the delete of an image (and waits for it unless told not to); gone already is fine. */
async function removeCustomImage(ctx: LabContext, image: CustomImageRef, options: { wait: boolean; timeoutMs: number }): Promise<boolean> {
  const client = ctx.clients.devTestLabs(image.subscriptionId);
  const id = customImageId(image);
  try {
    if (!options.wait) return (await requestDelete(ctx, { client, resourceId: id, what: `Deleting the ${imageDescription(image)}` })) === "accepted";
    await runLabOperation(ctx, { what: `Deleting the ${imageDescription(image)}`, resource: id, timeoutMs: options.timeoutMs }, (lro) =>
      client.customImages.beginDelete(image.resourceGroup, image.labName, image.imageName, lro),
    );
    return true;
  } catch (err) {
    if (isNotFoundError(err) || isGoneError(err)) return false;
    throw toAzureOperationError(err, { operation: `Deleting the ${imageDescription(image)}`, resource: id });
  }
}

export interface DeleteCustomImageOptions {
  image: CustomImageRef & { id: string };
  timeoutMs: number;
  waitForCompletion: boolean;
}

export async function deleteCustomImage(ctx: LabContext, options: DeleteCustomImageOptions): Promise<{ deleted: boolean; message: string }> {
  const what = imageDescription(options.image);
  const existing = await findCustomImage(ctx, options.image);
  if (!existing) return { deleted: false, message: `The ${what} does not exist (already deleted); nothing to do.` };
  ctx.log.info(`Deleting the ${what}.`);
  const deleted = await removeCustomImage(ctx, options.image, { wait: options.waitForCompletion, timeoutMs: options.timeoutMs });
  if (!deleted) return { deleted: false, message: `The ${what} does not exist (already deleted); nothing to do.` };
  return { deleted: true, message: options.waitForCompletion ? `Deleted the ${what}.` : `Azure accepted the delete of the ${what}; it finishes in the background.` };
}
