// Runs an ARM deployment at resource-group scope: evaluates the template (validation errors are the
// synchronous 400 ARM gives), then creates every resource through the same routes a direct PUT takes —
// a lab VM in a template behaves exactly like a PUT of that VM, artifacts included — in parallel where
// dependsOn allows, recording one deployment operation per resource. A failed resource fails the
// deployment with DeploymentFailed and details as ARM words them; outputs are evaluated last.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ArmRequest, CallerIdentity, EvaluatedResource, EvaluatedTemplate, TemplateErrorShape } from "../../core/contracts";
import type { ArmContext } from "../core/context";
import { ArmError, statusText, type ArmErrorBody } from "../core/errors";
import { idKey } from "../core/ids";
import { clone, getCi, getObjectCi, getStringCi, isObject, type Json, type JsonObject } from "../core/json";
import { LATENCY_SECONDS, armTimestamp, isoDuration } from "../core/latency";
import { OperationFailure, type Operation, type OperationHandle } from "../core/lro";
import type { StoredResource } from "../core/store";
import { listAction } from "./generic";

export const DEPLOYMENT_TYPE = "Microsoft.Resources/deployments";
export const NESTED_HEADER = "x-ms-emulator-nested-deployment";

export const DEPLOYMENT_FAILED_MESSAGE =
  "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-debug for usage details.";

export function deploymentId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${DEPLOYMENT_TYPE}/${name}`;
}

/** Errors thrown by the evaluator carry {error: {code, message}}; anything else is reported as InvalidTemplate. */
export function templateErrorOf(e: unknown): TemplateErrorShape {
  if (typeof e === "object" && e !== null && "error" in e) {
    const err = (e as { error: unknown }).error;
    if (isObject(err) && typeof err["code"] === "string" && typeof err["message"] === "string") return err as unknown as TemplateErrorShape;
  }
  return { code: "InvalidTemplate", message: e instanceof Error ? e.message : String(e) };
}

function templateHash(template: JsonObject): string {
  const digest = createHash("sha256").update(JSON.stringify(template)).digest();
  return (digest.readBigUInt64BE(0) % 10000000000000000000n).toString();
}

const TYPE_NAMES: Record<string, string> = {
  string: "String",
  securestring: "SecureString",
  int: "Int",
  bool: "Bool",
  object: "Object",
  secureobject: "SecureObject",
  array: "Array",
};

/** The parameters as ARM echoes them: {name: {type, value}}, secure ones without value. */
function echoParameters(template: JsonObject, given: JsonObject, evaluated: EvaluatedTemplate | undefined): JsonObject {
  const out: JsonObject = {};
  const defs = getObjectCi(template, "parameters") ?? {};
  const resolved = (evaluated as { parameters?: Record<string, { type?: string; value?: unknown }> } | undefined)?.parameters;
  for (const [name, def] of Object.entries(defs)) {
    if (!isObject(def)) continue;
    const type = TYPE_NAMES[(getStringCi(def, "type") ?? "string").toLowerCase()] ?? "String";
    const entry: JsonObject = { type };
    if (!type.startsWith("Secure")) {
      const provided = getObjectCi(given, name);
      const fromEvaluator = resolved?.[name]?.value;
      const dflt = getCi(def, "defaultValue");
      if (provided && getCi(provided, "value") !== undefined) entry["value"] = clone(getCi(provided, "value") as Json);
      else if (fromEvaluator !== undefined) entry["value"] = clone(fromEvaluator as Json);
      else if (dflt !== undefined && !(typeof dflt === "string" && dflt.startsWith("[") && !dflt.startsWith("[["))) entry["value"] = clone(dflt);
    }
    out[name] = entry;
  }
  return out;
}

function providersOf(resources: EvaluatedResource[], location: string): Json {
  const byNs = new Map<string, Map<string, Set<string>>>();
  for (const r of resources) {
    const [ns = "", ...rest] = r.type.split("/");
    const types = byNs.get(ns) ?? new Map<string, Set<string>>();
    const locs = types.get(rest.join("/")) ?? new Set<string>();
    locs.add((r.location ?? location).toLowerCase().replace(/\s+/g, ""));
    types.set(rest.join("/"), locs);
    byNs.set(ns, types);
  }
  return [...byNs].map(([namespace, types]) => ({
    namespace,
    resourceTypes: [...types].map(([resourceType, locs]) => ({ resourceType, locations: [...locs] })),
  }));
}

function dependenciesOf(resources: EvaluatedResource[]): Json {
  const byKey = new Map(resources.map((r) => [idKey(r.id), r]));
  return resources
    .filter((r) => r.dependsOn.length > 0)
    .map((r) => ({
      dependsOn: r.dependsOn.map((d) => {
        const dep = byKey.get(idKey(d));
        return { id: dep?.id ?? d, resourceType: dep?.type ?? "", resourceName: dep?.name ?? "" };
      }),
      id: r.id,
      resourceType: r.type,
      resourceName: r.name,
    }));
}

export interface DeploymentInput {
  sub: string;
  rg: string;
  name: string;
  template: JsonObject;
  parameters: JsonObject;
  mode: string;
  templateLink?: JsonObject;
  caller: CallerIdentity;
}

/** The evaluator's optional extensions (test/emulator/template): deferred values, list*(), Key Vault references. */
interface EvaluatedResourceEx extends EvaluatedResource {
  identity?: unknown;
  plan?: unknown;
  zones?: unknown;
  resolve?(runtime: (resourceId: string) => unknown): EvaluatedResource;
}

/**
 * Evaluates a template for a deployment; throws ArmError 400 with the evaluator's error (ARM's synchronous
 * validation failure). reference() sees resources that exist; references to resources this deployment
 * creates are deferred by the evaluator and resolved just before each resource is created.
 */
export function evaluate(ctx: ArmContext, input: DeploymentInput): EvaluatedTemplate {
  const group = ctx.requireResourceGroup(input.sub, input.rg);
  const location = String(group.body["location"] ?? "westus");
  const subscription = ctx.options.seed.subscriptions.find((s) => s.id.toLowerCase() === input.sub.toLowerCase());
  const templateUri = getStringCi(input.templateLink, "uri");
  const scope = {
    tenantId: input.caller.tenantId,
    subscriptionId: input.sub,
    resourceGroupName: String(group.body["name"] ?? input.rg),
    resourceGroupLocation: location,
    deploymentName: input.name,
    ...(isObject(group.body["tags"]) ? { resourceGroupTags: group.body["tags"] as Record<string, string> } : {}),
    ...(subscription ? { subscriptionDisplayName: subscription.displayName } : {}),
    ...(templateUri ? { templateLink: { uri: templateUri, ...(getStringCi(input.templateLink, "contentVersion") ? { contentVersion: getStringCi(input.templateLink, "contentVersion") } : {}) } } : {}),
    mode: input.mode,
  };
  const hooks = {
    reference: (id: string, _apiVersion: string | undefined, full: boolean): unknown => {
      const view = ctx.viewById(id);
      if (!view) return undefined;
      return full ? view : view["properties"];
    },
    // list*() (listKeys…) answers what a POST of the action answers now; only synchronous actions are possible
    list: (id: string, apiVersion: string, functionName: string, body: unknown): unknown => listNow(ctx, id, apiVersion, functionName, body, input.caller),
    keyVaultSecret: (vaultId: string, secretName: string): string | undefined => {
      const secret = ctx.store.get(`${vaultId.replace(/\/+$/, "")}/secrets/${secretName}`);
      const value = secret?.internal["value"];
      return typeof value === "string" ? value : undefined;
    },
  };
  try {
    return ctx.evaluateTemplate(clone(input.template), clone(input.parameters), scope, hooks);
  } catch (e) {
    const error = templateErrorOf(e);
    throw new ArmError(400, error.code, error.message, error.details as ArmErrorBody[] | undefined);
  }
}

/** list*() answered from the store (the evaluator calls it synchronously). */
function listNow(ctx: ArmContext, id: string, _apiVersion: string, functionName: string, _body: unknown, _caller: CallerIdentity): unknown {
  const resource = ctx.store.get(id);
  return resource ? listAction(resource, functionName) : undefined;
}

/** The deployment resource as first stored (provisioningState Accepted). */
export function acceptedDeployment(ctx: ArmContext, input: DeploymentInput, evaluated: EvaluatedTemplate): StoredResource {
  const id = deploymentId(input.sub, String(ctx.resourceGroup(input.sub, input.rg)?.body["name"] ?? input.rg), input.name);
  const location = ctx.locationOf(`/subscriptions/${input.sub}/resourceGroups/${input.rg}`);
  const properties: JsonObject = {
    ...(input.templateLink ? { templateLink: clone(input.templateLink) } : {}),
    templateHash: templateHash(input.template),
    parameters: echoParameters(input.template, input.parameters, evaluated),
    mode: input.mode,
    provisioningState: "Accepted",
    timestamp: armTimestamp(),
    duration: isoDuration(0),
    correlationId: randomUUID(),
    providers: providersOf(evaluated.resources, location),
    dependencies: dependenciesOf(evaluated.resources),
  };
  return ctx.store.put({
    id,
    type: DEPLOYMENT_TYPE,
    body: { id, name: input.name, type: DEPLOYMENT_TYPE, properties },
    internal: { template: clone(input.template), parameters: clone(input.parameters), operations: [], startedAt: Date.now() },
  });
}

function operationEntries(deployment: StoredResource): JsonObject[] {
  const list = deployment.internal["operations"];
  // the stored array itself: entries are appended as resources start
  if (Array.isArray(list)) return list as JsonObject[];
  const fresh: JsonObject[] = [];
  deployment.internal["operations"] = fresh;
  return fresh;
}

/** ARM pretty-prints inner errors with CRLF when it reports them as a detail's message. */
function crlfJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, "\r\n");
}

function syntheticPut(resource: EvaluatedResourceEx, caller: CallerIdentity, baseUrl: string): ArmRequest {
  const body: JsonObject = {};
  if (resource.location !== undefined) body["location"] = resource.location;
  if (resource.tags !== undefined) body["tags"] = clone(resource.tags);
  if (resource.sku !== undefined) body["sku"] = clone(resource.sku as Json);
  if (resource.kind !== undefined) body["kind"] = resource.kind;
  if (resource.properties !== undefined) body["properties"] = clone(resource.properties as Json);
  if (resource.identity !== undefined) body["identity"] = clone(resource.identity as Json);
  if (resource.plan !== undefined) body["plan"] = clone(resource.plan as Json);
  if (resource.zones !== undefined) body["zones"] = clone(resource.zones as Json);
  const headers: Record<string, string | undefined> = {};
  if (resource.type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase()) headers[NESTED_HEADER] = "true";
  return {
    method: "PUT",
    path: resource.id,
    query: new URLSearchParams({ "api-version": resource.apiVersion }),
    headers,
    body,
    caller,
    baseUrl,
  };
}

/** Modelled time a resource without its own long-running operation takes inside a deployment. */
function syncLatency(type: string): number {
  const t = type.toLowerCase();
  if (t.startsWith("microsoft.devtestlab/")) return 2;
  if (t === "microsoft.compute/virtualmachines") return 120;
  if (t.startsWith("microsoft.sql/servers") || t.startsWith("microsoft.dbfor")) return 60;
  return LATENCY_SECONDS.deploymentPerResourceDefault;
}

/** Creates the deployment's resources and evaluates its outputs; the operation's work. */
export async function runDeployment(
  ctx: ArmContext,
  deployment: StoredResource,
  evaluated: EvaluatedTemplate,
  caller: CallerIdentity,
  baseUrl: string,
  o: OperationHandle,
): Promise<void> {
  const props = deployment.body["properties"] as JsonObject;
  // the PUT's response still says Accepted (as recorded); Running once ARM starts on the resources
  await o.sleep(LATENCY_SECONDS.deploymentStart);
  props["provisioningState"] = "Running";
  const entries = operationEntries(deployment);
  const failures: ArmErrorBody[] = [];
  const outputResources: string[] = [];
  const results = new Map<string, Promise<boolean>>();

  const deployOne = async (declared: EvaluatedResourceEx): Promise<boolean> => {
    o.throwIfCanceled();
    let resource: EvaluatedResourceEx = declared;
    const started = Date.now();
    const entryProps: JsonObject = {
      provisioningOperation: "Create",
      provisioningState: "Running",
      timestamp: armTimestamp(),
      duration: isoDuration(0),
      serviceRequestId: randomUUID(),
      targetResource: { id: resource.id, resourceType: resource.type, resourceName: resource.name },
    };
    const operationId = randomBytes(8).toString("hex").toUpperCase();
    entries.push({ id: `${deployment.id}/operations/${operationId}`, operationId, properties: entryProps });
    const finish = (state: string, statusCode: string, statusMessage?: Json): void => {
      Object.assign(entryProps, { provisioningState: state, timestamp: armTimestamp(), duration: isoDuration(Date.now() - started), statusCode });
      if (statusMessage !== undefined) entryProps["statusMessage"] = statusMessage;
    };
    if (declared.resolve) {
      // values that reference() resources of this deployment: they exist now
      try {
        resource = { ...declared.resolve((id) => ctx.viewById(id, new Set(["artifacts"]))), identity: declared.identity, plan: declared.plan, zones: declared.zones };
      } catch (e) {
        const error = templateErrorOf(e);
        finish("Failed", "BadRequest", { error } as unknown as Json);
        failures.push({ code: error.code, message: error.message });
        return false;
      }
    }
    const result = await ctx.dispatch(syntheticPut(resource, caller, baseUrl));
    if (result.status >= 400) {
      const body = isObject(result.body) ? result.body : { error: { code: statusText(result.status), message: "" } };
      finish("Failed", statusText(result.status), body);
      failures.push({ code: statusText(result.status), message: crlfJson(body) });
      return false;
    }
    const operation: Operation | undefined = result.operation;
    if (operation) {
      const record = await operation.done;
      if (record.status !== "Succeeded") {
        const statusMessage = {
          status: "Failed",
          error: {
            code: "ResourceDeploymentFailure",
            message: "The resource operation completed with terminal provisioning state 'Failed'.",
            ...(record.error ? { details: [record.error] } : {}),
          },
        };
        finish("Failed", "Conflict", statusMessage as unknown as Json);
        failures.push({ code: "Conflict", message: crlfJson(statusMessage) });
        return false;
      }
    } else {
      await o.sleep(syncLatency(resource.type));
    }
    finish("Succeeded", result.status === 201 || result.status === 202 ? "Created" : "OK");
    if (resource.type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase()) {
      const nested = ctx.store.get(resource.id);
      const nestedOut = nested && isObject(nested.body["properties"]) ? nested.body["properties"]["outputResources"] : undefined;
      if (Array.isArray(nestedOut)) for (const x of nestedOut) if (isObject(x) && typeof x["id"] === "string") outputResources.push(x["id"]);
    } else {
      outputResources.push(resource.id);
    }
    return true;
  };

  for (const resource of evaluated.resources as EvaluatedResourceEx[]) {
    const deps = resource.dependsOn.map((d) => results.get(idKey(d)) ?? Promise.resolve(true));
    results.set(
      idKey(resource.id),
      (async () => {
        const ok = await Promise.all(deps);
        // ARM does not start a resource whose dependency failed
        if (ok.some((x) => !x)) return false;
        return deployOne(resource);
      })(),
    );
  }
  await Promise.all(results.values());
  o.throwIfCanceled();
  props["outputResources"] = outputResources.map((id) => ({ id }));
  if (failures.length > 0) throw new OperationFailure({ code: "DeploymentFailed", message: DEPLOYMENT_FAILED_MESSAGE, details: failures });

  let outputs: Record<string, { type: string; value: unknown }>;
  try {
    outputs = evaluated.outputs((id) => ctx.viewById(id, new Set(["artifacts"])));
  } catch (e) {
    const error = templateErrorOf(e);
    throw new OperationFailure({
      code: "DeploymentOutputEvaluationFailed",
      message: "Unable to evaluate template outputs. Please see error details and deployment operations. Please see https://aka.ms/arm-debug for usage details.",
      details: [error as ArmErrorBody],
    });
  }
  if (Object.keys(outputs).length > 0) {
    entries.push({
      id: `${deployment.id}/operations/${randomBytes(8).toString("hex").toUpperCase()}`,
      operationId: randomBytes(8).toString("hex").toUpperCase(),
      properties: { provisioningOperation: "EvaluateDeploymentOutput", provisioningState: "Succeeded", timestamp: armTimestamp(), duration: isoDuration(0), statusCode: "OK", statusMessage: {} },
    });
  }
  props["outputs"] = clone(outputs) as unknown as Json;
}

/** Marks the end of a deployment on its resource (state, duration, error). */
export function finishDeployment(deployment: StoredResource, state: "Succeeded" | "Failed" | "Canceled", error?: ArmErrorBody): void {
  const props = deployment.body["properties"] as JsonObject;
  const started = Number(deployment.internal["startedAt"] ?? Date.now());
  props["provisioningState"] = state;
  props["timestamp"] = armTimestamp();
  props["duration"] = isoDuration(Date.now() - started);
  if (error) props["error"] = clone(error) as unknown as Json;
  else delete props["error"];
}
