// Shared set-up for the image tasks' end-to-end tests: one emulator per file, two service connections (the factory's
// principal in the first tenant, the partner's principal in the second), SDK clients in this process for arranging
// images and reading back state, and a view of Azurite's blobs (azurite-support.ts).
//
// This process does not trust the emulator's CA (NODE_EXTRA_CA_CERTS is read at start), so the SDK clients here get
// an HttpClient that sends every request through an https.Agent holding the CA.
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevTestLabsClient, type CustomImage } from "@azure/arm-devtestlabs";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import { ClientSecretCredential } from "@azure/identity";
import { startEmulator, type RunningEmulator, type ServiceConnectionEndpoint } from "../emulator/client";
import { runTask, type NodeRuntime, type RunTaskOptions, type TaskRunResult } from "../harness";
import { azuriteBlobs } from "./azurite-support";

export const TENANT_1 = "10000000-0000-4000-8000-000000000001";
export const SUB_FACTORY = "20000000-0000-4000-8000-000000000001";
export const SUB_TEAMS = "20000000-0000-4000-8000-000000000002";
export const SUB_PARTNER = "20000000-0000-4000-8000-000000000003";
export const FACTORY_CLIENT = "30000000-0000-4000-8000-000000000001";
export const PARTNER_CLIENT = "30000000-0000-4000-8000-000000000003";

const labPath = (sub: string, rg: string, lab: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.DevTestLab/labs/${lab}`;
export const LABS = {
  factory: { subscriptionId: SUB_FACTORY, resourceGroup: "factory-rg", labName: "FactoryLab", location: "westeurope", id: labPath(SUB_FACTORY, "factory-rg", "FactoryLab") },
  teamA: { subscriptionId: SUB_TEAMS, resourceGroup: "teams-rg", labName: "TeamLabA", location: "westeurope", id: labPath(SUB_TEAMS, "teams-rg", "TeamLabA") },
  teamEast: { subscriptionId: SUB_FACTORY, resourceGroup: "teams-east-rg", labName: "TeamLabEast", location: "eastus", id: labPath(SUB_FACTORY, "teams-east-rg", "TeamLabEast") },
  partner: { subscriptionId: SUB_PARTNER, resourceGroup: "partner-rg", labName: "PartnerLab", location: "northeurope", id: labPath(SUB_PARTNER, "partner-rg", "PartnerLab") },
} as const;
export type LabKey = keyof typeof LABS;

export interface ImagesE2e {
  emulator: RunningEmulator;
  /** The factory's connection (first tenant, subscription 1; the principal reaches subscriptions 1 and 2). */
  factory(): ServiceConnectionEndpoint;
  /** The partner's connection (second tenant, PartnerLab's subscription). */
  partner(): ServiceConnectionEndpoint;
  /** SDK client for a subscription, as the factory principal (or the partner principal for the partner subscription). */
  dtl(subscriptionId: string): DevTestLabsClient;
  /** Runs an image task with the factory connection as azureSubscription and, when asked, the partner's as targetConnection. */
  run(options: { task: string; node: NodeRuntime; inputs: Record<string, string>; withPartner?: boolean } & Partial<RunTaskOptions>): Promise<TaskRunResult>;
  lastSeq(): Promise<number>;
  /** ARM writes (PUT, POST, PATCH, DELETE) since a log sequence number. */
  writesSince(seq: number): Promise<{ method: string; path: string; clientId?: string }[]>;
  /** The emulator's ARM resources of a type (ids lower-cased) with their bodies. */
  resources(type: string): Promise<Map<string, Record<string, unknown>>>;
  /** Every blob in every container whose name starts with `prefix`, as container/blob. */
  blobs(prefix: string): Promise<string[]>;
  /** Creates a VM in a lab (once) and captures a custom image from it with these tags. */
  captureImage(options: { lab: LabKey; vm: string; image: string; tags?: Record<string, string>; description?: string; os?: "Linux" | "Windows" }): Promise<CustomImage>;
}

/** An HttpClient that trusts the emulator's CA. */
function trustingHttpClient(agent: Agent): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest: (request) => {
      request.agent = agent;
      return inner.sendRequest(request);
    },
  };
}

export function useImagesEmulator(): ImagesE2e {
  const e2e = {} as ImagesE2e;
  const clients = new Map<string, DevTestLabsClient>();
  const vms = new Set<string>();
  before(async function () {
    this.timeout(90_000);
    e2e.emulator = await startEmulator({ timeScale: 0 });
  });
  after(async () => {
    await e2e.emulator?.stop();
  });
  e2e.factory = () => e2e.emulator.serviceConnection("spnKey", { clientId: FACTORY_CLIENT, subscriptionId: SUB_FACTORY });
  e2e.partner = () => e2e.emulator.serviceConnection("spnKey", { clientId: PARTNER_CLIENT, subscriptionId: SUB_PARTNER });
  e2e.dtl = (subscriptionId) => {
    const key = subscriptionId.toLowerCase();
    const existing = clients.get(key);
    if (existing) return existing;
    const { ready } = e2e.emulator;
    const httpClient = trustingHttpClient(e2e.emulator.httpsAgent);
    const partner = key === SUB_PARTNER;
    const principal = e2e.emulator.identities.principals.find((p) => p.clientId === (partner ? PARTNER_CLIENT : FACTORY_CLIENT));
    assert.ok(principal?.clientSecret, "seeded principal with a secret");
    const credential = new ClientSecretCredential(principal.tenantId, principal.clientId, principal.clientSecret, { authorityHost: ready.authorityHost, disableInstanceDiscovery: true, httpClient });
    const client = new DevTestLabsClient(credential, subscriptionId, { endpoint: ready.armUrl, credentialScopes: ["https://management.core.windows.net/.default"], httpClient });
    clients.set(key, client);
    return client;
  };
  e2e.run = async ({ task, node, inputs, withPartner, ...rest }) => {
    const factory = e2e.factory();
    const partner = withPartner ? e2e.partner() : undefined;
    const endpoints = partner ? [factory, partner] : [factory];
    return runTask({
      task,
      node,
      inputs: { azureSubscription: factory.id, ...(partner ? { targetConnection: partner.id } : {}), pollIntervalSeconds: "1", ...inputs },
      endpoints,
      env: { ...factory.env, ...(rest.env ?? {}) },
      timeoutMs: rest.timeoutMs ?? 50_000,
      ...rest,
    } as RunTaskOptions);
  };
  e2e.lastSeq = async () => (await e2e.emulator.admin.requests({ since: 0 })).lastSeq;
  e2e.writesSince = async (seq) => {
    const { value } = await e2e.emulator.admin.requests({ since: seq });
    return value
      .filter((r) => r.route === "arm" && ["PUT", "POST", "PATCH", "DELETE"].includes(r.method.toUpperCase()))
      .map((r) => ({ method: r.method, path: r.path, ...(r.caller ? { clientId: r.caller.clientId } : {}) }));
  };
  e2e.resources = async (type) => {
    const arm = (await e2e.emulator.admin.state()).arm as { resources?: Record<string, Record<string, unknown>> };
    const found = new Map<string, Record<string, unknown>>();
    for (const [id, body] of Object.entries(arm.resources ?? {})) {
      if (String(body["type"] ?? "").toLowerCase() === type.toLowerCase()) found.set(id.toLowerCase(), body);
    }
    return found;
  };
  e2e.blobs = async (prefix) => [...(await azuriteBlobs(e2e.emulator, prefix))].flatMap(([container, blobs]) => blobs.map((blob) => `${container}/${blob}`));
  e2e.captureImage = async ({ lab, vm, image, tags, description, os = "Linux" }) => {
    const where = LABS[lab];
    const client = e2e.dtl(where.subscriptionId);
    const lro = { updateIntervalInMs: 20 };
    const vmKey = `${where.id}/${vm}`.toLowerCase();
    if (!vms.has(vmKey)) {
      const galleryImageReference =
        os === "Linux"
          ? { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" }
          : { offer: "WindowsServer", publisher: "MicrosoftWindowsServer", sku: "2022-datacenter", osType: "Windows", version: "latest" };
      await client.virtualMachines.beginCreateOrUpdateAndWait(
        where.resourceGroup,
        where.labName,
        vm,
        { location: where.location, size: "Standard_DS1_v2", userName: "factoryadmin", password: "Vm-Passw0rd!images-e2e", galleryImageReference },
        lro,
      );
      vms.add(vmKey);
    }
    const osInfo = os === "Linux" ? { linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } : { windowsOsInfo: { windowsOsState: "SysprepApplied" } };
    return client.customImages.beginCreateOrUpdateAndWait(
      where.resourceGroup,
      where.labName,
      image,
      { location: where.location, vm: { sourceVmId: `${where.id}/virtualmachines/${vm}`, ...osInfo }, ...(description ? { description } : {}), ...(tags ? { tags } : {}) },
      lro,
    );
  };
  return e2e;
}

/** A file in a fresh temp folder. */
export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "images-e2e-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function assertSucceeded(run: TaskRunResult): void {
  assert.equal(run.result.result, "Succeeded", `${run.label}: ${run.result.message ?? ""}\n${run.stdoutLines.slice(-40).join("\n")}`);
}

/** A JSON array output variable. */
export function jsonOutput(run: TaskRunResult, name: string): string[] {
  const variable = run.variable(name);
  assert.ok(variable, `output ${name} is set`);
  assert.equal(variable.isOutput, true, `${name} is an output variable`);
  const value: unknown = JSON.parse(variable.value);
  assert.ok(Array.isArray(value) && value.every((v) => typeof v === "string"), `${name} is a JSON array of strings: ${variable.value}`);
  return value as string[];
}
