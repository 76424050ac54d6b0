// Microsoft.DevTestLab/labs: list (subscription, resource group), GET, PUT, PATCH, DELETE, generateUploadUri,
// listVhds and gallery images. A lab comes with its storage (the StorageBackend's containers), a key vault
// id, a resource group for its VMs' compute resources and the two public repositories.
import { randomInt } from "node:crypto";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { subscriptionId } from "../core/ids";
import { clone, getCi, getObjectCi, getStringCi, isObject, type Json, type JsonObject } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { applyOrderBy, compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
import { ensureResourceGroup } from "../resources/resourceGroups";
import {
  DTL_API_VERSIONS,
  DTL_TYPES,
  LAB,
  acceptedAction,
  acceptedPut,
  dtlBody,
  dtlId,
  newUniqueIdentifier,
  now,
  props,
  requireLab,
  startDtlDelete,
  startDtlOperation,
} from "./common";
import { galleryImages } from "./galleryImages";
import { addPublicRepositories, type Samples } from "./repositories";

const LAB_NAME = /^[A-Za-z0-9_-]{1,50}$/;

function digits(n: number): string {
  let s = "";
  while (s.length < n) s += String(randomInt(10));
  return s;
}

export interface LabInit {
  sub: string;
  rg: string;
  name: string;
  location: string;
  tags?: Json;
  properties?: JsonObject;
  provisioningState: "Creating" | "Succeeded";
  /** Seeded labs also get their default virtual network. */
  withVirtualNetwork: boolean;
}

/** Creates the lab resource with the properties the service computes, its VM resource group and repositories. */
export function createLab(ctx: ArmContext, samples: Samples, init: LabInit): StoredResource {
  const id = dtlId(init.sub, init.rg, ["labs"], [init.name]);
  const rgKey = init.rg.toLowerCase();
  const storage = ctx.options.storage.labContainer(id, "uploads");
  const account = `/subscriptions/${init.sub}/resourcegroups/${rgKey}/providers/microsoft.storage/storageaccounts/${storage.account.toLowerCase()}`;
  const vmGroup = `${init.name}${digits(13)}`.slice(0, 90);
  ensureResourceGroup(ctx, init.sub, vmGroup, init.location, { "hidden-DevTestLabs-LabUId": "" });
  const sent = init.properties ?? {};
  const properties: JsonObject = {
    defaultStorageAccount: account,
    defaultPremiumStorageAccount: account,
    artifactsStorageAccount: account,
    premiumDataDiskStorageAccount: account,
    vaultName: `/subscriptions/${init.sub}/resourcegroups/${rgKey}/providers/microsoft.keyvault/vaults/${init.name.toLowerCase()}${digits(4)}`,
    labStorageType: getStringCi(sent, "labStorageType") ?? "Premium",
    mandatoryArtifactsResourceIdsLinux: clone((getCi(sent, "mandatoryArtifactsResourceIdsLinux") as Json | undefined) ?? []),
    mandatoryArtifactsResourceIdsWindows: clone((getCi(sent, "mandatoryArtifactsResourceIdsWindows") as Json | undefined) ?? []),
    createdDate: now(),
    premiumDataDisks: getStringCi(sent, "premiumDataDisks") ?? "Disabled",
    environmentPermission: getStringCi(sent, "environmentPermission") ?? "Reader",
    announcement: clone(getObjectCi(sent, "announcement") ?? { title: "", markdown: "", enabled: "Disabled", expired: false }),
    support: clone(getObjectCi(sent, "support") ?? { enabled: "Disabled", markdown: "" }),
    vmCreationResourceGroup: `/subscriptions/${init.sub}/resourceGroups/${vmGroup}`,
    provisioningState: init.provisioningState,
    uniqueIdentifier: newUniqueIdentifier(),
  };
  const extended = getObjectCi(sent, "extendedProperties");
  if (extended) properties["extendedProperties"] = clone(extended);
  const body = dtlBody(id, init.name, DTL_TYPES.lab, properties, init.location, init.tags);
  const lab = ctx.store.put({ id, type: DTL_TYPES.lab, body, internal: { vmResourceGroup: vmGroup } });
  addLabStorageAndVault(ctx, init, storage.account, String(properties["vaultName"]), String(properties["uniqueIdentifier"]));
  addLabStorageAccount(ctx, account, init.location);
  const group = ctx.resourceGroup(init.sub, vmGroup);
  if (group) group.body["tags"] = { "hidden-DevTestLabs-LabUId": String(properties["uniqueIdentifier"]) };
  addPublicRepositories(ctx, lab, samples);
  if (init.withVirtualNetwork) addDefaultVirtualNetwork(ctx, lab, init);
  return lab;
}

/**
 * The lab's storage account as an ARM resource, so a client can read its blob endpoint (primaryEndpoints.blob) the
 * way it would in Azure; here the endpoint is Azurite's, where the lab's containers are.
 */
function addLabStorageAccount(ctx: ArmContext, accountId: string, location: string): void {
  if (ctx.store.get(accountId)) return;
  const name = accountId.split("/").pop() ?? "";
  ctx.store.put({
    id: accountId,
    type: "Microsoft.Storage/storageAccounts",
    body: {
      id: accountId,
      name,
      type: "Microsoft.Storage/storageAccounts",
      location,
      kind: "StorageV2",
      sku: { name: "Standard_LRS", tier: "Standard" },
      tags: { "hidden-DevTestLabs-LabUId": "" },
      properties: {
        primaryEndpoints: { blob: `${ctx.options.storage.blobEndpoint}/` },
        primaryLocation: location,
        statusOfPrimary: "available",
        supportsHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        provisioningState: "Succeeded",
      },
    },
    internal: {},
  });
}

/**
 * The lab's storage account and key vault as ARM resources: clients read the account (by the lab's
 * defaultStorageAccount/artifactsStorageAccount id) for its blob endpoint, which is the emulator's storage.
 */
function addLabStorageAndVault(ctx: ArmContext, init: LabInit, account: string, vaultId: string, labUid: string): void {
  const accountId = `/subscriptions/${init.sub}/resourceGroups/${init.rg}/providers/Microsoft.Storage/storageAccounts/${account}`;
  const blob = `${ctx.options.storage.blobEndpoint.replace(/\/+$/, "")}/`;
  const tags = { "hidden-DevTestLabs-LabUId": labUid };
  if (!ctx.store.get(accountId)) {
    ctx.store.put({
      id: accountId,
      type: "Microsoft.Storage/storageAccounts",
      body: {
        sku: { name: "Standard_LRS", tier: "Standard" },
        kind: "StorageV2",
        id: accountId,
        name: account,
        type: "Microsoft.Storage/storageAccounts",
        location: init.location,
        tags,
        properties: {
          keyCreationTime: { key1: new Date().toISOString(), key2: new Date().toISOString() },
          allowBlobPublicAccess: false,
          minimumTlsVersion: "TLS1_2",
          supportsHttpsTrafficOnly: true,
          accessTier: "Hot",
          provisioningState: "Succeeded",
          creationTime: new Date().toISOString(),
          primaryEndpoints: { blob },
          primaryLocation: init.location,
          statusOfPrimary: "available",
        },
      },
      internal: {},
    });
  }
  const vaultName = vaultId.split("/").pop() ?? `${init.name}vault`;
  const vaultArmId = `/subscriptions/${init.sub}/resourceGroups/${init.rg}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  if (!ctx.store.get(vaultArmId)) {
    ctx.store.put({
      id: vaultArmId,
      type: "Microsoft.KeyVault/vaults",
      body: {
        id: vaultArmId,
        name: vaultName,
        type: "Microsoft.KeyVault/vaults",
        location: init.location,
        tags,
        properties: { sku: { family: "A", name: "standard" }, tenantId: ctx.options.seed.tenants[0]?.id ?? "", vaultUri: `https://${vaultName}.vault.azure.net/`, provisioningState: "Succeeded" },
      },
      internal: {},
    });
  }
}

function addDefaultVirtualNetwork(ctx: ArmContext, lab: StoredResource, init: LabInit): void {
  const vnetName = `Dtl${init.name}`;
  const id = dtlId(init.sub, init.rg, ["labs", "virtualnetworks"], [init.name, vnetName]);
  const netId = `/subscriptions/${init.sub}/resourceGroups/${init.rg}/providers/Microsoft.Network/virtualNetworks/${vnetName}`;
  const subnet = `${vnetName}Subnet`;
  const properties: JsonObject = {
    allowedSubnets: [{ resourceId: `${netId}/subnets/${subnet}`, labSubnetName: subnet, allowPublicIp: "Allow" }],
    externalProviderResourceId: netId.toLowerCase(),
    subnetOverrides: [
      {
        resourceId: `${netId}/subnets/${subnet}`,
        labSubnetName: subnet,
        useInVmCreationPermission: "Allow",
        usePublicIpAddressPermission: "Allow",
        sharedPublicIpAddressConfiguration: {
          allowedPorts: [
            { transportProtocol: "Tcp", backendPort: 3389 },
            { transportProtocol: "Tcp", backendPort: 22 },
          ],
        },
      },
    ],
    createdDate: now(),
    provisioningState: "Succeeded",
    uniqueIdentifier: newUniqueIdentifier(),
  };
  ctx.store.put({ id, type: DTL_TYPES.virtualNetwork, body: dtlBody(id, vnetName, DTL_TYPES.virtualNetwork, properties), internal: {} });
  ctx.store.put({
    id: netId,
    type: "Microsoft.Network/virtualNetworks",
    body: {
      id: netId,
      name: vnetName,
      type: "Microsoft.Network/virtualNetworks",
      location: String(lab.body["location"]),
      properties: {
        provisioningState: "Succeeded",
        addressSpace: { addressPrefixes: ["10.0.0.0/20"] },
        subnets: [{ id: `${netId}/subnets/${subnet}`, name: subnet, properties: { addressPrefix: "10.0.0.0/20", provisioningState: "Succeeded" } }],
      },
    },
    internal: {},
  });
}

/** Deletes a lab with everything in it and its VM resource group. */
export async function deleteLab(ctx: ArmContext, lab: StoredResource): Promise<void> {
  const vmGroup = lab.internal["vmResourceGroup"];
  const sub = lab.id.split("/")[2] ?? "";
  const owned = [props(lab)["defaultStorageAccount"], props(lab)["vaultName"]].filter((x): x is string => typeof x === "string");
  await ctx.deleteTree(lab.id);
  // the lab's storage account and vault go with it, unless another lab uses them (labs share the emulator's account)
  for (const id of owned) {
    const shared = ctx.store.ofType(DTL_TYPES.lab).some((other) => Object.values(props(other)).some((v) => typeof v === "string" && v.toLowerCase() === id.toLowerCase()));
    if (!shared) await ctx.deleteTree(id);
  }
  if (typeof vmGroup === "string") await ctx.deleteTree(`/subscriptions/${sub}/resourceGroups/${vmGroup}`);
}

export function registerLabRoutes(ctx: ArmContext, samples: Samples): void {
  const r = ctx.router;
  const listLabs = (req: Parameters<typeof page>[0], items: StoredResource[]) => {
    const views = items.map((x) => ctx.view(x)).filter(compileFilter(req.query.get("$filter")));
    return page(req, applyOrderBy(views, req.query.get("$orderby")), ctx.pageSize);
  };

  r.add("GET", "/subscriptions/{sub}/providers/Microsoft.DevTestLab/labs", async ({ req, params }) => {
    ctx.apiVersion(req);
    const sub = params["sub"] ?? "";
    ctx.checkSubscription(sub);
    ctx.checkApiVersion(req, DTL_API_VERSIONS, "labs", "global");
    return listLabs(req, ctx.store.under(subscriptionId(sub)).filter((x) => x.type === DTL_TYPES.lab));
  });

  r.add("GET", "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DevTestLab/labs", async ({ req, params }) => {
    ctx.apiVersion(req);
    const group = ctx.requireResourceGroup(params["sub"] ?? "", params["rg"] ?? "");
    ctx.checkApiVersion(req, DTL_API_VERSIONS, "labs", String(group.body["location"]));
    return listLabs(req, ctx.store.children(group.id, DTL_TYPES.lab));
  });

  r.add("GET", LAB, async ({ req, params }) => ({ status: 200, body: ctx.view(requireLab(ctx, req, params).lab) }));

  r.add("PUT", LAB, async ({ req, params }) => {
    const sub = params["sub"] ?? "";
    const rg = params["rg"] ?? "";
    const name = params["lab"] ?? "";
    ctx.apiVersion(req);
    const group = ctx.requireResourceGroup(sub, rg);
    const apiVersion = ctx.checkApiVersion(req, DTL_API_VERSIONS, "labs", String(group.body["location"]));
    const body = requireObjectBody(req);
    if (!LAB_NAME.test(name)) {
      throw errors.invalidResourceName(name, "Lab names can be 1-50 characters long and may contain only letters, numbers, underscores and hyphens.");
    }
    const location = (getStringCi(body, "location") ?? String(group.body["location"])).toLowerCase().replace(/\s+/g, "");
    const existing = ctx.store.get(dtlId(sub, rg, ["labs"], [name]));
    const l = { sub, rg, labName: name, apiVersion, location };
    if (existing) {
      const state = String(props(existing)["provisioningState"]);
      if (state !== "Succeeded" && state !== "Failed") throw errors.notInValidState(name, state, "PUT");
      const tags = getCi(body, "tags");
      if (isObject(tags)) existing.body["tags"] = tags;
      const sent = getObjectCi(body, "properties") ?? {};
      for (const k of ["labStorageType", "premiumDataDisks", "environmentPermission", "announcement", "support", "mandatoryArtifactsResourceIdsLinux", "mandatoryArtifactsResourceIdsWindows", "extendedProperties"]) {
        const v = getCi(sent, k);
        if (v !== undefined) props(existing)[k] = clone(v);
      }
      const op = startDtlOperation(ctx, req, { ...l, lab: existing }, {
        kind: "lab.update",
        resourceId: existing.id,
        nominalSeconds: 5,
        work: async (o) => o.sleep(5),
      });
      return acceptedPut(ctx, req, op, ctx.view(existing), false);
    }
    const lab = createLab(ctx, samples, { sub, rg, name, location, tags: getCi(body, "tags"), properties: getObjectCi(body, "properties") ?? {}, provisioningState: "Creating", withVirtualNetwork: false });
    const op = startDtlOperation(ctx, req, { ...l, lab }, {
      kind: "lab.create",
      resourceId: lab.id,
      nominalSeconds: LATENCY_SECONDS.labCreate,
      work: async (o) => {
        await o.sleep(LATENCY_SECONDS.labCreate);
        props(lab)["provisioningState"] = "Succeeded";
      },
      onFailed: () => {
        props(lab)["provisioningState"] = "Failed";
      },
    });
    return acceptedPut(ctx, req, op, ctx.view(lab), true);
  });

  r.add("PATCH", LAB, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const body = requireObjectBody(req);
    const tags = getCi(body, "tags");
    if (isObject(tags)) l.lab.body["tags"] = tags;
    const sent = getObjectCi(body, "properties") ?? {};
    for (const [k, v] of Object.entries(sent)) if (!["provisioningState", "uniqueIdentifier", "createdDate"].includes(k)) props(l.lab)[k] = clone(v);
    return { status: 200, body: ctx.view(l.lab) };
  });

  r.add("DELETE", LAB, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const op = startDtlDelete(ctx, req, l, l.lab, "lab.delete", LATENCY_SECONDS.labDelete, () => deleteLab(ctx, l.lab));
    return acceptedAction(ctx, req, op);
  });

  r.add("POST", `${LAB}/generateUploadUri`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const body = isObject(req.body) ? req.body : {};
    const blob = getStringCi(body, "blobName") ?? `${newUniqueIdentifier()}.vhd`;
    const { account, container } = ctx.options.storage.labContainer(l.lab.id, "uploads");
    await ctx.options.storage.ensureContainer(account, container);
    // the spec's example SAS is valid for a day (st … se +24 h, sp=rcw)
    const uploadUri = ctx.options.storage.sasUrl({ account, container, blob, permissions: "rcw", expiresOn: new Date(Date.now() + 24 * 3600 * 1000) });
    return { status: 200, body: { uploadUri } };
  });

  r.add("POST", `${LAB}/listVhds`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const { account, container } = ctx.options.storage.labContainer(l.lab.id, "uploads");
    await ctx.options.storage.ensureContainer(account, container);
    const base = `${new URL(ctx.options.storage.blobEndpoint).origin}/${account}/${container}`;
    const blobs = await ctx.options.storage.listBlobs(account, container);
    return page(req, blobs.filter((b) => /\.vhd$/i.test(b)).map((b) => ({ id: `${base}/${b}` })), ctx.pageSize);
  });

  r.add("GET", `${LAB}/galleryimages`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const items = galleryImages(l.sub, l.rg, String(l.lab.body["name"])).filter(compileFilter(req.query.get("$filter")));
    return page(req, applyOrderBy(items, req.query.get("$orderby")), ctx.pageSize);
  });
}
