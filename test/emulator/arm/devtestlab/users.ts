// Lab users and their secrets. "@me" in a path is the caller's object id; DTL creates the caller's user
// profile on first use (an environment or secret under users/@me).
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { clone, getCi, getObjectCi, isObject, type JsonObject } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { applyOrderBy, compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
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
  startDtlOperation,
  type LabRequest,
} from "./common";

/** The user name a path means: @me is the caller. */
export function resolveUser(req: ArmRequest, user: string): string {
  return user.toLowerCase() === "@me" ? req.caller.objectId : user;
}

export function userId(l: LabRequest, user: string): string {
  return dtlId(l.sub, l.rg, ["labs", "users"], [l.labName, user]);
}

/** The user profile, created when missing (as DTL does on first use). */
export function ensureUser(ctx: ArmContext, req: ArmRequest, l: LabRequest, user: string): StoredResource {
  const id = userId(l, user);
  const existing = ctx.store.get(id);
  if (existing) return existing;
  const isCaller = user === req.caller.objectId;
  const vault = String(props(l.lab)["vaultName"] ?? "");
  const properties: JsonObject = {
    identity: {
      principalName: isCaller ? ctx.principalName(req.caller) : "",
      principalId: user,
      tenantId: req.caller.tenantId,
      objectId: user,
      appId: isCaller ? req.caller.clientId : "",
    },
    secretStore: { keyVaultUri: `https://${vault.split("/").pop() ?? "vault"}.vault.azure.net/`, keyVaultId: vault },
    createdDate: now(),
    provisioningState: "Succeeded",
    uniqueIdentifier: newUniqueIdentifier(),
  };
  return ctx.store.put({ id, type: DTL_TYPES.user, body: dtlBody(id, user, DTL_TYPES.user, properties, l.location), internal: {} });
}

export function registerUserRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const USER = `${LAB}/users/{user}`;
  const SECRET = `${USER}/secrets/{name}`;

  r.add("GET", `${LAB}/users`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const items = ctx.store.children(l.lab.id, DTL_TYPES.user).map((u) => ctx.view(u)).filter(compileFilter(req.query.get("$filter")));
    return page(req, applyOrderBy(items, req.query.get("$orderby")), ctx.pageSize);
  });

  r.add("GET", USER, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const name = resolveUser(req, params["user"] ?? "");
    const u = ctx.store.get(userId(l, name));
    if (!u) throw notFound(l, ["users"], [name]);
    return { status: 200, body: ctx.view(u) };
  });

  r.add("PUT", USER, async ({ req, params }) => {
    const l = requireParentLab(ctx, req, params);
    const name = resolveUser(req, params["user"] ?? "");
    const body = requireObjectBody(req);
    const existed = ctx.store.has(userId(l, name));
    const u = ensureUser(ctx, req, l, name);
    const identity = getObjectCi(getObjectCi(body, "properties"), "identity");
    if (identity) props(u)["identity"] = { ...(props(u)["identity"] as JsonObject), ...clone(identity) };
    const tags = getCi(body, "tags");
    if (isObject(tags)) u.body["tags"] = clone(tags);
    const op = startDtlOperation(ctx, req, l, { kind: "user.put", resourceId: u.id, nominalSeconds: LATENCY_SECONDS.dtlChildWrite, work: async (o) => o.sleep(LATENCY_SECONDS.dtlChildWrite) });
    return acceptedPut(ctx, req, op, ctx.view(u), !existed);
  });

  r.add("DELETE", USER, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const u = ctx.store.get(userId(l, resolveUser(req, params["user"] ?? "")));
    if (!u) return { status: 204 };
    const op = startDtlOperation(ctx, req, l, {
      kind: "user.delete",
      resourceId: u.id,
      nominalSeconds: LATENCY_SECONDS.dtlChildDelete,
      work: async (o) => {
        await o.sleep(LATENCY_SECONDS.dtlChildDelete);
        await ctx.deleteTree(u.id);
      },
    });
    return acceptedAction(ctx, req, op);
  });

  // secrets: PUT is long-running (201 + Azure-AsyncOperation), DELETE answers 200 at once (recorded)
  r.add("GET", `${USER}/secrets`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const u = ctx.store.get(userId(l, resolveUser(req, params["user"] ?? "")));
    const items = u ? ctx.store.children(u.id, DTL_TYPES.secret).map((s) => ctx.view(s)) : [];
    return page(req, items.filter(compileFilter(req.query.get("$filter"))), ctx.pageSize);
  });

  const secretId = (l: LabRequest, user: string, name: string) => dtlId(l.sub, l.rg, ["labs", "users", "secrets"], [l.labName, user, name]);

  r.add("GET", SECRET, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const user = resolveUser(req, params["user"] ?? "");
    const s = ctx.store.get(secretId(l, user, params["name"] ?? ""));
    if (!s) throw notFound(l, ["users", "secrets"], [user, params["name"] ?? ""]);
    return { status: 200, body: ctx.view(s) };
  });

  r.add("PUT", SECRET, async ({ req, params }) => {
    const l = requireParentLab(ctx, req, params);
    const user = resolveUser(req, params["user"] ?? "");
    ensureUser(ctx, req, l, user);
    const name = params["name"] ?? "";
    const body = requireObjectBody(req);
    const id = secretId(l, user, name);
    const existed = ctx.store.has(id);
    const value = getCi(getObjectCi(body, "properties"), "value");
    const s = ctx.store.put({
      id,
      type: DTL_TYPES.secret,
      body: { properties: { uniqueIdentifier: newUniqueIdentifier() }, tags: clone(getObjectCi(body, "tags") ?? {}), id, name, type: DTL_TYPES.secret },
      internal: typeof value === "string" ? { value } : {},
    });
    const op = startDtlOperation(ctx, req, l, { kind: "secret.put", resourceId: id, nominalSeconds: LATENCY_SECONDS.dtlChildWrite, work: async (o) => o.sleep(LATENCY_SECONDS.dtlChildWrite) });
    return acceptedPut(ctx, req, op, ctx.view(s), !existed);
  });

  r.add("DELETE", SECRET, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const s = ctx.store.get(secretId(l, resolveUser(req, params["user"] ?? ""), params["name"] ?? ""));
    if (!s) return { status: 204 };
    ctx.store.delete(s.id);
    return { status: 200 };
  });
}
