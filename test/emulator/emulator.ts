// Puts the emulator together: PKI, directory and token signers, HTTPS server on 127.0.0.1, Azurite, the ARM
// layer; returns the ready line (the contract in DESIGN.md "The offline Azure") and a stop function that
// undoes all of it (server, ARM timers, Azurite, temp folder).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createArmEmulator } from "./arm/index";
import { AccessTokens } from "./identity/access-tokens";
import { oidcRequestUri } from "./identity/devops-oidc";
import { Directory } from "./identity/directory";
import { KeyPool } from "./identity/key-pool";
import { managedIdentityPath } from "./identity/managed-identity";
import { SigningKey } from "./identity/signing-key";
import { loadSeed } from "./seed/load";
import type { HostSeed } from "./seed/types";
import { adminPrefix } from "./server/admin";
import { FaultStore } from "./server/faults";
import { RateLimits } from "./server/rate-limits";
import { RequestLog } from "./server/request-log";
import { createRequestListener, type HostServices } from "./server/router";
import { createTlsMaterial } from "./server/tls";
import { startAzurite } from "./storage/azurite";
import { AzuriteBlobStorage } from "./storage/blob-backend";

export const samplesDir = join(__dirname, "..", "fixtures", "samples");

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** A seed file; the default seed when neither this nor `seed` is given. */
  seedPath?: string;
  seed?: HostSeed;
  /** Multiplies modelled operation durations (ArmOptions.timeScale). Default 1. */
  timeScale?: number;
  log?: (message: string) => void;
}

/** The one line of JSON the CLI prints when ready. The first eleven members are the DESIGN.md contract. */
export interface ReadyLine {
  /** https://127.0.0.1:PORT/ (trailing slash). */
  armUrl: string;
  /** https://127.0.0.1:PORT (no trailing slash). */
  authorityHost: string;
  /** The first tenant. */
  tenantId: string;
  /** The first tenant's subscriptions. */
  subscriptionIds: string[];
  /** The first tenant's first service principal, with access to all of subscriptionIds. */
  clientId: string;
  clientSecret: string;
  /** Absolute path of the emulator's CA certificate (PEM): NODE_EXTRA_CA_CERTS. */
  caCertPath: string;
  /** SYSTEM_OIDCREQUESTURI for workload identity federation. */
  oidcRequestUri: string;
  /** System.AccessToken: the bearer the OIDC endpoint requires. */
  systemAccessToken: string;
  /** https://127.0.0.1:AZURITE_PORT/devstoreaccount1 */
  blobEndpoint: string;
  /** https://127.0.0.1:PORT/_emulator */
  adminUrl: string;
  /** Service connection id whose OIDC token `clientId` trusts (workload identity federation). */
  serviceConnectionId: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER of the App Service managed identity form. */
  identityEndpoint: string;
  identityHeader: string;
  /** Client id of the system-assigned (default) managed identity. */
  managedIdentityClientId: string;
  /** Process ids of the emulator and of its Azurite child, and how long the emulator took to get ready. */
  pid: number;
  azuritePid: number;
  startupMs: number;
}

export interface RunningEmulatorHost {
  ready: ReadyLine;
  stop(): Promise<void>;
}

export async function startEmulatorHost(options: EmulatorOptions = {}): Promise<RunningEmulatorHost> {
  const started = performance.now();
  const log = options.log ?? ((message: string) => process.stderr.write(`[emulator] ${message}\n`));
  const timeScale = options.timeScale ?? 1;
  const seed = options.seed ?? loadSeed(options.seedPath);
  const folder = await mkdtemp(join(tmpdir(), "azure-emulator-"));
  const cleanups: Array<() => Promise<void>> = [() => rm(folder, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    // Undo in reverse order of setup; keep going when one step fails.
    for (const cleanup of cleanups.reverse().splice(0)) {
      await cleanup().catch((error: unknown) => log(`stop: ${(error as Error).message}`));
    }
  };

  try {
    const keyPool = await KeyPool.open();
    const takeKey = () => keyPool.take();
    const tls = await createTlsMaterial(folder, takeKey);
    // The listener exists before the port is known; it answers 503 until the services are in place.
    const holder: { services?: HostServices } = {};
    const server = createServer({ key: tls.server.privateKeyPem, cert: `${tls.server.certificatePem.trim()}\n${tls.ca.certificatePem.trim()}\n` }, createRequestListener(() => holder.services));
    const [azurite, stsKey, oidcKey, directory] = await Promise.all([
      startAzurite({ location: join(folder, "azurite"), certPath: tls.serverCertPath, keyPath: tls.serverKeyPath, caCertPath: tls.caCertPath, log }),
      takeKey().then((keys) => SigningKey.create("Offline Azure emulator token signing", keys)),
      takeKey().then((keys) => SigningKey.create("Offline Azure DevOps OIDC signing", keys)),
      Directory.create(seed, takeKey),
      listen(server, options.port ?? 0),
    ]);
    cleanups.push(() => azurite.stop());
    cleanups.push(() => closeServer(server));
    await keyPool.save().catch((error: unknown) => log(`key cache not saved: ${(error as Error).message}`));

    const port = (server.address() as AddressInfo).port;
    const baseUrl = `https://127.0.0.1:${port}`;
    const storage = new AzuriteBlobStorage(azurite.origin, tls.ca.certificatePem);
    cleanups.push(async () => storage.close());
    const faults = new FaultStore();
    const arm = await createArmEmulator({ seed: directory.armSeed(), timeScale, storage, faults: faults.armFaults(), samplesDir });
    cleanups.push(() => arm.close());

    const services: HostServices = {
      baseUrl,
      armUrl: `${baseUrl}/`,
      directory,
      tokens: new AccessTokens(stsKey),
      stsKey,
      oidcKey,
      faults,
      requestLog: new RequestLog(),
      rateLimits: new RateLimits(),
      arm,
      storage,
      systemAccessToken: randomBytes(32).toString("base64url"),
      identityHeader: randomBytes(16).toString("hex"),
      timeScale,
      log,
    };
    holder.services = services;

    const firstTenant = seed.tenants[0];
    const principal = directory.principals.find((entry) => entry.tenantId.toLowerCase() === firstTenant?.id.toLowerCase());
    if (!firstTenant || !principal) throw new Error("The seed needs a tenant with a service principal.");
    const ready: ReadyLine = {
      armUrl: services.armUrl,
      authorityHost: baseUrl,
      tenantId: firstTenant.id,
      subscriptionIds: seed.subscriptions.filter((subscription) => subscription.tenantId.toLowerCase() === firstTenant.id.toLowerCase()).map((subscription) => subscription.id),
      clientId: principal.clientId,
      clientSecret: principal.clientSecret ?? "",
      caCertPath: tls.caCertPath,
      oidcRequestUri: oidcRequestUri(baseUrl, directory),
      systemAccessToken: services.systemAccessToken,
      blobEndpoint: storage.blobEndpoint,
      adminUrl: `${baseUrl}${adminPrefix}`,
      serviceConnectionId: principal.federatedServiceConnections?.[0] ?? "",
      identityEndpoint: `${baseUrl}${managedIdentityPath}`,
      identityHeader: services.identityHeader,
      managedIdentityClientId: directory.managedIdentity()?.clientId ?? "",
      pid: process.pid,
      azuritePid: azurite.pid,
      startupMs: Math.round(performance.now() - started),
    };
    return { ready, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would hold close() open.
    server.closeAllConnections();
  });
}
