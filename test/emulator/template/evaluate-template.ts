// The evaluator's pipeline, in ARM's order: parse → check expressions → bind parameters → variables →
// expand resources (copy, condition, nesting) → evaluate their bodies → dependencies and order; outputs
// later, once the provider has created the resources.
import type { EvaluatedResource, EvaluatedTemplate } from "../core/contracts";
import type { DeploymentState, EvalContext, TemplateEvaluationHooksEx, TemplateScopeEx } from "./context";
import { orderByDependencies, resolveDependencies } from "./dependencies";
import { TemplateError } from "./errors";
import { evaluateOutputs } from "./outputs";
import { ParameterStore } from "./parameters";
import { evaluateBody, referencedResources, resolveBody, toEvaluatedResource } from "./resource-body";
import { createLookup, expandResources, type InstanceLookup, type ResourceInstance } from "./resources";
import { scanTemplate } from "./scan";
import { parseTemplateText, sourceTextOf, TemplateSource } from "./source";
import { readSections } from "./template-shape";
import type { Json, JsonObject } from "./values";
import { variableError, VariableStore } from "./variables";

/** A resource as the contract describes it, plus what the evaluator can add. */
export interface EvaluatedResourceEx extends EvaluatedResource {
  identity?: unknown;
  plan?: unknown;
  zones?: unknown;
  /**
   * Present when some values (kept as their template expressions) need reference()/list*() of resources this
   * deployment creates: call it when those exist to get the resource with every value evaluated.
   */
  resolve?(runtime: (resourceId: string) => unknown): EvaluatedResource;
}

export interface EvaluatedTemplateEx extends EvaluatedTemplate {
  resources: EvaluatedResourceEx[];
}

export function evaluateTemplate(
  template: unknown,
  parameters: Record<string, unknown>,
  scope: TemplateScopeEx,
  hooks: TemplateEvaluationHooksEx,
): EvaluatedTemplateEx {
  const parsed = toTemplateJson(template);
  const source = new TemplateSource(parsed);
  const sections = readSections(parsed);
  scanTemplate(sections, source);

  const state = new State(sections.root, scope, hooks);
  const rootContext = (): EvalContext => ({ site: "output", state, copy: [] });
  const parameterStore = new ParameterStore(sections.parameters, parameters ?? {}, source, rootContext);
  const variableStore = new VariableStore(sections.variables, source, rootContext);
  state.bind(parameterStore, variableStore);

  parameterStore.bindAll();
  try {
    variableStore.evaluateAll();
  } catch (error) {
    throw variableError(error);
  }

  const ctx = rootContext();
  const instances = expandResources(sections.resources, ctx, source);
  const lookup = createLookup(instances, scope.subscriptionId, scope.resourceGroupName);
  state.resources = lookup;

  const active = instances.filter((instance) => instance.active);
  const bodies = new Map(active.map((instance) => [instance, evaluateBody(instance, ctx, source)]));
  const implicit = new Map(active.map((instance) => [instance, referencedResources(instance, ctx)]));
  const dependencies = resolveDependencies(instances, lookup, implicit, ctx, source);
  const ordered = orderByDependencies(dependencies);

  const resources = ordered.map((instance): EvaluatedResourceEx => {
    const dependsOn = (dependencies.get(instance) ?? []).map((dependency) => dependency.id);
    const evaluated = bodies.get(instance) ?? { body: {}, deferred: new Set<string>() };
    const resource: EvaluatedResourceEx = toEvaluatedResource(instance, evaluated.body, dependsOn);
    if (evaluated.deferred.size > 0) {
      resource.resolve = (runtime) => toEvaluatedResource(instance, resolveBody(instance, ctx, source, runtime), dependsOn);
    }
    return resource;
  });

  return {
    resources,
    outputs: (runtime) => evaluateOutputs(sections.outputs, { ...ctx, runtime: inDeployment(runtime, lookup) }),
  };
}

/** Templates arrive as objects, JSON text or bytes (ARM accepts a byte-order mark). */
function toTemplateJson(template: unknown): Json {
  if (typeof template === "string") return parseTemplateText(template);
  if (template instanceof Uint8Array) return parseTemplateText(new TextDecoder("utf-8").decode(template));
  if (typeof template !== "object" || template === null) {
    throw new TemplateError({ code: "InvalidTemplate", message: "Unable to parse template content. The template must be a JSON object." });
  }
  // A copy, so the caller's object is never touched; a template that parseTemplateText read keeps its text for positions.
  const text = sourceTextOf(template);
  return text === undefined ? (JSON.parse(JSON.stringify(template)) as Json) : parseTemplateText(text);
}

/** The runtime callback, asked only about resources of this deployment (by their canonical id). */
function inDeployment(runtime: (resourceId: string) => unknown, lookup: InstanceLookup): (resourceId: string) => unknown {
  return (resourceId) => {
    const instance: ResourceInstance | undefined = lookup.byId(resourceId);
    return instance && !instance.active ? undefined : runtime(instance?.id ?? resourceId);
  };
}

class State implements DeploymentState {
  resources: DeploymentState["resources"];
  readonly now: Date;
  private parameterStore: ParameterStore | undefined;
  private variableStore: VariableStore | undefined;

  constructor(
    readonly template: JsonObject,
    readonly scope: TemplateScopeEx,
    readonly hooks: TemplateEvaluationHooksEx,
  ) {
    this.now = scope.now ?? new Date();
  }

  bind(parameters: ParameterStore, variables: VariableStore): void {
    this.parameterStore = parameters;
    this.variableStore = variables;
  }

  parameter(name: string): Json {
    return (this.parameterStore as ParameterStore).get(name);
  }

  variable(name: string): Json {
    return (this.variableStore as VariableStore).get(name);
  }

  parameterValues(): JsonObject {
    return (this.parameterStore as ParameterStore).publicValues();
  }
}
