// Labs, their repositories, upload URIs and the ARM error shapes: case-insensitive ids, paging with
// nextLink, $filter/$top/$orderby, 404/400 texts as ARM words them.
import assert from "node:assert/strict";
import { Harness, LAB, LAB_PATH, LAB_RG, SUB, SUB2, body, propsOf } from "./testing/harness";

type Obj = Record<string, unknown>;
const errorOf = (res: { body?: unknown }): Obj => (body(res)["error"] ?? {}) as Obj;

/** Follows nextLink to the end; returns every item and the number of pages. */
async function listAll(h: Harness, path: string, query?: Record<string, string>): Promise<{ items: Obj[]; pages: number }> {
  const items: Obj[] = [];
  let res = await h.call("GET", path, query ? { query } : {});
  let pages = 1;
  for (;;) {
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...((body(res)["value"] as Obj[]) ?? []));
    const next = body(res)["nextLink"];
    if (typeof next !== "string") break;
    assert.match(next, /^https:\/\/127\.0\.0\.1:8443\/subscriptions\//);
    res = await h.call("GET", next);
    pages++;
  }
  return { items, pages };
}

describe("ARM emulator: labs, repositories and ARM errors", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(async () => h.close());

  it("a seeded lab has DTL's default properties, lower-cased id and Succeeded state", async () => {
    const res = await h.call("GET", LAB_PATH);
    assert.equal(res.status, 200);
    const lab = body(res);
    assert.equal(lab["id"], `/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft.devtestlab/labs/factorylab`);
    assert.equal(lab["name"], LAB);
    assert.equal(lab["type"], "Microsoft.DevTestLab/labs");
    assert.equal(lab["location"], "westus");
    const p = propsOf(res);
    for (const k of ["defaultStorageAccount", "defaultPremiumStorageAccount", "artifactsStorageAccount", "premiumDataDiskStorageAccount", "vaultName"]) {
      assert.match(String(p[k]), new RegExp(`^/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft\\.(storage/storageaccounts|keyvault/vaults)/`), k);
    }
    assert.equal(p["labStorageType"], "Premium");
    assert.equal(p["provisioningState"], "Succeeded");
    assert.match(String(p["uniqueIdentifier"]), /^[0-9a-f-]{36}$/);
    assert.match(String(p["createdDate"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
    assert.match(String(p["vmCreationResourceGroup"]), new RegExp(`^/subscriptions/${SUB}/resourceGroups/FactoryLab\\d{13}$`));
    // the lab's storage account is an ARM resource whose blob endpoint is the emulator's storage
    const account = await h.call("GET", String(p["artifactsStorageAccount"]), { apiVersion: "2023-05-01" });
    assert.equal(account.status, 200);
    assert.equal((propsOf(account)["primaryEndpoints"] as Record<string, unknown>)["blob"], "https://127.0.0.1:10000/devstoreaccount1/");
    assert.equal((await h.call("GET", String(p["vaultName"]), { apiVersion: "2023-07-01" })).status, 200);
    // the VM resource group exists
    const group = String(p["vmCreationResourceGroup"]).split("/").pop() ?? "";
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourcegroups/${group}`, { apiVersion: "2021-04-01" })).status, 200);
  });

  it("ids, names and paths compare case-insensitively", async () => {
    const upper = await h.call("GET", `/SUBSCRIPTIONS/${SUB.toUpperCase()}/RESOURCEGROUPS/RG-FACTORY/PROVIDERS/microsoft.devtestlab/LABS/factorylab`);
    assert.equal(upper.status, 200);
    const lab = body(upper);
    // the id the service gave works as a path too
    assert.equal((await h.call("GET", String(lab["id"]))).status, 200);
    const vnets = await h.call("GET", `${LAB_PATH}/VirtualNetworks`);
    assert.equal(body(vnets)["value"] instanceof Array, true);
    assert.equal((body(vnets)["value"] as Obj[])[0]?.["name"], "DtlFactoryLab");
  });

  it("lists labs by subscription and by resource group with paging", async () => {
    for (let i = 0; i < 7; i++) {
      const put = await h.call("PUT", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/extra${i}`, { body: { location: "westus", tags: { n: String(i) } } });
      assert.equal(put.status, 201);
      await h.finish(put);
    }
    const bySub = await listAll(h, `/subscriptions/${SUB}/providers/Microsoft.DevTestLab/labs`);
    assert.equal(bySub.items.length, 8);
    assert.ok(bySub.pages >= 2, "more than one page");
    const byRg = await listAll(h, `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs`);
    assert.equal(byRg.items.length, 8);
    const filtered = await listAll(h, `/subscriptions/${SUB}/providers/Microsoft.DevTestLab/labs`, { $filter: "tags/n eq '3'" });
    assert.deepEqual(filtered.items.map((x) => x["name"]), ["extra3"]);
    const top = await h.call("GET", `/subscriptions/${SUB}/providers/Microsoft.DevTestLab/labs`, { query: { $top: "3" } });
    assert.equal((body(top)["value"] as Obj[]).length, 3);
    assert.equal(body(top)["nextLink"], undefined, "$top caps the list: no nextLink (recorded for armtemplates?$top=3)");
    const ordered = await listAll(h, `/subscriptions/${SUB}/providers/Microsoft.DevTestLab/labs`, { $orderby: "name desc", $filter: "startswith(name, 'extra')" });
    assert.deepEqual(ordered.items.map((x) => x["name"]), ["extra6", "extra5", "extra4", "extra3", "extra2", "extra1", "extra0"]);
    const other = await listAll(h, `/subscriptions/${SUB2}/providers/Microsoft.DevTestLab/labs`);
    assert.deepEqual(other.items.map((x) => x["name"]), ["TeamLab"]);
    assert.deepEqual(other.items[0]?.["tags"], { team: "blue" });
  });

  it("answers missing things with ARM's error codes and texts", async () => {
    const missingLab = await h.call("GET", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/nolab`);
    assert.equal(missingLab.status, 404);
    assert.deepEqual(errorOf(missingLab), {
      code: "ResourceNotFound",
      message: "The Resource 'Microsoft.DevTestLab/labs/nolab' under resource group 'rg-factory' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    });
    const missingVm = await h.call("POST", `${LAB_PATH}/virtualmachines/linuxvm000001/start`);
    assert.equal(missingVm.status, 404);
    assert.equal(
      errorOf(missingVm)["message"],
      "The Resource 'Microsoft.DevTestLab/labs/FactoryLab/virtualMachines/linuxvm000001' under resource group 'rg-factory' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
    const missingGroup = await h.call("GET", `/subscriptions/${SUB}/resourceGroups/nogroup/providers/Microsoft.DevTestLab/labs/x`);
    assert.equal(missingGroup.status, 404);
    assert.deepEqual(errorOf(missingGroup), { code: "ResourceGroupNotFound", message: "Resource group 'nogroup' could not be found." });
    const noVersion = await h.call("GET", LAB_PATH, { apiVersion: null });
    assert.equal(noVersion.status, 400);
    assert.deepEqual(errorOf(noVersion), { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." });
    const badVersion = await h.call("GET", LAB_PATH, { apiVersion: "2099-01-01" });
    assert.equal(badVersion.status, 400);
    assert.equal(errorOf(badVersion)["code"], "NoRegisteredProviderFound");
    assert.match(String(errorOf(badVersion)["message"]), /API version '2099-01-01' for type 'labs'\. The supported api-versions are '2015-05-21-preview, 2016-05-15, 2018-09-15, 2018-10-15-preview'/);
    const badType = await h.call("GET", `${LAB_PATH}/nosuchthings`);
    assert.equal(badType.status, 400);
    assert.equal(errorOf(badType)["code"], "InvalidResourceType");
    const badNamespace = await h.call("GET", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Nope/things/x`);
    assert.equal(errorOf(badNamespace)["code"], "InvalidResourceNamespace");
    const childOfMissingLab = await h.call("PUT", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/nolab/formulas/f1`, { body: { properties: {} } });
    assert.equal(childOfMissingLab.status, 404);
    assert.equal(errorOf(childOfMissingLab)["code"], "ParentResourceNotFound");
    const noBody = await h.call("PUT", `${LAB_PATH}/virtualmachines/vm1`);
    assert.equal(noBody.status, 400);
    assert.equal(errorOf(noBody)["code"], "InvalidRequestContent");
    const badLabName = await h.call("PUT", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/bad name!`, { body: { location: "westus" } });
    assert.equal(errorOf(badLabName)["code"], "InvalidResourceName");
  });

  it("has the public artifact and environment repositories with the samples", async () => {
    const sources = await listAll(h, `${LAB_PATH}/artifactsources`);
    assert.deepEqual(sources.items.map((s) => s["name"]).sort(), ["Public Environment Repo", "Public Repo"]);
    const repo = await h.call("GET", `${LAB_PATH}/artifactsources/public repo`);
    assert.equal(body(repo)["id"], `/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft.devtestlab/labs/factorylab/artifactsources/public repo`);
    assert.equal(body(repo)["type"], "Microsoft.DevTestLab/labs/artifactSources");
    assert.equal(propsOf(repo)["folderPath"], "/Artifacts");
    const artifacts = await listAll(h, `${LAB_PATH}/artifactsources/Public Repo/artifacts`);
    assert.deepEqual(artifacts.items.map((a) => a["name"]).sort(), ["linux-deprovision", "windows-sysprep"]);
    const sysprep = await h.call("GET", `${LAB_PATH}/artifactsources/public repo/artifacts/windows-sysprep`);
    assert.equal(propsOf(sysprep)["title"], "Sysprep");
    assert.equal(propsOf(sysprep)["targetOsType"], "Windows");
    assert.match(String(body(sysprep)["id"]), /\/artifactSources\/public repo\/artifacts\/windows-sysprep$/i);
    const templates = await listAll(h, `${LAB_PATH}/artifactsources/public environment repo/armtemplates`);
    assert.ok(templates.items.length >= 7);
    assert.ok(templates.pages >= 2);
    const top3 = await h.call("GET", `${LAB_PATH}/artifactsources/public environment repo/armtemplates`, { query: { $top: "3" } });
    assert.equal((body(top3)["value"] as Obj[]).length, 3);
    const webApp = await h.call("GET", `${LAB_PATH}/artifactsources/Public Environment Repo/armtemplates/WebApp`);
    assert.equal(body(webApp)["id"], `/subscriptions/${SUB}/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab/artifactSources/Public Environment Repo/armTemplates/WebApp`);
    assert.equal(body(webApp)["type"], "Microsoft.DevTestLab/labs/artifactSources/armTemplates");
    assert.equal(propsOf(webApp)["displayName"], "Web App");
    assert.equal(propsOf(webApp)["publisher"], "Microsoft");
    assert.equal(propsOf(webApp)["enabled"], true);
    assert.ok(Array.isArray(propsOf(webApp)["parametersValueFilesInfo"]));
    assert.equal(((propsOf(webApp)["contents"] as Obj)["resources"] as unknown[]).length, 2);
  });

  it("adds a private repository only with credentials it can validate (recorded IncorrectClientCredential)", async () => {
    const repo = (token: string) => ({ properties: { displayName: "Team repo", uri: "https://github.com/contoso/artifacts.git", sourceType: "GitHub", folderPath: "/Artifacts", branchRef: "main", securityToken: token } });
    const bad = await h.call("PUT", `${LAB_PATH}/artifactsources/team`, { body: repo("token") });
    assert.equal(bad.status, 400);
    assert.deepEqual(errorOf(bad), { code: "IncorrectClientCredential", message: "The credentials could not be validated successfully." });
    const good = await h.call("PUT", `${LAB_PATH}/artifactsources/team`, { body: repo("ghp_" + "a".repeat(36)) });
    assert.equal(good.status, 201);
    assert.equal(propsOf(good)["securityToken"], undefined, "the token is never returned");
    assert.equal(propsOf(good)["status"], "Enabled");
  });

  it("generateUploadUri gives a write SAS to the lab's uploads container; listVhds shows the upload", async () => {
    const res = await h.call("POST", `${LAB_PATH}/generateUploadUri`, { body: { blobName: "golden.vhd" } });
    assert.equal(res.status, 200);
    const uri = new URL(String(body(res)["uploadUri"]));
    assert.equal(uri.protocol, "https:");
    assert.match(uri.pathname, /\/uploads-[0-9a-f]+\/golden\.vhd$/);
    assert.equal(uri.searchParams.get("sp"), "rcw");
    const hours = (new Date(uri.searchParams.get("se") ?? "").getTime() - Date.now()) / 3600_000;
    assert.ok(hours > 2 && hours <= 24.1, `valid for hours (${hours})`);
    const { account, container } = h.storage.labContainer(String(body(await h.call("GET", LAB_PATH))["id"]), "uploads");
    await h.storage.putBlob(account, container, "golden.vhd", Buffer.from("vhd"));
    const vhds = await h.call("POST", `${LAB_PATH}/listVhds`);
    assert.deepEqual((body(vhds)["value"] as Obj[]).map((v) => String(v["id"]).split("/").pop()), ["golden.vhd"]);
  });

  it("gallery images with $filter on name (as the CLI sends it)", async () => {
    const res = await h.call("GET", `${LAB_PATH}/galleryimages`, { query: { $filter: "name eq 'Ubuntu Server 22.04 LTS'" } });
    const items = body(res)["value"] as Obj[];
    assert.equal(items.length, 1);
    assert.deepEqual((items[0]?.["properties"] as Obj)["imageReference"], { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" });
  });

  it("resource groups: PUT/GET/HEAD/list, delete takes everything in it (202 + Location)", async () => {
    const v = "2021-04-01";
    const put = await h.call("PUT", `/subscriptions/${SUB}/resourcegroups/scratch`, { apiVersion: v, body: { location: "West US", tags: { purpose: "test" } } });
    assert.equal(put.status, 201);
    assert.deepEqual(body(put), { id: `/subscriptions/${SUB}/resourceGroups/scratch`, name: "scratch", type: "Microsoft.Resources/resourceGroups", location: "westus", tags: { purpose: "test" }, properties: { provisioningState: "Succeeded" } });
    assert.equal((await h.call("PUT", `/subscriptions/${SUB}/resourcegroups/scratch`, { apiVersion: v, body: { location: "westus" } })).status, 200);
    assert.equal((await h.call("HEAD", `/subscriptions/${SUB}/resourcegroups/SCRATCH`, { apiVersion: v })).status, 204);
    assert.equal((await h.call("HEAD", `/subscriptions/${SUB}/resourcegroups/none`, { apiVersion: v })).status, 404);
    const lab = await h.call("PUT", `/subscriptions/${SUB}/resourceGroups/scratch/providers/Microsoft.DevTestLab/labs/scratchlab`, { body: { location: "westus" } });
    await h.finish(lab);
    const groups = await listAll(h, `/subscriptions/${SUB}/resourcegroups`, { "api-version": v, $filter: "tagName eq 'purpose' and tagValue eq 'test'" });
    assert.deepEqual(groups.items.map((g) => g["name"]), ["scratch"]);
    const resources = await listAll(h, `/subscriptions/${SUB}/resourceGroups/scratch/resources`, { "api-version": v, $filter: "resourceType eq 'Microsoft.DevTestLab/labs'" });
    assert.deepEqual(resources.items.map((r) => r["name"]), ["scratchlab"]);
    const del = await h.call("DELETE", `/subscriptions/${SUB}/resourcegroups/scratch`, { apiVersion: v });
    assert.equal(del.status, 202);
    assert.equal(del.headers?.["Azure-AsyncOperation"], undefined);
    assert.match(del.headers?.["Location"] ?? "", new RegExp(`/subscriptions/${SUB}/operationresults/[\\w-]+\\?api-version=${v}$`));
    assert.ok(del.headers?.["Retry-After"] !== undefined);
    const first = await h.call("GET", del.headers?.["Location"] ?? "");
    assert.equal(first.status, 202);
    const end = await h.call("GET", del.headers?.["Location"] ?? "");
    assert.equal(end.status, 200);
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourcegroups/scratch`, { apiVersion: v })).status, 404);
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourceGroups/scratch/providers/Microsoft.DevTestLab/labs/scratchlab`)).status, 404);
  });

  it("state() is a JSON dump and reset() restores the seed", async () => {
    await h.finish(await h.call("PUT", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/temp`, { body: { location: "westus" } }));
    const state = JSON.parse(JSON.stringify(h.emulator.state())) as { resources: Obj; operations: Obj[] };
    assert.ok(Object.keys(state.resources).some((id) => id.endsWith("/labs/temp")));
    assert.ok(state.operations.length >= 1);
    await h.emulator.reset();
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/temp`)).status, 404);
    assert.equal((await h.call("GET", LAB_PATH)).status, 200);
  });

  it("subscriptions and tenants are listed for the caller", async () => {
    const subs = await h.call("GET", "/subscriptions", { apiVersion: "2022-12-01" });
    assert.deepEqual((body(subs)["value"] as Obj[]).map((s) => s["subscriptionId"]).sort(), [SUB, SUB2].sort());
    const tenants = await h.call("GET", "/tenants", { apiVersion: "2022-12-01" });
    assert.equal((body(tenants)["value"] as Obj[]).length, 1);
  });
});
