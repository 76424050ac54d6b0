// What every provider shares: options, store, operation engine, clock, router and helpers for the
// checks every ARM request goes through (api-version, subscription, resource group).
import type {
  ArmOptions,
  ArmRequest,
  CallerIdentity,
  EvaluatedTemplate,
  TemplateEvaluationHooks,
  TemplateScope,
} from "../../core/contracts";
import { ArmError, errors } from "./errors";
import { idKey, resourceGroupId } from "./ids";
import { clone, type JsonObject } from "./json";
import type { Clock } from "./latency";
import type { OperationEngine } from "./lro";
import { DEFAULT_PAGE_SIZE } from "./paging";
import type { HandlerResult, Router } from "./router";
import type { ResourceStore, StoredResource } from "./store";

const DATE_VERSION = /^\d{4}-\d{2}-\d{2}(-preview|-beta|-alpha)?$/i;

/** Turns a stored resource into what GET returns; expand is the lower-cased $expand set. */
export type Viewer = (resource: StoredResource, expand: Set<string>) => JsonObject;

export class ArmContext {
  readonly pageSize: number;
  private readonly viewers = new Map<string, Viewer>();
  private readonly deleteHooks = new Map<string, (resource: StoredResource) => Promise<void> | void>();

  constructor(
    readonly options: ArmOptions,
    readonly store: ResourceStore,
    readonly lro: OperationEngine,
    readonly clock: Clock,
    readonly router: Router,
    pageSize?: number,
  ) {
    this.pageSize = pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** The ARM template evaluator (test/emulator/template by default; tests may give another). */
  evaluateTemplate!: (template: unknown, parameters: Record<string, unknown>, scope: TemplateScope, hooks: TemplateEvaluationHooks) => EvaluatedTemplate;

  /** Runs a request through the same routes the server's requests take (used by deployments). */
  dispatch!: (req: ArmRequest) => Promise<HandlerResult>;

  registerViewer(type: string, viewer: Viewer): void {
    this.viewers.set(type.toLowerCase(), viewer);
  }

  /** The GET representation of a stored resource. */
  view(resource: StoredResource, expand: Set<string> = new Set()): JsonObject {
    const viewer = this.viewers.get(resource.type.toLowerCase());
    return viewer ? viewer(resource, expand) : clone(resource.body);
  }

  /** Cleanup a provider needs when one of its resources goes (blobs in storage, compute VMs...). */
  onDelete(type: string, hook: (resource: StoredResource) => Promise<void> | void): void {
    this.deleteHooks.set(type.toLowerCase(), hook);
  }

  /** Removes a resource with everything under it, running the providers' cleanup hooks. */
  async deleteTree(id: string): Promise<StoredResource[]> {
    const removed = this.store.deleteTree(id);
    for (const r of removed) {
      const hook = this.deleteHooks.get(r.type.toLowerCase());
      if (hook) await hook(r);
    }
    return removed;
  }

  viewById(id: string, expand?: Set<string>): JsonObject | undefined {
    const r = this.store.get(id);
    return r ? this.view(r, expand) : undefined;
  }

  // ------------------------------------------------------------------ identities

  principalName(caller: CallerIdentity): string {
    const p = this.options.seed.principals.find((x) => x.objectId === caller.objectId || x.clientId === caller.clientId);
    return p?.displayName ?? caller.clientId;
  }

  // ------------------------------------------------------------------ common checks

  apiVersion(req: ArmRequest): string {
    const v = req.query.get("api-version");
    if (!v) throw errors.missingApiVersion();
    return v;
  }

  /** api-version must be one the provider supports for the type (ARM answers NoRegisteredProviderFound). */
  checkApiVersion(req: ArmRequest, supported: readonly string[] | "any", type: string, location: string): string {
    const v = this.apiVersion(req);
    const ok = supported === "any" ? DATE_VERSION.test(v) : supported.some((s) => s.toLowerCase() === v.toLowerCase());
    if (!ok) throw errors.noRegisteredProvider(location, v, type, supported === "any" ? ["2021-04-01", "2024-03-01"] : supported);
    return v;
  }

  checkSubscription(sub: string): void {
    if (!this.options.seed.subscriptions.some((s) => s.id.toLowerCase() === sub.toLowerCase())) throw errors.subscriptionNotFound(sub);
  }

  resourceGroup(sub: string, rg: string): StoredResource | undefined {
    return this.store.get(resourceGroupId(sub, rg));
  }

  /** The resource group, or ARM's ResourceGroupNotFound. */
  requireResourceGroup(sub: string, rg: string): StoredResource {
    this.checkSubscription(sub);
    const found = this.resourceGroup(sub, rg);
    if (!found) throw errors.resourceGroupNotFound(rg);
    return found;
  }

  /** The resource group's name as it was created (ARM keeps the creator's casing). */
  resourceGroupName(sub: string, rg: string): string {
    const found = this.resourceGroup(sub, rg);
    const name = found?.body["name"];
    return typeof name === "string" ? name : rg;
  }

  locationOf(id: string): string {
    const loc = this.store.get(id)?.body["location"];
    return typeof loc === "string" ? loc : "westus";
  }

  isTracked(id: string): boolean {
    return this.store.has(id) || this.store.get(idKey(id)) !== undefined;
  }
}

export function requireObjectBody(req: ArmRequest): JsonObject {
  const body = req.body;
  if (body === undefined || body === null) throw errors.invalidRequestContent("The request content was empty. Path '', line 0, position 0.");
  if (typeof body !== "object" || Array.isArray(body)) {
    throw errors.invalidRequestContent(`Error converting value to type 'Resource'. Path '', line 1, position 1.`);
  }
  return body as JsonObject;
}

export function asArmError(e: unknown): ArmError | undefined {
  return e instanceof ArmError ? e : undefined;
}
