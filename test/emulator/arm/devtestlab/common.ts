// Shared by the DevTest Labs providers: type names, api-versions, id casing, body layout, the lab lookup
// and the long-running-operation responses DTL gives (PUT 201 + Azure-AsyncOperation; DELETE/POST 202 with
// Azure-AsyncOperation and Location, empty body).
import { randomUUID } from "node:crypto";
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { errors } from "../core/errors";
import { parseResourceId, typeAndNames } from "../core/ids";
import { isObject, type Json, type JsonObject } from "../core/json";
import { dtlTimestamp } from "../core/latency";
import type { Operation, OperationSpec } from "../core/lro";
import type { HandlerResult } from "../core/router";
import type { StoredResource } from "../core/store";

export const DTL_NAMESPACE = "Microsoft.DevTestLab";
export const DTL_API_VERSIONS = ["2015-05-21-preview", "2016-05-15", "2018-09-15", "2018-10-15-preview"] as const;

export const DTL_TYPES = {
  lab: "Microsoft.DevTestLab/labs",
  vm: "Microsoft.DevTestLab/labs/virtualMachines",
  customImage: "Microsoft.DevTestLab/labs/customImages",
  artifactSource: "Microsoft.DevTestLab/labs/artifactSources",
  artifact: "Microsoft.DevTestLab/labs/artifactSources/artifacts",
  armTemplate: "Microsoft.DevTestLab/labs/artifactSources/armTemplates",
  user: "Microsoft.DevTestLab/labs/users",
  environment: "Microsoft.DevTestLab/labs/users/environments",
  secret: "Microsoft.DevTestLab/labs/users/secrets",
  formula: "Microsoft.DevTestLab/labs/formulas",
  virtualNetwork: "Microsoft.DevTestLab/labs/virtualNetworks",
  galleryImage: "Microsoft.DevTestLab/labs/galleryImages",
  schedule: "Microsoft.DevTestLab/labs/schedules",
} as const;

/** Route prefix of a lab. */
export const LAB = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.DevTestLab/labs/{lab}";

/** DTL returns its ids lower-cased (recorded: …/resourcegroups/labtest/providers/microsoft.devtestlab/labs/…). */
export function dtlId(sub: string, rg: string, types: readonly string[], names: readonly string[]): string {
  const pairs = types.map((t, i) => `${t}/${names[i] ?? ""}`).join("/");
  return `/subscriptions/${sub}/resourcegroups/${rg}/providers/microsoft.devtestlab/${pairs}`.toLowerCase();
}

/** The body layout recorded responses have: properties first, then location, tags, id, name, type. */
export function dtlBody(id: string, name: string, type: string, properties: JsonObject, location?: string, tags?: Json): JsonObject {
  const body: JsonObject = { properties };
  if (location !== undefined) body["location"] = location;
  if (tags !== undefined && tags !== null) body["tags"] = tags;
  body["id"] = id;
  body["name"] = name;
  body["type"] = type;
  return body;
}

export function newUniqueIdentifier(): string {
  return randomUUID();
}

export function now(): string {
  return dtlTimestamp();
}

export function props(resource: StoredResource): JsonObject {
  const p = resource.body["properties"];
  if (isObject(p)) return p;
  const fresh: JsonObject = {};
  resource.body["properties"] = fresh;
  return fresh;
}

export interface LabRequest {
  sub: string;
  rg: string;
  labName: string;
  lab: StoredResource;
  apiVersion: string;
  location: string;
}

/** Checks api-version, subscription and resource group, then finds the lab (ResourceNotFound if absent). */
export function requireLab(ctx: ArmContext, req: ArmRequest, params: Record<string, string>): LabRequest {
  const sub = params["sub"] ?? "";
  const rg = params["rg"] ?? "";
  const labName = params["lab"] ?? "";
  ctx.apiVersion(req);
  const group = ctx.requireResourceGroup(sub, rg);
  const location = String(group.body["location"] ?? "westus");
  // the type named in NoRegisteredProviderFound is the one the path addresses (labs, labs/virtualmachines...)
  const parsed = parseResourceId(req.path);
  const type = parsed ? [...parsed.types, ...(req.method === "GET" && parsed.trailing ? [parsed.trailing] : [])].join("/") : "labs";
  const apiVersion = ctx.checkApiVersion(req, DTL_API_VERSIONS, type || "labs", location);
  const lab = ctx.store.get(dtlId(sub, rg, ["labs"], [labName]));
  if (!lab) throw errors.resourceNotFound(typeAndNames(DTL_NAMESPACE, ["labs"], [labName]), rg);
  return { sub, rg, labName, lab, apiVersion, location: String(lab.body["location"] ?? location) };
}

/** As requireLab, but a missing lab is ParentResourceNotFound (a PUT of a child). */
export function requireParentLab(ctx: ArmContext, req: ArmRequest, params: Record<string, string>): LabRequest {
  try {
    return requireLab(ctx, req, params);
  } catch (e) {
    if (e instanceof Error && "code" in e && (e as { code: string }).code === "ResourceNotFound") {
      throw errors.parentResourceNotFound(params["lab"] ?? "");
    }
    throw e;
  }
}

export function notFound(l: LabRequest, types: readonly string[], names: readonly string[]): Error {
  return errors.resourceNotFound(typeAndNames(DTL_NAMESPACE, ["labs", ...types], [l.labName, ...names]), l.rg);
}

/** Starts a DTL long-running operation for a request. */
export function startDtlOperation(
  ctx: ArmContext,
  req: ArmRequest,
  l: LabRequest,
  spec: Omit<OperationSpec, "style" | "method" | "path" | "subscriptionId" | "region" | "apiVersion">,
): Operation {
  return ctx.lro.start({
    ...spec,
    style: "dtl",
    method: req.method,
    path: req.path,
    subscriptionId: l.sub,
    region: l.location,
    apiVersion: l.apiVersion,
  });
}

/**
 * Starts the DELETE of a lab or of a resource in it: provisioningState is Deleting until `remove` runs after
 * `seconds`. A failed delete leaves the resource as it was, so the state it had goes back.
 */
export function startDtlDelete(
  ctx: ArmContext,
  req: ArmRequest,
  l: LabRequest,
  resource: StoredResource,
  kind: string,
  seconds: number,
  remove: () => Promise<unknown>,
): Operation {
  const before = String(props(resource)["provisioningState"]);
  props(resource)["provisioningState"] = "Deleting";
  return startDtlOperation(ctx, req, l, {
    kind,
    resourceId: resource.id,
    nominalSeconds: seconds,
    work: async (o) => {
      await o.sleep(seconds);
      await remove();
    },
    onFailed: () => {
      props(resource)["provisioningState"] = before;
    },
  });
}

/** 201 (or 200 for an update) with the resource and Azure-AsyncOperation only, as the recordings show. */
export function acceptedPut(ctx: ArmContext, req: ArmRequest, op: Operation, body: JsonObject, created: boolean): HandlerResult {
  return { status: created ? 201 : 200, headers: ctx.lro.startHeaders(op, req.baseUrl, false), body, operation: op };
}

/** 202, empty body, Azure-AsyncOperation and Location. */
export function acceptedAction(ctx: ArmContext, req: ArmRequest, op: Operation): HandlerResult {
  return { status: 202, headers: ctx.lro.startHeaders(op, req.baseUrl, true), operation: op };
}

export function callerName(ctx: ArmContext, req: ArmRequest): string {
  return ctx.principalName(req.caller);
}
