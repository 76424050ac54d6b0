// Drives the ARM layer directly through ArmEmulator.handle(), as the server would, with an in-memory
// storage, a small seed, injectable faults and helpers to follow long-running operations.
import { mkdirSync, mkdtempSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ArmEmulator, ArmFaults, ArmResponse, CallerIdentity, Seed } from "../../core/contracts";
import { createArmEmulatorWith, type ArmEmulatorInternals } from "../index";
import { MemoryStorage } from "./memoryStorage";

export const TENANT = "72f988bf-0000-4000-8000-000000000001";
export const SUB = "11111111-1111-4111-8111-111111111111";
export const SUB2 = "22222222-2222-4222-8222-222222222222";
export const CALLER: CallerIdentity = { tenantId: TENANT, objectId: "aaaaaaaa-0000-4000-8000-00000000000a", clientId: "cccccccc-0000-4000-8000-00000000000c" };
export const OTHER: CallerIdentity = { tenantId: TENANT, objectId: "bbbbbbbb-0000-4000-8000-00000000000b", clientId: "dddddddd-0000-4000-8000-00000000000d" };
export const BASE = "https://127.0.0.1:8443";
export const SAMPLES = resolve(__dirname, "../../../fixtures/samples");

export const LAB_RG = "rg-factory";
export const LAB = "FactoryLab";
export const LAB_PATH = `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/${LAB}`;

export function testSeed(): Seed {
  return {
    tenants: [{ id: TENANT, displayName: "Contoso", defaultDomain: "contoso.example" }],
    subscriptions: [
      { id: SUB, tenantId: TENANT, displayName: "Factory" },
      { id: SUB2, tenantId: TENANT, displayName: "Teams" },
    ],
    principals: [
      { tenantId: TENANT, clientId: CALLER.clientId, objectId: CALLER.objectId, displayName: "factory-sp", subscriptions: [SUB, SUB2] },
      { tenantId: TENANT, clientId: OTHER.clientId, objectId: OTHER.objectId, displayName: "other-sp", subscriptions: [SUB] },
    ],
    managedIdentities: [],
    labs: [
      { subscriptionId: SUB, resourceGroup: LAB_RG, name: LAB, location: "westus" },
      { subscriptionId: SUB2, resourceGroup: "rg-team", name: "TeamLab", location: "eastus", tags: { team: "blue" } },
    ],
  };
}

/** A samples folder with the real samples plus extra environment templates written by a test. */
export function samplesWith(extraEnvironments: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "arm-samples-"));
  cpSync(join(SAMPLES, "artifacts"), join(dir, "artifacts"), { recursive: true });
  cpSync(join(SAMPLES, "environments"), join(dir, "environments"), { recursive: true });
  for (const [name, template] of Object.entries(extraEnvironments)) {
    mkdirSync(join(dir, "environments", name), { recursive: true });
    writeFileSync(join(dir, "environments", name, "azuredeploy.json"), JSON.stringify(template));
    writeFileSync(join(dir, "environments", name, "metadata.json"), JSON.stringify({ itemDisplayName: name, description: `${name} (test)`, githubUsername: "Tests" }));
  }
  return dir;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string>;
  apiVersion?: string | null;
  caller?: CallerIdentity;
}

export class Harness {
  readonly lroFailures = new Map<string, { code: string; message: string }>();
  readonly artifactFailures = new Map<string, string>();

  private constructor(
    readonly emulator: ArmEmulator,
    readonly storage: MemoryStorage,
  ) {}

  static async create(options: { samplesDir?: string; timeScale?: number; internals?: ArmEmulatorInternals } = {}): Promise<Harness> {
    const storage = new MemoryStorage();
    const holder: { self?: Harness } = {};
    const faults: ArmFaults = {
      lroFailure: (method, path) => {
        for (const [pattern, error] of holder.self?.lroFailures ?? []) {
          const [m = "", p = ""] = pattern.split(" ");
          if (m === method && path.toLowerCase().includes(p.toLowerCase())) return error;
        }
        return undefined;
      },
      artifactFailure: (vmId, artifactId) => {
        // keys are "vmName:artifactName"
        for (const [pattern, message] of holder.self?.artifactFailures ?? []) {
          const [vm = "", artifact = ""] = pattern.toLowerCase().split(":");
          if (vmId.toLowerCase().endsWith(`/${vm}`) && artifactId.toLowerCase().endsWith(`/${artifact}`)) return message;
        }
        return undefined;
      },
    };
    const emulator = await createArmEmulatorWith(
      { seed: testSeed(), timeScale: options.timeScale ?? 0, storage, faults, samplesDir: options.samplesDir ?? SAMPLES },
      options.internals ?? {},
    );
    holder.self = new Harness(emulator, storage);
    return holder.self;
  }

  /** A request as the server hands it over: path decoded per segment, query parsed. */
  async call(method: string, pathOrUrl: string, options: CallOptions = {}): Promise<ArmResponse> {
    const url = new URL(pathOrUrl, BASE);
    const query = new URLSearchParams(url.search);
    const version = options.apiVersion === undefined ? "2018-09-15" : options.apiVersion;
    if (version !== null && !query.has("api-version")) query.set("api-version", version);
    for (const [k, v] of Object.entries(options.query ?? {})) query.set(k, v);
    const path = url.pathname
      .split("/")
      .map((s) => decodeURIComponent(s))
      .join("/");
    return this.emulator.handle({ method, path, query, headers: {}, body: options.body, caller: options.caller ?? CALLER, baseUrl: BASE });
  }

  /** Polls an Azure-AsyncOperation URL until a terminal status; returns every status body seen. */
  async pollStatus(url: string, caller?: CallerIdentity): Promise<Record<string, unknown>[]> {
    const seen: Record<string, unknown>[] = [];
    for (let i = 0; i < 10000; i++) {
      const res = await this.call("GET", url, caller ? { caller } : {});
      if (res.status !== 200) throw new Error(`status poll answered ${res.status}: ${JSON.stringify(res.body)}`);
      const body = res.body as Record<string, unknown>;
      seen.push(body);
      if (body["status"] !== "Running") return seen;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error("operation never finished");
  }

  /** Follows a long-running response to its end; returns the terminal status body. */
  async finish(res: ArmResponse, caller?: CallerIdentity): Promise<Record<string, unknown>> {
    const url = res.headers?.["Azure-AsyncOperation"];
    if (url) {
      const seen = await this.pollStatus(url, caller);
      return seen[seen.length - 1] ?? {};
    }
    const location = res.headers?.["Location"];
    if (!location) throw new Error(`not a long-running response: ${res.status} ${JSON.stringify(res.body)}`);
    for (;;) {
      const r = await this.call("GET", location, caller ? { caller } : {});
      if (r.status !== 202) return { status: r.status < 300 ? "Succeeded" : "Failed", httpStatus: r.status, body: r.body };
      await new Promise((x) => setImmediate(x));
    }
  }

  async close(): Promise<void> {
    await this.emulator.close();
  }
}

export function body(res: { body?: unknown }): Record<string, unknown> {
  return (res.body ?? {}) as Record<string, unknown>;
}

export function propsOf(res: { body?: unknown }): Record<string, unknown> {
  return (body(res)["properties"] ?? {}) as Record<string, unknown>;
}
