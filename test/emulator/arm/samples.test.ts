// Every sample template under test/fixtures/samples/{image-factory,lab-templates,environments} deploys on
// the emulator with the real template evaluator (test/emulator/template) — except environments/SharePoint-*,
// which must fail as ARM fails them (400 InvalidTemplate), never crash. Prerequisites the samples expect
// ("existing" lab, VM, custom image, VHD, virtual network) are made first, as a user would have them.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Harness, LAB, LAB_PATH, LAB_RG, SAMPLES, SUB, body, propsOf } from "./testing/harness";

type Obj = Record<string, unknown>;
const V = { apiVersion: "2021-04-01" };

interface Sample {
  name: string;
  file: string;
  parameters?: string;
}

function readJson(file: string): Obj {
  return JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, "")) as Obj;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  for (const d of readdirSync(join(SAMPLES, "lab-templates")).sort()) {
    out.push({ name: `lab-templates/${d}`, file: join(SAMPLES, "lab-templates", d, "azuredeploy.json"), parameters: join(SAMPLES, "lab-templates", d, "azuredeploy.parameters.json") });
  }
  for (const d of readdirSync(join(SAMPLES, "environments")).sort()) out.push({ name: `environments/${d}`, file: join(SAMPLES, "environments", d, "azuredeploy.json") });
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".json")) out.push({ name: p.slice(SAMPLES.length + 1), file: p });
    }
  };
  walk(join(SAMPLES, "image-factory/Configuration/GoldenImages"));
  return out;
}

/** A value for a parameter nobody gave: the first allowed value, a number in range, a strong password... */
function dummy(def: Obj): unknown {
  const type = String(def["type"] ?? "string").toLowerCase();
  const allowed = def["allowedValues"];
  if (Array.isArray(allowed) && allowed.length > 0) return allowed[0];
  if (type === "int") return typeof def["minValue"] === "number" ? def["minValue"] : 1;
  if (type === "bool") return false;
  if (type === "object" || type === "secureobject") return {};
  if (type === "array") return [];
  return "Sample-Value-1!";
}

describe("ARM emulator: every sample template deploys", function () {
  this.timeout(60000);
  let h: Harness;
  const fixtures: Record<string, string> = {};

  before(async () => {
    h = await Harness.create();
    const vm = async (name: string, image: Obj) => {
      const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/${name}`, { body: { location: "westus", properties: { size: "Standard_DS1_v2", userName: "u", password: "Pw-12345678!", galleryImageReference: image } } });
      assert.deepEqual(await h.finish(put), { status: "Succeeded" });
      return String(body(put)["id"]);
    };
    fixtures["linuxVm"] = await vm("srclinux", { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" });
    fixtures["windowsVm"] = await vm("srcwin", { offer: "WindowsServer", publisher: "MicrosoftWindowsServer", sku: "2019-Datacenter", osType: "Windows", version: "latest" });
    const image = await h.call("PUT", `${LAB_PATH}/customimages/MyCustomImage1`, { body: { properties: { vm: { sourceVmId: fixtures["windowsVm"], windowsOsInfo: { windowsOsState: "SysprepApplied" } } } } });
    assert.deepEqual(await h.finish(image), { status: "Succeeded" });
    fixtures["customImage"] = String(body(image)["id"]);
    const upload = new URL(String(body(await h.call("POST", `${LAB_PATH}/generateUploadUri`, { body: { blobName: "MyImage1.vhd" } }))["uploadUri"]));
    const [, account = "", container = "", blob = ""] = upload.pathname.split("/");
    await h.storage.putBlob(account, container, blob, Buffer.alloc(2048));
    fixtures["vhd"] = `${upload.origin}${upload.pathname}`;
    const vnet = `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Network/virtualNetworks/MyVNet1`;
    assert.equal((await h.call("PUT", vnet, { apiVersion: "2023-11-01", body: { location: "westus", properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] }, subnets: [{ name: "default", properties: { addressPrefix: "10.1.0.0/24" } }] } } })).status, 201);
    fixtures["vnet"] = vnet;
  });
  after(async () => h.close());

  let counter = 0;
  for (const sample of samples()) {
    const sharePoint = /environments\/SharePoint-/.test(sample.name);
    it(`${sample.name} ${sharePoint ? "fails as ARM fails it" : "deploys"}`, async () => {
      const template = readJson(sample.file);
      const defs = (template["parameters"] ?? {}) as Record<string, Obj>;
      const given = sample.parameters && existsSync(sample.parameters) ? ((readJson(sample.parameters)["parameters"] ?? {}) as Record<string, Obj>) : {};
      const n = counter++;
      const overrides: Record<string, unknown> = {
        existingLabName: LAB,
        labName: LAB,
        newVMName: `sample${n}`,
        existingCustomImageId: fixtures["customImage"],
        existingVMResourceId: /linux/i.test(sample.name) ? fixtures["linuxVm"] : fixtures["windowsVm"],
        existingVhdUri: fixtures["vhd"],
        existingVirtualNetworkId: fixtures["vnet"],
        imageName: `sampleimage${n}`,
        formulaName: `sampleformula${n}`,
        size: "Standard_DS2_v2",
        userName: "factory",
        password: "Factory-Passw0rd!",
      };
      const parameters: Obj = {};
      for (const [name, def] of Object.entries(defs)) {
        if (name in overrides) parameters[name] = { value: overrides[name] };
        else if (given[name] && given[name]["value"] !== "") parameters[name] = given[name];
        else if (!("defaultValue" in def) || (given[name] && given[name]["value"] === "")) parameters[name] = { value: dummy(def) };
      }
      // environments go to a resource group of their own, as DTL does
      let group = LAB_RG;
      if (sample.name.startsWith("environments/")) {
        group = `env-sample-${n}`;
        await h.call("PUT", `/subscriptions/${SUB}/resourcegroups/${group}`, { ...V, body: { location: "westus" } });
      }
      const path = `/subscriptions/${SUB}/resourcegroups/${group}/providers/Microsoft.Resources/deployments/sample-${n}`;
      const put = await h.call("PUT", path, { ...V, body: { properties: { mode: "Incremental", template, parameters } } });
      if (sharePoint) {
        assert.equal(put.status, 400, JSON.stringify(put.body));
        assert.equal((body(put)["error"] as Obj)["code"], "InvalidTemplate");
        return;
      }
      assert.equal(put.status, 201, JSON.stringify(put.body));
      const end = await h.finish(put);
      assert.deepEqual(end, { status: "Succeeded" }, JSON.stringify(end));
      const deployment = propsOf(await h.call("GET", path, V));
      assert.equal(deployment["provisioningState"], "Succeeded");
      const declared = Object.keys((template["outputs"] ?? {}) as Obj);
      const outputs = (deployment["outputs"] ?? {}) as Obj;
      for (const o of declared) assert.ok(o in outputs || Object.keys(outputs).some((k) => k.toLowerCase() === o.toLowerCase()), `output ${o}`);
      for (const r of (deployment["outputResources"] ?? []) as Obj[]) {
        const id = String(r["id"]);
        const got = await h.call("GET", id, { apiVersion: /Microsoft\.DevTestLab/i.test(id) ? "2018-09-15" : "2023-01-01" });
        assert.equal(got.status, 200, `${id} is there`);
      }
    });
  }

  it("the golden image VMs were created from the factory's parameters", async () => {
    const res = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: { $filter: "startswith(properties/notes, 'Free License') and properties/size eq 'Standard_DS2_v2'" } });
    const vms = body(res)["value"] as Obj[];
    assert.ok(vms.length >= 1, JSON.stringify(res.body).slice(0, 300));
    for (const vm of vms) {
      const p = vm["properties"] as Obj;
      assert.equal(p["userName"], "factory");
      assert.equal(p["provisioningState"], "Succeeded");
      assert.equal(p["password"], undefined);
    }
  });
});
