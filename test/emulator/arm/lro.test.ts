// Long-running operations compared with the recorded service traffic: status codes, which headers are
// present, the status URL's form and the exact status bodies; Location polling; fault injection.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { Harness, LAB_PATH, LAB_RG, SUB, body, propsOf } from "./testing/harness";

const RECORDINGS = join(__dirname, "../../fixtures/recordings");

interface Shape {
  status: number;
  asyncOperation: boolean;
  location: boolean;
  retryAfter: boolean;
  bodyEmpty: boolean;
}

/** The LRO shape of every recorded DTL write (api-version 2018-09-15), by "METHOD kind". */
function recordedShapes(): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const file of ["azure-cli-test_lab_custom_image.yaml", "azure-cli-test_lab_vm.yaml", "test_mgmt_devtestlabs.test_devtestlabs.yaml"]) {
    const doc = YAML.parse(readFileSync(join(RECORDINGS, file), "utf8")) as {
      interactions: { request: { method: string; uri: string }; response: { status: { code: number }; headers: Record<string, string[]>; body?: { string?: string } } }[];
    };
    for (const it of doc.interactions) {
      const uri = decodeURIComponent(it.request.uri);
      if (!/Microsoft\.DevTestLab\/labs/i.test(uri) || !/api-version=2018-09-15/.test(uri) || it.request.method === "GET") continue;
      const kind = /\/(customimages|virtualmachines)\/[^/?]+(?:\/(\w+))?\?/i.exec(uri);
      const key = `${it.request.method} ${kind ? (kind[2] ? `vm action` : kind[1]?.toLowerCase()) : "lab"}`;
      const h = Object.fromEntries(Object.entries(it.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      shapes.set(key, {
        status: it.response.status.code,
        asyncOperation: "azure-asyncoperation" in h,
        location: "location" in h,
        retryAfter: "retry-after" in h,
        bodyEmpty: !it.response.body?.string,
      });
    }
  }
  return shapes;
}

function shapeOf(res: { status: number; headers?: Record<string, string>; body?: unknown }): Shape {
  const h = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { status: res.status, asyncOperation: "azure-asyncoperation" in h, location: "location" in h, retryAfter: "retry-after" in h, bodyEmpty: res.body === undefined };
}

const LINUX_VM = {
  location: "westus",
  properties: {
    size: "Standard_DS1_v2",
    userName: "labuser",
    password: "S3cret-Passw0rd!",
    galleryImageReference: { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" },
    labSubnetName: "DtlFactoryLabSubnet",
    labVirtualNetworkId: "/virtualnetworks/dtlfactorylab",
    disallowPublicIpAddress: true,
  },
};

describe("ARM emulator: long-running operations as recorded", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(async () => h.close());

  it("DTL writes have the recorded status codes, headers and bodies", async () => {
    const recorded = recordedShapes();
    assert.ok(recorded.size >= 5, "the recordings hold the DTL writes");

    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/linuxvm1`, { body: LINUX_VM });
    await h.finish(put);
    const image = await h.call("PUT", `${LAB_PATH}/customimages/image1`, {
      body: { properties: { vm: { sourceVmId: body(put)["id"], linuxOsInfo: { linuxOsState: "NonDeprovisioned" } } } },
    });
    await h.finish(image);
    const claimable = await h.call("PUT", `${LAB_PATH}/virtualmachines/claimable1`, { body: { ...LINUX_VM, properties: { ...LINUX_VM.properties, allowClaim: true } } });
    await h.finish(claimable);
    const action = await h.call("POST", `${LAB_PATH}/virtualmachines/claimable1/claim`);
    await h.finish(action);
    const deleteImage = await h.call("DELETE", `${LAB_PATH}/customimages/image1`);
    await h.finish(deleteImage);
    const deleteVm = await h.call("DELETE", `${LAB_PATH}/virtualmachines/linuxvm1`);
    await h.finish(deleteVm);
    const newLab = await h.call("PUT", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/pylab1`, { body: { location: "westus" } });
    await h.finish(newLab);
    const deleteLab = await h.call("DELETE", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/pylab1`);

    const ours: Record<string, Shape> = {
      "PUT customimages": shapeOf(image),
      "DELETE customimages": shapeOf(deleteImage),
      "DELETE virtualmachines": shapeOf(deleteVm),
      "POST vm action": shapeOf(action),
      "PUT lab": shapeOf(newLab),
      "DELETE lab": shapeOf(deleteLab),
    };
    for (const [key, shape] of Object.entries(ours)) {
      const expected = recorded.get(key);
      assert.ok(expected, `a recording of ${key}`);
      assert.deepEqual(shape, expected, key);
    }
    // a VM PUT has the PUT shape of the other DTL resources
    assert.deepEqual(shapeOf(put), recorded.get("PUT customimages"));
  });

  it("PUT: 201, Creating, Azure-AsyncOperation to the DTL operations URL; polls say Running then Succeeded", async () => {
    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/linuxvm1`, { body: LINUX_VM });
    assert.equal(put.status, 201);
    assert.equal(propsOf(put)["provisioningState"], "Creating");
    const url = put.headers?.["Azure-AsyncOperation"] ?? "";
    assert.match(url, new RegExp(`^https://127\\.0\\.0\\.1:8443/subscriptions/${SUB}/providers/Microsoft\\.DevTestLab/locations/westus/operations/\\d{8}-[0-9a-f-]{36}\\?api-version=2018-09-15$`));
    assert.equal(put.headers?.["Location"], undefined);
    assert.equal(put.headers?.["Retry-After"], undefined);
    const seen = await h.pollStatus(url);
    assert.deepEqual(seen[0], { status: "Running" }, "the first poll says Running, as every recording shows");
    assert.deepEqual(seen[seen.length - 1], { status: "Succeeded" });
    for (const s of seen.slice(0, -1)) assert.deepEqual(s, { status: "Running" });
    const vm = await h.call("GET", `${LAB_PATH}/virtualmachines/linuxvm1`);
    assert.equal(propsOf(vm)["provisioningState"], "Succeeded");
  });

  it("DELETE and POST: 202, empty body, Azure-AsyncOperation and Location (?monitor=true); Location answers 202 then 204/200 + OperationResult", async () => {
    await h.finish(await h.call("PUT", `${LAB_PATH}/virtualmachines/linuxvm1`, { body: LINUX_VM }));
    const stop = await h.call("POST", `${LAB_PATH}/virtualmachines/linuxvm1/stop`);
    assert.equal(stop.status, 202);
    assert.equal(stop.body, undefined);
    const location = stop.headers?.["Location"] ?? "";
    assert.match(location, /\/operations\/\d{8}-[0-9a-f-]{36}\?monitor=true&api-version=2018-09-15$/);
    assert.equal(location.replace("monitor=true&", ""), stop.headers?.["Azure-AsyncOperation"]);
    const first = await h.call("GET", location);
    assert.equal(first.status, 202, "running: 202");
    assert.ok(first.headers?.["Location"]);
    const done = await h.call("GET", location);
    assert.equal(done.status, 200);
    assert.deepEqual(done.body, { status: "Succeeded" }, "Operations_Get's 200 carries an OperationResult (swagger)");

    const del = await h.call("DELETE", `${LAB_PATH}/virtualmachines/linuxvm1`);
    assert.equal(del.status, 202);
    const end = await h.finish(del);
    assert.deepEqual(end, { status: "Succeeded" });
    const loc = await h.call("GET", del.headers?.["Location"] ?? "");
    assert.equal(loc.status, 204, "a finished delete's Location answers 204");
    assert.equal((await h.call("GET", `${LAB_PATH}/virtualmachines/linuxvm1`)).status, 404);
  });

  it("lroFailure ends the operation Failed with the error and the resource Failed", async () => {
    h.lroFailures.set("PUT /virtualmachines/doomed", { code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity." });
    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/doomed`, { body: LINUX_VM });
    assert.equal(put.status, 201);
    const end = await h.finish(put);
    assert.deepEqual(end, { status: "Failed", error: { code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity." } });
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/doomed`))["provisioningState"], "Failed");

    // a failed delete leaves the resource as it was
    await h.finish(await h.call("PUT", `${LAB_PATH}/virtualmachines/keeper`, { body: LINUX_VM }));
    h.lroFailures.set("DELETE /virtualmachines/keeper", { code: "InternalServerError", message: "boom" });
    const del = await h.call("DELETE", `${LAB_PATH}/virtualmachines/keeper`);
    assert.equal((await h.finish(del))["status"], "Failed");
    const failedLocation = await h.call("GET", del.headers?.["Location"] ?? "");
    assert.equal(failedLocation.status, 500);
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/keeper`))["provisioningState"], "Succeeded");
  });

  it("operation URLs answer only under their subscription and need api-version", async () => {
    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/linuxvm1`, { body: LINUX_VM });
    const url = put.headers?.["Azure-AsyncOperation"] ?? "";
    const other = url.replace(SUB, "22222222-2222-4222-8222-222222222222");
    assert.equal((await h.call("GET", other)).status, 404);
    const noVersion = await h.call("GET", url.replace(/\?.*$/, ""), { apiVersion: null });
    assert.equal(noVersion.status, 400);
    assert.equal((body(noVersion)["error"] as Record<string, unknown>)["code"], "MissingApiVersionParameter");
  });

  it("at time scale > 0 operations take their modelled time and close() stops them", async () => {
    const slow = await Harness.create({ timeScale: 0.001 });
    try {
      const put = await slow.call("PUT", `${LAB_PATH}/virtualmachines/linuxvm1`, { body: LINUX_VM });
      const url = put.headers?.["Azure-AsyncOperation"] ?? "";
      await slow.call("GET", url);
      assert.deepEqual(body(await slow.call("GET", url)), { status: "Running" }, "375 s × 0.001 has not passed yet");
      await new Promise((r) => setTimeout(r, 600));
      assert.deepEqual(body(await slow.call("GET", url)), { status: "Succeeded" });
      const again = await slow.call("PUT", `${LAB_PATH}/virtualmachines/linuxvm2`, { body: LINUX_VM });
      await slow.close();
      assert.deepEqual(body(await slow.call("GET", again.headers?.["Azure-AsyncOperation"] ?? "")), { status: "Running" });
    } finally {
      await slow.close();
    }
  });
});
