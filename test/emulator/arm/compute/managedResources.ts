// Compute resources with minimal behaviour: managed images and Azure Compute Gallery galleries, image
// definitions and image versions (used by Image Builder distribution later). PUT answers 201 with
// Azure-AsyncOperation, provisioningState Creating until the modelled time passes; DELETE 202.
import { randomUUID } from "node:crypto";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { buildId, parseResourceId, parentId, resourceGroupId } from "../core/ids";
import { clone, getCi, getObjectCi, getStringCi, isObject, withoutSecrets, type JsonObject } from "../core/json";
import { LATENCY_SECONDS, armTimestamp } from "../core/latency";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
import { acceptedComputeDelete, computeNotFound, computeRequest, startComputeOperation } from "./common";

interface Kind {
  /** Route segments after providers/Microsoft.Compute. */
  pattern: string;
  type: string;
  types: string[];
  createSeconds: number;
  deleteSeconds: number;
  decorate?: (props: JsonObject, location: string) => JsonObject;
}

const KINDS: Kind[] = [
  { pattern: "images/{n0}", type: "Microsoft.Compute/images", types: ["images"], createSeconds: LATENCY_SECONDS.imageCreate, deleteSeconds: LATENCY_SECONDS.imageDelete },
  { pattern: "galleries/{n0}", type: "Microsoft.Compute/galleries", types: ["galleries"], createSeconds: LATENCY_SECONDS.galleryWrite, deleteSeconds: LATENCY_SECONDS.galleryDelete, decorate: () => ({ identifier: { uniqueName: randomUUID() } }) },
  {
    pattern: "galleries/{n0}/images/{n1}",
    type: "Microsoft.Compute/galleries/images",
    types: ["galleries", "images"],
    createSeconds: LATENCY_SECONDS.galleryWrite,
    deleteSeconds: LATENCY_SECONDS.galleryDelete,
  },
  {
    pattern: "galleries/{n0}/images/{n1}/versions/{n2}",
    type: "Microsoft.Compute/galleries/images/versions",
    types: ["galleries", "images", "versions"],
    createSeconds: LATENCY_SECONDS.galleryImageVersionCreate,
    deleteSeconds: LATENCY_SECONDS.galleryDelete,
    decorate: (p, location) => {
      const publishing = getObjectCi(p, "publishingProfile") ?? {};
      return {
        publishingProfile: {
          targetRegions: [{ name: location, regionalReplicaCount: 1, storageAccountType: "Standard_LRS" }],
          replicaCount: 1,
          excludeFromLatest: false,
          storageAccountType: "Standard_LRS",
          ...publishing,
          publishedDate: armTimestamp(),
        },
      };
    },
  },
];

export function registerManagedComputeRoutes(ctx: ArmContext): void {
  const base = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute";
  for (const kind of KINDS) {
    const path = `${base}/${kind.pattern}`;
    const names = (params: Record<string, string>) => kind.types.map((_, i) => params[`n${i}`] ?? "");
    const idOf = (sub: string, rg: string, params: Record<string, string>) =>
      buildId({ subscriptionId: sub, resourceGroup: rg, namespace: "Microsoft.Compute", types: kind.types, names: names(params) });
    const find = (c: ReturnType<typeof computeRequest>, params: Record<string, string>): StoredResource => {
      const found = ctx.store.get(idOf(c.sub, c.rg, params));
      if (!found) throw computeNotFound(c, kind.types, names(params));
      return found;
    };

    ctx.router.add("GET", path, async ({ req, params }) => {
      const c = computeRequest(ctx, req, params, kind.types.join("/"));
      return { status: 200, body: ctx.view(find(c, params)) };
    });

    // the collection: everything of this type under the parent (or the resource group)
    ctx.router.add("GET", path.replace(/\/\{n\d\}$/, ""), async ({ req, params }) => {
      const c = computeRequest(ctx, req, params, kind.types.join("/"));
      const parent = kind.types.length > 1 ? buildId({ subscriptionId: c.sub, resourceGroup: c.rg, namespace: "Microsoft.Compute", types: kind.types.slice(0, -1), names: names(params).slice(0, -1) }) : resourceGroupId(c.sub, c.rg);
      return page(req, ctx.store.children(parent, kind.type).map((x) => ctx.view(x)), ctx.pageSize);
    });

    ctx.router.add("PUT", path, async ({ req, params }) => {
      const c = computeRequest(ctx, req, params, kind.types.join("/"));
      const body = requireObjectBody(req);
      const id = idOf(c.sub, c.rg, params);
      const parsed = parseResourceId(id);
      const parent = parsed && kind.types.length > 1 ? parentId(parsed) : undefined;
      if (parent && !ctx.store.get(parent)) throw errors.parentResourceNotFound(names(params).slice(0, -1).join("/"));
      const location = (getStringCi(body, "location") ?? c.location).toLowerCase().replace(/\s+/g, "");
      const sent = withoutSecrets(clone(getObjectCi(body, "properties") ?? {})) as JsonObject;
      const existing = ctx.store.get(id);
      const properties: JsonObject = { ...sent, ...(kind.decorate ? kind.decorate(sent, location) : {}), provisioningState: existing ? "Updating" : "Creating" };
      const resource: StoredResource = ctx.store.put({
        id: existing?.id ?? id,
        type: kind.type,
        body: {
          name: names(params)[kind.types.length - 1] ?? "",
          id: existing?.id ?? id,
          type: kind.type,
          location,
          ...(isObject(getCi(body, "tags")) ? { tags: clone(getCi(body, "tags") as JsonObject) } : {}),
          properties,
        },
        internal: existing?.internal ?? {},
      });
      const op = startComputeOperation(ctx, req, c, location, {
        kind: `${kind.types.join(".")}.put`,
        resourceId: resource.id,
        nominalSeconds: kind.createSeconds,
        work: async (o) => {
          await o.sleep(kind.createSeconds);
          properties["provisioningState"] = "Succeeded";
        },
        onFailed: () => {
          properties["provisioningState"] = "Failed";
        },
      });
      return { status: existing ? 200 : 201, headers: ctx.lro.startHeaders(op, req.baseUrl, false), body: ctx.view(resource), operation: op };
    });

    ctx.router.add("DELETE", path, async ({ req, params }) => {
      const c = computeRequest(ctx, req, params, kind.types.join("/"));
      const found = ctx.store.get(idOf(c.sub, c.rg, params));
      if (!found) return { status: 204 };
      if (kind.types.length < 3 && ctx.store.children(found.id).length > 0) {
        throw errors.conflict(`The resource '${names(params).join("/")}' can not be deleted while it has nested resources.`);
      }
      return acceptedComputeDelete(ctx, req, c, found, `${kind.types.join(".")}.delete`, kind.deleteSeconds);
    });
  }
}
