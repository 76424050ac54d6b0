// Shared set-up for the lab tasks' end-to-end tests: one emulator per file, a service connection, and runTask
// with that connection filled in. The tasks run bundled (npm run build) through the agent harness.
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type RunningEmulator, type ServiceConnectionEndpoint, type ServiceConnectionKind } from "../emulator/client";
import { runTask, type NodeRuntime, type RunTaskOptions, type TaskRunResult } from "../harness";

export const FACTORY_SUBSCRIPTION = "20000000-0000-4000-8000-000000000001";
export const FACTORY_RG = "factory-rg";
export const FACTORY_LAB = "FactoryLab";
export const FACTORY_LAB_ID = `/subscriptions/${FACTORY_SUBSCRIPTION}/resourceGroups/${FACTORY_RG}/providers/Microsoft.DevTestLab/labs/${FACTORY_LAB}`;
export const VM_PASSWORD = "Vm-Passw0rd!e2e-7f3a";

export const samplesDir = join(__dirname, "..", "fixtures", "samples");
export const goldenImage = join(samplesDir, "image-factory", "Configuration", "GoldenImages", "Win2016", "Datacenter.json");

/** The parameters of the environment tests' template that links files: bounds, a secret, and what staging fills. */
export const LINKED_TEMPLATE_PARAMETERS = {
  siteName: { type: "string" },
  instanceCount: { type: "int", defaultValue: 2, minValue: 1, maxValue: 5 },
  adminSecret: { type: "securestring" },
  _artifactsLocation: { type: "string" },
  _artifactsLocationSasToken: { type: "securestring" },
};

/** LabVmCreate's inputs for a Windows VM from a gallery image, with one artifact (`extra` adds or overrides). */
export function galleryVmInputs(vmName: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    lab: FACTORY_LAB,
    source: "galleryImage",
    vmName,
    galleryImage: "MicrosoftWindowsServer:WindowsServer:2019-Datacenter:latest",
    osType: "Windows",
    userName: "factoryadmin",
    password: "$(VmPassword)",
    artifacts: '[{"name": "windows-sysprep"}]',
    pollIntervalSeconds: "1",
    ...extra,
  };
}

export interface RunLabTaskOptions extends Partial<RunTaskOptions> {
  task: string;
  node: NodeRuntime;
  inputs: Record<string, string>;
  /** The service connection's scheme (spnKey unless told otherwise). */
  kind?: ServiceConnectionKind;
  /** Name the connection input as Microsoft's tasks do (ConnectedServiceName) instead of azureSubscription. */
  microsoftNames?: boolean;
  /** Use this connection instead of a fresh one of `kind`. */
  connection?: ServiceConnectionEndpoint;
}

export interface LabE2e {
  emulator: RunningEmulator;
  connection(kind?: ServiceConnectionKind): ServiceConnectionEndpoint;
  /** Runs a lab task against the emulator with a service connection (spnKey unless told otherwise). */
  run(options: RunLabTaskOptions): Promise<TaskRunResult>;
  /** ARM write requests (PUT, POST, PATCH, DELETE) since the given log sequence number. */
  writesSince(seq: number): Promise<{ method: string; path: string }[]>;
  lastSeq(): Promise<number>;
  /** The ids of the lab VMs and custom images that exist in the emulator now. */
  labResources(): Promise<{ vms: string[]; images: string[]; deployments: string[] }>;
}

/** Starts the emulator before the file's tests and stops it after. */
export function useLabEmulator(options: { timeScale?: number } = {}): LabE2e {
  const e2e = {} as LabE2e;
  before(async function () {
    this.timeout(90_000);
    e2e.emulator = await startEmulator({ timeScale: options.timeScale ?? 0 });
  });
  after(async () => {
    await e2e.emulator?.stop();
  });
  e2e.connection = (kind = "spnKey") => e2e.emulator.serviceConnection(kind, { subscriptionId: FACTORY_SUBSCRIPTION });
  e2e.run = async ({ task, node, inputs, kind, microsoftNames, connection: given, variables, secrets, env, knownSecrets, timeoutMs, ...rest }) => {
    const connection = given ?? e2e.connection(kind);
    return runTask({
      // system.debug=true everywhere: the harness fails a run that prints a secret, debug lines included.
      debug: true,
      task,
      node,
      inputs: { [microsoftNames ? "ConnectedServiceName" : "azureSubscription"]: connection.id, ...inputs },
      endpoints: [connection],
      systemAccessToken: connection.systemAccessToken,
      ...rest,
      variables: { ...connection.variables, ...(variables ?? {}) },
      secrets: { VmPassword: VM_PASSWORD, ...(secrets ?? {}) },
      env: { ...connection.env, ...(env ?? {}) },
      knownSecrets: [VM_PASSWORD, ...(knownSecrets ?? [])],
      timeoutMs: timeoutMs ?? 50_000,
    } as RunTaskOptions);
  };
  e2e.lastSeq = async () => (await e2e.emulator.admin.requests({ since: 0 })).lastSeq;
  e2e.writesSince = async (seq) => {
    const { value } = await e2e.emulator.admin.requests({ since: seq });
    return value.filter((r) => r.route === "arm" && ["PUT", "POST", "PATCH", "DELETE"].includes(r.method.toUpperCase())).map((r) => ({ method: r.method, path: r.path }));
  };
  e2e.labResources = async () => {
    const arm = (await e2e.emulator.admin.state()).arm as { resources?: Record<string, { type?: string }> };
    const ids = (type: string) =>
      Object.entries(arm.resources ?? {})
        .filter(([, resource]) => resource.type?.toLowerCase() === type.toLowerCase())
        .map(([id]) => id.toLowerCase());
    return {
      vms: ids("Microsoft.DevTestLab/labs/virtualmachines"),
      images: ids("Microsoft.DevTestLab/labs/customimages"),
      deployments: ids("Microsoft.Resources/deployments"),
    };
  };
  return e2e;
}

/** A file in a fresh temp folder, for template and parameters inputs. */
export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lab-e2e-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function assertSucceeded(run: TaskRunResult): void {
  assert.equal(run.result.result, "Succeeded", `${run.label}: ${run.result.message ?? ""}\n${run.stdoutLines.slice(-30).join("\n")}`);
}
