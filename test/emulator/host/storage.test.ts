// The storage backend over a real Azurite (HTTPS with the emulator's certificate): lab containers, blob
// operations, and SAS URLs that @azure/storage-blob can use, including server-side copies from one SAS URL to
// another.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAzurite, type AzuriteProcess } from "../storage/azurite";
import { AzuriteBlobStorage, devAccountName } from "../storage/blob-backend";
import { createTlsMaterial, type TlsMaterial } from "../server/tls";
import type { Outcome } from "./support/credential-checks";
import { runChild } from "./support/run-child";
import type { SasCheckInput } from "./support/sas-checks";

const factoryLab = "/subscriptions/20000000-0000-4000-8000-000000000001/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab";
const teamLab = "/subscriptions/20000000-0000-4000-8000-000000000002/resourceGroups/teams-rg/providers/Microsoft.DevTestLab/labs/TeamLabA";

describe("emulator storage over Azurite", function () {
  this.timeout(60_000);
  let folder: string;
  let tls: TlsMaterial;
  let azurite: AzuriteProcess;
  let storage: AzuriteBlobStorage;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "emulator-storage-test-"));
    tls = await createTlsMaterial(folder);
    azurite = await startAzurite({ location: join(folder, "azurite"), certPath: tls.serverCertPath, keyPath: tls.serverKeyPath, caCertPath: tls.caCertPath, log: () => undefined });
    storage = new AzuriteBlobStorage(azurite.origin, tls.ca.certificatePem);
  });

  after(async () => {
    storage?.close();
    await azurite?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it("maps a lab and a purpose to its own container, case-insensitively", () => {
    const uploads = storage.labContainer(factoryLab, "uploads");
    assert.equal(uploads.account, devAccountName);
    assert.match(uploads.container, /^uploads-[0-9a-f]{12}$/);
    assert.deepEqual(storage.labContainer(factoryLab.toLowerCase(), "uploads"), uploads);
    assert.notEqual(storage.labContainer(teamLab, "uploads").container, uploads.container);
    assert.notEqual(storage.labContainer(factoryLab, "vhds").container, uploads.container);
    assert.match(storage.labContainer(factoryLab, "Odd Purpose_1").container, /^odd-purpose-1-[0-9a-f]{12}$/);
  });

  it("creates containers idempotently and puts, lists, checks and deletes blobs", async () => {
    const { account, container } = storage.labContainer(factoryLab, "artifacts");
    await storage.ensureContainer(account, container);
    await storage.ensureContainer(account, container);
    await storage.putBlob(account, container, "scripts/run me.ps1", Buffer.from("Write-Host hi"));
    await storage.putBlob(account, container, "readme.md", Buffer.from("#"));
    assert.deepEqual((await storage.listBlobs(account, container)).sort(), ["readme.md", "scripts/run me.ps1"]);
    assert.equal(await storage.blobExists(account, container, "scripts/run me.ps1"), true);
    await storage.deleteBlob(account, container, "scripts/run me.ps1");
    await storage.deleteBlob(account, container, "scripts/run me.ps1");
    assert.equal(await storage.blobExists(account, container, "scripts/run me.ps1"), false);
    assert.deepEqual(await storage.listBlobs(account, "no-such-container"), []);
  });

  it("hands out HTTPS-only SAS URLs that @azure/storage-blob can upload, download and copy server-side with", async () => {
    const uploads = storage.labContainer(factoryLab, "uploads");
    const vhds = storage.labContainer(teamLab, "vhds");
    await storage.ensureContainer(uploads.account, uploads.container);
    await storage.ensureContainer(vhds.account, vhds.container);
    const hour = new Date(Date.now() + 60 * 60 * 1000);
    const blobName = "images/golden win2022.vhd";
    const input: SasCheckInput = {
      uploadContainerSas: storage.sasUrl({ ...uploads, permissions: "rcw", expiresOn: hour }),
      uploadedBlobReadSas: storage.sasUrl({ ...uploads, blob: blobName, permissions: "r", expiresOn: hour }),
      syncCopyTargetSas: storage.sasUrl({ ...vhds, blob: "sync-copy.vhd", permissions: "rcw", expiresOn: hour }),
      asyncCopyTargetSas: storage.sasUrl({ ...vhds, blob: "async-copy.vhd", permissions: "rcw", expiresOn: hour }),
      readOnlySas: storage.sasUrl({ ...vhds, blob: "read-only.vhd", permissions: "r", expiresOn: hour }),
      expiredSas: storage.sasUrl({ ...uploads, blob: blobName, permissions: "r", expiresOn: new Date(Date.now() - 60_000) }),
      blobName,
      content: "not really a VHD",
    };
    for (const url of [input.uploadContainerSas, input.uploadedBlobReadSas]) {
      const query = new URL(url).searchParams;
      assert.equal(query.get("spr"), "https");
      assert.ok(query.get("sig") && query.get("se") && query.get("sv"));
    }
    assert.equal(new URL(input.uploadContainerSas).searchParams.get("sr"), "c");
    assert.equal(new URL(input.uploadedBlobReadSas).searchParams.get("sr"), "b");

    const results = await runChild<Record<string, Outcome>>(join(__dirname, "support", "sas-checks.ts"), input, { NODE_EXTRA_CA_CERTS: tls.caCertPath });
    const value = (name: string): unknown => {
      const result = results[name];
      assert.ok(result?.ok, `${name}: ${JSON.stringify(result)}`);
      return result.value;
    };
    assert.equal(value("upload"), "uploaded");
    assert.equal(value("download"), input.content);
    assert.deepEqual(value("syncCopy"), { copyStatus: "success", content: input.content });
    assert.deepEqual(value("asyncCopy"), { copyStatus: "success", content: input.content });
    const refused = results.writeWithReadOnlySas;
    assert.ok(refused && !refused.ok && refused.error.statusCode === 403, JSON.stringify(refused));
    const expired = results.readWithExpiredSas;
    assert.ok(expired && !expired.ok && expired.error.statusCode === 403, JSON.stringify(expired));

    assert.deepEqual((await storage.listBlobs(vhds.account, vhds.container)).sort(), ["async-copy.vhd", "sync-copy.vhd"]);
    assert.equal(await storage.blobExists(uploads.account, uploads.container, blobName), true);
  });

  it("deletes every container on reset", async () => {
    const { account, container } = storage.labContainer(teamLab, "uploads");
    await storage.ensureContainer(account, container);
    await storage.putBlob(account, container, "x", Buffer.from("x"));
    await storage.deleteAllContainers();
    assert.equal(await storage.blobExists(account, container, "x"), false);
    await storage.ensureContainer(account, container);
  });
});
