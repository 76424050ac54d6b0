// Resources of services not modelled in detail (Microsoft.Web, Sql, Network, Storage, KeyVault, Insights,
// DocumentDB, DBforMySQL/PostgreSQL, Authorization, Compute VMs...): stored as sent, provisioningState
// Succeeded at once, with the runtime properties outputs usually read. Credentials are never echoed.
import { createHash, randomUUID } from "node:crypto";
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { buildId, fullName, fullType, parentId, type ParsedId } from "../core/ids";
import { clone, getCi, getObjectCi, getStringCi, isObject, withoutSecrets, type Json, type JsonObject } from "../core/json";
import { page } from "../core/paging";
import type { HandlerResult } from "../core/router";
import type { StoredResource } from "../core/store";
import { computedProperties } from "./runtime";

/** Namespaces accepted as generic resources. Anything else is ARM's InvalidResourceNamespace. */
const GENERIC_NAMESPACES = new Set(
  [
    "Microsoft.Web",
    "Microsoft.Sql",
    "Microsoft.Network",
    "Microsoft.Storage",
    "Microsoft.DocumentDB",
    "Microsoft.Insights",
    "Microsoft.KeyVault",
    "Microsoft.DBforMySQL",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.Authorization",
    "Microsoft.ServiceFabric",
    "Microsoft.OperationalInsights",
    "Microsoft.ManagedIdentity",
    "Microsoft.ContainerRegistry",
    "Microsoft.ContainerService",
    "Microsoft.Cache",
    "Microsoft.ServiceBus",
    "Microsoft.EventHub",
    "Microsoft.Logic",
    "Microsoft.Automation",
    "Microsoft.Cdn",
    "Microsoft.Search",
    "Microsoft.CognitiveServices",
    "Microsoft.App",
    "Microsoft.Batch",
    "Microsoft.RecoveryServices",
    "Microsoft.AlertsManagement",
    "Microsoft.Compute",
    "Microsoft.VirtualMachineImages",
  ].map((n) => n.toLowerCase()),
);

export function isGenericNamespace(namespace: string): boolean {
  return GENERIC_NAMESPACES.has(namespace.toLowerCase());
}

function normaliseLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, "");
}

/** Builds the stored form of a generic resource from a PUT body. */
export function genericBody(ctx: ArmContext, parsed: ParsedId, id: string, body: JsonObject, existing?: StoredResource): JsonObject {
  const type = fullType(parsed);
  const name = parsed.names[parsed.names.length - 1] ?? "";
  const rgLocation = parsed.resourceGroup ? String(ctx.resourceGroup(parsed.subscriptionId, parsed.resourceGroup)?.body["location"] ?? "") : "";
  const location = normaliseLocation(getStringCi(body, "location") ?? (existing?.body["location"] as string | undefined) ?? rgLocation);
  let sent = getObjectCi(body, "properties") ?? {};
  if (type.toLowerCase() === "microsoft.keyvault/vaults/secrets") {
    // Key Vault never returns a secret's value through ARM
    const { value: _v, ...rest } = sent;
    sent = rest;
  }
  const props: JsonObject = {
    ...(withoutSecrets(clone(sent)) as JsonObject),
    ...computedProperties(type, id, name, location, sent),
    provisioningState: "Succeeded",
  };
  const out: JsonObject = { id, name, type };
  if (location && (parsed.types.length === 1 || getCi(body, "location") !== undefined)) out["location"] = location;
  for (const key of ["tags", "sku", "kind", "identity", "plan", "zones", "managedBy"]) {
    const v = getCi(body, key);
    if (v !== undefined) out[key] = key === "sku" ? canonicalSku(v) : clone(v);
  }
  if (isObject(out["identity"]) && getStringCi(out["identity"], "type")?.toLowerCase().includes("systemassigned")) {
    out["identity"] = { ...out["identity"], principalId: randomUUID(), tenantId: String(ctx.options.seed.tenants[0]?.id ?? "") };
  }
  out["properties"] = props;
  return out;
}

/**
 * ARM reads a body case-insensitively but answers with the provider's member names: a template's
 * `"sku": {"Tier": "Standard", "Name": "S1"}` comes back as `{"name": "S1", "tier": "Standard"}` (ARM's Sku).
 */
function canonicalSku(value: Json): Json {
  if (!isObject(value)) return clone(value);
  const members = ["name", "tier", "size", "family", "model", "capacity"];
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [members.find((known) => known === key.toLowerCase()) ?? key, clone(member)]));
}

/** What a list*() action of a generic resource answers (keys are stable per resource). */
export function listAction(resource: StoredResource, action: string): JsonObject | undefined {
  const key = (n: string) => createHash("sha256").update(`${resource.id.toLowerCase()}#${n}`).digest().toString("base64") + "AAAA";
  if (/^listkeys$/i.test(action)) {
    return {
      keys: [
        { keyName: "key1", value: key("key1"), permissions: "FULL" },
        { keyName: "key2", value: key("key2"), permissions: "FULL" },
      ],
    };
  }
  return undefined;
}

export async function handleGeneric(ctx: ArmContext, req: ArmRequest, parsed: ParsedId): Promise<HandlerResult> {
  const namespace = parsed.namespace ?? "";
  if (!isGenericNamespace(namespace)) throw errors.invalidResourceNamespace(namespace);
  ctx.checkApiVersion(req, "any", fullType(parsed), "global");
  ctx.checkSubscription(parsed.subscriptionId);
  if (parsed.resourceGroup !== undefined) ctx.requireResourceGroup(parsed.subscriptionId, parsed.resourceGroup);
  const method = req.method.toUpperCase();

  if (parsed.trailing !== undefined) {
    const owner = { ...parsed, trailing: undefined };
    if (method === "GET") {
      const parentKeyId = parsed.types.length > 0 ? buildId(owner) : buildId({ ...owner, types: [], names: [], namespace: undefined });
      const childType = [namespace, ...parsed.types, parsed.trailing].join("/").toLowerCase();
      const items = (parsed.types.length > 0 ? ctx.store.children(parentKeyId) : ctx.store.under(parentKeyId))
        .filter((r) => r.type.toLowerCase() === childType)
        .map((r) => ctx.view(r));
      return page(req, items, ctx.pageSize);
    }
    if (method === "POST") {
      const target = ctx.store.get(buildId(owner));
      if (!target) throw errors.resourceNotFound(`${namespace}/${parsed.types.map((t, i) => `${t}/${parsed.names[i] ?? ""}`).join("/")}`, parsed.resourceGroup ?? "");
      return { status: 200, body: listAction(target, parsed.trailing) ?? {} };
    }
    throw errors.methodNotAllowed(method);
  }

  const id = buildId(parsed);
  const existing = ctx.store.get(id);
  const notFound = () =>
    errors.resourceNotFound(`${namespace}/${parsed.types.map((t, i) => `${t}/${parsed.names[i] ?? ""}`).join("/")}`, parsed.resourceGroup ?? "");
  switch (method) {
    case "GET":
      if (!existing) throw notFound();
      return { status: 200, body: ctx.view(existing) };
    case "HEAD":
      return { status: existing ? 204 : 404 };
    case "PUT": {
      const body = requireObjectBody(req);
      const parent = parentId(parsed);
      if (parent && (parsed.types.length > 1 || parsed.scopeId) && !ctx.store.get(parent)) throw errors.parentResourceNotFound(fullName(parsed).split("/")[0] ?? "");
      // Key Vault keeps a secret's value (for Key Vault parameter references) but never returns it
      const secretValue = fullType(parsed).toLowerCase() === "microsoft.keyvault/vaults/secrets" ? getCi(getObjectCi(body, "properties"), "value") : undefined;
      const stored = ctx.store.put({
        id: existing?.id ?? id,
        type: existing?.type ?? fullType(parsed),
        body: genericBody(ctx, parsed, existing?.id ?? id, body, existing),
        internal: typeof secretValue === "string" ? { value: secretValue } : {},
      });
      return { status: existing ? 200 : 201, body: ctx.view(stored) };
    }
    case "PATCH": {
      if (!existing) throw notFound();
      const body = requireObjectBody(req);
      const tags = getCi(body, "tags");
      if (isObject(tags)) existing.body["tags"] = tags;
      const props = getObjectCi(body, "properties");
      if (props && isObject(existing.body["properties"])) {
        existing.body["properties"] = { ...existing.body["properties"], ...(withoutSecrets(clone(props)) as JsonObject) } as Json;
      }
      return { status: 200, body: ctx.view(existing) };
    }
    case "DELETE":
      if (!existing) return { status: 204 };
      await ctx.deleteTree(existing.id);
      return { status: 200 };
    default:
      throw errors.methodNotAllowed(method);
  }
}
