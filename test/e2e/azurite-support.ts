// Reading the emulator's blobs (Azurite) from a test, to check what a task left in storage. Storage's own SDK
// pipeline cannot take the https.Agent that trusts the emulator's CA, so these are plain REST calls with an account
// SAS made from the development account's published key.
import { strict as assert } from "node:assert";
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, SASProtocol, StorageSharedKeyCredential } from "@azure/storage-blob";
import { send, type RunningEmulator } from "../emulator/client";
import { devAccountKey, devAccountName } from "../emulator/storage/blob-backend";

/** The containers whose names start with `prefix`, each with its blobs' names. */
export async function azuriteBlobs(emulator: RunningEmulator, prefix: string): Promise<Map<string, string[]>> {
  const endpoint = emulator.ready.blobEndpoint.replace(/\/+$/, "");
  const sas = generateAccountSASQueryParameters(
    {
      permissions: AccountSASPermissions.parse("rl"),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      services: AccountSASServices.parse("b").toString(),
      expiresOn: new Date(Date.now() + 10 * 60_000),
      protocol: SASProtocol.Https,
    },
    new StorageSharedKeyCredential(devAccountName, devAccountKey),
  ).toString();
  const list = async (path: string, query: string, item: RegExp): Promise<string[]> => {
    const { status, text } = await send(emulator.httpsAgent, "GET", `${endpoint}${path}?${query}&${sas}`, undefined, { "x-ms-version": "2025-01-05" });
    // A container a task's clean-up removed between the two listings.
    if (status === 404) return [];
    assert.equal(status, 200, `Azurite list ${path}?${query}: ${status} ${text.slice(0, 300)}`);
    return [...text.matchAll(item)].map((match) => match[1] ?? "");
  };
  const found = new Map<string, string[]>();
  for (const container of await list("/", `comp=list&prefix=${encodeURIComponent(prefix)}`, /<Container>[\s\S]*?<Name>([\s\S]*?)<\/Name>/g)) {
    found.set(container, await list(`/${encodeURIComponent(container)}`, "restype=container&comp=list", /<Blob>[\s\S]*?<Name>([\s\S]*?)<\/Name>/g));
  }
  return found;
}
