// Contracts between the emulator's parts, so each can be built and tested on its own:
//   server/identity/storage/admin (test/emulator/{main,emulator}.ts, server/, identity/, storage/, seed/)
//   ARM resource providers          (test/emulator/arm/)
//   ARM template evaluator          (test/emulator/template/)
// Change a contract only together with every part that uses it.

// ---------------------------------------------------------------- seed (test/emulator/seed/default.json)

export interface SeedTenant { id: string; displayName: string; defaultDomain: string }
export interface SeedSubscription { id: string; tenantId: string; displayName: string }
/** An app registration / service principal. Certificate principals carry the PEM of their public certificate. */
export interface SeedPrincipal {
  tenantId: string;
  clientId: string;
  objectId: string;
  displayName: string;
  clientSecret?: string;
  certificatePem?: string;
  /** Azure DevOps service connection ids whose OIDC tokens this principal trusts (workload identity federation). */
  federatedServiceConnections?: string[];
  /** Subscription ids this principal may read and write. */
  subscriptions: string[];
}
export interface SeedManagedIdentity { tenantId: string; clientId: string; objectId: string; subscriptions: string[]; isDefault?: boolean }
export interface SeedLab {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}
export interface Seed {
  tenants: SeedTenant[];
  subscriptions: SeedSubscription[];
  principals: SeedPrincipal[];
  managedIdentities: SeedManagedIdentity[];
  /** Each lab gets the public artifact repository (samples/artifacts) and an environment repository (samples/environments). */
  labs: SeedLab[];
}

// ---------------------------------------------------------------- storage (implemented over Azurite)

export interface StorageBackend {
  /** e.g. https://127.0.0.1:10000/devstoreaccount1 (no trailing slash). */
  readonly blobEndpoint: string;
  /** The storage account and container that hold a lab's blobs of one purpose ("uploads", "artifacts", "vhds"...). */
  labContainer(labId: string, purpose: string): { account: string; container: string };
  ensureContainer(account: string, container: string): Promise<void>;
  /** A service SAS URL (https only) for a blob, or for the container when blob is omitted. permissions e.g. "r", "rcw". */
  sasUrl(options: { account: string; container: string; blob?: string; permissions: string; expiresOn: Date }): string;
  putBlob(account: string, container: string, blob: string, content: Buffer): Promise<void>;
  blobExists(account: string, container: string, blob: string): Promise<boolean>;
  deleteBlob(account: string, container: string, blob: string): Promise<void>;
  listBlobs(account: string, container: string): Promise<string[]>;
  /**
   * Optional: GET a blob URL (with its SAS) as an outside client would, honouring the SAS (expiry,
   * permissions, revocation). ARM uses it to download templateLink/parametersLink documents; without it
   * the ARM layer falls back to a plain fetch() of the URL.
   */
  fetchBlobUrl?(url: string): Promise<{ status: number; body?: Buffer }>;
}

// ---------------------------------------------------------------- ARM request handling

/** Who called: resolved from the bearer token by the server before the ARM handler runs. */
export interface CallerIdentity { tenantId: string; objectId: string; clientId: string }

export interface ArmRequest {
  method: string;
  /** Path as sent, without query, percent-decoded per segment; case preserved. e.g. /subscriptions/x/resourceGroups/rg/... */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  caller: CallerIdentity;
  /** https://127.0.0.1:PORT (no trailing slash): for building absolute URLs such as Azure-AsyncOperation. */
  baseUrl: string;
}
export interface ArmResponse { status: number; headers?: Record<string, string>; body?: unknown }

/** Faults the server injects that only the ARM layer can express. */
export interface ArmFaults {
  /** When it returns an error, the long-running operation started by this request ends Failed with it. */
  lroFailure(method: string, path: string): { code: string; message: string } | undefined;
  /** When it returns a message, applying this artifact (artifact id as in the VM's artifacts list) to this VM fails with it. */
  artifactFailure(vmId: string, artifactId: string): string | undefined;
}

export interface ArmOptions {
  seed: Seed;
  /** Multiplies every modelled operation duration (0 = instant, 1 = realistic seconds). */
  timeScale: number;
  storage: StorageBackend;
  faults: ArmFaults;
  /** Folder of the samples (artifact and environment repositories for seeded labs). */
  samplesDir: string;
}

/** The ARM emulation: created once per emulator; the server routes every non-identity, non-admin request here. */
export interface ArmEmulator {
  handle(request: ArmRequest): Promise<ArmResponse>;
  /** JSON-serialisable dump of every resource and pending operation (admin API /_emulator/state). */
  state(): unknown;
  /** Back to the seed. */
  reset(): Promise<void>;
  /** Stop timers (operations in flight). */
  close(): Promise<void>;
}
// Implemented by test/emulator/arm/index.ts as: export function createArmEmulator(options: ArmOptions): Promise<ArmEmulator>

// ---------------------------------------------------------------- ARM template evaluator (test/emulator/template/)

/** An error ARM would return for a template: e.g. code "InvalidTemplate", message as ARM words it. */
export interface TemplateErrorShape { code: string; message: string; details?: TemplateErrorShape[] }

export interface TemplateScope {
  tenantId: string;
  subscriptionId: string;
  resourceGroupName: string;
  resourceGroupLocation: string;
  deploymentName: string;
  /** Tags of the resource group (resourceGroup().tags). */
  resourceGroupTags?: Record<string, string>;
}

export interface EvaluatedResource {
  /** Full resource id, e.g. /subscriptions/s/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l/virtualmachines/v */
  id: string;
  /** Full type, e.g. Microsoft.DevTestLab/labs/virtualmachines */
  type: string;
  /** Full name, e.g. l/v */
  name: string;
  apiVersion: string;
  location?: string;
  tags?: Record<string, string>;
  sku?: unknown;
  kind?: string;
  properties?: unknown;
  /** Ids of the resources this one waits for (dependsOn resolved, plus parents of nested resources). */
  dependsOn: string[];
}

export interface TemplateEvaluationHooks {
  /** reference(): the runtime state of a resource that already exists outside this deployment, or undefined. */
  reference(resourceId: string, apiVersion: string | undefined, full: boolean): unknown;
}

export interface EvaluatedTemplate {
  /** Resources in an order that respects dependsOn (conditions already applied, copy loops expanded). */
  resources: EvaluatedResource[];
  /**
   * Evaluate the outputs after the resources exist. reference() to resources of this deployment goes to
   * runtime(id) (the provider's view of the created resource: properties it computed such as fqdn).
   */
  outputs(runtime: (resourceId: string) => unknown): Record<string, { type: string; value: unknown }>;
}
// Implemented by test/emulator/template/index.ts as:
//   export function evaluateTemplate(template: unknown, parameters: Record<string, unknown>, scope: TemplateScope, hooks: TemplateEvaluationHooks): EvaluatedTemplate
//   (throws TemplateError extends Error with .error: TemplateErrorShape; parameters is the ARM "parameters" object: { name: { value } | { reference } })
