// Shared by the Microsoft.Compute providers: request checks and Compute's operation style
// (202 with Azure-AsyncOperation and Location to …/locations/{region}/DiskOperations/{id}).
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { errors } from "../core/errors";
import { typeAndNames } from "../core/ids";
import type { Operation, OperationSpec } from "../core/lro";
import type { HandlerResult } from "../core/router";
import type { StoredResource } from "../core/store";

export interface ComputeRequest {
  sub: string;
  rg: string;
  apiVersion: string;
  location: string;
}

export function computeRequest(ctx: ArmContext, req: ArmRequest, params: Record<string, string>, type: string): ComputeRequest {
  const sub = params["sub"] ?? "";
  const rg = params["rg"] ?? "";
  ctx.apiVersion(req);
  const group = ctx.requireResourceGroup(sub, rg);
  const location = String(group.body["location"] ?? "westus");
  const apiVersion = ctx.checkApiVersion(req, "any", type, location);
  return { sub, rg, apiVersion, location };
}

export function computeNotFound(c: ComputeRequest, types: string[], names: string[]): Error {
  return errors.resourceNotFound(typeAndNames("Microsoft.Compute", types, names), c.rg);
}

export function startComputeOperation(
  ctx: ArmContext,
  req: ArmRequest,
  c: ComputeRequest,
  region: string,
  spec: Omit<OperationSpec, "style" | "method" | "path" | "subscriptionId" | "region" | "apiVersion">,
): Operation {
  return ctx.lro.start({ ...spec, style: "compute", method: req.method, path: req.path, subscriptionId: c.sub, region, apiVersion: c.apiVersion });
}

export function computeAccepted(ctx: ArmContext, req: ArmRequest, op: Operation, status: number, body?: unknown): HandlerResult {
  return { status, headers: ctx.lro.startHeaders(op, req.baseUrl, true), ...(body !== undefined ? { body } : {}), operation: op };
}

/** DELETE of a Compute resource: 202, and after `seconds` it goes with everything nested under it. */
export function acceptedComputeDelete(ctx: ArmContext, req: ArmRequest, c: ComputeRequest, resource: StoredResource, kind: string, seconds: number): HandlerResult {
  const op = startComputeOperation(ctx, req, c, String(resource.body["location"]), {
    kind,
    resourceId: resource.id,
    nominalSeconds: seconds,
    work: async (o) => {
      await o.sleep(seconds);
      await ctx.deleteTree(resource.id);
    },
  });
  return computeAccepted(ctx, req, op, 202);
}

export function propsOf(r: StoredResource): Record<string, unknown> {
  const p = r.body["properties"];
  return typeof p === "object" && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}
