// DTL environments (labs/{lab}/users/{user}/environments/{name}; @me is the caller, @all lists every
// user's). Creating one makes its own resource group "{lab}-{env}-{digits}" and deploys the ARM template
// of the lab repository (deploymentProperties.armTemplateId, parameters [{name, value}]) into it;
// resourceGroupId tells where. Outputs are on that deployment. Deleting removes the resource group.
import { randomInt } from "node:crypto";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { resourceGroupId } from "../core/ids";
import { clone, getArrayCi, getCi, getObjectCi, getStringCi, isObject, type Json, type JsonObject } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import { OperationFailure } from "../core/lro";
import { applyOrderBy, compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
import { startDeployment } from "../resources/deployments";
import { ensureResourceGroup } from "../resources/resourceGroups";
import {
  DTL_TYPES,
  LAB,
  acceptedAction,
  acceptedPut,
  dtlBody,
  dtlId,
  newUniqueIdentifier,
  notFound,
  props,
  requireLab,
  requireParentLab,
  startDtlDelete,
  startDtlOperation,
  type LabRequest,
} from "./common";
import { findArmTemplate } from "./repositories";
import { ensureUser, resolveUser } from "./users";

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}[A-Za-z0-9]$|^[A-Za-z0-9]$/;

/** DTL passes parameter values as strings; the template's declared type decides what ARM gets. */
function toArmParameters(template: JsonObject, given: Json[]): JsonObject {
  const defs = getObjectCi(template, "parameters") ?? {};
  const out: JsonObject = {};
  for (const p of given.filter(isObject)) {
    const name = getStringCi(p, "name");
    if (!name) continue;
    const raw = getCi(p, "value") ?? null;
    const type = (getStringCi(getObjectCi(defs, name), "type") ?? "string").toLowerCase();
    let value: Json = raw;
    if (typeof raw === "string") {
      if (type === "int" && /^-?\d+$/.test(raw.trim())) value = Number(raw);
      else if (type === "bool" && /^(true|false)$/i.test(raw.trim())) value = raw.trim().toLowerCase() === "true";
      else if ((type === "object" || type === "array" || type === "secureobject") && /^[[{]/.test(raw.trim())) {
        try {
          value = JSON.parse(raw) as Json;
        } catch {
          value = raw;
        }
      }
    }
    out[name] = { value };
  }
  return out;
}

function envId(l: LabRequest, user: string, name: string): string {
  return dtlId(l.sub, l.rg, ["labs", "users", "environments"], [l.labName, user, name]);
}

export function registerEnvironmentRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const ENVS = `${LAB}/users/{user}/environments`;

  ctx.onDelete(DTL_TYPES.environment, async (env) => {
    const rgId = props(env)["resourceGroupId"];
    if (typeof rgId === "string") await ctx.deleteTree(rgId);
  });

  r.add("GET", ENVS, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const user = params["user"] ?? "";
    let items: StoredResource[];
    if (user.toLowerCase() === "@all") {
      items = ctx.store.children(l.lab.id, DTL_TYPES.user).flatMap((u) => ctx.store.children(u.id, DTL_TYPES.environment));
    } else {
      const u = ctx.store.get(dtlId(l.sub, l.rg, ["labs", "users"], [l.labName, resolveUser(req, user)]));
      items = u ? ctx.store.children(u.id, DTL_TYPES.environment) : [];
    }
    const views = items.map((e) => ctx.view(e)).filter(compileFilter(req.query.get("$filter")));
    return page(req, applyOrderBy(views, req.query.get("$orderby")), ctx.pageSize);
  });

  r.add("GET", `${ENVS}/{name}`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const user = resolveUser(req, params["user"] ?? "");
    const env = ctx.store.get(envId(l, user, params["name"] ?? ""));
    if (!env) throw notFound(l, ["users", "environments"], [user, params["name"] ?? ""]);
    return { status: 200, body: ctx.view(env) };
  });

  r.add("PUT", `${ENVS}/{name}`, async ({ req, params }) => {
    const l = requireParentLab(ctx, req, params);
    const user = resolveUser(req, params["user"] ?? "");
    const name = params["name"] ?? "";
    if (!ENV_NAME.test(name)) {
      throw errors.invalidResourceName(name, "Environment names can be 1-64 characters long, may contain letters, numbers, underscores and hyphens, and must start and end with a letter or number.");
    }
    const body = requireObjectBody(req);
    const existing = ctx.store.get(envId(l, user, name));
    if (existing) {
      const state = String(props(existing)["provisioningState"]);
      if (state === "Creating" || state === "Deleting") throw errors.notInValidState(name, state, "PUT");
      const tags = getCi(body, "tags");
      if (isObject(tags)) existing.body["tags"] = clone(tags);
      const op = startDtlOperation(ctx, req, l, { kind: "environment.update", resourceId: existing.id, nominalSeconds: 5, work: async (o) => o.sleep(5) });
      return acceptedPut(ctx, req, op, ctx.view(existing), false);
    }
    const deploymentProperties = getObjectCi(getObjectCi(body, "properties"), "deploymentProperties") ?? {};
    const armTemplateId = getStringCi(deploymentProperties, "armTemplateId") ?? "";
    const template = findArmTemplate(ctx, l.lab, armTemplateId);
    if (!template) throw errors.badRequest("InvalidArmTemplateId", `The ARM template '${armTemplateId}' could not be found in the lab's repositories.`);
    const contents = getObjectCi(props(template), "contents") ?? {};
    const given = getArrayCi(deploymentProperties, "parameters") ?? [];
    ensureUser(ctx, req, l, user);
    const id = envId(l, user, name);
    const properties: JsonObject = {
      deploymentProperties: {
        armTemplateId: template.id.toLowerCase().startsWith("/subscriptions/") ? armTemplateId : template.id,
        parameters: given.filter(isObject).map((p) => ({ name: getStringCi(p, "name") ?? "", value: getCi(p, "value") ?? null })),
      },
      armTemplateDisplayName: getStringCi(getObjectCi(body, "properties"), "armTemplateDisplayName") ?? String(props(template)["displayName"] ?? ""),
      createdByUser: ctx.principalName(req.caller),
      provisioningState: "Creating",
      uniqueIdentifier: newUniqueIdentifier(),
    };
    const env = ctx.store.put({ id, type: DTL_TYPES.environment, body: dtlBody(id, name, DTL_TYPES.environment, properties, l.location, getCi(body, "tags") ?? undefined), internal: {} });
    let digits = "";
    while (digits.length < 6) digits += String(randomInt(10));
    const rgName = `${l.labName}-${name}-${digits}`.slice(0, 90);
    const op = startDtlOperation(ctx, req, l, {
      kind: "environment.create",
      resourceId: id,
      nominalSeconds: LATENCY_SECONDS.environmentCreate,
      work: async (o) => {
        await o.sleep(LATENCY_SECONDS.environmentCreate);
        ensureResourceGroup(ctx, l.sub, rgName, l.location, { "hidden-DevTestLabs-LabUId": String(props(l.lab)["uniqueIdentifier"] ?? "") });
        properties["resourceGroupId"] = resourceGroupId(l.sub, rgName);
        const started = startDeployment(
          ctx,
          { sub: l.sub, rg: rgName, name, template: contents, parameters: toArmParameters(contents, given), mode: "Incremental", caller: req.caller },
          { method: "PUT", path: `${resourceGroupId(l.sub, rgName)}/providers/Microsoft.Resources/deployments/${name}`, baseUrl: req.baseUrl, caller: req.caller },
          "2021-04-01",
        );
        const record = await started.operation.done;
        if (record.status !== "Succeeded") {
          throw new OperationFailure(record.error ?? { code: "DeploymentFailed", message: "The environment's deployment did not succeed." });
        }
        properties["provisioningState"] = "Succeeded";
      },
      onFailed: () => {
        properties["provisioningState"] = "Failed";
      },
    });
    env.internal["createOperation"] = op.record.id;
    return acceptedPut(ctx, req, op, ctx.view(env), true);
  });

  r.add("PATCH", `${ENVS}/{name}`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const user = resolveUser(req, params["user"] ?? "");
    const env = ctx.store.get(envId(l, user, params["name"] ?? ""));
    if (!env) throw notFound(l, ["users", "environments"], [user, params["name"] ?? ""]);
    const tags = getCi(requireObjectBody(req), "tags");
    if (isObject(tags)) env.body["tags"] = clone(tags);
    return { status: 200, body: ctx.view(env) };
  });

  r.add("DELETE", `${ENVS}/{name}`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const env = ctx.store.get(envId(l, resolveUser(req, params["user"] ?? ""), params["name"] ?? ""));
    if (!env) return { status: 204 };
    const creating = env.internal["createOperation"];
    if (typeof creating === "string") ctx.lro.find(creating)?.cancel();
    const op = startDtlDelete(ctx, req, l, env, "environment.delete", LATENCY_SECONDS.environmentDelete, () => ctx.deleteTree(env.id));
    return acceptedAction(ctx, req, op);
  });
}
