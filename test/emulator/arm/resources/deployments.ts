// Microsoft.Resources deployments at resource-group scope: PUT (201 + Azure-AsyncOperation to
// …/operationStatuses/{id}), GET, HEAD, list, DELETE (202 + Location), cancel, validate, exportTemplate and
// the deployment operations list. The work itself is in deploymentRunner.ts.
import { randomUUID } from "node:crypto";
import type { ArmRequest } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { ArmError, errors } from "../core/errors";
import { clone, getCi, getObjectCi, getStringCi, isObject, type JsonObject } from "../core/json";
import { LATENCY_SECONDS, armTimestamp, isoDuration } from "../core/latency";
import type { Operation } from "../core/lro";
import { compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { HandlerResult } from "../core/router";
import type { StoredResource } from "../core/store";
import {
  DEPLOYMENT_TYPE,
  NESTED_HEADER,
  acceptedDeployment,
  deploymentId,
  evaluate,
  finishDeployment,
  runDeployment,
  type DeploymentInput,
} from "./deploymentRunner";
import { ExternalLinkError, fetchJson } from "./templateSource";

const DEPLOYMENT = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{name}";
const DEPLOYMENT_NAME = /^[-\w._()]+$/;

function isRunning(d: StoredResource | undefined): boolean {
  const state = isObject(d?.body["properties"]) ? d.body["properties"]["provisioningState"] : undefined;
  return state === "Accepted" || state === "Running";
}

export interface DeploymentStart {
  deployment: StoredResource;
  operation: Operation;
  created: boolean;
}

/** Reads a deployment PUT body into the template and parameters to deploy (fetching links). */
async function readInput(ctx: ArmContext, req: ArmRequest, sub: string, rg: string, name: string): Promise<DeploymentInput | "offline"> {
  const body = requireObjectBody(req);
  const properties = getObjectCi(body, "properties");
  if (!properties) throw errors.invalidRequestContent("Required property 'properties' not found in JSON. Path '', line 1, position 2.");
  const mode = getStringCi(properties, "mode");
  if (!mode || !/^(incremental|complete)$/i.test(mode)) {
    throw errors.invalidRequestContent(`Required property 'mode' not found or not valid in JSON. Path 'properties'.`);
  }
  let template = getObjectCi(properties, "template");
  const templateLink = getObjectCi(properties, "templateLink");
  if (template && templateLink) {
    throw new ArmError(400, "InvalidDeployment", "The 'template' and 'templateLink' properties cannot be specified together.");
  }
  let parameters = getObjectCi(properties, "parameters") ?? {};
  try {
    if (!template && templateLink) {
      const uri = getStringCi(templateLink, "uri") ?? "";
      const qs = getStringCi(templateLink, "queryString");
      template = await fetchJson(ctx, qs ? `${uri}${uri.includes("?") ? "&" : "?"}${qs}` : uri);
    }
    const parametersLink = getObjectCi(properties, "parametersLink");
    if (parametersLink) {
      const doc = await fetchJson(ctx, getStringCi(parametersLink, "uri") ?? "");
      parameters = getObjectCi(doc, "parameters") ?? {};
    }
  } catch (e) {
    if (e instanceof ExternalLinkError) {
      if (req.headers[NESTED_HEADER] === "true") return "offline";
      throw new ArmError(
        400,
        "InvalidContentLink",
        `Unable to download deployment content from '${e.message.replace(/\?.*$/, "")}'. The emulator has no internet access; stage linked templates in its storage. Please see https://aka.ms/arm-deploy for usage details.`,
      );
    }
    throw e;
  }
  if (!template) throw new ArmError(400, "InvalidDeployment", "The deployment must have either a 'template' or a 'templateLink' property.");
  return {
    sub,
    rg,
    name,
    template,
    parameters,
    mode: mode.toLowerCase() === "complete" ? "Complete" : "Incremental",
    ...(templateLink ? { templateLink: { ...clone(templateLink), ...(getStringCi(templateLink, "contentVersion") ? {} : {}) } } : {}),
    caller: req.caller,
  };
}

/** Starts a deployment (used by PUT and by DTL environments). */
export function startDeployment(ctx: ArmContext, input: DeploymentInput, req: Pick<ArmRequest, "method" | "path" | "baseUrl" | "caller">, apiVersion: string): DeploymentStart {
  const existing = ctx.store.get(deploymentId(input.sub, input.rg, input.name));
  if (isRunning(existing)) {
    throw errors.conflict(
      `Unable to edit or replace deployment '${input.name}': previous deployment from '${String((existing?.body["properties"] as JsonObject)["timestamp"])}' is still active (state: Running). Please see https://aka.ms/arm-deploy for usage details.`,
    );
  }
  const evaluated = evaluate(ctx, input);
  const deployment = acceptedDeployment(ctx, input, evaluated);
  const operation = ctx.lro.start({
    style: "deployment",
    kind: "deployment",
    method: req.method,
    path: req.path,
    subscriptionId: input.sub,
    resourceGroup: String(ctx.resourceGroup(input.sub, input.rg)?.body["name"] ?? input.rg),
    deploymentName: input.name,
    apiVersion,
    resourceId: deployment.id,
    nominalSeconds: LATENCY_SECONDS.deploymentStart,
    work: async (o) => {
      await runDeployment(ctx, deployment, evaluated, req.caller, req.baseUrl, o);
      finishDeployment(deployment, "Succeeded");
    },
    onFailed: (error) => finishDeployment(deployment, "Failed", error),
    onCanceled: () => finishDeployment(deployment, "Canceled"),
  });
  deployment.internal["operation"] = operation.record.id;
  return { deployment, operation, created: !existing };
}

/** A nested deployment of a template we cannot fetch offline: recorded as succeeded with nothing in it. */
function offlineDeployment(ctx: ArmContext, req: ArmRequest, sub: string, rg: string, name: string, apiVersion: string): HandlerResult {
  const id = deploymentId(sub, String(ctx.resourceGroup(sub, rg)?.body["name"] ?? rg), name);
  const body = requireObjectBody(req);
  const templateLink = getObjectCi(getObjectCi(body, "properties"), "templateLink");
  const deployment = ctx.store.put({
    id,
    type: DEPLOYMENT_TYPE,
    body: {
      id,
      name,
      type: DEPLOYMENT_TYPE,
      properties: {
        ...(templateLink ? { templateLink: clone(templateLink) } : {}),
        parameters: {},
        mode: "Incremental",
        provisioningState: "Accepted",
        timestamp: armTimestamp(),
        duration: isoDuration(0),
        correlationId: randomUUID(),
        providers: [],
        dependencies: [],
      },
    },
    internal: { operations: [], startedAt: Date.now(), offline: true },
  });
  const operation = ctx.lro.start({
    style: "deployment",
    kind: "deployment.offline",
    method: "PUT",
    path: req.path,
    subscriptionId: sub,
    resourceGroup: rg,
    deploymentName: name,
    apiVersion,
    resourceId: id,
    nominalSeconds: LATENCY_SECONDS.deploymentStart,
    work: async (o) => {
      await o.sleep(LATENCY_SECONDS.deploymentStart);
      Object.assign(deployment.body["properties"] as JsonObject, { outputs: {}, outputResources: [] });
      finishDeployment(deployment, "Succeeded");
    },
    onFailed: (error) => finishDeployment(deployment, "Failed", error),
  });
  return { status: 201, headers: ctx.lro.startHeaders(operation, req.baseUrl, false), body: clone(deployment.body), operation };
}

function findDeployment(ctx: ArmContext, sub: string, rg: string, name: string): StoredResource {
  ctx.requireResourceGroup(sub, rg);
  const d = ctx.store.get(deploymentId(sub, rg, name));
  if (!d) throw errors.deploymentNotFound(name);
  return d;
}

export function registerDeploymentRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  ctx.registerViewer(DEPLOYMENT_TYPE, (d) => clone(d.body));

  r.add("PUT", DEPLOYMENT, async ({ req, params }) => {
    const apiVersion = ctx.checkApiVersion(req, "any", "deployments", "global");
    const sub = params["sub"] ?? "";
    const rg = params["rg"] ?? "";
    const name = params["name"] ?? "";
    ctx.requireResourceGroup(sub, rg);
    if (name.length > 64) throw new ArmError(400, "DeploymentNameLengthLimitExceeded", `Deployment name cannot be more than 64 characters. Name: '${name}'.`);
    if (!DEPLOYMENT_NAME.test(name)) {
      throw new ArmError(400, "InvalidDeploymentName", `The deployment name '${name}' is invalid. It can contain only letters, digits, '-', '.', '_', '(' and ')'.`);
    }
    const input = await readInput(ctx, req, sub, rg, name);
    if (input === "offline") return offlineDeployment(ctx, req, sub, rg, name, apiVersion);
    const started = startDeployment(ctx, input, req, apiVersion);
    return {
      status: started.created ? 201 : 200,
      headers: ctx.lro.startHeaders(started.operation, req.baseUrl, false),
      body: clone(started.deployment.body),
      operation: started.operation,
    };
  });

  r.add("GET", DEPLOYMENT, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    return { status: 200, body: clone(findDeployment(ctx, params["sub"] ?? "", params["rg"] ?? "", params["name"] ?? "").body) };
  });

  r.add("HEAD", DEPLOYMENT, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    ctx.requireResourceGroup(params["sub"] ?? "", params["rg"] ?? "");
    return { status: ctx.store.get(deploymentId(params["sub"] ?? "", params["rg"] ?? "", params["name"] ?? "")) ? 204 : 404 };
  });

  r.add("GET", "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments", async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    const group = ctx.requireResourceGroup(params["sub"] ?? "", params["rg"] ?? "");
    const items = ctx.store
      .children(group.id, DEPLOYMENT_TYPE)
      .map((d) => clone(d.body))
      .filter(compileFilter(req.query.get("$filter"), (path, item) => {
        // ARM filters deployments by provisioningState (a property, named without the properties/ prefix)
        const head = (path[0] ?? "").toLowerCase();
        if (path.length === 1 && head === "provisioningstate") return (item["properties"] as JsonObject)["provisioningState"];
        let cur: unknown = item;
        for (const seg of path) cur = isObject(cur) ? getCi(cur, seg) : undefined;
        return cur as JsonObject | undefined;
      }));
    return page(req, items, ctx.pageSize);
  });

  r.add("DELETE", DEPLOYMENT, async ({ req, params }) => {
    const apiVersion = ctx.checkApiVersion(req, "any", "deployments", "global");
    const sub = params["sub"] ?? "";
    ctx.requireResourceGroup(sub, params["rg"] ?? "");
    const d = ctx.store.get(deploymentId(sub, params["rg"] ?? "", params["name"] ?? ""));
    if (!d) return { status: 204 };
    if (isRunning(d)) throw errors.conflict(`The deployment '${params["name"] ?? ""}' cannot be deleted while it is running. Cancel it first.`);
    const op = ctx.lro.start({
      style: "arm",
      kind: "deployment.delete",
      method: "DELETE",
      path: req.path,
      subscriptionId: sub,
      apiVersion,
      resourceId: d.id,
      nominalSeconds: 5,
      work: async (o) => {
        await o.sleep(5);
        ctx.store.delete(d.id);
      },
    });
    return { status: 202, headers: ctx.lro.startHeaders(op, req.baseUrl, true), operation: op };
  });

  r.add("POST", `${DEPLOYMENT}/cancel`, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    const d = findDeployment(ctx, params["sub"] ?? "", params["rg"] ?? "", params["name"] ?? "");
    if (!isRunning(d)) {
      const state = String((d.body["properties"] as JsonObject)["provisioningState"]);
      throw errors.conflict(`The deployment '${params["name"] ?? ""}' cannot be canceled because it is in the terminal state '${state}'.`);
    }
    const opId = d.internal["operation"];
    if (typeof opId === "string") ctx.lro.find(opId)?.cancel();
    return { status: 204 };
  });

  r.add("POST", `${DEPLOYMENT}/validate`, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    const sub = params["sub"] ?? "";
    const rg = params["rg"] ?? "";
    const name = params["name"] ?? "";
    ctx.requireResourceGroup(sub, rg);
    const input = await readInput(ctx, req, sub, rg, name);
    if (input === "offline") return { status: 200, body: { id: deploymentId(sub, rg, name), name, type: DEPLOYMENT_TYPE, properties: { provisioningState: "Succeeded" } } };
    const evaluated = evaluate(ctx, input);
    // build the body a deployment would have, without storing it
    const probe = acceptedDeployment(ctx, { ...input, name: `${name}-validate-${Date.now()}` }, evaluated);
    ctx.store.delete(probe.id);
    const properties = { ...(probe.body["properties"] as JsonObject), provisioningState: "Succeeded", validatedResources: evaluated.resources.map((x) => ({ id: x.id })) };
    return { status: 200, body: { id: deploymentId(sub, rg, name), name, type: DEPLOYMENT_TYPE, properties } };
  });

  r.add("POST", `${DEPLOYMENT}/exportTemplate`, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    const d = findDeployment(ctx, params["sub"] ?? "", params["rg"] ?? "", params["name"] ?? "");
    return { status: 200, body: { template: clone(d.internal["template"] ?? {}) } };
  });

  // the operations list lives both under the provider path and at ARM's older …/resourcegroups/{rg}/deployments/{n}/operations
  for (const prefix of [DEPLOYMENT, "/subscriptions/{sub}/resourcegroups/{rg}/deployments/{name}"]) registerOperationsList(ctx, prefix);
}

function registerOperationsList(ctx: ArmContext, prefix: string): void {
  const r = ctx.router;
  r.add("GET", `${prefix}/operations`, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    const d = findDeployment(ctx, params["sub"] ?? "", params["rg"] ?? "", params["name"] ?? "");
    const list = Array.isArray(d.internal["operations"]) ? d.internal["operations"].filter(isObject) : [];
    return page(req, clone(list), ctx.pageSize);
  });

  r.add("GET", `${prefix}/operations/{operationId}`, async ({ req, params }) => {
    ctx.checkApiVersion(req, "any", "deployments", "global");
    const d = findDeployment(ctx, params["sub"] ?? "", params["rg"] ?? "", params["name"] ?? "");
    const list = Array.isArray(d.internal["operations"]) ? d.internal["operations"].filter(isObject) : [];
    const found = list.find((x) => String(x["operationId"]).toLowerCase() === (params["operationId"] ?? "").toLowerCase());
    if (!found) throw new ArmError(404, "DeploymentOperationNotFound", `Deployment operation '${params["operationId"] ?? ""}' could not be found.`);
    return { status: 200, body: clone(found) };
  });
}
