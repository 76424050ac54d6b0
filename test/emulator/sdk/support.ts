// Shared pieces of the SDK tests: the official Azure SDK clients and @azure/identity credentials, pointed at a
// running emulator from inside the mocha process.
//
// Node reads NODE_EXTRA_CA_CERTS only at process start, so this process does not trust the emulator's CA. Every
// SDK here is given a network layer that sends through `emulator.httpsAgent` (an https.Agent holding the CA):
//   - core-rest-pipeline clients (ARM SDKs, credentials): `httpClient` wrapping createDefaultHttpClient();
//   - @azure/storage-blob: a request policy that sets the agent on each request (its `httpClient` option is the
//     older core-http interface).
// Nothing else about the clients is changed: retry, bearer token, LRO and paging policies are the SDKs' own.
import { ComputeManagementClient } from "@azure/arm-compute";
import { DevTestLabsClient, type LabVirtualMachine } from "@azure/arm-devtestlabs";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { TokenCredential } from "@azure/core-auth";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, type AzurePipelinesCredentialOptions } from "@azure/identity";
import { Pipeline, type RequestPolicy, type RequestPolicyFactory, type WebResource } from "@azure/storage-blob";
import type { Agent } from "node:https";
import type { RunningEmulator } from "../client";

/** The audience the service connection names (activeDirectoryServiceEndpointResourceId) as a scope. */
export const ARM_SCOPE = "https://management.core.windows.net//.default";

/** A core-rest-pipeline HttpClient that trusts the emulator's CA. */
export function trustingHttpClient(agent: Agent): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest(request) {
      request.agent = agent;
      return inner.sendRequest(request);
    },
  };
}

/** Options every @azure/identity credential here gets: the emulator as authority, no instance discovery. */
export function authorityOptions(emulator: RunningEmulator): AzurePipelinesCredentialOptions {
  return { authorityHost: emulator.ready.authorityHost, disableInstanceDiscovery: true, httpClient: trustingHttpClient(emulator.httpsAgent) };
}

export interface ClientOptionsOverrides {
  /** Retry options of the SDK's own retry policies (defaults: the SDK's). */
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

/** Options for an ARM SDK client: endpoint = armUrl, the connection's audience as scope, the trusting client. */
export function armClientOptions(emulator: RunningEmulator, overrides: ClientOptionsOverrides = {}): { endpoint: string; credentialScopes: string[]; httpClient: HttpClient; retryOptions?: ClientOptionsOverrides["retryOptions"] } {
  return { endpoint: emulator.ready.armUrl, credentialScopes: [ARM_SCOPE], httpClient: trustingHttpClient(emulator.httpsAgent), ...overrides };
}

export interface ArmClients {
  dtl: DevTestLabsClient;
  resources: ResourceManagementClient;
  compute: ComputeManagementClient;
}

export function armClients(emulator: RunningEmulator, credential: TokenCredential, subscriptionId: string, overrides: ClientOptionsOverrides = {}): ArmClients {
  const options = armClientOptions(emulator, overrides);
  return {
    dtl: new DevTestLabsClient(credential, subscriptionId, options),
    resources: new ResourceManagementClient(credential, subscriptionId, options),
    compute: new ComputeManagementClient(credential, subscriptionId, options),
  };
}

/** The seed's first principal (the ready line's) with its secret. */
export function secretCredential(emulator: RunningEmulator): ClientSecretCredential {
  const { ready } = emulator;
  return new ClientSecretCredential(ready.tenantId, ready.clientId, ready.clientSecret, authorityOptions(emulator));
}

/** The same principal signing in with its certificate (PEM with the private key, as a service connection holds it). */
export function certificateCredential(emulator: RunningEmulator): ClientCertificateCredential {
  const { ready } = emulator;
  const principal = emulator.identities.principals.find((entry) => entry.clientId === ready.clientId);
  if (!principal?.certificateWithKeyPem) throw new Error("The seed's first principal has no generated certificate.");
  return new ClientCertificateCredential(ready.tenantId, ready.clientId, { certificate: principal.certificateWithKeyPem }, authorityOptions(emulator));
}

/** Workload identity federation with an assertion callback: the Azure DevOps OIDC token, fetched as the agent would. */
export function oidcAssertionCredential(emulator: RunningEmulator, fetchOidcToken: () => Promise<string>): ClientAssertionCredential {
  const { ready } = emulator;
  return new ClientAssertionCredential(ready.tenantId, ready.clientId, fetchOidcToken, authorityOptions(emulator));
}

/** A @azure/storage-blob pipeline (anonymous: the SAS is the credential) that trusts the emulator's CA. */
export function storagePipeline(agent: Agent): Pipeline {
  const useAgent: RequestPolicyFactory = {
    create: (next: RequestPolicy): RequestPolicy => ({
      sendRequest(request: WebResource) {
        request.agent = agent;
        return next.sendRequest(request);
      },
    }),
  };
  // No credential factory: the client signs nothing (AnonymousCredential); the SAS in the URL authorises each call.
  return new Pipeline([useAgent]);
}

/** Drains an SDK paged iterator. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** An error as the SDKs throw them (RestError and the pollers' errors). */
export interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  response?: { headers: { get(name: string): string | undefined }; bodyAsText?: string | null };
}

/** Runs `run`, expecting it to throw; returns what it threw. */
export async function failure(run: () => Promise<unknown>): Promise<SdkError & Error> {
  try {
    await run();
  } catch (error) {
    return error as SdkError & Error;
  }
  throw new Error("Expected the call to fail, but it succeeded.");
}

export interface ConcurrentCreateResult {
  /** The VMs the pollers returned, in request order. */
  vms: LabVirtualMachine[];
  /** Failures, by VM name (empty when all succeeded). */
  failures: Array<{ name: string; error: string }>;
  /** Wall-clock time of the whole batch and of each create (PUT to the poller's final GET), in ms. */
  wallMs: number;
  latenciesMs: number[];
}

/**
 * Creates `count` lab VMs at once by direct PUT (beginCreateOrUpdateAndWait), every poller awaited. One client
 * and one credential for all, as a task would have, so the token is fetched once and shared.
 */
export async function createVmsConcurrently(dtl: DevTestLabsClient, options: { resourceGroup: string; lab: string; prefix: string; count: number; updateIntervalInMs: number; location?: string }): Promise<ConcurrentCreateResult> {
  const names = Array.from({ length: options.count }, (_, index) => `${options.prefix}${String(index).padStart(4, "0")}`);
  const latenciesMs: number[] = [];
  const started = performance.now();
  const settled = await Promise.allSettled(
    names.map(async (name) => {
      const begun = performance.now();
      const vm = await dtl.virtualMachines.beginCreateOrUpdateAndWait(
        options.resourceGroup,
        options.lab,
        name,
        {
          location: options.location ?? "westeurope",
          size: "Standard_B2s",
          userName: "load",
          password: "Load-Test-Passw0rd!",
          galleryImageReference: { offer: "0001-com-ubuntu-server-jammy", publisher: "Canonical", sku: "22_04-lts-gen2", osType: "Linux", version: "latest" },
        },
        { updateIntervalInMs: options.updateIntervalInMs },
      );
      latenciesMs.push(performance.now() - begun);
      return vm;
    }),
  );
  const wallMs = performance.now() - started;
  const vms: LabVirtualMachine[] = [];
  const failures: ConcurrentCreateResult["failures"] = [];
  settled.forEach((outcome, index) => {
    if (outcome.status === "fulfilled") vms.push(outcome.value);
    else failures.push({ name: names[index] ?? "", error: String((outcome.reason as Error)?.message ?? outcome.reason) });
  });
  return { vms, failures, wallMs, latenciesMs };
}
