// Microsoft.Compute/snapshots: GET, list, PUT (copy of a disk or snapshot, or empty), DELETE, and the
// access grant: POST beginGetAccess → 202 whose result is {accessSAS}, a read SAS to the snapshot's VHD
// blob in storage; POST endGetAccess revokes it by moving the blob to a new name, so every SAS given out
// before stops working (a real revoke invalidates the SAS the same way).
import { randomBytes, randomUUID } from "node:crypto";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { resourceGroupId, subscriptionId } from "../core/ids";
import { clone, getCi, getNumberCi, getObjectCi, getStringCi, isObject, type JsonObject } from "../core/json";
import { LATENCY_SECONDS, armTimestamp } from "../core/latency";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
import { acceptedComputeDelete, computeAccepted, computeNotFound, computeRequest, startComputeOperation } from "./common";
import { fakeVhd } from "./vhd";

export const SNAPSHOT_TYPE = "Microsoft.Compute/snapshots";
const SNAPSHOT = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/snapshots/{name}";

export interface SnapshotInit {
  sub: string;
  rg: string;
  name: string;
  location: string;
  osType?: string;
  sourceResourceId?: string;
  /** The lab whose storage holds the snapshot's VHD (else the resource group's). */
  storageOwnerId?: string;
  tags?: JsonObject;
}

function snapshotId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/snapshots/${name}`;
}

async function writeBlob(ctx: ArmContext, snapshot: StoredResource): Promise<void> {
  const account = String(snapshot.internal["account"]);
  const container = String(snapshot.internal["container"]);
  const blob = `${String(snapshot.body["name"])}-${randomBytes(6).toString("hex")}.vhd`;
  await ctx.options.storage.ensureContainer(account, container);
  await ctx.options.storage.putBlob(account, container, blob, fakeVhd(String(snapshot.internal["uniqueId"])));
  snapshot.internal["blob"] = blob;
}

async function removeBlob(ctx: ArmContext, snapshot: StoredResource): Promise<void> {
  const blob = snapshot.internal["blob"];
  if (typeof blob === "string") {
    await ctx.options.storage.deleteBlob(String(snapshot.internal["account"]), String(snapshot.internal["container"]), blob);
  }
}

/** Creates a snapshot (and its VHD blob) as a capture or copy does. */
export async function createSnapshot(ctx: ArmContext, init: SnapshotInit): Promise<StoredResource> {
  const id = snapshotId(init.sub, init.rg, init.name);
  const previous = ctx.store.get(id);
  if (previous) await removeBlob(ctx, previous);
  const { account, container } = ctx.options.storage.labContainer(init.storageOwnerId ?? resourceGroupId(init.sub, init.rg), "snapshots");
  const uniqueId = randomUUID();
  const snapshot = ctx.store.put({
    id,
    type: SNAPSHOT_TYPE,
    body: {
      name: init.name,
      id,
      type: SNAPSHOT_TYPE,
      location: init.location,
      ...(init.tags ? { tags: init.tags } : {}),
      sku: { name: "Standard_LRS", tier: "Standard" },
      properties: {
        ...(init.osType ? { osType: init.osType } : {}),
        hyperVGeneration: "V1",
        creationData: init.sourceResourceId ? { createOption: "Copy", sourceResourceId: init.sourceResourceId } : { createOption: "Empty" },
        diskSizeGB: 127,
        encryption: { type: "EncryptionAtRestWithPlatformKey" },
        incremental: false,
        networkAccessPolicy: "AllowAll",
        publicNetworkAccess: "Enabled",
        timeCreated: armTimestamp(),
        provisioningState: "Succeeded",
        diskState: "Unattached",
        diskSizeBytes: 136365211648,
        uniqueId,
      },
    },
    internal: { account, container, uniqueId },
  });
  await writeBlob(ctx, snapshot);
  return snapshot;
}

function snapshotProps(s: StoredResource): JsonObject {
  const p = s.body["properties"];
  return isObject(p) ? p : {};
}

export function registerSnapshotRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  ctx.onDelete(SNAPSHOT_TYPE, (s) => removeBlob(ctx, s));

  r.add("GET", "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/snapshots", async ({ req, params }) => {
    const c = computeRequest(ctx, req, params, "snapshots");
    return page(req, ctx.store.children(resourceGroupId(c.sub, c.rg), SNAPSHOT_TYPE).map((s) => ctx.view(s)), ctx.pageSize);
  });
  r.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/snapshots", async ({ req, params }) => {
    ctx.apiVersion(req);
    ctx.checkSubscription(params["sub"] ?? "");
    return page(req, ctx.store.under(subscriptionId(params["sub"] ?? "")).filter((s) => s.type === SNAPSHOT_TYPE).map((s) => ctx.view(s)), ctx.pageSize);
  });

  const find = (c: ReturnType<typeof computeRequest>, name: string): StoredResource => {
    const s = ctx.store.get(snapshotId(c.sub, c.rg, name));
    if (!s) throw computeNotFound(c, ["snapshots"], [name]);
    return s;
  };

  r.add("GET", SNAPSHOT, async ({ req, params }) => {
    const c = computeRequest(ctx, req, params, "snapshots");
    return { status: 200, body: ctx.view(find(c, params["name"] ?? "")) };
  });

  r.add("PUT", SNAPSHOT, async ({ req, params }) => {
    const c = computeRequest(ctx, req, params, "snapshots");
    const name = params["name"] ?? "";
    const body = requireObjectBody(req);
    const location = (getStringCi(body, "location") ?? c.location).toLowerCase().replace(/\s+/g, "");
    const sent = getObjectCi(body, "properties") ?? {};
    const creation = getObjectCi(sent, "creationData") ?? {};
    const sourceId = getStringCi(creation, "sourceResourceId");
    let osType = getStringCi(sent, "osType");
    if (sourceId) {
      const source = ctx.store.get(sourceId);
      if (!source) throw errors.badRequest("InvalidParameter", `The source resource '${sourceId}' was not found.`);
      osType ??= getStringCi(snapshotProps(source), "osType");
    }
    const existed = ctx.store.has(snapshotId(c.sub, c.rg, name));
    const op = startComputeOperation(ctx, req, c, location, {
      kind: "snapshot.create",
      resourceId: snapshotId(c.sub, c.rg, name),
      nominalSeconds: LATENCY_SECONDS.snapshotCreate,
      work: async (o) => {
        await o.sleep(LATENCY_SECONDS.snapshotCreate);
        const tags = getCi(body, "tags");
        const s = await createSnapshot(ctx, {
          sub: c.sub,
          rg: c.rg,
          name,
          location,
          ...(osType ? { osType } : {}),
          ...(sourceId ? { sourceResourceId: sourceId } : {}),
          ...(isObject(tags) ? { tags } : {}),
        });
        return ctx.view(s);
      },
    });
    const accepted: JsonObject = {
      name,
      location,
      ...(isObject(getCi(body, "tags")) ? { tags: clone(getCi(body, "tags") as JsonObject) } : {}),
      sku: clone(getObjectCi(body, "sku") ?? { name: "Standard_LRS" }),
      properties: { ...clone(sent), provisioningState: "Updating" },
    };
    return computeAccepted(ctx, req, op, existed ? 200 : 202, accepted);
  });

  r.add("DELETE", SNAPSHOT, async ({ req, params }) => {
    const c = computeRequest(ctx, req, params, "snapshots");
    const s = ctx.store.get(snapshotId(c.sub, c.rg, params["name"] ?? ""));
    if (!s) return { status: 204 };
    if (snapshotProps(s)["diskState"] === "ActiveSAS") {
      throw errors.badRequest(
        "OperationNotAllowed",
        `Operation 'Delete' is not allowed on snapshot '${String(s.body["name"])}' while it is being accessed through a SAS. Revoke access first.`,
      );
    }
    return acceptedComputeDelete(ctx, req, c, s, "snapshot.delete", LATENCY_SECONDS.snapshotDelete);
  });

  r.add("POST", `${SNAPSHOT}/beginGetAccess`, async ({ req, params }) => {
    const c = computeRequest(ctx, req, params, "snapshots");
    const s = find(c, params["name"] ?? "");
    const body = isObject(req.body) ? req.body : {};
    const access = getStringCi(body, "access") ?? "Read";
    const seconds = getNumberCi(body, "durationInSeconds") ?? 3600;
    if (!/^read$/i.test(access)) throw errors.badRequest("InvalidParameter", `Access '${access}' is not supported for snapshots; use 'Read'.`);
    const op = startComputeOperation(ctx, req, c, String(s.body["location"]), {
      kind: "snapshot.grantAccess",
      resourceId: s.id,
      nominalSeconds: LATENCY_SECONDS.snapshotGrantAccess,
      work: async (o) => {
        await o.sleep(LATENCY_SECONDS.snapshotGrantAccess);
        if (typeof s.internal["blob"] !== "string") await writeBlob(ctx, s);
        snapshotProps(s)["diskState"] = "ActiveSAS";
        const accessSAS = ctx.options.storage.sasUrl({
          account: String(s.internal["account"]),
          container: String(s.internal["container"]),
          blob: String(s.internal["blob"]),
          permissions: "r",
          expiresOn: new Date(Date.now() + seconds * 1000),
        });
        return { accessSAS };
      },
    });
    return computeAccepted(ctx, req, op, 202);
  });

  r.add("POST", `${SNAPSHOT}/endGetAccess`, async ({ req, params }) => {
    const c = computeRequest(ctx, req, params, "snapshots");
    const s = find(c, params["name"] ?? "");
    const op = startComputeOperation(ctx, req, c, String(s.body["location"]), {
      kind: "snapshot.revokeAccess",
      resourceId: s.id,
      nominalSeconds: LATENCY_SECONDS.snapshotRevokeAccess,
      work: async (o) => {
        await o.sleep(LATENCY_SECONDS.snapshotRevokeAccess);
        // move the VHD: SAS URLs handed out before point at a blob that no longer exists
        await removeBlob(ctx, s);
        await writeBlob(ctx, s);
        snapshotProps(s)["diskState"] = "Unattached";
      },
    });
    return computeAccepted(ctx, req, op, 202);
  });
}
