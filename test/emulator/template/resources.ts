// Expands the template's resources into instances: nested child resources (type and name composed with the
// parent's), copy loops, conditions; computes ids; and indexes them for dependsOn and reference().
import { atSite, DeferredReference, withCopy, type CopyFrame, type DeploymentResource, type EvalContext, type ResourceLookup } from "./context";
import { ExpressionError, ExpressionSyntaxError, expressionSyntaxFailed, inner, resourceInvalid, validationFailed } from "./errors";
import { composeId, nameSegments, parseType, resourceGroupPrefix } from "./resource-id";
import type { PathSegment, TemplateSource } from "./source";
import { member } from "./template-shape";
import { evaluateValue, loopCount } from "./template-values";
import { isObject, jtokenType, type Json, type JsonObject } from "./values";
import { variableError } from "./variables";

export interface ResourceInstance extends DeploymentResource {
  /** The resource as the template wrote it. */
  body: JsonObject;
  path: PathSegment[];
  parent?: ResourceInstance;
  /** Copy loops around this instance (its own last). */
  frames: CopyFrame[];
  /** Its own copy loop, with mode and batch for serial loops. */
  loop?: { name: string; index: number; serialBatchSize?: number };
}

/** Turns the failures of one resource's expressions into ARM's "template resource … is not valid" error. */
export function resourceFailure(error: unknown, displayName: string, path: PathSegment[], source: TemplateSource): unknown {
  // A deploy-time reference where ARM cannot wait for one.
  if (error instanceof DeferredReference) return resourceInvalid(displayName, source.position(path), inner.functionNotExpected("reference"), pathText(path));
  if (error instanceof ExpressionError) return resourceInvalid(displayName, source.position(path), error.message, pathText(path));
  if (error instanceof ExpressionSyntaxError) return expressionSyntaxFailed(error.message);
  return variableError(error);
}

export function pathText(path: PathSegment[]): string {
  return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
}

export function rawName(body: JsonObject): string {
  const name = member(body, "name");
  return typeof name === "string" ? name : "";
}

export function expandResources(resources: Json[], ctx: EvalContext, source: TemplateSource): ResourceInstance[] {
  const out: ResourceInstance[] = [];
  expandList(resources, ["resources"], undefined, ctx, source, out);
  checkDuplicates(out, source);
  return out;
}

function expandList(list: Json[], path: PathSegment[], parent: ResourceInstance | undefined, ctx: EvalContext, source: TemplateSource, out: ResourceInstance[]): void {
  list.forEach((body, index) => {
    const here = [...path, index];
    if (!isObject(body)) throw resourceInvalid(`${pathText(here)}`, source.position(here), "The resource definition must be a JSON object", pathText(here));
    const copy = member(body, "copy");
    if (copy === undefined) {
      createInstance(body, here, parent, ctx, source, out);
      return;
    }
    try {
      const loop = readLoop(copy);
      const count = loopCount(loop.count, ctx);
      for (let i = 0; i < count; i++) {
        const frame: CopyFrame = { name: loop.name, index: i, kind: "resource" };
        createInstance(body, here, parent, withCopy(ctx, frame), source, out, { name: loop.name, index: i, ...(loop.serialBatchSize ? { serialBatchSize: loop.serialBatchSize } : {}) });
      }
    } catch (error) {
      throw resourceFailure(error, rawName(body), here, source);
    }
  });
}

function readLoop(copy: Json): { name: string; count: Json; serialBatchSize?: number } {
  if (!isObject(copy)) throw new ExpressionError("The copy property must be an object with 'name' and 'count'.");
  const name = member(copy, "name");
  const count = member(copy, "count");
  if (typeof name !== "string" || name === "" || count === undefined) throw new ExpressionError("The copy property must have a non-empty 'name' and a 'count'.");
  const mode = member(copy, "mode");
  if (typeof mode === "string" && mode.toLowerCase() === "serial") {
    const batchSize = member(copy, "batchSize");
    return { name, count, serialBatchSize: typeof batchSize === "number" && batchSize > 0 ? batchSize : 1 };
  }
  return { name, count };
}

function createInstance(
  body: JsonObject,
  path: PathSegment[],
  parent: ResourceInstance | undefined,
  ctx: EvalContext,
  source: TemplateSource,
  out: ResourceInstance[],
  loop?: ResourceInstance["loop"],
): void {
  let displayName = rawName(body);
  let instance: ResourceInstance;
  try {
    const identityCtx = atSite(ctx, "resourceIdentity");
    const typeValue = member(body, "type");
    if (typeof typeValue !== "string" || typeValue === "") throw new ExpressionError("The type property cannot be null or empty.");
    if (typeValue.startsWith("[") && !typeValue.startsWith("[[")) throw new ExpressionError("The type property cannot be an expression.");
    const nameValue = evaluateValue(member(body, "name") ?? null, identityCtx);
    if (typeof nameValue !== "string" || nameValue === "") throw new ExpressionError("The name property cannot be null or empty.");
    displayName = nameValue;
    const apiVersion = evaluateValue(member(body, "apiVersion") ?? null, identityCtx);
    if (typeof apiVersion !== "string" || apiVersion === "") throw new ExpressionError(`The api-version for resource type '${typeValue}' is missing.`);

    const { type, name } = composeIdentity(typeValue, nameValue, parent);
    displayName = name;
    const parsed = parseType(type);
    const segments = nameSegments([name]);
    if (!parsed || segments.length !== parsed.types.length || segments.some((segment) => segment === "")) {
      throw new ExpressionError(
        `The resource type '${type}' and name '${name}' have incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name.`,
      );
    }
    const prefix = resourcePrefix(body, identityCtx, ctx);
    const conditionValue = member(body, "condition");
    const condition = conditionValue === undefined ? true : evaluateValue(conditionValue, atSite(ctx, "condition"));
    if (typeof condition !== "boolean") throw new ExpressionError(`The condition must evaluate to a boolean; it evaluated to type '${jtokenType(condition)}'.`);

    const extension = extensionIdentity(parsed.types, segments);
    instance = {
      id: composeId(prefix, parsed, segments),
      type: extension?.type ?? type,
      name: extension?.name ?? name,
      apiVersion,
      active: condition,
      body,
      path,
      frames: [...ctx.copy],
      ...(parent ? { parent } : {}),
      ...(loop ? { loop } : {}),
    };
  } catch (error) {
    throw resourceFailure(error, displayName, path, source);
  }
  out.push(instance);
  const children = member(body, "resources");
  if (Array.isArray(children)) expandList(children, [...path, "resources"], instance, ctx, source, out);
}

/**
 * A child declared inside its parent writes type and name relative to it ("schedules", "policySets/policies";
 * "myName", "default/policy"); a full type ("Microsoft.X/parents/children") carries a full name.
 */
function composeIdentity(type: string, name: string, parent: ResourceInstance | undefined): { type: string; name: string } {
  if (!parent) return { type, name };
  const firstSegment = type.split("/")[0] ?? "";
  if (firstSegment.includes(".")) return { type, name };
  return { type: `${parent.type}/${type}`, name: `${parent.name}/${name}` };
}

/**
 * The older way to write an extension resource: type "Microsoft.DevTestLab/labs/providers/roleAssignments",
 * name "lab/Microsoft.Authorization/guid". Its id interleaves as usual; its own type and name are the part
 * after "providers" (Microsoft.Authorization/roleAssignments, guid).
 */
function extensionIdentity(types: string[], names: string[]): { type: string; name: string } | undefined {
  const at = types.findIndex((segment, i) => i > 0 && segment.toLowerCase() === "providers");
  if (at < 0 || at === types.length - 1) return undefined;
  return { type: `${names[at] ?? ""}/${types.slice(at + 1).join("/")}`, name: names.slice(at + 1).join("/") };
}

/** Resource-group scope, or the id of the resource an extension resource's "scope" names. */
function resourcePrefix(body: JsonObject, identityCtx: EvalContext, ctx: EvalContext): string {
  const scope = member(body, "scope");
  const { subscriptionId, resourceGroupName } = ctx.state.scope;
  if (scope === undefined) return resourceGroupPrefix(subscriptionId, resourceGroupName);
  const value = evaluateValue(scope, identityCtx);
  if (typeof value !== "string" || !value.startsWith("/")) throw new ExpressionError("The scope property must evaluate to a fully qualified resource id.");
  return value.replace(/\/+$/, "");
}

function checkDuplicates(instances: ResourceInstance[], source: TemplateSource): void {
  const seen = new Set<string>();
  for (const instance of instances) {
    if (!instance.active) continue;
    const key = instance.id.toLowerCase();
    if (seen.has(key)) {
      const { line, column } = source.position(instance.path);
      throw validationFailed(
        `The resource '${instance.id}' at line '${line}' and column '${column}' is defined multiple times in a template. Please see https://aka.ms/arm-syntax-template for usage details.`,
        { line, column },
        pathText(instance.path),
      );
    }
    seen.add(key);
  }
}

/** The lookup over instances (it satisfies the ResourceLookup that expressions see). */
export interface InstanceLookup extends ResourceLookup {
  byId(id: string): ResourceInstance | undefined;
  resolve(reference: string): ResourceInstance[] | undefined;
}

/** Resolves what dependsOn and reference() may name: an id, a resource name, a copy loop name, or "Namespace/type/name". */
export function createLookup(instances: ResourceInstance[], subscriptionId: string, resourceGroupName: string): InstanceLookup {
  const byId = new Map<string, ResourceInstance>();
  for (const instance of instances) {
    // Two definitions may share an id under opposite conditions; the one deployed wins.
    const key = instance.id.toLowerCase();
    const existing = byId.get(key);
    if (!existing || (!existing.active && instance.active)) byId.set(key, instance);
  }
  const find = (id: string) => byId.get(id.toLowerCase());
  return {
    byId: find,
    resolve(reference: string) {
      if (reference.startsWith("/")) {
        const found = find(reference);
        return found ? [found] : undefined;
      }
      const lower = reference.toLowerCase();
      const inLoop = instances.filter((instance) => instance.loop?.name.toLowerCase() === lower);
      if (inLoop.length > 0) return inLoop;
      const named = instances.filter((instance) => instance.name.toLowerCase() === lower);
      if (named.length > 0) return named;
      // A child named by its own last segment ("SeleniumHub" for "lab/SeleniumHub"), which the seleniumgrid quickstart relies on.
      const byLastSegment = instances.filter((instance) => instance.name.split("/").pop()?.toLowerCase() === lower);
      if (byLastSegment.length > 0) return byLastSegment;
      const relative = find(`${resourceGroupPrefix(subscriptionId, resourceGroupName)}/providers/${reference}`);
      return relative ? [relative] : undefined;
    },
  };
}
