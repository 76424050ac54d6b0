// Test helper for the offline Azure: starts the emulator CLI in a child process, waits for its ready line, and
// gives typed access to the admin API and to service connections shaped as the agent hands them to a task.
//
//   const emulator = await startEmulator();              // default seed, time scale 0
//   const connection = emulator.serviceConnection("spnKey");
//   // run a task with connection.{id,url,scheme,parameters,data}, connection.variables, connection.env …
//   await emulator.admin.addFault({ kind: "status", status: 429, path: "/subscriptions/**", count: 1 });
//   const { value } = await emulator.admin.requests();
//   await emulator.stop();
//
// The test process does not trust the emulator's CA (NODE_EXTRA_CA_CERTS is read at process start), so the admin
// client uses an https.Agent with the CA; child processes (tasks, scripts) get NODE_EXTRA_CA_CERTS through
// `env` of a service connection or `clientEnv()`.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { saveTraffic } from "../traffic/collect";
import type { SeedManagedIdentity, SeedSubscription, SeedTenant } from "./core/contracts";
import type { ReadyLine } from "./emulator";
import type { FaultInput, FaultRule } from "./server/faults";
import type { FullRequestLogEntry, RequestLogEntry } from "./server/request-log";
import type { HostSeed, SeedDevOps } from "./seed/types";

export type { FaultInput, FaultRule, FullRequestLogEntry, HostSeed, ReadyLine, RequestLogEntry };

const repositoryRoot = join(__dirname, "..", "..");
const mainPath = join(__dirname, "main.ts");

export interface StartEmulatorOptions {
  /** A seed file path or a seed object (written to a temp file). Default: test/emulator/seed/default.json. */
  seed?: string | HostSeed;
  /** Multiplies modelled operation durations. Default 0 (instant) — tests rarely want to wait. */
  timeScale?: number;
  /** Default 0 (a free port). */
  port?: number;
  /** Copy the emulator's stderr to this process's stderr. Default: when EMULATOR_LOG=1. */
  echoLogs?: boolean;
  /** Default 60 s. */
  startTimeoutMs?: number;
}

export type ServiceConnectionKind = "spnKey" | "spnCertificate" | "WorkloadIdentityFederation" | "ManagedServiceIdentity";

export interface ServiceConnectionOptions {
  /** The service principal (or, for ManagedServiceIdentity, the user-assigned identity) by client id. Default: the ready line's principal / the system-assigned identity. */
  clientId?: string;
  /** Default: the first subscription the identity may use. */
  subscriptionId?: string;
  /** The endpoint id. Default: a fresh GUID; for WorkloadIdentityFederation the principal's first federated service connection (it must be one). */
  id?: string;
  /** Azure Stack Hub with AD FS: authority `<authorityHost>/adfs/`, tenant "adfs" (service principal kinds only). */
  adfs?: boolean;
}

/** A service connection as the agent gives it to a task; fields line up with test/harness ServiceEndpoint. */
export interface ServiceConnectionEndpoint {
  id: string;
  url: string;
  scheme: "ServicePrincipal" | "WorkloadIdentityFederation" | "ManagedServiceIdentity";
  parameters: Record<string, string>;
  data: Record<string, string>;
  /** Pipeline variables the scheme needs (System.OidcRequestUri for workload identity). */
  variables: Record<string, string>;
  /** SystemVssConnection's AccessToken (workload identity exchanges it for the OIDC token). */
  systemAccessToken?: string;
  /** Process environment: NODE_EXTRA_CA_CERTS always; IDENTITY_ENDPOINT/IDENTITY_HEADER for managed identity. */
  env: Record<string, string>;
}

export interface PrincipalState {
  tenantId: string;
  clientId: string;
  objectId: string;
  displayName: string;
  clientSecret?: string;
  certificatePem: string;
  /** Certificate and PKCS#8 private key in one PEM (generated certificates only). */
  certificateWithKeyPem?: string;
  certificateThumbprint: string;
  federatedCredentials: Array<{ serviceConnectionId: string; issuer: string; subject: string; audience: string }>;
  subscriptions: string[];
}

export interface EmulatorState {
  /** The ARM layer's own dump. */
  arm: unknown;
  identities: {
    tenants: SeedTenant[];
    subscriptions: SeedSubscription[];
    principals: PrincipalState[];
    managedIdentities: SeedManagedIdentity[];
    devOps?: SeedDevOps;
  };
  faults: FaultRule[];
  /** objectId → subscriptions, for identities whose access was changed through the admin API. */
  permissions: Record<string, string[]>;
  storage: { blobEndpoint: string };
  timeScale: number;
  lastRequestSeq: number;
}

export interface AdminClient {
  state(): Promise<EmulatorState>;
  /** The request log; `since` returns entries after that seq, `full` adds headers and bodies. */
  requests(options?: { since?: number; full?: false }): Promise<{ value: RequestLogEntry[]; lastSeq: number }>;
  requests(options: { since?: number; full: true }): Promise<{ value: FullRequestLogEntry[]; lastSeq: number }>;
  /** Back to the seed: ARM state, storage, permissions, faults and the log. */
  reset(): Promise<void>;
  faults(): Promise<FaultRule[]>;
  addFault(fault: FaultInput): Promise<FaultRule>;
  deleteFault(id: string): Promise<void>;
  clearFaults(): Promise<void>;
  permissions(): Promise<Record<string, string[]>>;
  /** Replaces the subscriptions one identity (by clientId or objectId) may touch. */
  setPermissions(permission: { clientId: string; subscriptions: string[] } | { objectId: string; subscriptions: string[] }): Promise<void>;
  /** An Azure DevOps OIDC token for a service connection, optionally expired or with another audience/subject/issuer. */
  mintOidcToken(options: { serviceConnectionId: string; lifetimeSeconds?: number; audience?: string; subject?: string; issuer?: string }): Promise<string>;
}

export interface RunningEmulator {
  ready: ReadyLine;
  admin: AdminClient;
  /** The seed's identities as the emulator holds them (certificates included), read once at start. */
  identities: EmulatorState["identities"];
  serviceConnection(kind: ServiceConnectionKind, options?: ServiceConnectionOptions): ServiceConnectionEndpoint;
  /** Environment for a child process that talks to the emulator: NODE_EXTRA_CA_CERTS. */
  clientEnv(): Record<string, string>;
  /** The CA certificate (PEM) and an agent that trusts it, for requests from this process. */
  caCertificatePem: string;
  httpsAgent: Agent;
  /** The emulator's stderr so far (kept in memory, last 2 MB). */
  logs(): string;
  process: ChildProcess;
  /** SIGTERM (or the given signal), then SIGKILL after 10 s; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const temp = await mkdtemp(join(tmpdir(), "emulator-client-"));
  let seedPath: string | undefined;
  if (typeof options.seed === "string") seedPath = options.seed;
  else if (options.seed) {
    seedPath = join(temp, "seed.json");
    await writeFile(seedPath, JSON.stringify(options.seed));
  }
  const args = ["--import", "tsx", mainPath, "--port", String(options.port ?? 0), "--time-scale", String(options.timeScale ?? 0), "--exit-with-stdin"];
  if (seedPath) args.push("--seed", seedPath);
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env } });

  let logText = "";
  const echo = options.echoLogs ?? process.env.EMULATOR_LOG === "1";
  child.stderr?.on("data", (chunk: Buffer) => {
    logText += chunk.toString();
    if (logText.length > 2_000_000) logText = logText.slice(-1_000_000);
    if (echo) process.stderr.write(chunk);
  });

  let ready: ReadyLine;
  try {
    ready = await readyLine(child, options.startTimeoutMs ?? 60_000, () => logText);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(temp, { recursive: true, force: true });
    throw error;
  }

  const caCertificatePem = readFileSync(ready.caCertPath, "utf8");
  const httpsAgent = new Agent({ ca: caCertificatePem, keepAlive: true });
  // Every request this emulator served is saved before its log is cleared (reset) or lost (stop), so the suite's
  // last test can validate all traffic against the official swagger (test/traffic).
  const saveLog = () => saveTraffic(ready.adminUrl, undefined, { caCertPath: ready.caCertPath });
  const admin = adminClient(ready.adminUrl, httpsAgent, saveLog);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (child.exitCode === null && child.signalCode === null && signal !== "SIGKILL") await saveLog();
    httpsAgent.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const result = await exited;
    clearTimeout(timer);
    await rm(temp, { recursive: true, force: true });
    // A killed emulator could not remove its own temp folder (certificates, Azurite's data).
    if (result.signal === "SIGKILL") await rm(dirname(ready.caCertPath), { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    return result;
  };

  let identities: EmulatorState["identities"];
  try {
    identities = (await admin.state()).identities;
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }

  return {
    ready,
    admin,
    identities,
    serviceConnection: (kind, connectionOptions = {}) => serviceConnection(ready, identities, kind, connectionOptions),
    clientEnv: () => ({ NODE_EXTRA_CA_CERTS: ready.caCertPath }),
    caCertificatePem,
    httpsAgent,
    logs: () => logText,
    process: child,
    stop,
  };
}

function readyLine(child: ChildProcess, timeoutMs: number, logs: () => string): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    const fail = (message: string): void => {
      clearTimeout(timer);
      reject(new Error(`${message}\n--- emulator stderr ---\n${logs().slice(-8000)}`));
    };
    const timer = setTimeout(() => fail(`The emulator printed no ready line within ${timeoutMs} ms.`), timeoutMs);
    child.once("exit", (code, signal) => fail(`The emulator exited (${code ?? signal}) before it was ready.`));
    child.stdout?.on("data", (chunk: Buffer) => {
      if (stdout.includes("\n")) return;
      stdout += chunk.toString();
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as ReadyLine);
      } catch {
        fail(`The emulator's first stdout line is not JSON: ${stdout.slice(0, newline)}`);
      }
    });
  });
}

function serviceConnection(ready: ReadyLine, identities: EmulatorState["identities"], kind: ServiceConnectionKind, options: ServiceConnectionOptions): ServiceConnectionEndpoint {
  const env = { NODE_EXTRA_CA_CERTS: ready.caCertPath };
  const subscriptionData = (tenantId: string, allowed: string[]): Record<string, string> => {
    const subscriptionId = options.subscriptionId ?? allowed[0];
    const subscription = identities.subscriptions.find((entry) => entry.id.toLowerCase() === subscriptionId?.toLowerCase());
    if (!subscription) throw new Error(`No subscription ${String(subscriptionId)} for the service connection.`);
    const authority = options.adfs ? `${ready.authorityHost}/adfs/` : `${ready.authorityHost}/`;
    return {
      subscriptionId: subscription.id,
      subscriptionName: subscription.displayName,
      environment: options.adfs ? "AzureStack" : "AzureCloud",
      environmentUrl: ready.armUrl,
      resourceManagerUrl: ready.armUrl,
      environmentAuthorityUrl: authority,
      activeDirectoryAuthority: authority,
      activeDirectoryServiceEndpointResourceId: "https://management.core.windows.net/",
      ScopeLevel: "Subscription",
      creationMode: "Manual",
      tenantId,
    };
  };

  if (kind === "ManagedServiceIdentity") {
    if (options.adfs) throw new Error("Managed identity has no AD FS form.");
    const identity = options.clientId
      ? identities.managedIdentities.find((entry) => entry.clientId.toLowerCase() === options.clientId?.toLowerCase())
      : identities.managedIdentities.find((entry) => entry.isDefault) ?? identities.managedIdentities[0];
    if (!identity) throw new Error(`No managed identity ${options.clientId ?? "(default)"} in the seed.`);
    return {
      id: options.id ?? randomUUID(),
      url: ready.armUrl,
      scheme: "ManagedServiceIdentity",
      parameters: { tenantid: identity.tenantId, ...(options.clientId ? { msiclientId: identity.clientId } : {}) },
      data: subscriptionData(identity.tenantId, identity.subscriptions),
      variables: {},
      env: { ...env, IDENTITY_ENDPOINT: ready.identityEndpoint, IDENTITY_HEADER: ready.identityHeader },
    };
  }

  const clientId = options.clientId ?? ready.clientId;
  const principal = identities.principals.find((entry) => entry.clientId.toLowerCase() === clientId.toLowerCase());
  if (!principal) throw new Error(`No service principal ${clientId} in the seed.`);
  const tenantid = options.adfs ? "adfs" : principal.tenantId;
  const data = subscriptionData(principal.tenantId, principal.subscriptions);

  if (kind === "WorkloadIdentityFederation") {
    if (options.adfs) throw new Error("Workload identity federation has no AD FS form.");
    const id = options.id ?? principal.federatedCredentials[0]?.serviceConnectionId;
    if (!id) throw new Error(`Service principal ${clientId} trusts no service connection (federatedServiceConnections).`);
    const credential = principal.federatedCredentials.find((entry) => entry.serviceConnectionId.toLowerCase() === id.toLowerCase());
    return {
      id,
      url: ready.armUrl,
      scheme: "WorkloadIdentityFederation",
      parameters: {
        serviceprincipalid: principal.clientId,
        tenantid,
        workloadIdentityFederationIssuer: credential?.issuer ?? "",
        workloadIdentityFederationSubject: credential?.subject ?? "",
      },
      data,
      variables: { "System.OidcRequestUri": ready.oidcRequestUri },
      systemAccessToken: ready.systemAccessToken,
      env,
    };
  }

  if (kind === "spnCertificate") {
    if (!principal.certificateWithKeyPem) throw new Error(`Service principal ${clientId} has a seeded certificate without its key.`);
    return {
      id: options.id ?? randomUUID(),
      url: ready.armUrl,
      scheme: "ServicePrincipal",
      parameters: { authenticationType: "spnCertificate", serviceprincipalid: principal.clientId, servicePrincipalCertificate: principal.certificateWithKeyPem, tenantid },
      data,
      variables: {},
      env,
    };
  }

  if (!principal.clientSecret) throw new Error(`Service principal ${clientId} has no secret.`);
  return {
    id: options.id ?? randomUUID(),
    url: ready.armUrl,
    scheme: "ServicePrincipal",
    parameters: { authenticationType: "spnKey", serviceprincipalid: principal.clientId, serviceprincipalkey: principal.clientSecret, tenantid },
    data,
    variables: {},
    env,
  };
}

function adminClient(adminUrl: string, agent: Agent, beforeReset: () => Promise<unknown>): AdminClient {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const { status, text } = await send(agent, method, `${adminUrl}${path}`, body);
    if (status >= 400) throw new Error(`Admin ${method} ${path} failed with ${status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const requests = (options: { since?: number; full?: boolean } = {}): Promise<{ value: FullRequestLogEntry[]; lastSeq: number }> => {
    const query = new URLSearchParams();
    if (options.since !== undefined) query.set("since", String(options.since));
    if (options.full) query.set("full", "1");
    const search = query.toString();
    return call("GET", `/requests${search ? `?${search}` : ""}`);
  };
  return {
    state: () => call("GET", "/state"),
    requests: requests as AdminClient["requests"],
    reset: async () => {
      await beforeReset();
      await call("POST", "/reset");
    },
    faults: async () => (await call<{ value: FaultRule[] }>("GET", "/faults")).value,
    addFault: (fault) => call("POST", "/faults", fault),
    deleteFault: (id) => call("DELETE", `/faults/${encodeURIComponent(id)}`),
    clearFaults: () => call("DELETE", "/faults"),
    permissions: async () => (await call<{ overrides: Record<string, string[]> }>("GET", "/permissions")).overrides,
    setPermissions: (permission) => call("PUT", "/permissions", permission),
    mintOidcToken: async (mint) => (await call<{ oidcToken: string }>("POST", "/oidc-token", mint)).oidcToken,
  };
}

/**
 * One HTTPS request; resolves with status, text and headers. An object body is sent as JSON; a string or Buffer
 * as it is (set content-type yourself).
 */
export function send(agent: Agent, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const raw = typeof body === "string" || Buffer.isBuffer(body);
  const payload = body === undefined ? undefined : raw ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
  const contentType = payload && !raw ? { "content-type": "application/json" } : {};
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(url, { method, agent, headers: { ...contentType, ...(payload ? { "content-length": String(payload.length) } : {}), ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: response.headers }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}
