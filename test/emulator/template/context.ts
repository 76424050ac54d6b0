// What an expression can see while it is evaluated: the deployment (scope, hooks, parameters, variables,
// resources), where in the template it sits (ARM allows some functions only in some places) and the
// copy loops around it.
import type { TemplateEvaluationHooks, TemplateScope } from "../core/contracts";
import type { Json, JsonObject } from "./values";

/** Optional additions to the contract's scope (older callers pass a plain TemplateScope). */
export interface TemplateScopeEx extends TemplateScope {
  /** subscription().displayName; the subscription id when absent. */
  subscriptionDisplayName?: string;
  /** deployment().properties.templateLink when the template was deployed from a URI. */
  templateLink?: { uri: string; contentVersion?: string; id?: string };
  /** Deployment mode for deployment().properties.mode (default Incremental). */
  mode?: string;
  /** The clock for utcNow() (default: the current time). */
  now?: Date;
}

/** Optional additions to the contract's hooks. */
export interface TemplateEvaluationHooksEx extends TemplateEvaluationHooks {
  /** list*() functions (listKeys, listSecrets…) on an existing resource; undefined when the action does not exist. */
  list?(resourceId: string, apiVersion: string, functionName: string, body: unknown): unknown;
  /** A Key Vault secret for a parameter given as { reference: { keyVault: { id }, secretName, secretVersion? } }. */
  keyVaultSecret?(keyVaultId: string, secretName: string, secretVersion: string | undefined): string | undefined;
}

/** Where an expression sits; decides which functions ARM accepts there. */
export type Site =
  | "parameterDefault"
  | "variable"
  | "resourceIdentity" // type, name, apiVersion, scope of a resource
  | "copyCount"
  | "condition"
  | "dependsOn"
  | "resourceBody" // location, tags, sku, properties…: reference() to this deployment's resources is deferred
  | "output";

export interface CopyFrame {
  name: string;
  index: number;
  /** Resource loops answer copyIndex() without a name. */
  kind: "resource" | "property" | "variable" | "output";
}

/** A resource of this deployment as reference() and dependsOn see it. */
export interface DeploymentResource {
  id: string;
  type: string;
  name: string;
  apiVersion: string;
  /** False when its condition excluded it. */
  active: boolean;
}

export interface ResourceLookup {
  /** By full resource id (case-insensitive). */
  byId(id: string): DeploymentResource | undefined;
  /** By the forms dependsOn and reference() accept: name, copy loop name, "Namespace/type/name" or full id. */
  resolve(reference: string): DeploymentResource[] | undefined;
}

export interface DeploymentState {
  readonly scope: TemplateScopeEx;
  readonly hooks: TemplateEvaluationHooksEx;
  readonly template: JsonObject;
  readonly now: Date;
  parameter(name: string): Json;
  variable(name: string): Json;
  /** Parameter values for deployment().properties.parameters (secure ones left out, as ARM does). */
  parameterValues(): JsonObject;
  /** Set once the resources' ids are known. */
  resources: ResourceLookup | undefined;
}

export interface EvalContext {
  readonly site: Site;
  readonly state: DeploymentState;
  readonly copy: readonly CopyFrame[];
  /** After deployment: the provider's view of a resource of this deployment (outputs, deferred resource values). */
  readonly runtime?: (resourceId: string) => unknown;
}

export function withCopy(ctx: EvalContext, frame: CopyFrame): EvalContext {
  return { ...ctx, copy: [...ctx.copy, frame] };
}

export function atSite(ctx: EvalContext, site: Site): EvalContext {
  return { ...ctx, site };
}

/**
 * Thrown when a resource value needs reference()/list*() of a resource this deployment has not created yet.
 * ARM evaluates such values at deploy time; the evaluator keeps them for EvaluatedResourceEx.resolve().
 */
export class DeferredReference extends Error {
  constructor(readonly resourceId: string) {
    super(`reference to ${resourceId} is evaluated at deployment time`);
    this.name = "DeferredReference";
  }
}
