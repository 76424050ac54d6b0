// Microsoft.Resources resource groups: PUT/GET/HEAD/PATCH/DELETE and list, plus the generic resource lists
// (/subscriptions/{s}/resources, …/resourceGroups/{rg}/resources). Delete is ARM's Location-only
// long-running operation and removes everything in the group.
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { resourceGroupId, subscriptionId } from "../core/ids";
import { clone, getCi, getStringCi, isObject, type Json, type JsonObject } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { compileFilter, walkPath } from "../core/odata";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";

export const RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups";

const RG_NAME = /^[-\w._()]{1,90}$/u;

function tagsOf(body: JsonObject): Record<string, string> | undefined {
  const tags = getCi(body, "tags");
  if (!isObject(tags)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

export function ensureResourceGroup(
  ctx: ArmContext,
  sub: string,
  name: string,
  location: string,
  tags?: Record<string, string>,
): StoredResource {
  const existing = ctx.resourceGroup(sub, name);
  if (existing) return existing;
  const body: JsonObject = {
    id: resourceGroupId(sub, name),
    name,
    type: RESOURCE_GROUP_TYPE,
    location,
    ...(tags ? { tags } : {}),
    properties: { provisioningState: "Succeeded" },
  };
  return ctx.store.put({ id: resourceGroupId(sub, name), type: RESOURCE_GROUP_TYPE, body, internal: {} });
}

/** The item ARM's generic resource list returns for a resource. */
function genericItem(r: StoredResource): JsonObject {
  const item: JsonObject = { id: r.id, name: String(r.body["name"] ?? ""), type: r.type };
  for (const k of ["kind", "location", "tags", "sku", "managedBy", "identity", "plan"]) {
    const v = r.body[k];
    if (v !== undefined) item[k] = clone(v);
  }
  return item;
}

/** $filter for /resources: resourceType, name, location, tags/x (tagName/tagValue are rewritten before). */
function resourceFilterPath(path: string[], item: JsonObject): Json | undefined {
  const head = (path[0] ?? "").toLowerCase();
  if (path.length === 1 && head === "resourcetype") return item["type"];
  return walkPath(path, item);
}

function listResources(ctx: ArmContext, prefix: string, filter: string | null): JsonObject[] {
  // tagName/tagValue are not paths; rewrite them into tags checks the general evaluator understands
  let f = filter ?? "";
  f = f.replace(/tagName\s+eq\s+'((?:[^']|'')*)'\s+and\s+tagValue\s+eq\s+'((?:[^']|'')*)'/gi, (_m, n: string, v: string) => `tags/${n.replace(/''/g, "'")} eq '${v}'`);
  const tagOnly = /^\s*tagName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(f);
  const items = ctx.store
    .under(prefix)
    .filter((r) => r.type !== RESOURCE_GROUP_TYPE && typeof r.body["location"] === "string")
    .map(genericItem);
  if (tagOnly) {
    const name = (tagOnly[1] ?? "").toLowerCase();
    return items.filter((i) => isObject(i["tags"]) && Object.keys(i["tags"]).some((k) => k.toLowerCase() === name));
  }
  const predicate = compileFilter(f, resourceFilterPath);
  return items.filter(predicate);
}

export function registerResourceGroupRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const base = "/subscriptions/{sub}/resourcegroups/{rg}";

  r.add("GET", "/subscriptions/{sub}/resourcegroups", async ({ req, params }) => {
    ctx.apiVersion(req);
    const sub = params["sub"] ?? "";
    ctx.checkSubscription(sub);
    const predicate = compileFilter(
      (req.query.get("$filter") ?? "").replace(/tagName\s+eq\s+'((?:[^']|'')*)'\s+and\s+tagValue\s+eq\s+'((?:[^']|'')*)'/gi, "tags/$1 eq '$2'"),
    );
    const items = ctx.store
      .ofType(RESOURCE_GROUP_TYPE)
      .filter((g) => g.id.toLowerCase().startsWith(subscriptionId(sub).toLowerCase() + "/"))
      .map((g) => ctx.view(g))
      .filter(predicate);
    return page(req, items, ctx.pageSize);
  });

  r.add("PUT", base, async ({ req, params }) => {
    ctx.apiVersion(req);
    const sub = params["sub"] ?? "";
    const name = params["rg"] ?? "";
    ctx.checkSubscription(sub);
    const body = requireObjectBody(req);
    if (!RG_NAME.test(name) || name.endsWith(".")) {
      throw errors.badRequest(
        "InvalidResourceGroup",
        `The provided resource group name '${name}' has these invalid characters: ''. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`,
      );
    }
    const location = getStringCi(body, "location");
    if (!location) throw errors.badRequest("LocationRequired", "The location property is required for this definition.");
    const existing = ctx.resourceGroup(sub, name);
    if (existing) {
      if (String(existing.body["location"]).toLowerCase() !== location.toLowerCase().replace(/\s+/g, "")) {
        throw errors.conflict(
          `Invalid resource group location '${location}'. The Resource group already exists in location '${String(existing.body["location"])}'.`,
        );
      }
      const tags = tagsOf(body);
      if (tags) existing.body["tags"] = tags;
      return { status: 200, body: ctx.view(existing) };
    }
    const created = ensureResourceGroup(ctx, sub, name, location.toLowerCase().replace(/\s+/g, ""), tagsOf(body));
    return { status: 201, body: ctx.view(created) };
  });

  r.add("PATCH", base, async ({ req, params }) => {
    ctx.apiVersion(req);
    const g = ctx.requireResourceGroup(params["sub"] ?? "", params["rg"] ?? "");
    const tags = tagsOf(requireObjectBody(req));
    if (tags) g.body["tags"] = tags;
    return { status: 200, body: ctx.view(g) };
  });

  r.add("GET", base, async ({ req, params }) => {
    ctx.apiVersion(req);
    return { status: 200, body: ctx.view(ctx.requireResourceGroup(params["sub"] ?? "", params["rg"] ?? "")) };
  });

  r.add("HEAD", base, async ({ req, params }) => {
    ctx.apiVersion(req);
    ctx.checkSubscription(params["sub"] ?? "");
    return { status: ctx.resourceGroup(params["sub"] ?? "", params["rg"] ?? "") ? 204 : 404 };
  });

  r.add("DELETE", base, async ({ req, params }) => {
    const apiVersion = ctx.apiVersion(req);
    const sub = params["sub"] ?? "";
    const g = ctx.requireResourceGroup(sub, params["rg"] ?? "");
    return { ...startResourceGroupDelete(ctx, g, sub, apiVersion, req.path, req.baseUrl) };
  });

  r.add("GET", `${base}/resources`, async ({ req, params }) => {
    ctx.apiVersion(req);
    const g = ctx.requireResourceGroup(params["sub"] ?? "", params["rg"] ?? "");
    return page(req, listResources(ctx, g.id, req.query.get("$filter")), ctx.pageSize);
  });

  r.add("GET", "/subscriptions/{sub}/resources", async ({ req, params }) => {
    ctx.apiVersion(req);
    const sub = params["sub"] ?? "";
    ctx.checkSubscription(sub);
    return page(req, listResources(ctx, subscriptionId(sub), req.query.get("$filter")), ctx.pageSize);
  });
}

/** Deletes a resource group and all it holds as ARM does: 202 + Location, the group says Deleting meanwhile. */
export function startResourceGroupDelete(
  ctx: ArmContext,
  group: StoredResource,
  sub: string,
  apiVersion: string,
  path: string,
  baseUrl: string,
): { status: number; headers: Record<string, string>; operation: ReturnType<ArmContext["lro"]["start"]> } {
  const props = isObject(group.body["properties"]) ? group.body["properties"] : {};
  const before = props["provisioningState"];
  props["provisioningState"] = "Deleting";
  group.body["properties"] = props;
  const count = ctx.store.under(group.id).length;
  const operation = ctx.lro.start({
    style: "arm",
    kind: "resourceGroup.delete",
    method: "DELETE",
    path,
    subscriptionId: sub,
    region: String(group.body["location"] ?? "westus"),
    apiVersion,
    resourceId: group.id,
    nominalSeconds: LATENCY_SECONDS.resourceGroupDelete,
    work: async (op) => {
      await op.sleep(LATENCY_SECONDS.resourceGroupDelete + Math.min(count, 20) * 5);
      await ctx.deleteTree(group.id);
    },
    onFailed: () => {
      props["provisioningState"] = before ?? "Succeeded";
    },
  });
  return { status: 202, headers: ctx.lro.startHeaders(operation, baseUrl, true), operation };
}
