// Lab custom images. From a VM (vm: {sourceVmId, windowsOsInfo | linuxOsInfo}) the service captures a
// Compute snapshot and reports managedSnapshotId, author and creationDate (no osType: it appears only
// under vhd, as recorded). From a VHD (vhd: {imageName, sysPrep, osType}) the VHD must be a blob in the
// lab's storage account ("uploads" container) — another account is InvalidStorageAccountForLab, as users
// have reported — and must exist when the operation runs, else the operation fails.
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { parseResourceId } from "../core/ids";
import { clone, getBoolCi, getCi, getObjectCi, getStringCi, isObject, type JsonObject } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { OperationFailure } from "../core/lro";
import { applyOrderBy, compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
import { createSnapshot } from "../compute/snapshots";
import {
  DTL_TYPES,
  LAB,
  acceptedAction,
  acceptedPut,
  dtlBody,
  dtlId,
  newUniqueIdentifier,
  notFound,
  now,
  props,
  requireLab,
  requireParentLab,
  startDtlDelete,
  startDtlOperation,
  type LabRequest,
} from "./common";

const WINDOWS_STATES = ["NonSysprepped", "SysprepRequested", "SysprepApplied"];
const LINUX_STATES = ["NonDeprovisioned", "DeprovisionRequested", "DeprovisionApplied"];

function canonical(value: string, allowed: string[]): string | undefined {
  return allowed.find((a) => a.toLowerCase() === value.toLowerCase());
}

function imageId(l: LabRequest, name: string): string {
  return dtlId(l.sub, l.rg, ["labs", "customimages"], [l.labName, name]);
}

interface VhdLocation {
  account: string;
  container: string;
  blob: string;
  uri: string;
}

/** Where a vhd.imageName points: a URI in the lab's uploads container, or a blob name in it. */
function vhdLocation(ctx: ArmContext, lab: StoredResource, imageName: string): VhdLocation {
  const uploads = ctx.options.storage.labContainer(lab.id, "uploads");
  const origin = new URL(ctx.options.storage.blobEndpoint).origin;
  if (!/^https?:\/\//i.test(imageName)) {
    const blob = imageName.replace(/^\/+/, "");
    return { ...uploads, blob, uri: `${origin}/${uploads.account}/${uploads.container}/${blob}` };
  }
  let url: URL;
  try {
    url = new URL(imageName);
  } catch {
    throw errors.badRequest("InvalidStorageAccountForLab", "Invalid storage account for lab");
  }
  // path-style (emulator) URLs: /{account}/{container}/{blob...}
  const segs = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const [account = "", container = "", ...rest] = segs;
  if (url.origin !== origin || account.toLowerCase() !== uploads.account.toLowerCase() || container !== uploads.container || rest.length === 0) {
    throw errors.badRequest("InvalidStorageAccountForLab", "Invalid storage account for lab");
  }
  return { account: uploads.account, container, blob: rest.join("/"), uri: `${origin}/${uploads.account}/${container}/${rest.join("/")}` };
}

/** A custom image just stored (Creating) and the work that finishes it. */
interface NewImage {
  image: StoredResource;
  work: (o: { sleep(s: number): Promise<void> }) => Promise<void>;
}

/**
 * Stores a new custom image, Creating: `source` (vm or vhd, as DTL echoes it) first, then what the request
 * may set (description, author: the caller if not given) and the fields DTL adds.
 */
function storeNewImage(ctx: ArmContext, req: ArmRequest, l: LabRequest, name: string, body: JsonObject, source: JsonObject, osType: string): StoredResource {
  const sentProps = getObjectCi(body, "properties");
  const description = getStringCi(sentProps, "description");
  const properties: JsonObject = {
    ...source,
    ...(description !== undefined ? { description } : {}),
    author: getStringCi(sentProps, "author") || ctx.principalName(req.caller),
    creationDate: now(),
    provisioningState: "Creating",
    uniqueIdentifier: newUniqueIdentifier(),
  };
  const id = imageId(l, name);
  return ctx.store.put({
    id,
    type: DTL_TYPES.customImage,
    body: dtlBody(id, name, DTL_TYPES.customImage, properties, getStringCi(body, "location"), getCi(body, "tags") ?? undefined),
    internal: { osType },
  });
}

function createFromVm(ctx: ArmContext, req: ArmRequest, l: LabRequest, name: string, body: JsonObject, vmSpec: JsonObject): NewImage {
  const sourceVmId = getStringCi(vmSpec, "sourceVmId") ?? "";
  const parsed = parseResourceId(sourceVmId);
  const vmName = parsed?.names[parsed.names.length - 1] ?? "";
  const vm = ctx.store.get(dtlId(l.sub, l.rg, ["labs", "virtualmachines"], [l.labName, vmName]));
  if (!vm || !parsed || parsed.names[0]?.toLowerCase() !== l.labName.toLowerCase()) throw notFound(l, ["virtualMachines"], [vmName || sourceVmId]);
  const vmState = String(props(vm)["provisioningState"]);
  if (vmState !== "Succeeded") throw errors.notInValidState(String(vm.body["name"]), vmState, "CaptureImage");
  const osType = String(vm.internal["osType"] ?? "Windows");
  const windows = getObjectCi(vmSpec, "windowsOsInfo");
  const linux = getObjectCi(vmSpec, "linuxOsInfo");
  let osInfo: JsonObject;
  if (osType === "Windows") {
    const state = canonical(getStringCi(windows, "windowsOsState") ?? "", WINDOWS_STATES);
    if (!state || linux) throw errors.badRequest("InvalidParameter", `The virtual machine '${String(vm.body["name"])}' runs Windows: give windowsOsInfo.windowsOsState (${WINDOWS_STATES.join(", ")}).`);
    osInfo = { windowsOsInfo: { windowsOsState: state } };
  } else {
    const state = canonical(getStringCi(linux, "linuxOsState") ?? "", LINUX_STATES);
    if (!state || windows) throw errors.badRequest("InvalidParameter", `The virtual machine '${String(vm.body["name"])}' runs Linux: give linuxOsInfo.linuxOsState (${LINUX_STATES.join(", ")}).`);
    osInfo = { linuxOsInfo: { linuxOsState: state } };
  }
  const image = storeNewImage(ctx, req, l, name, body, { vm: { sourceVmId: vm.id, ...osInfo } }, osType);
  const properties = props(image);
  const requested = JSON.stringify(osInfo).includes("Requested");
  return {
    image,
    work: async (o) => {
      await o.sleep(LATENCY_SECONDS.customImageCapture);
      const snapshot = await createSnapshot(ctx, {
        sub: l.sub,
        rg: l.rg,
        name,
        location: l.location,
        osType,
        sourceResourceId: String(vm.internal["osDiskId"] ?? props(vm)["computeId"] ?? vm.id),
        storageOwnerId: l.lab.id,
      });
      image.internal["snapshotId"] = snapshot.id;
      // DTL prepares the machine when asked (sysprep / deprovision) and it stays deallocated afterwards
      if (requested) props(vm)["lastKnownPowerState"] = "Stopped";
      properties["managedSnapshotId"] = snapshot.id.toLowerCase();
      properties["provisioningState"] = "Succeeded";
    },
  };
}

function createFromVhd(ctx: ArmContext, req: ArmRequest, l: LabRequest, name: string, body: JsonObject, vhd: JsonObject): NewImage {
  const imageName = getStringCi(vhd, "imageName") ?? "";
  const osTypeRaw = getStringCi(vhd, "osType") ?? "";
  const osType = canonical(osTypeRaw, ["Windows", "Linux"]);
  if (!osType) throw errors.badRequest("InvalidParameter", `The OS type '${osTypeRaw}' of the VHD is not valid: use 'Windows' or 'Linux'.`);
  if (!imageName) throw errors.badRequest("InvalidParameter", "The image name (URI of the VHD) is required.");
  const where = vhdLocation(ctx, l.lab, imageName);
  const sysPrep = getBoolCi(vhd, "sysPrep") ?? false;
  const image = storeNewImage(ctx, req, l, name, body, { vhd: { imageName, sysPrep, osType } }, osType);
  const properties = props(image);
  return {
    image,
    work: async (o) => {
      await o.sleep(LATENCY_SECONDS.customImageFromVhd);
      if (!(await ctx.options.storage.blobExists(where.account, where.container, where.blob))) {
        throw new OperationFailure({ code: "InvalidParameter", message: `The source blob ${where.uri} is not accessible.` });
      }
      const managedId = `/subscriptions/${l.sub}/resourceGroups/${l.rg}/providers/Microsoft.Compute/images/${name}`;
      ctx.store.put({
        id: managedId,
        type: "Microsoft.Compute/images",
        body: {
          name,
          id: managedId,
          type: "Microsoft.Compute/images",
          location: l.location,
          properties: {
            storageProfile: { osDisk: { osType, osState: sysPrep ? "Generalized" : "Specialized", blobUri: where.uri, caching: "ReadWrite", storageAccountType: "Standard_LRS" }, dataDisks: [] },
            provisioningState: "Succeeded",
            hyperVGeneration: "V1",
          },
        },
        internal: {},
      });
      image.internal["managedImageId"] = managedId;
      properties["managedImageId"] = managedId.toLowerCase();
      properties["provisioningState"] = "Succeeded";
    },
  };
}

export function registerCustomImageRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const IMAGE = `${LAB}/customimages/{name}`;

  // a custom image's snapshot or managed image goes with it
  ctx.onDelete(DTL_TYPES.customImage, async (image) => {
    for (const key of ["snapshotId", "managedImageId"]) {
      const id = image.internal[key];
      if (typeof id === "string") await ctx.deleteTree(id);
    }
  });

  r.add("GET", `${LAB}/customimages`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const items = ctx.store.children(l.lab.id, DTL_TYPES.customImage).map((x) => ctx.view(x)).filter(compileFilter(req.query.get("$filter")));
    return page(req, applyOrderBy(items, req.query.get("$orderby")), ctx.pageSize);
  });

  r.add("GET", IMAGE, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const image = ctx.store.get(imageId(l, params["name"] ?? ""));
    if (!image) throw notFound(l, ["customImages"], [params["name"] ?? ""]);
    return { status: 200, body: ctx.view(image) };
  });

  r.add("PUT", IMAGE, async ({ req, params }) => {
    const l = requireParentLab(ctx, req, params);
    const name = params["name"] ?? "";
    const body = requireObjectBody(req);
    const existing = ctx.store.get(imageId(l, name));
    if (existing) {
      const state = String(props(existing)["provisioningState"]);
      if (state === "Creating" || state === "Deleting") throw errors.notInValidState(name, state, "PUT");
      // an existing image only takes new tags and description
      const sent = getObjectCi(body, "properties") ?? {};
      const description = getStringCi(sent, "description");
      if (description !== undefined) props(existing)["description"] = description;
      const tags = getCi(body, "tags");
      if (isObject(tags)) existing.body["tags"] = clone(tags);
      const op = startDtlOperation(ctx, req, l, { kind: "customImage.update", resourceId: existing.id, nominalSeconds: 5, work: async (o) => o.sleep(5) });
      return acceptedPut(ctx, req, op, ctx.view(existing), false);
    }
    const sent = getObjectCi(body, "properties") ?? {};
    const vmSpec = getObjectCi(sent, "vm");
    const vhd = getObjectCi(sent, "vhd");
    if (!vmSpec && !vhd) {
      throw errors.badRequest("InvalidParameter", "A custom image must be created from a virtual machine (properties.vm) or a VHD (properties.vhd).");
    }
    const made = vmSpec ? createFromVm(ctx, req, l, name, body, vmSpec) : createFromVhd(ctx, req, l, name, body, vhd ?? {});
    const nominal = vmSpec ? LATENCY_SECONDS.customImageCapture : LATENCY_SECONDS.customImageFromVhd;
    const op = startDtlOperation(ctx, req, l, {
      kind: vmSpec ? "customImage.capture" : "customImage.fromVhd",
      resourceId: made.image.id,
      nominalSeconds: nominal,
      work: async (o) => made.work(o),
      onFailed: () => {
        props(made.image)["provisioningState"] = "Failed";
      },
    });
    return acceptedPut(ctx, req, op, ctx.view(made.image), true);
  });

  r.add("PATCH", IMAGE, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const image = ctx.store.get(imageId(l, params["name"] ?? ""));
    if (!image) throw notFound(l, ["customImages"], [params["name"] ?? ""]);
    const tags = getCi(requireObjectBody(req), "tags");
    if (isObject(tags)) image.body["tags"] = clone(tags);
    return { status: 200, body: ctx.view(image) };
  });

  r.add("DELETE", IMAGE, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const image = ctx.store.get(imageId(l, params["name"] ?? ""));
    if (!image) return { status: 204 };
    const state = String(props(image)["provisioningState"]);
    if (state === "Creating") throw errors.notInValidState(String(image.body["name"]), state, "DELETE");
    const op = startDtlDelete(ctx, req, l, image, "customImage.delete", LATENCY_SECONDS.customImageDelete, () => ctx.deleteTree(image.id));
    return acceptedAction(ctx, req, op);
  });
}
