// Subscriptions and tenants as ARM lists them for the caller: the seed's subscriptions the caller's
// principal (or managed identity) may use.
import type { CallerIdentity } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { errors } from "../core/errors";
import type { JsonObject } from "../core/json";
import { page } from "../core/paging";

function allowedSubscriptions(ctx: ArmContext, caller: CallerIdentity): Set<string> {
  const seed = ctx.options.seed;
  const principal =
    seed.principals.find((p) => p.objectId === caller.objectId || p.clientId === caller.clientId) ??
    seed.managedIdentities.find((m) => m.objectId === caller.objectId || m.clientId === caller.clientId);
  // An unknown caller (a test driving the ARM layer directly) sees every subscription of its tenant.
  const ids = principal ? principal.subscriptions : seed.subscriptions.filter((s) => s.tenantId === caller.tenantId).map((s) => s.id);
  return new Set(ids.map((s) => s.toLowerCase()));
}

function subscriptionBody(ctx: ArmContext, id: string): JsonObject | undefined {
  const s = ctx.options.seed.subscriptions.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!s) return undefined;
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

export function registerSubscriptionRoutes(ctx: ArmContext): void {
  ctx.router.add("GET", "/subscriptions", async ({ req }) => {
    ctx.apiVersion(req);
    const allowed = allowedSubscriptions(ctx, req.caller);
    const items = ctx.options.seed.subscriptions
      .filter((s) => allowed.has(s.id.toLowerCase()))
      .map((s) => subscriptionBody(ctx, s.id))
      .filter((b): b is JsonObject => b !== undefined);
    return page(req, items, ctx.pageSize);
  });
  ctx.router.add("GET", "/subscriptions/{sub}", async ({ req, params }) => {
    ctx.apiVersion(req);
    const sub = params["sub"] ?? "";
    const body = subscriptionBody(ctx, sub);
    if (!body || !allowedSubscriptions(ctx, req.caller).has(sub.toLowerCase())) throw errors.subscriptionNotFound(sub);
    return { status: 200, body };
  });
  ctx.router.add("GET", "/tenants", async ({ req }) => {
    ctx.apiVersion(req);
    const items: JsonObject[] = ctx.options.seed.tenants.map((t) => ({
      id: `/tenants/${t.id}`,
      tenantId: t.id,
      tenantCategory: "Home",
      displayName: t.displayName,
      defaultDomain: t.defaultDomain,
      domains: [t.defaultDomain],
    }));
    return page(req, items, ctx.pageSize);
  });
}
