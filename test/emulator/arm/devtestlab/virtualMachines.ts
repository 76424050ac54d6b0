// Lab virtual machines: PUT (gallery image, custom image or shared image; credentials; artifacts),
// GET/list with $expand=properties($expand=artifacts,computeVm,networkInterface), $filter, paging,
// PATCH, DELETE, and the POST actions (start, stop, restart, applyArtifacts, claim, unClaim, hibernate,
// redeploy, resize...), plus the lab actions createEnvironment and claimAnyVm that make or take VMs.
// Creation includes applying the VM's artifacts: the PUT's operation ends when they are done.
import { randomBytes, randomUUID } from "node:crypto";
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { ArmError, errors } from "../core/errors";
import { idKey } from "../core/ids";
import {
  canonicalKeys,
  clone,
  getArrayCi,
  getBoolCi,
  getCi,
  getObjectCi,
  getStringCi,
  isObject,
  type Json,
  type JsonObject,
  type KeyShape,
} from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { applyOrderBy, compileFilter, expandSet } from "../core/odata";
import { page } from "../core/paging";
import type { HandlerResult } from "../core/router";
import type { StoredResource } from "../core/store";
import { artifactsOf, deploymentStatus, installPendingArtifacts, pendingArtifacts } from "./artifactInstall";
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

export const VM_SHAPE: KeyShape = {
  notes: true,
  ownerObjectId: true,
  ownerUserPrincipalName: true,
  customImageId: true,
  sharedImageId: true,
  sharedImageVersion: true,
  size: true,
  userName: true,
  password: true,
  sshKey: true,
  isAuthenticationWithSshKey: true,
  labSubnetName: true,
  labVirtualNetworkId: true,
  disallowPublicIpAddress: true,
  artifacts: { artifactId: true, artifactTitle: true, parameters: { name: true, value: true } },
  galleryImageReference: { offer: true, publisher: true, sku: true, osType: true, version: true },
  planId: true,
  networkInterface: true,
  expirationDate: true,
  allowClaim: true,
  storageType: true,
  environmentId: true,
  dataDiskParameters: true,
  scheduleParameters: true,
};

/** Windows computer names: 1-15; Linux 1-64; letters, digits and hyphens, not all digits, no hyphen at the ends. */
export function checkVmName(name: string, osType: string): void {
  const max = osType.toLowerCase() === "linux" ? 64 : 15;
  const ok = name.length >= 1 && name.length <= max && /^[A-Za-z0-9-]+$/.test(name) && !/^\d+$/.test(name) && !name.startsWith("-") && !name.endsWith("-");
  if (!ok) {
    throw errors.invalidResourceName(
      name,
      `The name of a ${osType} virtual machine can be 1-${max} characters long, may contain only letters, numbers and hyphens, cannot start or end with a hyphen and cannot be entirely numeric.`,
    );
  }
}

function vmId(l: LabRequest, name: string): string {
  return dtlId(l.sub, l.rg, ["labs", "virtualmachines"], [l.labName, name]);
}

function labVirtualNetworkId(l: LabRequest, given: string | undefined): string | undefined {
  if (!given) return undefined;
  if (given.toLowerCase().startsWith("/subscriptions/")) return given.toLowerCase();
  const m = /virtualnetworks\/([^/]+)/i.exec(given);
  return m ? dtlId(l.sub, l.rg, ["labs", "virtualnetworks"], [l.labName, m[1] ?? ""]) : given.toLowerCase();
}

interface ImageChoice {
  osType: string;
  source: "FromGalleryImage" | "FromCustomImage" | "FromSharedGalleryImage";
  fields: JsonObject;
}

function chooseImage(ctx: ArmContext, l: LabRequest, sent: JsonObject): ImageChoice {
  const gallery = getObjectCi(sent, "galleryImageReference");
  const customImageId = getStringCi(sent, "customImageId");
  const sharedImageId = getStringCi(sent, "sharedImageId");
  if (customImageId) {
    const m = /customimages\/([^/]+)$/i.exec(customImageId);
    const image = m ? ctx.store.get(dtlId(l.sub, l.rg, ["labs", "customimages"], [l.labName, m[1] ?? ""])) : undefined;
    if (!image || !idKey(image.id).startsWith(idKey(l.lab.id) + "/")) throw notFound(l, ["customImages"], [m?.[1] ?? customImageId]);
    const state = String(props(image)["provisioningState"]);
    if (state !== "Succeeded") throw errors.notInValidState(String(image.body["name"]), state, "CreateVirtualMachine");
    return { osType: String(image.internal["osType"] ?? "Windows"), source: "FromCustomImage", fields: { customImageId: image.id } };
  }
  if (gallery) {
    const osType = getStringCi(gallery, "osType") ?? (/windows|sql/i.test(JSON.stringify(gallery)) ? "Windows" : "Linux");
    const ref = canonicalKeys(gallery, VM_SHAPE["galleryImageReference"] as KeyShape) as JsonObject;
    return { osType: /linux/i.test(osType) ? "Linux" : "Windows", source: "FromGalleryImage", fields: { galleryImageReference: { ...ref, osType: /linux/i.test(osType) ? "Linux" : "Windows" } } };
  }
  if (sharedImageId) {
    const image = ctx.store.get(sharedImageId.replace(/\/versions\/[^/]+$/i, ""));
    const osType = getStringCi(isObject(image?.body["properties"]) ? image.body["properties"] : undefined, "osType") ?? "Windows";
    return { osType, source: "FromSharedGalleryImage", fields: { sharedImageId, ...(getStringCi(sent, "sharedImageVersion") ? { sharedImageVersion: getStringCi(sent, "sharedImageVersion") ?? "" } : {}) } };
  }
  throw errors.badRequest(
    "InvalidParameter",
    "The virtual machine must be created from a gallery image (galleryImageReference), a custom image (customImageId) or a shared image (sharedImageId).",
  );
}

/** The compute VM DTL creates for a lab VM, in the lab's VM resource group. */
function createComputeVm(ctx: ArmContext, l: LabRequest, vm: StoredResource, name: string): string {
  const group = String(l.lab.internal["vmResourceGroup"] ?? `${l.labName}-vms`);
  const id = `/subscriptions/${l.sub}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${name}`;
  const p = props(vm);
  const diskId = `/subscriptions/${l.sub}/resourceGroups/${group}/providers/Microsoft.Compute/disks/${name}_OsDisk_1_${randomBytes(16).toString("hex")}`;
  vm.internal["osDiskId"] = diskId;
  ctx.store.put({
    id,
    type: "Microsoft.Compute/virtualMachines",
    body: {
      id,
      name,
      type: "Microsoft.Compute/virtualMachines",
      location: l.location,
      tags: { "hidden-DevTestLabs-LabUId": String(props(l.lab)["uniqueIdentifier"] ?? "") },
      properties: {
        vmId: randomUUID(),
        hardwareProfile: { vmSize: String(p["size"] ?? "") },
        storageProfile: {
          osDisk: { osType: String(vm.internal["osType"]), name: diskId.split("/").pop() ?? "", createOption: "FromImage", managedDisk: { id: diskId } },
        },
        osProfile: { computerName: name, adminUsername: String(p["userName"] ?? "") },
        provisioningState: "Succeeded",
      },
    },
    internal: {},
  });
  return id;
}

/** Creates a lab VM from a PUT body (or the createEnvironment body); returns the stored VM and its operation. */
function createVm(ctx: ArmContext, req: ArmRequest, l: LabRequest, name: string, body: JsonObject): { vm: StoredResource; op: ReturnType<typeof startDtlOperation> } {
  const sent = canonicalKeys(getObjectCi(body, "properties") ?? {}, VM_SHAPE) as JsonObject;
  const image = chooseImage(ctx, l, sent);
  checkVmName(name, image.osType);
  const id = vmId(l, name);
  const allowClaim = getBoolCi(sent, "allowClaim") ?? false;
  const sshKey = getStringCi(sent, "sshKey");
  const disallowPublicIp = getBoolCi(sent, "disallowPublicIpAddress") ?? false;
  const owner = allowClaim ? "" : (getStringCi(sent, "ownerObjectId") ?? req.caller.objectId);
  const properties: JsonObject = {
    ...(getStringCi(sent, "notes") !== undefined ? { notes: getStringCi(sent, "notes") ?? "" } : {}),
    ownerObjectId: owner,
    ownerUserPrincipalName: owner ? (getStringCi(sent, "ownerUserPrincipalName") ?? ctx.principalName(req.caller)) : "",
    createdByUserId: req.caller.objectId,
    createdByUser: ctx.principalName(req.caller),
    createdDate: now(),
    osType: image.osType,
    size: getStringCi(sent, "size") ?? "Standard_DS1_v2",
    userName: getStringCi(sent, "userName") ?? "",
    isAuthenticationWithSshKey: getBoolCi(sent, "isAuthenticationWithSshKey") ?? sshKey !== undefined,
    labSubnetName: getStringCi(sent, "labSubnetName") ?? `Dtl${l.labName}Subnet`,
    labVirtualNetworkId: labVirtualNetworkId(l, getStringCi(sent, "labVirtualNetworkId")) ?? dtlId(l.sub, l.rg, ["labs", "virtualnetworks"], [l.labName, `Dtl${l.labName}`]),
    disallowPublicIpAddress: disallowPublicIp,
    artifactDeploymentStatus: { artifactsApplied: 0, totalArtifacts: 0 },
    ...image.fields,
    networkInterface: {},
    allowClaim,
    storageType: getStringCi(sent, "storageType") ?? "Standard",
    virtualMachineCreationSource: image.source,
    ...(getStringCi(sent, "expirationDate") ? { expirationDate: getStringCi(sent, "expirationDate") ?? "" } : {}),
    ...(getStringCi(sent, "environmentId") ? { environmentId: getStringCi(sent, "environmentId") ?? "" } : {}),
    ...(getStringCi(sent, "planId") ? { planId: getStringCi(sent, "planId") ?? "" } : {}),
    dataDiskParameters: clone((getArrayCi(sent, "dataDiskParameters") as Json | undefined) ?? []),
    provisioningState: "Creating",
    uniqueIdentifier: newUniqueIdentifier(),
  };
  const vm = ctx.store.put({
    id,
    type: DTL_TYPES.vm,
    body: dtlBody(id, name, DTL_TYPES.vm, properties, l.location, getCi(body, "tags") ?? undefined),
    internal: {
      osType: image.osType,
      ...(getStringCi(sent, "password") !== undefined ? { password: getStringCi(sent, "password") ?? "" } : {}),
      ...(sshKey !== undefined ? { sshKey } : {}),
      artifacts: pendingArtifacts(ctx, l.lab, getArrayCi(sent, "artifacts") ?? []),
    },
  });
  properties["artifactDeploymentStatus"] = deploymentStatus(vm);
  const nominal = image.osType === "Linux" ? LATENCY_SECONDS.vmCreateLinux : LATENCY_SECONDS.vmCreateWindows;
  const op = startDtlOperation(ctx, req, l, {
    kind: "vm.create",
    resourceId: id,
    nominalSeconds: nominal,
    work: async (o) => {
      await o.sleep(nominal);
      properties["computeId"] = createComputeVm(ctx, l, vm, name);
      properties["lastKnownPowerState"] = "Running";
      if (!disallowPublicIp) properties["fqdn"] = `${name.toLowerCase()}.${l.location}.cloudapp.azure.com`;
      await installPendingArtifacts(ctx, vm, l.lab, o);
      properties["provisioningState"] = "Succeeded";
    },
    onFailed: () => {
      properties["provisioningState"] = "Failed";
    },
  });
  vm.internal["createOperation"] = op.record.id;
  return { vm, op };
}

function view(_ctx: ArmContext, vm: StoredResource, expand: Set<string>): JsonObject {
  const body = clone(vm.body);
  const p = isObject(body["properties"]) ? body["properties"] : {};
  if (expand.has("artifacts")) p["artifacts"] = clone(artifactsOf(vm));
  if (expand.has("computevm") && typeof p["computeId"] === "string") {
    const running = p["lastKnownPowerState"] === "Running";
    p["computeVm"] = {
      statuses: [
        // DTL's ComputeVmInstanceViewStatus has code, displayStatus and message only (no Compute `level`).
        { code: "ProvisioningState/succeeded", displayStatus: "Provisioning succeeded" },
        { code: running ? "PowerState/running" : "PowerState/deallocated", displayStatus: running ? "VM running" : "VM deallocated" },
      ],
      osType: String(vm.internal["osType"] ?? ""),
      vmSize: String(p["size"] ?? ""),
      networkInterfaceId: `${String(p["computeId"]).replace(/\/providers\/Microsoft\.Compute\/virtualMachines\/.*$/i, "")}/providers/Microsoft.Network/networkInterfaces/${String(body["name"])}`,
      osDiskId: String(vm.internal["osDiskId"] ?? ""),
      dataDiskIds: [],
      dataDisks: [],
    };
  }
  if (expand.has("networkinterface") && typeof p["computeId"] === "string") {
    const fqdn = typeof p["fqdn"] === "string" ? p["fqdn"] : undefined;
    const port = vm.internal["osType"] === "Linux" ? 22 : 3389;
    p["networkInterface"] = {
      virtualNetworkId: String(p["labVirtualNetworkId"] ?? ""),
      subnetId: `${String(p["labVirtualNetworkId"] ?? "")}/subnets/${String(p["labSubnetName"] ?? "")}`,
      privateIpAddress: "10.0.0.4",
      ...(fqdn ? { dnsName: fqdn, [port === 22 ? "sshAuthority" : "rdpAuthority"]: `${fqdn}:${port}` } : {}),
    };
  }
  body["properties"] = p;
  return body;
}

function requireVm(ctx: ArmContext, l: LabRequest, name: string): StoredResource {
  const vm = ctx.store.get(vmId(l, name));
  if (!vm) throw notFound(l, ["virtualMachines"], [name]);
  return vm;
}

function isBusy(ctx: ArmContext, vm: StoredResource): boolean {
  const busy = vm.internal["busyOperation"];
  return typeof busy === "string" && ctx.lro.find(busy)?.record.status === "Running";
}

/** An action may run only on a VM that finished creating and has no other action in flight. */
function requireActionable(ctx: ArmContext, vm: StoredResource, action: string): void {
  const state = String(props(vm)["provisioningState"]);
  if (state !== "Succeeded") throw errors.notInValidState(String(vm.body["name"]), state, action);
  if (isBusy(ctx, vm)) {
    throw errors.conflict(`There is already an operation in progress on the virtual machine '${String(vm.body["name"])}'. Please retry once it completes.`);
  }
}

type ActionWork = (vm: StoredResource, body: JsonObject, req: ArmRequest, ctx: ArmContext) => { seconds: number; apply: () => void; artifacts?: boolean };

const POWER_ACTIONS: Record<string, ActionWork> = {
  start: (vm) => ({ seconds: LATENCY_SECONDS.vmStart, apply: () => void (props(vm)["lastKnownPowerState"] = "Running") }),
  stop: (vm) => ({ seconds: LATENCY_SECONDS.vmStop, apply: () => void (props(vm)["lastKnownPowerState"] = "Stopped") }),
  hibernate: (vm) => ({ seconds: LATENCY_SECONDS.vmHibernate, apply: () => void (props(vm)["lastKnownPowerState"] = "Hibernated") }),
  restart: (vm) => {
    if (props(vm)["lastKnownPowerState"] !== "Running") {
      throw errors.conflict(`The virtual machine '${String(vm.body["name"])}' cannot be restarted because it is not running.`);
    }
    return { seconds: LATENCY_SECONDS.vmRestart, apply: () => void (props(vm)["lastKnownPowerState"] = "Running") };
  },
  redeploy: (vm) => ({ seconds: LATENCY_SECONDS.vmRedeploy, apply: () => void (props(vm)["lastKnownPowerState"] = "Running") }),
  resize: (vm, body) => {
    const size = getStringCi(body, "size");
    if (!size) throw errors.badRequest("InvalidParameter", "The size of the virtual machine is required.");
    return { seconds: LATENCY_SECONDS.vmResize, apply: () => void (props(vm)["size"] = size) };
  },
  claim: (vm, _body, req, ctx) => {
    if (props(vm)["allowClaim"] !== true) throw new ArmError(400, "BadRequest", `The virtual machine '${String(vm.body["name"])}' is not claimable.`);
    return {
      seconds: LATENCY_SECONDS.vmClaim,
      apply: () => {
        Object.assign(props(vm), { ownerObjectId: req.caller.objectId, ownerUserPrincipalName: ctx.principalName(req.caller), allowClaim: false });
      },
    };
  },
  unClaim: (vm) => ({
    seconds: LATENCY_SECONDS.vmClaim,
    apply: () => void Object.assign(props(vm), { ownerObjectId: "", ownerUserPrincipalName: "", allowClaim: true }),
  }),
  transferDisks: () => ({ seconds: LATENCY_SECONDS.vmUpdate, apply: () => undefined }),
  addDataDisk: () => ({ seconds: LATENCY_SECONDS.vmUpdate, apply: () => undefined }),
  detachDataDisk: () => ({ seconds: LATENCY_SECONDS.vmUpdate, apply: () => undefined }),
};

function startAction(ctx: ArmContext, req: ArmRequest, l: LabRequest, vm: StoredResource, action: string, work: ReturnType<ActionWork>): HandlerResult {
  const op = startDtlOperation(ctx, req, l, {
    kind: `vm.${action}`,
    resourceId: vm.id,
    nominalSeconds: work.seconds,
    work: async (o) => {
      await o.sleep(work.seconds);
      work.apply();
      if (work.artifacts) await installPendingArtifacts(ctx, vm, l.lab, o);
    },
  });
  vm.internal["busyOperation"] = op.record.id;
  return acceptedAction(ctx, req, op);
}

export function registerVirtualMachineRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const VM = `${LAB}/virtualmachines/{name}`;
  ctx.registerViewer(DTL_TYPES.vm, (vm, expand) => view(ctx, vm, expand));

  r.add("GET", `${LAB}/virtualmachines`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const expand = expandSet(req.query.get("$expand"));
    const items = ctx.store.children(l.lab.id, DTL_TYPES.vm).map((vm) => view(ctx, vm, expand));
    const filtered = items.filter(compileFilter(req.query.get("$filter")));
    return page(req, applyOrderBy(filtered, req.query.get("$orderby")), ctx.pageSize);
  });

  r.add("GET", VM, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    return { status: 200, body: view(ctx, requireVm(ctx, l, params["name"] ?? ""), expandSet(req.query.get("$expand"))) };
  });

  r.add("PUT", VM, async ({ req, params }) => {
    const l = requireParentLab(ctx, req, params);
    const name = params["name"] ?? "";
    const body = requireObjectBody(req);
    const existing = ctx.store.get(vmId(l, name));
    if (!existing) {
      const { vm, op } = createVm(ctx, req, l, name, body);
      return acceptedPut(ctx, req, op, view(ctx, vm, new Set()), true);
    }
    const state = String(props(existing)["provisioningState"]);
    if (state !== "Succeeded" && state !== "Failed") throw errors.notInValidState(name, state, "PUT");
    // a re-PUT updates what may change after creation (tags, notes, claimability, expiry)
    const sent = canonicalKeys(getObjectCi(body, "properties") ?? {}, VM_SHAPE) as JsonObject;
    for (const k of ["notes", "allowClaim", "expirationDate"]) {
      const v = getCi(sent, k);
      if (v !== undefined) props(existing)[k] = clone(v);
    }
    const tags = getCi(body, "tags");
    if (isObject(tags)) existing.body["tags"] = tags;
    const op = startDtlOperation(ctx, req, l, {
      kind: "vm.update",
      resourceId: existing.id,
      nominalSeconds: LATENCY_SECONDS.vmUpdate,
      work: async (o) => o.sleep(LATENCY_SECONDS.vmUpdate),
    });
    return acceptedPut(ctx, req, op, view(ctx, existing, new Set()), false);
  });

  r.add("PATCH", VM, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const vm = requireVm(ctx, l, params["name"] ?? "");
    const body = requireObjectBody(req);
    const sent = canonicalKeys(getObjectCi(body, "properties") ?? {}, VM_SHAPE) as JsonObject;
    for (const k of ["notes", "allowClaim", "expirationDate"]) {
      const v = getCi(sent, k);
      if (v !== undefined) props(vm)[k] = clone(v);
    }
    const tags = getCi(body, "tags");
    if (isObject(tags)) vm.body["tags"] = tags;
    return { status: 200, body: view(ctx, vm, new Set()) };
  });

  r.add("DELETE", VM, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const vm = ctx.store.get(vmId(l, params["name"] ?? ""));
    if (!vm) return { status: 204 };
    const pending = vm.internal["deleteOperation"];
    const inFlight = typeof pending === "string" ? ctx.lro.find(pending) : undefined;
    if (inFlight && inFlight.record.status === "Running") return acceptedAction(ctx, req, inFlight);
    const creating = vm.internal["createOperation"];
    if (typeof creating === "string") ctx.lro.find(creating)?.cancel();
    const op = startDtlDelete(ctx, req, l, vm, "vm.delete", LATENCY_SECONDS.vmDelete, () => deleteVm(ctx, vm));
    vm.internal["deleteOperation"] = op.record.id;
    return acceptedAction(ctx, req, op);
  });

  for (const action of Object.keys(POWER_ACTIONS)) {
    r.add("POST", `${VM}/${action}`, async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const vm = requireVm(ctx, l, params["name"] ?? "");
      requireActionable(ctx, vm, action);
      const body = isObject(req.body) ? req.body : {};
      const act = POWER_ACTIONS[action];
      if (!act) throw errors.noRoute(req.method, req.path);
      return startAction(ctx, req, l, vm, action, act(vm, body, req, ctx));
    });
  }

  r.add("POST", `${VM}/applyArtifacts`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const vm = requireVm(ctx, l, params["name"] ?? "");
    requireActionable(ctx, vm, "applyArtifacts");
    const body = isObject(req.body) ? req.body : {};
    const requested = getArrayCi(body, "artifacts") ?? [];
    if (props(vm)["lastKnownPowerState"] !== "Running") {
      throw errors.conflict(`The virtual machine '${String(vm.body["name"])}' must be running to apply artifacts.`);
    }
    const added = pendingArtifacts(ctx, l.lab, requested);
    vm.internal["artifacts"] = [...artifactsOf(vm), ...added];
    props(vm)["artifactDeploymentStatus"] = deploymentStatus(vm);
    return startAction(ctx, req, l, vm, "applyArtifacts", { seconds: 0, apply: () => undefined, artifacts: true });
  });

  r.add("POST", `${VM}/getRdpFileContents`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const vm = requireVm(ctx, l, params["name"] ?? "");
    const host = String(props(vm)["fqdn"] ?? `${String(vm.body["name"])}.${l.location}.cloudapp.azure.com`);
    return { status: 200, body: { contents: `full address:s:${host}:3389\r\nprompt for credentials:i:1\r\nusername:s:~\\${String(props(vm)["userName"] ?? "")}\r\n` } };
  });

  r.add("POST", `${VM}/listApplicableSchedules`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    requireVm(ctx, l, params["name"] ?? "");
    return { status: 200, body: { properties: {} } };
  });

  r.add("POST", `${LAB}/createEnvironment`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const body = requireObjectBody(req);
    const name = getStringCi(body, "name");
    if (!name) throw errors.badRequest("InvalidParameter", "The name of the virtual machine is required.");
    if (ctx.store.get(vmId(l, name))) throw errors.conflict(`A virtual machine named '${name}' already exists in the lab '${l.labName}'.`);
    const { op } = createVm(ctx, req, l, name, body);
    return acceptedAction(ctx, req, op);
  });

  r.add("POST", `${LAB}/claimAnyVm`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const vm = ctx.store
      .children(l.lab.id, DTL_TYPES.vm)
      .find((v) => props(v)["allowClaim"] === true && props(v)["provisioningState"] === "Succeeded" && !isBusy(ctx, v));
    if (!vm) throw new ArmError(400, "BadRequest", `There are no claimable virtual machines in the lab '${l.labName}'.`);
    const claim = POWER_ACTIONS["claim"];
    if (!claim) throw errors.noRoute(req.method, req.path);
    return startAction(ctx, req, l, vm, "claim", claim(vm, {}, req, ctx));
  });
}

/** Removes a lab VM with its compute VM. */
export async function deleteVm(ctx: ArmContext, vm: StoredResource): Promise<void> {
  const computeId = props(vm)["computeId"];
  if (typeof computeId === "string") await ctx.deleteTree(computeId);
  await ctx.deleteTree(vm.id);
}
