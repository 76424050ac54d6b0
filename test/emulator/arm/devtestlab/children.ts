// Lab child resources without behaviour of their own: formulas, schedules (lab and VM), virtual networks,
// policies, notification channels, costs, shared galleries, service runners. Stored as sent with the
// fields DTL adds; formulas and virtual networks are long-running (201 + Azure-AsyncOperation) as the SDK's
// specs declare, the others answer at once (200/201).
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { canonicalKeys, clone, getCi, getObjectCi, getStringCi, isObject, type JsonObject, type KeyShape } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { applyOrderBy, compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { HandlerResult } from "../core/router";
import {
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
import { VM_SHAPE } from "./virtualMachines";

interface ChildKind {
  /** Type segments under labs, e.g. ["formulas"] or ["virtualmachines", "schedules"]. */
  segments: string[];
  /** Canonical type names of those segments, e.g. ["formulas"] → Microsoft.DevTestLab/labs/formulas. */
  canonical: string[];
  putLro: boolean;
  deleteLro: boolean;
  /** Resources DTL tracks with a location. */
  located: boolean;
  /** The stored resource's parent must exist (VM schedules need their VM). */
  parentIsResource: boolean;
  decorate?: (sent: JsonObject, req: ArmRequest, ctx: ArmContext) => JsonObject;
}

const FORMULA_SHAPE: KeyShape = {
  description: true,
  osType: true,
  formulaContent: { properties: VM_SHAPE, location: true, name: true, tags: true },
  vm: { labVmId: true },
};

const KINDS: ChildKind[] = [
  {
    segments: ["formulas"],
    canonical: ["formulas"],
    putLro: true,
    deleteLro: false,
    located: true,
    parentIsResource: false,
    decorate: (sent, req, ctx) => {
      const out = canonicalKeys(sent, FORMULA_SHAPE) as JsonObject;
      const os = getStringCi(out, "osType");
      return { ...out, ...(os ? { osType: /linux/i.test(os) ? "Linux" : "Windows" } : {}), author: ctx.principalName(req.caller), creationDate: now() };
    },
  },
  { segments: ["schedules"], canonical: ["schedules"], putLro: false, deleteLro: false, located: true, parentIsResource: false },
  { segments: ["virtualnetworks"], canonical: ["virtualNetworks"], putLro: true, deleteLro: true, located: false, parentIsResource: false },
  { segments: ["policysets", "policies"], canonical: ["policySets", "policies"], putLro: false, deleteLro: false, located: false, parentIsResource: false },
  { segments: ["notificationchannels"], canonical: ["notificationChannels"], putLro: false, deleteLro: false, located: true, parentIsResource: false },
  { segments: ["costs"], canonical: ["costs"], putLro: false, deleteLro: false, located: true, parentIsResource: false },
  { segments: ["sharedgalleries"], canonical: ["sharedGalleries"], putLro: false, deleteLro: false, located: false, parentIsResource: false },
  { segments: ["servicerunners"], canonical: ["serviceRunners"], putLro: false, deleteLro: false, located: true, parentIsResource: false },
  { segments: ["virtualmachines", "schedules"], canonical: ["virtualMachines", "schedules"], putLro: false, deleteLro: false, located: true, parentIsResource: true },
];

export function registerChildRoutes(ctx: ArmContext): void {
  for (const kind of KINDS) {
    const type = `Microsoft.DevTestLab/labs/${kind.canonical.join("/")}`;
    const pathOf = (withName: boolean) =>
      `${LAB}/${kind.segments.map((s, i) => (i < kind.segments.length - 1 || withName ? `${s}/{n${i}}` : s)).join("/")}`;
    const names = (params: Record<string, string>) => kind.segments.map((_, i) => params[`n${i}`] ?? "");
    const idOf = (l: LabRequest, params: Record<string, string>) => dtlId(l.sub, l.rg, ["labs", ...kind.segments], [l.labName, ...names(params)]);
    const missing = (l: LabRequest, params: Record<string, string>) => notFound(l, kind.canonical, names(params));

    ctx.router.add("GET", pathOf(false), async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const parentNames = names(params).slice(0, -1);
      const parent = dtlId(l.sub, l.rg, ["labs", ...kind.segments.slice(0, -1)], [l.labName, ...parentNames]);
      const items = ctx.store
        .under(parent)
        .filter((x) => x.type.toLowerCase() === type.toLowerCase() && x.parentKey !== undefined)
        .map((x) => ctx.view(x))
        .filter(compileFilter(req.query.get("$filter")));
      return page(req, applyOrderBy(items, req.query.get("$orderby")), ctx.pageSize);
    });

    ctx.router.add("GET", pathOf(true), async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const found = ctx.store.get(idOf(l, params));
      if (!found) throw missing(l, params);
      return { status: 200, body: ctx.view(found) };
    });

    ctx.router.add("PUT", pathOf(true), async ({ req, params }): Promise<HandlerResult> => {
      const l = requireParentLab(ctx, req, params);
      const body = requireObjectBody(req);
      if (kind.parentIsResource) {
        const parent = dtlId(l.sub, l.rg, ["labs", ...kind.segments.slice(0, -1)], [l.labName, ...names(params).slice(0, -1)]);
        if (!ctx.store.get(parent)) throw notFound(l, kind.canonical.slice(0, -1), names(params).slice(0, -1));
      }
      const id = idOf(l, params);
      const existing = ctx.store.get(id);
      const sent = clone(getObjectCi(body, "properties") ?? {});
      const decorated = kind.decorate ? kind.decorate(sent, req, ctx) : sent;
      const previous = existing ? props(existing) : undefined;
      const properties: JsonObject = {
        ...decorated,
        ...(previous?.["creationDate"] ? { creationDate: previous["creationDate"] } : {}),
        createdDate: previous?.["createdDate"] ?? now(),
        provisioningState: kind.putLro && !existing ? "Creating" : "Succeeded",
        uniqueIdentifier: previous?.["uniqueIdentifier"] ?? newUniqueIdentifier(),
      };
      if (kind.segments[0] === "formulas") delete properties["createdDate"];
      const name = names(params)[kind.segments.length - 1] ?? "";
      const tags = getCi(body, "tags");
      const stored = ctx.store.put({
        id: existing?.id ?? id,
        type,
        body: dtlBody(existing?.id ?? id, existing ? String(existing.body["name"]) : name, type, properties, kind.located ? l.location : undefined, isObject(tags) ? tags : (existing?.body["tags"] ?? undefined)),
        internal: {},
      });
      if (!kind.putLro) return { status: existing ? 200 : 201, body: ctx.view(stored) };
      const op = startDtlOperation(ctx, req, l, {
        kind: `${kind.segments.join(".")}.put`,
        resourceId: stored.id,
        nominalSeconds: LATENCY_SECONDS.dtlChildWrite,
        work: async (o) => {
          await o.sleep(LATENCY_SECONDS.dtlChildWrite);
          properties["provisioningState"] = "Succeeded";
        },
        onFailed: () => {
          properties["provisioningState"] = "Failed";
        },
      });
      return acceptedPut(ctx, req, op, ctx.view(stored), !existing);
    });

    ctx.router.add("PATCH", pathOf(true), async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const found = ctx.store.get(idOf(l, params));
      if (!found) throw missing(l, params);
      const body = requireObjectBody(req);
      const tags = getCi(body, "tags");
      if (isObject(tags)) found.body["tags"] = clone(tags);
      Object.assign(props(found), clone(getObjectCi(body, "properties") ?? {}));
      return { status: 200, body: ctx.view(found) };
    });

    ctx.router.add("DELETE", pathOf(true), async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const found = ctx.store.get(idOf(l, params));
      if (!found) return { status: 204 };
      if (!kind.deleteLro) {
        await ctx.deleteTree(found.id);
        return { status: 200 };
      }
      const op = startDtlOperation(ctx, req, l, {
        kind: `${kind.segments.join(".")}.delete`,
        resourceId: found.id,
        nominalSeconds: LATENCY_SECONDS.dtlChildDelete,
        work: async (o) => {
          await o.sleep(LATENCY_SECONDS.dtlChildDelete);
          await ctx.deleteTree(found.id);
        },
      });
      return acceptedAction(ctx, req, op);
    });
  }
}
