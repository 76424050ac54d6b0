// An in-memory StorageBackend for tests of the ARM layer alone (the real one runs over Azurite). SAS URLs
// carry a fake signature checked by fetchBlobUrl, which honours expiry, permissions and deleted blobs.
import { createHash } from "node:crypto";
import type { StorageBackend } from "../../core/contracts";

export class MemoryStorage implements StorageBackend {
  readonly blobEndpoint = "https://127.0.0.1:10000/devstoreaccount1";
  private readonly containers = new Map<string, Map<string, Buffer>>();

  labContainer(labId: string, purpose: string): { account: string; container: string } {
    const hash = createHash("sha256").update(labId.toLowerCase()).digest("hex").slice(0, 10);
    return { account: "devstoreaccount1", container: `${purpose}-${hash}` };
  }

  async ensureContainer(account: string, container: string): Promise<void> {
    const key = `${account}/${container}`;
    if (!this.containers.has(key)) this.containers.set(key, new Map());
  }

  sasUrl(options: { account: string; container: string; blob?: string; permissions: string; expiresOn: Date }): string {
    const path = options.blob ? `${options.container}/${options.blob.split("/").map(encodeURIComponent).join("/")}` : options.container;
    const se = options.expiresOn.toISOString().replace(/\.\d{3}Z$/, "Z");
    return `https://127.0.0.1:10000/${options.account}/${path}?sv=2023-01-03&spr=https&se=${encodeURIComponent(se)}&sr=${options.blob ? "b" : "c"}&sp=${options.permissions}&sig=fake`;
  }

  async putBlob(account: string, container: string, blob: string, content: Buffer): Promise<void> {
    const c = this.containers.get(`${account}/${container}`);
    if (!c) throw new Error(`The container ${container} does not exist.`);
    c.set(blob, content);
  }

  async blobExists(account: string, container: string, blob: string): Promise<boolean> {
    return this.containers.get(`${account}/${container}`)?.has(blob) ?? false;
  }

  async deleteBlob(account: string, container: string, blob: string): Promise<void> {
    this.containers.get(`${account}/${container}`)?.delete(blob);
  }

  async listBlobs(account: string, container: string): Promise<string[]> {
    return [...(this.containers.get(`${account}/${container}`)?.keys() ?? [])];
  }

  async fetchBlobUrl(url: string): Promise<{ status: number; body?: Buffer }> {
    const u = new URL(url);
    if (u.searchParams.get("sig") !== "fake" || !(u.searchParams.get("sp") ?? "").includes("r")) return { status: 403 };
    const se = u.searchParams.get("se");
    if (!se || new Date(se).getTime() < Date.now()) return { status: 403 };
    const [account = "", container = "", ...rest] = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const body = this.containers.get(`${account}/${container}`)?.get(rest.join("/"));
    return body ? { status: 200, body } : { status: 404 };
  }
}
