// StorageBackend over Azurite. All labs share Azurite's well-known account devstoreaccount1; a lab's blobs of one
// purpose live in the container `<purpose>-<12 hex of sha256(lower-case lab id)>` (e.g. uploads-3f2a9c0d1b4e),
// so any lab, seeded or created at run time, has its own containers without restarting Azurite.
//
// The emulator talks to Azurite with plain HTTPS requests signed by an account SAS rather than through
// @azure/storage-blob's clients, because those cannot be told to trust the emulator's CA in this process
// (NODE_EXTRA_CA_CERTS is read at start). The SAS URLs it hands out are made by @azure/storage-blob's own
// generators, so they are exactly what the service would accept.
import { createHash } from "node:crypto";
import { Agent, request as httpsRequest } from "node:https";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobSASPermissions,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import type { StorageBackend } from "../core/contracts";

/** Azurite's (and the storage emulator's) published development account and key. */
export const devAccountName = "devstoreaccount1";
export const devAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

interface HttpResult {
  status: number;
  body: string;
}

export class AzuriteBlobStorage implements StorageBackend {
  readonly blobEndpoint: string;
  private readonly credential = new StorageSharedKeyCredential(devAccountName, devAccountKey);
  private readonly agent: Agent;

  constructor(origin: string, caCertificatePem: string) {
    this.blobEndpoint = `${origin}/${devAccountName}`;
    this.agent = new Agent({ ca: caCertificatePem, keepAlive: true });
  }

  labContainer(labId: string, purpose: string): { account: string; container: string } {
    const hash = createHash("sha256").update(labId.toLowerCase()).digest("hex").slice(0, 12);
    const cleanPurpose = purpose.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "").slice(0, 50) || "blobs";
    return { account: devAccountName, container: `${cleanPurpose}-${hash}` };
  }

  async ensureContainer(account: string, container: string): Promise<void> {
    const result = await this.send("PUT", account, `/${encodeURIComponent(container)}`, "restype=container");
    if (result.status !== 201 && result.status !== 409) throw storageError("create container", container, result);
  }

  sasUrl(options: { account: string; container: string; blob?: string; permissions: string; expiresOn: Date }): string {
    this.checkAccount(options.account);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: options.container,
        blobName: options.blob,
        permissions: options.blob !== undefined ? BlobSASPermissions.parse(options.permissions) : ContainerSASPermissions.parse(options.permissions),
        // A little in the past, so a client whose clock runs behind can use it at once.
        startsOn: new Date(Date.now() - 5 * 60 * 1000),
        expiresOn: options.expiresOn,
        protocol: SASProtocol.Https,
      },
      this.credential,
    ).toString();
    return `${this.blobEndpoint}${resourcePath(options.container, options.blob)}?${sas}`;
  }

  async putBlob(account: string, container: string, blob: string, content: Buffer): Promise<void> {
    const result = await this.send("PUT", account, resourcePath(container, blob), "", content, { "x-ms-blob-type": "BlockBlob", "content-type": "application/octet-stream" });
    if (result.status !== 201) throw storageError("put blob", `${container}/${blob}`, result);
  }

  async blobExists(account: string, container: string, blob: string): Promise<boolean> {
    const result = await this.send("HEAD", account, resourcePath(container, blob), "");
    if (result.status === 200) return true;
    if (result.status === 404) return false;
    throw storageError("read blob properties", `${container}/${blob}`, result);
  }

  /** Deleting a blob that is not there is not an error. */
  async deleteBlob(account: string, container: string, blob: string): Promise<void> {
    const result = await this.send("DELETE", account, resourcePath(container, blob), "", undefined, { "x-ms-delete-snapshots": "include" });
    if (result.status !== 202 && result.status !== 404) throw storageError("delete blob", `${container}/${blob}`, result);
  }

  async listBlobs(account: string, container: string): Promise<string[]> {
    const names: string[] = [];
    let marker = "";
    do {
      const result = await this.send("GET", account, `/${encodeURIComponent(container)}`, `restype=container&comp=list${marker ? `&marker=${encodeURIComponent(marker)}` : ""}`);
      if (result.status === 404) return [];
      if (result.status !== 200) throw storageError("list blobs", container, result);
      names.push(...xmlValues(result.body, /<Blob>[\s\S]*?<Name>([\s\S]*?)<\/Name>/g));
      marker = xmlValues(result.body, /<NextMarker>([\s\S]*?)<\/NextMarker>/g)[0] ?? "";
    } while (marker);
    return names;
  }

  /**
   * GETs a blob URL (with its SAS) as ARM downloads a templateLink, through the agent that trusts the emulator's CA
   * (this process does not: NODE_EXTRA_CA_CERTS is read at start). Azurite checks the SAS.
   */
  fetchBlobUrl(url: string): Promise<{ status: number; body?: Buffer }> {
    const target = new URL(url);
    if (target.origin !== new URL(this.blobEndpoint).origin) return Promise.resolve({ status: 404 });
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(target, { method: "GET", agent: this.agent, headers: { "x-ms-version": "2025-01-05" } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on("error", reject);
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
  }

  /** Removes every container (admin reset: back to the seed). */
  async deleteAllContainers(): Promise<void> {
    const result = await this.send("GET", devAccountName, "/", "comp=list");
    if (result.status !== 200) throw storageError("list containers", devAccountName, result);
    for (const name of xmlValues(result.body, /<Container>[\s\S]*?<Name>([\s\S]*?)<\/Name>/g)) {
      const deleted = await this.send("DELETE", devAccountName, `/${encodeURIComponent(name)}`, "restype=container");
      if (deleted.status !== 202 && deleted.status !== 404) throw storageError("delete container", name, deleted);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private checkAccount(account: string): void {
    if (account !== devAccountName) throw new Error(`Unknown storage account '${account}': the emulator keeps every lab's blobs in ${devAccountName}.`);
  }

  /** One request to Azurite, authorised by a short account SAS appended to the query. */
  private send(method: string, account: string, path: string, query: string, body?: Buffer, headers: Record<string, string> = {}): Promise<HttpResult> {
    this.checkAccount(account);
    const sas = generateAccountSASQueryParameters(
      {
        permissions: AccountSASPermissions.parse("rwdlacup"),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        services: AccountSASServices.parse("b").toString(),
        expiresOn: new Date(Date.now() + 10 * 60 * 1000),
        protocol: SASProtocol.Https,
      },
      this.credential,
    ).toString();
    const url = new URL(`${this.blobEndpoint}${path}?${query ? `${query}&` : ""}${sas}`);
    return new Promise((resolve, reject) => {
      const outgoing = httpsRequest(url, { method, agent: this.agent, headers: { "x-ms-version": "2025-01-05", "content-length": String(body?.length ?? 0), ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      });
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }
}

/** `/container` or `/container/blob/path`, each segment percent-encoded. */
function resourcePath(container: string, blob?: string): string {
  const blobPath = blob === undefined ? "" : `/${blob.split("/").map(encodeURIComponent).join("/")}`;
  return `/${encodeURIComponent(container)}${blobPath}`;
}

function xmlValues(xml: string, pattern: RegExp): string[] {
  return [...xml.matchAll(pattern)].map((match) => decodeXml(match[1] ?? ""));
}

function decodeXml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

function storageError(operation: string, target: string, result: HttpResult): Error {
  const code = /<Code>([^<]*)<\/Code>/.exec(result.body)?.[1];
  return new Error(`Azurite could not ${operation} ${target}: HTTP ${result.status}${code ? ` ${code}` : ""}.`);
}
