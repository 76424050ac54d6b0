// dependsOn: explicit entries (resource id, name, copy loop name or "Namespace/type/name"), the implicit
// dependency of a nested resource on its parent and of reference() on its target, serial copy batches;
// then an order that respects them all, or ARM's circular-dependency error.
import { atSite, type EvalContext } from "./context";
import { ExpressionError, inner, resourceInvalid, validationFailed } from "./errors";
import { typeAndNameOf } from "./resource-id";
import { pathText, resourceFailure, type InstanceLookup, type ResourceInstance } from "./resources";
import type { TemplateSource } from "./source";
import { member } from "./template-shape";
import { evaluateValue } from "./template-values";

/** Ids each active instance waits for (only active ones: a dependency on an excluded resource is dropped, as in ARM). */
export function resolveDependencies(
  instances: ResourceInstance[],
  lookup: InstanceLookup,
  implicitReferences: Map<ResourceInstance, string[]>,
  ctx: EvalContext,
  source: TemplateSource,
): Map<ResourceInstance, ResourceInstance[]> {
  const result = new Map<ResourceInstance, ResourceInstance[]>();
  for (const instance of instances) {
    if (!instance.active) continue;
    const dependencies: ResourceInstance[] = [];
    const add = (target: ResourceInstance | undefined) => {
      if (target && target.active && !dependencies.includes(target)) dependencies.push(target);
    };

    const explicit = member(instance.body, "dependsOn");
    if (explicit !== undefined) {
      if (!Array.isArray(explicit)) {
        throw resourceInvalid(instance.name, source.position(instance.path), "The dependsOn property must be an array", pathText(instance.path));
      }
      const dependsOnCtx = atSite({ ...ctx, copy: instance.frames }, "dependsOn");
      for (const entry of explicit) {
        let reference;
        try {
          reference = evaluateValue(entry, dependsOnCtx);
          if (typeof reference !== "string") throw new ExpressionError("The dependsOn entries must be strings.");
        } catch (error) {
          throw resourceFailure(error, instance.name, instance.path, source);
        }
        const targets = lookup.resolve(reference);
        if (!targets) {
          const shown = reference.startsWith("/") ? typeAndNameOf(reference) : reference;
          throw validationFailed(`${inner.resourceNotDefined(shown)} Please see https://aka.ms/arm-syntax for usage details.`);
        }
        for (const target of targets) add(target);
      }
    }
    if (instance.parent) add(instance.parent);
    for (const id of implicitReferences.get(instance) ?? []) {
      const target = lookup.byId(id);
      if (target !== instance) add(target);
    }
    if (instance.loop?.serialBatchSize) {
      // Serial loops run batch after batch: each instance waits for the whole previous batch.
      const { name, index, serialBatchSize } = instance.loop;
      const batch = Math.floor(index / serialBatchSize);
      for (const other of instances) {
        if (other.body === instance.body && other.loop?.name === name && other.parent === instance.parent && Math.floor(other.loop.index / serialBatchSize) === batch - 1) add(other);
      }
    }
    result.set(instance, dependencies);
  }
  return result;
}

/** Topological order, stable in template order; a cycle fails as ARM reports it. */
export function orderByDependencies(dependencies: Map<ResourceInstance, ResourceInstance[]>): ResourceInstance[] {
  const pending = [...dependencies.keys()];
  const done = new Set<ResourceInstance>();
  const ordered: ResourceInstance[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex((instance) => (dependencies.get(instance) ?? []).every((dependency) => done.has(dependency)));
    if (ready < 0) {
      const onCycle = pending.find((instance) => reachesItself(instance, dependencies)) ?? (pending[0] as ResourceInstance);
      throw validationFailed(`Circular dependency detected on resource: '${onCycle.id}'. Please see https://aka.ms/arm-syntax-resources for usage details.`);
    }
    const [next] = pending.splice(ready, 1) as [ResourceInstance];
    done.add(next);
    ordered.push(next);
  }
  return ordered;
}

function reachesItself(start: ResourceInstance, dependencies: Map<ResourceInstance, ResourceInstance[]>): boolean {
  const seen = new Set<ResourceInstance>();
  const stack = [...(dependencies.get(start) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as ResourceInstance;
    if (next === start) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(dependencies.get(next) ?? []));
  }
  return false;
}
