// Resource functions: the resourceId family, reference() and list*(). reference()/list*() to a resource of
// this deployment is answered by the provider's runtime view once it exists (outputs, deferred values);
// to any other resource through hooks.
import { DeferredReference, type EvalContext } from "../context";
import { ExpressionError, inner, resourceNotFound } from "../errors";
import { composeId, nameSegments, parseType, resourceGroupOf, resourceGroupPrefix, typeAndNameOf } from "../resource-id";
import { isObject, toJson, type Json } from "../values";
import { fail, str } from "./args";
import { VARIADIC, type CallContext, type EagerFunction, type TemplateFunction } from "./types";

/** Splits resourceId()-style arguments at the resource type (the first argument with a '/'). */
function splitAtType(fn: string, args: Json[]): { prefix: string[]; type: string; names: string[] } {
  const values = args.map((arg) => str(fn, arg));
  const typeIndex = values.findIndex((value) => value.includes("/"));
  if (typeIndex < 0) fail(fn, "the resource type argument is missing or is not a fully qualified type such as 'Microsoft.Storage/storageAccounts'.");
  return { prefix: values.slice(0, typeIndex), type: values[typeIndex] as string, names: values.slice(typeIndex + 1) };
}

function buildId(fn: string, prefix: string, type: string, names: string[]): string {
  const parsed = parseType(type);
  if (!parsed) return fail(fn, `the type '${type}' is not a valid resource type.`);
  const segments = nameSegments(names);
  if (segments.length !== parsed.types.length) {
    return fail(fn, `the type '${type}' requires '${parsed.types.length}' resource name argument(s).`);
  }
  return composeId(prefix, parsed, segments);
}

const RESOURCE_ID_FUNCTIONS: TemplateFunction[] = [
  {
    name: "resourceId",
    minArgs: 2,
    maxArgs: VARIADIC,
    evaluate: (args, { name, ctx }) => {
      const { prefix, type, names } = splitAtType(name, args);
      const { subscriptionId, resourceGroupName } = ctx.state.scope;
      if (prefix.length > 2) return fail(name, "at most a subscription id and a resource group name may precede the resource type.");
      const subscription = prefix.length === 2 ? (prefix[0] as string) : subscriptionId;
      const group = prefix.length >= 1 ? (prefix[prefix.length - 1] as string) : resourceGroupName;
      return buildId(name, resourceGroupPrefix(subscription, group), type, names);
    },
  },
  {
    name: "subscriptionResourceId",
    minArgs: 2,
    maxArgs: VARIADIC,
    evaluate: (args, { name, ctx }) => {
      const { prefix, type, names } = splitAtType(name, args);
      if (prefix.length > 1) return fail(name, "only a subscription id may precede the resource type.");
      return buildId(name, `/subscriptions/${prefix[0] ?? ctx.state.scope.subscriptionId}`, type, names);
    },
  },
  {
    name: "tenantResourceId",
    minArgs: 2,
    maxArgs: VARIADIC,
    evaluate: (args, { name }) => {
      const { prefix, type, names } = splitAtType(name, args);
      if (prefix.length > 0) return fail(name, "the resource type must be the first argument.");
      return buildId(name, "", type, names);
    },
  },
  {
    name: "extensionResourceId",
    minArgs: 3,
    maxArgs: VARIADIC,
    evaluate: ([scopeId, ...rest], { name }) => {
      const base = str(name, scopeId as Json).replace(/\/+$/, "");
      const type = str(name, rest[0] as Json);
      return buildId(name, base, type, rest.slice(1).map((arg) => str(name, arg)));
    },
  },
];

/** Where reference()/list*() may appear and what they can reach there. */
function checkRuntimeSite(call: CallContext): void {
  const site = call.ctx.site;
  if (site === "parameterDefault" || site === "variable" || site === "resourceIdentity" || site === "copyCount" || site === "dependsOn") {
    throw new ExpressionError(inner.functionNotExpected(call.name));
  }
}

interface Target {
  id: string;
  /** Set when the resource belongs to this deployment. */
  apiVersion?: string;
  inDeployment: boolean;
}

/** reference() accepts a resource id, the name of a resource in this template, or "Namespace/type/name". */
function resolveTarget(fn: string, reference: string, ctx: EvalContext): Target {
  const resources = ctx.state.resources;
  const { subscriptionId, resourceGroupName } = ctx.state.scope;
  const found = reference.startsWith("/") ? resources?.byId(reference) : resources?.resolve(reference)?.[0];
  if (found) return { id: found.id, apiVersion: found.apiVersion, inDeployment: true };
  if (reference.startsWith("/")) return { id: reference, inDeployment: false };
  const parsed = parseType(reference.split("/").slice(0, 2).join("/"));
  if (parsed && reference.split("/").length % 2 === 1) {
    const id = `${resourceGroupPrefix(subscriptionId, resourceGroupName)}/providers/${reference}`;
    const inTemplate = resources?.byId(id);
    return inTemplate ? { id: inTemplate.id, apiVersion: inTemplate.apiVersion, inDeployment: true } : { id, inDeployment: false };
  }
  throw new ExpressionError(inner.evaluationFailed(fn, inner.resourceNotDefined(reference)));
}

/** The value a provider or hook gave, shaped as reference() returns it: properties, or the whole resource for 'Full'. */
function shape(value: unknown, full: boolean): Json {
  const json = toJson(value);
  const isResource = isObject(json) && "properties" in json && ("id" in json || "type" in json || "name" in json);
  if (full) return isResource ? json : { properties: json };
  return isResource ? (json.properties as Json) : json;
}

/** The runtime state of a resource of this deployment, or undefined (deferred) while it does not exist yet. */
function fromDeployment(target: Target, call: CallContext): unknown {
  const { ctx } = call;
  if (ctx.runtime) {
    const value = ctx.runtime(target.id);
    if (value === undefined) throw resourceNotFound(typeAndNameOf(target.id), resourceGroupOf(target.id));
    return value;
  }
  if (ctx.site === "resourceBody") throw new DeferredReference(target.id);
  throw new ExpressionError(inner.functionNotExpected(call.name));
}

const reference: EagerFunction = {
  name: "reference",
  minArgs: 1,
  maxArgs: 3,
  evaluate: ([resource, apiVersion, mode], call) => {
    checkRuntimeSite(call);
    const target = resolveTarget(call.name, str(call.name, resource as Json), call.ctx);
    const version = apiVersion === undefined ? target.apiVersion : str(call.name, apiVersion);
    const full = mode !== undefined && str(call.name, mode).toLowerCase() === "full";
    if (target.inDeployment) return shape(fromDeployment(target, call), full);
    const value = call.ctx.state.hooks.reference(target.id, version, full);
    if (value === undefined) throw resourceNotFound(typeAndNameOf(target.id), resourceGroupOf(target.id));
    return shape(value, full);
  },
};

/** listKeys, listSecrets, listAccountSas… — any function whose name starts with "list". */
export function listFunction(written: string): EagerFunction {
  return {
    name: written,
    minArgs: 2,
    maxArgs: 3,
    evaluate: ([resource, apiVersion, body], call) => {
      checkRuntimeSite(call);
      const target = resolveTarget(call.name, str(call.name, resource as Json), call.ctx);
      const version = str(call.name, apiVersion as Json);
      const { hooks } = call.ctx.state;
      const exists = target.inDeployment ? fromDeployment(target, call) : hooks.reference(target.id, version, true);
      if (exists === undefined) throw resourceNotFound(typeAndNameOf(target.id), resourceGroupOf(target.id));
      const result = hooks.list?.(target.id, version, call.name, body ?? null);
      if (result === undefined) return fail(call.name, `the action '${call.name}' is not available for resource '${target.id}'.`);
      return toJson(result);
    },
  };
}

export const resourceFunctions: TemplateFunction[] = [...RESOURCE_ID_FUNCTIONS, reference];
