// The URLs clients poll: DTL operations (status and ?monitor=true Location), deployment operationStatuses,
// ARM operationresults and Compute DiskOperations. An operation answers only under its own subscription.
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { errors } from "../core/errors";
import type { Operation } from "../core/lro";
import type { HandlerResult } from "../core/router";

function find(ctx: ArmContext, req: ArmRequest, sub: string, id: string): Operation {
  ctx.apiVersion(req);
  const op = ctx.lro.find(id);
  if (!op || op.record.subscriptionId.toLowerCase() !== sub.toLowerCase()) throw errors.operationNotFound(id);
  return op;
}

function isMonitor(req: ArmRequest): boolean {
  return (req.query.get("monitor") ?? "").toLowerCase() === "true";
}

export function registerOperationRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const poll = async (req: ArmRequest, op: Operation): Promise<HandlerResult> => {
    // the first poll reports Running without waiting (as recorded); later ones let scale-0 work finish
    if (op.record.polls >= 1) await ctx.lro.settle(op);
    return isMonitor(req) ? ctx.lro.locationResponse(op, req.baseUrl) : ctx.lro.statusResponse(op);
  };

  r.add("GET", "/subscriptions/{sub}/providers/Microsoft.DevTestLab/locations/{region}/operations/{id}", async ({ req, params }) =>
    poll(req, find(ctx, req, params["sub"] ?? "", params["id"] ?? "")),
  );
  r.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{region}/DiskOperations/{id}", async ({ req, params }) =>
    poll(req, find(ctx, req, params["sub"] ?? "", params["id"] ?? "")),
  );
  r.add(
    "GET",
    "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{name}/operationStatuses/{id}",
    async ({ req, params }) => {
      const op = find(ctx, req, params["sub"] ?? "", params["id"] ?? "");
      if (op.record.polls >= 1) await ctx.lro.settle(op);
      return ctx.lro.statusResponse(op);
    },
  );
  r.add("GET", "/subscriptions/{sub}/operationresults/{id}", async ({ req, params }) => {
    const op = find(ctx, req, params["sub"] ?? "", params["id"] ?? "");
    if (op.record.polls >= 1) await ctx.lro.settle(op);
    return ctx.lro.locationResponse(op, req.baseUrl);
  });
}
