// Custom images captured from VMs (snapshot, managedSnapshotId, no osType) and made from VHDs in the lab's
// uploads container (present, missing, elsewhere); snapshot access grants and their revocation.
import assert from "node:assert/strict";
import { Harness, LAB_PATH, LAB_RG, SUB, body, propsOf } from "./testing/harness";

type Obj = Record<string, unknown>;
const errorOf = (res: { body?: unknown }): Obj => (body(res)["error"] ?? {}) as Obj;

const UBUNTU = { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" };
const WINDOWS = { offer: "WindowsServer", publisher: "MicrosoftWindowsServer", sku: "2022-datacenter", osType: "Windows", version: "latest" };

async function makeVm(h: Harness, name: string, image: Obj): Promise<string> {
  const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/${name}`, { body: { location: "westus", properties: { size: "Standard_DS1_v2", userName: "u", password: "Pw-12345678!", galleryImageReference: image } } });
  await h.finish(put);
  return String(body(put)["id"]);
}

describe("ARM emulator: custom images and snapshots", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(async () => h.close());

  it("captures a custom image from a VM as recorded: snapshot, managedSnapshotId, author, no osType", async () => {
    const vmId = await makeVm(h, "linuxvm1", UBUNTU);
    const put = await h.call("PUT", `${LAB_PATH}/customimages/image_000001`, { body: { properties: { vm: { linuxOsInfo: { linuxOsState: "NonDeprovisioned" }, sourceVmId: vmId } } } });
    assert.equal(put.status, 201);
    assert.deepEqual(Object.keys(body(put)), ["properties", "id", "name", "type"], "no location when none was sent (recorded)");
    const p = propsOf(put);
    assert.deepEqual(p["vm"], { sourceVmId: vmId, linuxOsInfo: { linuxOsState: "NonDeprovisioned" } });
    assert.equal(p["author"], "factory-sp");
    assert.equal(p["provisioningState"], "Creating");
    assert.equal(p["managedSnapshotId"], undefined);
    assert.deepEqual(await h.finish(put), { status: "Succeeded" });
    const done = propsOf(await h.call("GET", `${LAB_PATH}/customimages/image_000001`));
    assert.equal(done["provisioningState"], "Succeeded");
    assert.equal(done["managedSnapshotId"], `/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft.compute/snapshots/image_000001`);
    assert.equal(done["osType"], undefined);
    assert.equal(done["vhd"], undefined);
    assert.match(String(done["creationDate"]), /\+00:00$/);
    const snapshot = await h.call("GET", String(done["managedSnapshotId"]), { apiVersion: "2023-10-02" });
    assert.equal(snapshot.status, 200);
    assert.equal((propsOf(snapshot)["creationData"] as Obj)["createOption"], "Copy");
    assert.equal(propsOf(snapshot)["osType"], "Linux");

    const list = await h.call("GET", `${LAB_PATH}/customimages`);
    assert.deepEqual((body(list)["value"] as Obj[]).map((i) => i["name"]), ["image_000001"]);
  });

  it("checks the OS state against the VM's OS and the VM's existence", async () => {
    const vmId = await makeVm(h, "winvm", WINDOWS);
    const wrong = await h.call("PUT", `${LAB_PATH}/customimages/x`, { body: { properties: { vm: { sourceVmId: vmId, linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } } } });
    assert.equal(wrong.status, 400);
    const missing = await h.call("PUT", `${LAB_PATH}/customimages/x`, { body: { properties: { vm: { sourceVmId: `${LAB_PATH}/virtualmachines/none`, windowsOsInfo: { windowsOsState: "SysprepApplied" } } } } });
    assert.equal(missing.status, 404);
    const neither = await h.call("PUT", `${LAB_PATH}/customimages/x`, { body: { properties: { description: "?" } } });
    assert.equal(neither.status, 400);
    const ok = await h.call("PUT", `${LAB_PATH}/customimages/golden`, { body: { properties: { description: "Golden", vm: { sourceVmId: vmId, windowsOsInfo: { windowsOsState: "SysprepRequested" } } } } });
    assert.deepEqual(await h.finish(ok), { status: "Succeeded" });
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/customimages/golden`))["description"], "Golden");
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/winvm`))["lastKnownPowerState"], "Stopped", "DTL sysprepped and deallocated it");
    // a VM from the custom image
    const fromImage = await h.call("PUT", `${LAB_PATH}/virtualmachines/fromgolden`, { body: { location: "westus", properties: { customImageId: `${LAB_PATH}/customimages/golden`, size: "Standard_DS1_v2", userName: "u", password: "Pw-12345678!" } } });
    assert.equal(fromImage.status, 201);
    await h.finish(fromImage);
    const vm = propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/fromgolden`));
    assert.equal(vm["virtualMachineCreationSource"], "FromCustomImage");
    assert.equal(vm["osType"], "Windows");
  });

  it("makes an image from a VHD uploaded to the lab; a missing blob fails the operation; another account is refused", async () => {
    const upload = await h.call("POST", `${LAB_PATH}/generateUploadUri`, { body: { blobName: "base.vhd" } });
    const uploadUri = new URL(String(body(upload)["uploadUri"]));
    const blobUri = `${uploadUri.origin}${uploadUri.pathname}`;
    const [, account = "", container = "", blob = ""] = uploadUri.pathname.split("/");
    await h.storage.putBlob(account, container, blob, Buffer.alloc(1024));

    const put = await h.call("PUT", `${LAB_PATH}/customimages/fromvhd`, { body: { properties: { vhd: { imageName: blobUri, sysPrep: true, osType: "windows" }, description: "uploaded" } } });
    assert.equal(put.status, 201);
    assert.deepEqual(propsOf(put)["vhd"], { imageName: blobUri, sysPrep: true, osType: "Windows" });
    assert.deepEqual(await h.finish(put), { status: "Succeeded" });
    const p = propsOf(await h.call("GET", `${LAB_PATH}/customimages/fromvhd`));
    assert.equal(p["provisioningState"], "Succeeded");
    assert.match(String(p["managedImageId"]), /\/providers\/microsoft\.compute\/images\/fromvhd$/);

    const missing = await h.call("PUT", `${LAB_PATH}/customimages/novhd`, { body: { properties: { vhd: { imageName: `${uploadUri.origin}/${account}/${container}/nothere.vhd`, sysPrep: false, osType: "Linux" } } } });
    assert.equal(missing.status, 201);
    const end = await h.finish(missing);
    assert.equal(end["status"], "Failed");
    assert.equal((end["error"] as Obj)["code"], "InvalidParameter");
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/customimages/novhd`))["provisioningState"], "Failed");

    const elsewhere = await h.call("PUT", `${LAB_PATH}/customimages/elsewhere`, { body: { properties: { vhd: { imageName: "https://MyStorageAccount1.blob.core.windows.net/uploads/MyImage1.vhd", sysPrep: false, osType: "Windows" } } } });
    assert.equal(elsewhere.status, 400);
    assert.deepEqual(errorOf(elsewhere), { code: "InvalidStorageAccountForLab", message: "Invalid storage account for lab" });
  });

  it("deleting a custom image removes its snapshot and the snapshot's VHD", async () => {
    const vmId = await makeVm(h, "linuxvm1", UBUNTU);
    await h.finish(await h.call("PUT", `${LAB_PATH}/customimages/img`, { body: { properties: { vm: { sourceVmId: vmId, linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } } } }));
    const snapshotId = String(propsOf(await h.call("GET", `${LAB_PATH}/customimages/img`))["managedSnapshotId"]);
    const lab = String(body(await h.call("GET", LAB_PATH))["id"]);
    const { account, container } = h.storage.labContainer(lab, "snapshots");
    assert.equal((await h.storage.listBlobs(account, container)).length, 1);
    const del = await h.call("DELETE", `${LAB_PATH}/customimages/img`);
    assert.equal(del.status, 202);
    assert.deepEqual(await h.finish(del), { status: "Succeeded" });
    assert.equal((await h.call("GET", `${LAB_PATH}/customimages/img`)).status, 404);
    assert.equal((await h.call("GET", snapshotId, { apiVersion: "2023-10-02" })).status, 404);
    assert.deepEqual(await h.storage.listBlobs(account, container), []);
  });

  it("beginGetAccess gives a read SAS to the snapshot's VHD; endGetAccess makes it stop working", async () => {
    const vmId = await makeVm(h, "linuxvm1", UBUNTU);
    await h.finish(await h.call("PUT", `${LAB_PATH}/customimages/img`, { body: { properties: { vm: { sourceVmId: vmId, linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } } } }));
    const snapshot = `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Compute/snapshots/img`;
    const v = { apiVersion: "2023-10-02" };
    const grant = await h.call("POST", `${snapshot}/beginGetAccess`, { ...v, body: { access: "Read", durationInSeconds: 3600 } });
    assert.equal(grant.status, 202);
    assert.match(grant.headers?.["Azure-AsyncOperation"] ?? "", /\/providers\/Microsoft\.Compute\/locations\/westus\/DiskOperations\/[0-9a-f-]{36}\?p=/);
    assert.match(grant.headers?.["Location"] ?? "", /monitor=true/);
    const status = await h.finish(grant);
    assert.equal(status["status"], "Succeeded");
    const sas = String(((status["properties"] as Obj)["output"] as Obj)["accessSAS"]);
    const final = await h.call("GET", grant.headers?.["Location"] ?? "");
    assert.equal(final.status, 200);
    assert.equal(body(final)["accessSAS"], sas, "the Location result is {accessSAS} as the SDK reads it");
    const download = await h.storage.fetchBlobUrl(sas);
    assert.equal(download.status, 200);
    assert.equal(download.body?.subarray(download.body.length - 512, download.body.length - 504).toString("ascii"), "conectix", "a VHD footer");
    assert.equal(propsOf(await h.call("GET", snapshot, v))["diskState"], "ActiveSAS");
    assert.equal((await h.call("DELETE", snapshot, v)).status, 400, "no delete while a SAS is out");

    await h.finish(await h.call("POST", `${snapshot}/endGetAccess`, v));
    assert.equal((await h.storage.fetchBlobUrl(sas)).status, 404, "the revoked SAS no longer reads");
    assert.equal(propsOf(await h.call("GET", snapshot, v))["diskState"], "Unattached");
    const again = await h.finish(await h.call("POST", `${snapshot}/beginGetAccess`, { ...v, body: { access: "Read", durationInSeconds: 60 } }));
    const sas2 = String(((again["properties"] as Obj)["output"] as Obj)["accessSAS"]);
    assert.notEqual(sas2, sas);
    assert.equal((await h.storage.fetchBlobUrl(sas2)).status, 200);
  });

  it("copies a snapshot into another subscription and region (distribution)", async () => {
    const vmId = await makeVm(h, "linuxvm1", UBUNTU);
    await h.finish(await h.call("PUT", `${LAB_PATH}/customimages/img`, { body: { properties: { vm: { sourceVmId: vmId, linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } } } }));
    const source = `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Compute/snapshots/img`;
    const target = `/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-team/providers/Microsoft.Compute/snapshots/img-copy`;
    const put = await h.call("PUT", target, { apiVersion: "2023-10-02", body: { location: "eastus", properties: { creationData: { createOption: "CopyStart", sourceResourceId: source } } } });
    assert.equal(put.status, 202);
    assert.equal((await h.finish(put))["status"], "Succeeded");
    const copy = await h.call("GET", target, { apiVersion: "2023-10-02" });
    assert.equal(body(copy)["location"], "eastus");
    assert.equal(propsOf(copy)["osType"], "Linux");
  });

  it("managed images and gallery image versions (minimal)", async () => {
    const v = { apiVersion: "2023-07-03" };
    const base = `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Compute`;
    const versionWithoutParent = await h.call("PUT", `${base}/galleries/g1/images/def/versions/1.0.0`, { ...v, body: { location: "westus", properties: {} } });
    assert.equal(versionWithoutParent.status, 404);
    await h.finish(await h.call("PUT", `${base}/galleries/g1`, { ...v, body: { location: "westus", properties: {} } }));
    await h.finish(await h.call("PUT", `${base}/galleries/g1/images/def`, { ...v, body: { location: "westus", properties: { osType: "Linux", osState: "Generalized", identifier: { publisher: "p", offer: "o", sku: "s" } } } }));
    const ver = await h.call("PUT", `${base}/galleries/g1/images/def/versions/1.0.0`, { ...v, body: { location: "westus", properties: { storageProfile: { source: { id: `${base}/images/x` } } } } });
    assert.equal(ver.status, 201);
    assert.equal(propsOf(ver)["provisioningState"], "Creating");
    await h.finish(ver);
    const got = await h.call("GET", `${base}/galleries/g1/images/def/versions/1.0.0`, v);
    assert.equal(propsOf(got)["provisioningState"], "Succeeded");
    assert.ok((propsOf(got)["publishingProfile"] as Obj)["publishedDate"]);
    const versions = await h.call("GET", `${base}/galleries/g1/images/def/versions`, v);
    assert.equal((body(versions)["value"] as Obj[]).length, 1);
    assert.equal((await h.call("DELETE", `${base}/galleries/g1`, v)).status, 409, "a gallery with images cannot go");
    await h.finish(await h.call("DELETE", `${base}/galleries/g1/images/def/versions/1.0.0`, v));
    assert.equal((await h.call("GET", `${base}/galleries/g1/images/def/versions/1.0.0`, v)).status, 404);
  });
});
