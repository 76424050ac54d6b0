// Finding the lab, VM and custom image a task names: a resource id, or a name looked up in the subscription.
import type { CustomImage, Formula, Lab, LabVirtualMachineCreationParameter } from "@azure/arm-devtestlabs";
import { toAzureOperationError, isNotFoundError } from "../azure/errors";
import {
  customImageId,
  labId,
  labVmId,
  parseCustomImageId,
  parseLabId,
  parseLabVmId,
  parseResourceId,
  RESOURCE_ID_FORMS,
  type CustomImageRef,
  type LabRef,
  type LabVmRef,
} from "../azure/ids";
import { validateCustomImageName, validateLabName, validateLabVmName, type OsType } from "../azure/names";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { InputError } from "../errors";
import type { LabContext } from "./context";

export interface ResolvedLab extends LabRef {
  id: string;
  location?: string;
}

/** A lab input's value is an id when it starts with a slash. */
export function isResourceIdText(value: string): boolean {
  return value.trim().startsWith("/");
}

/** A lab input: an id is parsed, a name checked against the naming rule. */
export function checkLabText(lab: string, inputName: string): void {
  const value = lab.trim();
  if (value === "") throw new InputError(inputName, "is required: give the lab's resource id or name.");
  if (isResourceIdText(value)) parseLabId(value, inputName);
  else validateLabName(value, { input: inputName });
}

/**
 * The lab named by `lab`: its resource id, or its name when that is unique in the connection's subscription.
 * Reads only; a lab that does not exist is an input error.
 */
export async function resolveLab(ctx: LabContext, options: { lab: string; inputName: string }): Promise<ResolvedLab> {
  const { lab, inputName } = options;
  if (isResourceIdText(lab)) {
    const ref = parseLabId(lab, inputName);
    const client = ctx.clients.devTestLabs(ref.subscriptionId);
    let found: Lab;
    try {
      found = await client.labs.get(ref.resourceGroup, ref.labName, { abortSignal: ctx.signal });
    } catch (err) {
      if (isNotFoundError(err)) {
        throw new InputError(inputName, `the lab '${neutralizeUntrustedText(lab, { maxLength: 300 })}' does not exist, or the service connection cannot see it. Check the id and the connection's subscription.`);
      }
      throw toAzureOperationError(err, { operation: "Reading the lab", resource: lab });
    }
    return { ...ref, labName: found.name ?? ref.labName, id: labId(ref), location: found.location };
  }
  const name = validateLabName(lab.trim(), { input: inputName });
  const matches: ResolvedLab[] = [];
  try {
    for await (const candidate of ctx.clients.devTestLabs().labs.listBySubscription({ abortSignal: ctx.signal })) {
      if (candidate.name?.toLowerCase() !== name.toLowerCase() || !candidate.id) continue;
      const ref = parseLabId(candidate.id, inputName);
      matches.push({ ...ref, labName: candidate.name, id: labId(ref), location: candidate.location });
    }
  } catch (err) {
    throw toAzureOperationError(err, { operation: "Listing the subscription's labs", resource: `lab '${name}'` });
  }
  const first = matches[0];
  if (matches.length === 0 || first === undefined) {
    throw new InputError(inputName, `there is no lab named '${name}' in the service connection's subscription. Give the lab's resource id, or check the name and the connection.`);
  }
  if (matches.length > 1) {
    throw new InputError(inputName, `${matches.length} labs are named '${name}' (resource groups ${matches.map((m) => m.resourceGroup).join(", ")}). Give the lab's resource id instead.`);
  }
  return first;
}

export interface VmTargetInputs {
  vmId?: string;
  lab?: string;
  vmName?: string;
  /** Input names, for errors. */
  names: { vmId: string; lab: string; vmName: string };
}

/** Checks, without calling Azure, that a VM is named either by id or by lab and name. */
export function checkVmTarget(target: VmTargetInputs): void {
  if (target.vmId) {
    parseLabVmId(target.vmId, target.names.vmId);
    return;
  }
  if (!target.lab || !target.vmName) {
    throw new InputError(target.names.vmId, `is required unless both '${target.names.lab}' and '${target.names.vmName}' are given: give the lab VM's resource id (e.g. $(labVmId) from the create step), or the lab and the VM name.`);
  }
  checkLabText(target.lab, target.names.lab);
  validateLabVmName(target.vmName, { input: target.names.vmName });
}

/** The VM named by id, or by lab (id or name) and VM name. */
export async function resolveLabVm(ctx: LabContext, target: VmTargetInputs): Promise<LabVmRef & { id: string }> {
  checkVmTarget(target);
  if (target.vmId) {
    const ref = parseLabVmId(target.vmId, target.names.vmId);
    return { ...ref, id: labVmId(ref) };
  }
  const lab = await resolveLab(ctx, { lab: target.lab ?? "", inputName: target.names.lab });
  const ref: LabVmRef = { subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, labName: lab.labName, vmName: target.vmName ?? "" };
  return { ...ref, id: labVmId(ref) };
}

export interface ImageTargetInputs {
  imageId?: string;
  lab?: string;
  imageName?: string;
  names: { imageId: string; lab: string; imageName: string };
}

export function checkImageTarget(target: ImageTargetInputs): void {
  if (target.imageId) {
    parseCustomImageId(target.imageId, target.names.imageId);
    return;
  }
  if (!target.lab || !target.imageName) {
    throw new InputError(target.names.imageId, `is required unless both '${target.names.lab}' and '${target.names.imageName}' are given: give the custom image's resource id (e.g. $(customImageId) from the capture step), or the lab and the image name.`);
  }
  checkLabText(target.lab, target.names.lab);
  validateCustomImageName(target.imageName, { input: target.names.imageName });
}

export async function resolveCustomImage(ctx: LabContext, target: ImageTargetInputs): Promise<CustomImageRef & { id: string }> {
  checkImageTarget(target);
  if (target.imageId) {
    const ref = parseCustomImageId(target.imageId, target.names.imageId);
    return { ...ref, id: customImageId(ref) };
  }
  const lab = await resolveLab(ctx, { lab: target.lab ?? "", inputName: target.names.lab });
  const ref: CustomImageRef = { subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, labName: lab.labName, imageName: target.imageName ?? "" };
  return { ...ref, id: customImageId(ref) };
}

/**
 * A subnet of the lab that allows VM creation, as DTL's portal and the Azure CLI pick one when none is given.
 * Undefined when the lab has no virtual network listed (DTL then uses its default).
 */
export async function pickLabSubnet(ctx: LabContext, lab: LabRef): Promise<{ labVirtualNetworkId: string; labSubnetName: string } | undefined> {
  try {
    for await (const network of ctx.clients.devTestLabs(lab.subscriptionId).virtualNetworks.list(lab.resourceGroup, lab.labName, { abortSignal: ctx.signal })) {
      const subnet = (network.subnetOverrides ?? []).find((o) => (o.useInVmCreationPermission ?? "").toLowerCase() === "allow" && o.labSubnetName);
      if (network.id && subnet?.labSubnetName) return { labVirtualNetworkId: network.id, labSubnetName: subnet.labSubnetName };
    }
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.debug(`The lab's virtual networks could not be listed (${err instanceof Error ? err.message : String(err)}); DTL picks the subnet.`);
  }
  return undefined;
}

/** The OS of a custom image, from how it was captured (VM) or uploaded (VHD); a missing image is an input error. */
export async function customImageOsType(ctx: LabContext, options: { id: string; inputName: string }): Promise<OsType | undefined> {
  const ref = parseCustomImageId(options.id, options.inputName);
  let image: CustomImage;
  try {
    image = await ctx.clients.devTestLabs(ref.subscriptionId).customImages.get(ref.resourceGroup, ref.labName, ref.imageName, { abortSignal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) throw new InputError(options.inputName, `the custom image '${ref.imageName}' does not exist in the lab '${ref.labName}'. Check the name or id.`);
    throw toAzureOperationError(err, { operation: "Reading the custom image", resource: options.id });
  }
  if (image.vm?.windowsOsInfo) return "Windows";
  if (image.vm?.linuxOsInfo) return "Linux";
  const vhdOs = image.vhd?.osType?.toLowerCase();
  return vhdOs === "windows" ? "Windows" : vhdOs === "linux" ? "Linux" : undefined;
}

/** A lab formula by name or id: the VM content it holds and its OS. A missing formula is an input error. */
export async function readFormula(
  ctx: LabContext,
  options: { lab: LabRef; formula: string; inputName: string },
): Promise<{ id: string; content?: LabVirtualMachineCreationParameter; osType?: OsType }> {
  let lab: LabRef = options.lab;
  let name = options.formula.trim();
  if (isResourceIdText(name)) {
    const parsed = parseResourceId(name, options.inputName);
    const isFormula = parsed.resourceGroup !== undefined && parsed.provider?.toLowerCase() === "microsoft.devtestlab" && parsed.types.map((t) => t.toLowerCase()).join("/") === "labs/formulas";
    if (!isFormula || parsed.resourceGroup === undefined) {
      throw new InputError(options.inputName, `'${neutralizeUntrustedText(name, { maxLength: 300 })}' is not a formula id. Expected ${RESOURCE_ID_FORMS.lab}/formulas/{formulaName}, or the formula's name.`);
    }
    lab = { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, labName: parsed.names[0] ?? "" };
    name = parsed.names[1] ?? "";
  }
  let formula: Formula;
  try {
    formula = await ctx.clients.devTestLabs(lab.subscriptionId).formulas.get(lab.resourceGroup, lab.labName, name, { abortSignal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) throw new InputError(options.inputName, `the formula '${neutralizeUntrustedText(name, { maxLength: 100 })}' does not exist in the lab '${lab.labName}'.`);
    throw toAzureOperationError(err, { operation: "Reading the formula", resource: name });
  }
  const os = (formula.osType ?? formula.formulaContent?.galleryImageReference?.osType ?? "").toLowerCase();
  return {
    id: formula.id ?? `${labId(lab)}/formulas/${name}`,
    content: formula.formulaContent,
    osType: os === "windows" ? "Windows" : os === "linux" ? "Linux" : undefined,
  };
}

/** "vm-1 in lab 'factory'", for messages. */
export function describeVm(vm: LabVmRef): string {
  return `lab VM '${vm.vmName}' in lab '${vm.labName}'`;
}
