// Lab VMs: creation by direct PUT with artifacts (success, injected failure), $expand, actions and their
// state changes, conflicts, list filters and paging, name rules, deletion.
import assert from "node:assert/strict";
import { CALLER, Harness, LAB_PATH, OTHER, SUB, body, propsOf } from "./testing/harness";

type Obj = Record<string, unknown>;
const errorOf = (res: { body?: unknown }): Obj => (body(res)["error"] ?? {}) as Obj;
const EXPAND = { $expand: "properties($expand=artifacts)" };

const WINDOWS = { offer: "WindowsServer", publisher: "MicrosoftWindowsServer", sku: "2022-datacenter", osType: "Windows", version: "latest" };
const UBUNTU = { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" };

function vmBody(image: Obj, extra: Obj = {}): Obj {
  return {
    location: "westus",
    tags: { purpose: "factory" },
    properties: { size: "Standard_DS2_v2", userName: "labadmin", password: "Sup3r-Secret-Pw!", galleryImageReference: image, labSubnetName: "DtlFactoryLabSubnet", labVirtualNetworkId: "/virtualnetworks/dtlfactorylab", ...extra },
  };
}

async function create(h: Harness, name: string, b: Obj): Promise<Obj> {
  const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/${name}`, { body: b });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  return h.finish(put);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("ARM emulator: lab virtual machines", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(async () => h.close());

  it("creates a VM by PUT and applies its artifacts in order", async () => {
    const end = await create(
      h,
      "build01",
      vmBody(WINDOWS, {
        artifacts: [
          { artifactId: `/subscriptions/${SUB}/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab/artifactSources/public repo/artifacts/windows-sysprep`, parameters: [] },
        ],
      }),
    );
    assert.deepEqual(end, { status: "Succeeded" });
    const res = await h.call("GET", `${LAB_PATH}/virtualmachines/build01`, { query: EXPAND });
    const p = propsOf(res);
    assert.equal(body(res)["id"], `/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft.devtestlab/labs/factorylab/virtualmachines/build01`);
    assert.equal(body(res)["type"], "Microsoft.DevTestLab/labs/virtualMachines");
    assert.deepEqual(body(res)["tags"], { purpose: "factory" });
    assert.equal(p["provisioningState"], "Succeeded");
    assert.equal(p["osType"], "Windows");
    assert.equal(p["virtualMachineCreationSource"], "FromGalleryImage");
    assert.equal(p["ownerObjectId"], CALLER.objectId);
    assert.equal(p["createdByUser"], "factory-sp");
    assert.equal(p["labVirtualNetworkId"], `/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft.devtestlab/labs/factorylab/virtualnetworks/dtlfactorylab`);
    assert.match(String(p["computeId"]), new RegExp(`^/subscriptions/${SUB}/resourceGroups/FactoryLab\\d{13}/providers/Microsoft\\.Compute/virtualMachines/build01$`));
    assert.equal(p["fqdn"], "build01.westus.cloudapp.azure.com");
    assert.deepEqual(p["artifactDeploymentStatus"], { deploymentStatus: "Succeeded", artifactsApplied: 1, totalArtifacts: 1 });
    const [artifact] = p["artifacts"] as Obj[];
    assert.equal(artifact?.["status"], "Succeeded");
    assert.equal(artifact?.["artifactTitle"], "Sysprep");
    assert.match(String(artifact?.["installTime"]), /^\d{4}-/);
    assert.equal(p["lastKnownPowerState"], "Stopped", "sysprep shuts the VM down and DTL deallocates it");
    assert.equal(p["password"], undefined, "credentials are never returned");
    assert.ok(!JSON.stringify(h.emulator.state()).includes("Sup3r-Secret-Pw!"), "nor dumped");
    // without $expand the artifacts are not listed (as recorded GETs show)
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/build01`))["artifacts"], undefined);
    // the compute VM exists
    const compute = await h.call("GET", String(p["computeId"]), { apiVersion: "2024-07-01" });
    assert.equal(compute.status, 200);
  });

  it("an artifact failure (fault) marks that artifact Failed, skips the rest; the VM and its operation still succeed", async () => {
    h.artifactFailures.set("failvm:windows-sysprep", "Sysprep failed: the machine is joined to a domain.");
    const end = await create(
      h,
      "failvm",
      vmBody(WINDOWS, {
        artifacts: [{ artifactId: "/artifactsources/public repo/artifacts/windows-sysprep" }, { artifactId: "/artifactsources/public repo/artifacts/windows-sysprep" }],
      }),
    );
    assert.deepEqual(end, { status: "Succeeded" });
    const p = propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/failvm`, { query: EXPAND }));
    assert.equal(p["provisioningState"], "Succeeded");
    assert.deepEqual(p["artifactDeploymentStatus"], { deploymentStatus: "Failed", artifactsApplied: 0, totalArtifacts: 2 });
    const [first, second] = p["artifacts"] as Obj[];
    assert.equal(first?.["status"], "Failed");
    assert.equal(second?.["status"], "Skipped");
    const deployment = JSON.parse(String(first?.["deploymentStatusMessage"])) as Obj;
    assert.equal(deployment["status"], "Failed");
    assert.match(JSON.stringify(deployment), /Sysprep failed: the machine is joined to a domain\./);
    const extension = JSON.parse(String(first?.["vmExtensionStatusMessage"])) as Obj[];
    assert.equal(extension[1]?.["message"], "Sysprep failed: the machine is joined to a domain.");
    assert.equal(p["lastKnownPowerState"], "Running");
  });

  it("shows Creating and Pending/Installing artifacts while it works (time scale > 0)", async () => {
    const slow = await Harness.create({ timeScale: 0.001 });
    try {
      const put = await slow.call("PUT", `${LAB_PATH}/virtualmachines/slowvm`, { body: vmBody(UBUNTU, { artifacts: [{ artifactId: "/artifactsources/public repo/artifacts/linux-deprovision" }] }) });
      const get = async () => propsOf(await slow.call("GET", `${LAB_PATH}/virtualmachines/slowvm`, { query: EXPAND }));
      const first = await get();
      assert.equal(first["provisioningState"], "Creating");
      assert.equal((first["artifacts"] as Obj[])[0]?.["status"], "Pending");
      await until(async () => ((await get())["artifacts"] as Obj[])[0]?.["status"] === "Installing", "Installing");
      assert.deepEqual((await get())["artifactDeploymentStatus"], { deploymentStatus: "Running", artifactsApplied: 0, totalArtifacts: 1 });
      assert.equal((await slow.finish(put))["status"], "Succeeded");
      assert.equal((await get())["provisioningState"], "Succeeded");
    } finally {
      await slow.close();
    }
  });

  it("start, stop, restart, hibernate change the power state; actions need a finished VM and one at a time", async () => {
    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/actvm`, { body: vmBody(UBUNTU) });
    const early = await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/stop`);
    assert.equal(early.status, 409);
    assert.deepEqual(errorOf(early), { code: "ResourceIsNotInValidState", message: "Resource 'actvm' is not in a valid state 'Creating' for operation 'stop'." });
    await h.finish(put);
    const state = async () => propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/actvm`))["lastKnownPowerState"];
    assert.equal(await state(), "Running");
    const stop = await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/stop`);
    const busy = await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/start`);
    assert.equal(busy.status, 409, "another operation is in flight");
    assert.equal((await h.finish(stop))["status"], "Succeeded");
    assert.equal(await state(), "Stopped");
    const restartStopped = await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/restart`);
    assert.equal(restartStopped.status, 409);
    const applyStopped = await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/applyArtifacts`, { body: { artifacts: [{ artifactId: "/artifactsources/public repo/artifacts/linux-deprovision" }] } });
    assert.equal(applyStopped.status, 409);
    await h.finish(await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/start`));
    assert.equal(await state(), "Running");
    await h.finish(await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/restart`));
    assert.equal(await state(), "Running");
    await h.finish(await h.call("POST", `${LAB_PATH}/virtualmachines/actvm/hibernate`));
    assert.equal(await state(), "Hibernated");
  });

  it("applyArtifacts adds to the VM's artifacts and applies them", async () => {
    await create(h, "appvm", vmBody(UBUNTU));
    const apply = await h.call("POST", `${LAB_PATH}/virtualmachines/appvm/applyArtifacts`, {
      body: { artifacts: [{ artifactId: "/artifactsources/public repo/artifacts/linux-deprovision" }, { artifactId: "/artifactsources/public repo/artifacts/windows-sysprep" }] },
    });
    assert.equal(apply.status, 202);
    assert.ok(apply.headers?.["Location"]);
    assert.deepEqual(await h.finish(apply), { status: "Succeeded" });
    const p = propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/appvm`, { query: EXPAND }));
    const statuses = (p["artifacts"] as Obj[]).map((a) => a["status"]);
    assert.deepEqual(statuses, ["Succeeded", "Failed"], "a Windows artifact cannot apply to Linux");
    assert.deepEqual(p["artifactDeploymentStatus"], { deploymentStatus: "Failed", artifactsApplied: 1, totalArtifacts: 2 });
  });

  it("claim, unClaim and claimAnyVm move ownership", async () => {
    await create(h, "pool1", vmBody(UBUNTU, { allowClaim: true }));
    await create(h, "owned1", vmBody(UBUNTU));
    const pool = propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/pool1`));
    assert.equal(pool["ownerObjectId"], "");
    assert.equal(pool["allowClaim"], true);
    const notClaimable = await h.call("POST", `${LAB_PATH}/virtualmachines/owned1/claim`, { caller: OTHER });
    assert.equal(notClaimable.status, 400);
    await h.finish(await h.call("POST", `${LAB_PATH}/virtualmachines/pool1/claim`, { caller: OTHER }), OTHER);
    const claimed = propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/pool1`));
    assert.equal(claimed["ownerObjectId"], OTHER.objectId);
    assert.equal(claimed["ownerUserPrincipalName"], "other-sp");
    assert.equal(claimed["allowClaim"], false);
    await h.finish(await h.call("POST", `${LAB_PATH}/virtualmachines/pool1/unClaim`));
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/pool1`))["allowClaim"], true);
    const any = await h.call("POST", `${LAB_PATH}/claimAnyVm`, { caller: OTHER });
    assert.equal(any.status, 202);
    await h.finish(any, OTHER);
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/pool1`))["ownerObjectId"], OTHER.objectId);
    assert.equal((await h.call("POST", `${LAB_PATH}/claimAnyVm`)).status, 400, "nothing left to claim");
  });

  it("lists with $filter, $expand, $top and paging", async () => {
    for (let i = 0; i < 6; i++) await create(h, `lvm${i}`, vmBody(UBUNTU, { allowClaim: i % 2 === 0 }));
    const page1 = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: EXPAND });
    const first = body(page1)["value"] as Obj[];
    assert.equal(first.length, 5);
    assert.ok(Array.isArray((first[0]?.["properties"] as Obj)["artifacts"]), "$expand applies to lists");
    const page2 = await h.call("GET", String(body(page1)["nextLink"]));
    assert.equal((body(page2)["value"] as Obj[]).length, 1);
    assert.equal(body(page2)["nextLink"], undefined);
    const claimable = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: { $filter: "properties/allowClaim" } });
    assert.deepEqual((body(claimable)["value"] as Obj[]).map((v) => v["name"]), ["lvm0", "lvm2", "lvm4"]);
    const mine = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: { $filter: `Properties/ownerObjectId eq '${CALLER.objectId}'` } });
    assert.deepEqual((body(mine)["value"] as Obj[]).map((v) => v["name"]), ["lvm1", "lvm3", "lvm5"]);
    const byName = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: { $filter: "name eq 'LVM3'" } });
    assert.deepEqual((body(byName)["value"] as Obj[]).map((v) => v["name"]), ["lvm3"]);
    const byTag = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: { $filter: "tags/purpose eq 'factory' and name ne 'lvm0'", $top: "2" } });
    assert.deepEqual((body(byTag)["value"] as Obj[]).map((v) => v["name"]), ["lvm1", "lvm2"]);
    const bad = await h.call("GET", `${LAB_PATH}/virtualmachines`, { query: { $filter: "name eq" } });
    assert.equal(bad.status, 400);
  });

  it("applies DTL's naming rules (Windows ≤ 15, Linux ≤ 64, letters/digits/hyphens, not all digits)", async () => {
    const tooLong = await h.call("PUT", `${LAB_PATH}/virtualmachines/windows-name-16c`, { body: vmBody(WINDOWS) });
    assert.equal(tooLong.status, 400);
    assert.equal(errorOf(tooLong)["code"], "InvalidResourceName");
    assert.equal((await h.call("PUT", `${LAB_PATH}/virtualmachines/12345`, { body: vmBody(UBUNTU) })).status, 400);
    assert.equal((await h.call("PUT", `${LAB_PATH}/virtualmachines/bad_name`, { body: vmBody(UBUNTU) })).status, 400);
    assert.equal((await h.call("PUT", `${LAB_PATH}/virtualmachines/-leading`, { body: vmBody(UBUNTU) })).status, 400);
    assert.equal((await h.call("PUT", `${LAB_PATH}/virtualmachines/linux-names-may-be-longer-than-15`, { body: vmBody(UBUNTU) })).status, 201);
    const noImage = await h.call("PUT", `${LAB_PATH}/virtualmachines/noimage`, { body: { location: "westus", properties: { size: "Standard_A1" } } });
    assert.equal(noImage.status, 400);
    const missingImage = await h.call("PUT", `${LAB_PATH}/virtualmachines/fromimg`, { body: { location: "westus", properties: { customImageId: `${LAB_PATH}/customimages/none` } } });
    assert.equal(missingImage.status, 404);
  });

  it("a re-PUT of a finished VM is a 200 update; while creating it conflicts", async () => {
    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/again`, { body: vmBody(UBUNTU) });
    const early = await h.call("PUT", `${LAB_PATH}/virtualmachines/again`, { body: vmBody(UBUNTU) });
    assert.equal(early.status, 409);
    await h.finish(put);
    const update = await h.call("PUT", `${LAB_PATH}/virtualmachines/again`, { body: { ...vmBody(UBUNTU), tags: { v: "2" } } });
    assert.equal(update.status, 200);
    assert.ok(update.headers?.["Azure-AsyncOperation"]);
    await h.finish(update);
    assert.deepEqual(body(await h.call("GET", `${LAB_PATH}/virtualmachines/again`))["tags"], { v: "2" });
  });

  it("deleting a VM removes it and its compute VM, also while it is being created", async () => {
    await create(h, "gone", vmBody(UBUNTU));
    const computeId = String(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/gone`))["computeId"]);
    await h.finish(await h.call("DELETE", `${LAB_PATH}/virtualmachines/gone`));
    assert.equal((await h.call("GET", `${LAB_PATH}/virtualmachines/gone`)).status, 404);
    assert.equal((await h.call("GET", computeId, { apiVersion: "2024-07-01" })).status, 404);
    assert.equal((await h.call("DELETE", `${LAB_PATH}/virtualmachines/gone`)).status, 204, "deleting what is gone is fine");

    const put = await h.call("PUT", `${LAB_PATH}/virtualmachines/half`, { body: vmBody(UBUNTU) });
    const del = await h.call("DELETE", `${LAB_PATH}/virtualmachines/half`);
    assert.equal(del.status, 202);
    assert.deepEqual(await h.finish(del), { status: "Succeeded" });
    assert.equal((await h.finish(put))["status"], "Canceled");
    assert.equal((await h.call("GET", `${LAB_PATH}/virtualmachines/half`)).status, 404);
  });

  it("createEnvironment (the CLI's VM create) answers 202 with both headers and makes the VM", async () => {
    const res = await h.call("POST", `${LAB_PATH}/createEnvironment`, { body: { location: "westus", name: "clivm", properties: vmBody(UBUNTU)["properties"] } });
    assert.equal(res.status, 202);
    assert.ok(res.headers?.["Azure-AsyncOperation"] && res.headers["Location"]);
    assert.deepEqual(await h.finish(res), { status: "Succeeded" });
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/virtualmachines/clivm`))["provisioningState"], "Succeeded");
  });
});
