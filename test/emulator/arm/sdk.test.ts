// The Azure SDKs the tasks use, run against this layer: their pollers must finish on the recorded LRO
// shapes and return the resource (PUT), nothing (DELETE/POST) or the result ({accessSAS}).
import assert from "node:assert/strict";
import { DevTestLabsClient } from "@azure/arm-devtestlabs";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ResourceManagementClient } from "@azure/arm-resources";
import { Harness, LAB, LAB_RG, SUB } from "./testing/harness";
import { emulatorHttpClient, fakeCredential } from "./testing/sdkClient";

const FAST = { updateIntervalInMs: 1 };

describe("ARM emulator: Azure SDK clients", function () {
  this.timeout(20000);
  let h: Harness;
  let dtl: DevTestLabsClient;
  let arm: ResourceManagementClient;
  let compute: ComputeManagementClient;
  beforeEach(async () => {
    h = await Harness.create();
    const options = { endpoint: "https://127.0.0.1:8443", httpClient: emulatorHttpClient(h.emulator), retryOptions: { maxRetries: 0 } };
    dtl = new DevTestLabsClient(fakeCredential, SUB, options);
    arm = new ResourceManagementClient(fakeCredential, SUB, options);
    compute = new ComputeManagementClient(fakeCredential, SUB, options);
  });
  afterEach(async () => h.close());

  it("@azure/arm-devtestlabs: create a VM with artifacts, act on it, capture an image, delete", async () => {
    const lab = await dtl.labs.get(LAB_RG, LAB);
    assert.equal(lab.provisioningState, "Succeeded");
    const vm = await dtl.virtualMachines.beginCreateOrUpdateAndWait(
      LAB_RG,
      LAB,
      "sdkvm",
      {
        location: "westus",
        size: "Standard_DS2_v2",
        userName: "sdk",
        password: "Sdk-Passw0rd!",
        galleryImageReference: { offer: "0001-com-ubuntu-server-jammy", publisher: "canonical", sku: "22_04-lts", osType: "Linux", version: "latest" },
        artifacts: [{ artifactId: `${lab.id ?? ""}/artifactSources/public repo/artifacts/linux-deprovision`, parameters: [] }],
      },
      FAST,
    );
    assert.equal(vm.name, "sdkvm", "the poller returns the resource (Azure-AsyncOperation, then GET)");
    assert.equal(vm.provisioningState, "Succeeded");
    const expanded = await dtl.virtualMachines.get(LAB_RG, LAB, "sdkvm", { expand: "properties($expand=artifacts)" });
    assert.equal(expanded.artifacts?.[0]?.status, "Succeeded");
    assert.equal(expanded.artifactDeploymentStatus?.deploymentStatus, "Succeeded");
    await dtl.virtualMachines.beginStartAndWait(LAB_RG, LAB, "sdkvm", FAST);
    assert.equal((await dtl.virtualMachines.get(LAB_RG, LAB, "sdkvm")).lastKnownPowerState, "Running");
    await dtl.virtualMachines.beginApplyArtifactsAndWait(LAB_RG, LAB, "sdkvm", { artifacts: [{ artifactId: `${lab.id ?? ""}/artifactSources/public repo/artifacts/linux-deprovision` }] }, FAST);
    const image = await dtl.customImages.beginCreateOrUpdateAndWait(LAB_RG, LAB, "sdkimage", { vm: { sourceVmId: vm.id ?? "", linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } }, FAST);
    assert.equal(image.provisioningState, "Succeeded");
    assert.match(image.managedSnapshotId ?? "", /\/snapshots\/sdkimage$/);
    const vms = [];
    for await (const x of dtl.virtualMachines.list(LAB_RG, LAB, { filter: "name eq 'sdkvm'" })) vms.push(x);
    assert.equal(vms.length, 1);
    await dtl.virtualMachines.beginDeleteAndWait(LAB_RG, LAB, "sdkvm", FAST);
    await dtl.customImages.beginDeleteAndWait(LAB_RG, LAB, "sdkimage", FAST);
    await assert.rejects(dtl.virtualMachines.get(LAB_RG, LAB, "sdkvm"), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === "ResourceNotFound");
  });

  it("@azure/arm-devtestlabs: a failed operation rejects with the operation's error", async () => {
    h.lroFailures.set("PUT /virtualmachines/sdkfail", { code: "AllocationFailed", message: "No capacity." });
    await assert.rejects(
      dtl.virtualMachines.beginCreateOrUpdateAndWait(LAB_RG, LAB, "sdkfail", { location: "westus", galleryImageReference: { offer: "o", publisher: "p", sku: "s", osType: "Linux", version: "latest" } }, FAST),
      /No capacity/,
    );
  });

  it("@azure/arm-devtestlabs: paging over many items", async () => {
    for (let i = 0; i < 7; i++) {
      await dtl.virtualMachines.beginCreateOrUpdateAndWait(LAB_RG, LAB, `pg${i}`, { location: "westus", galleryImageReference: { offer: "o", publisher: "p", sku: "s", osType: "Linux", version: "latest" } }, FAST);
    }
    const names: string[] = [];
    for await (const vm of dtl.virtualMachines.list(LAB_RG, LAB)) names.push(vm.name ?? "");
    assert.equal(names.length, 7);
    const templates: string[] = [];
    for await (const t of dtl.armTemplates.list(LAB_RG, LAB, "Public Environment Repo")) templates.push(t.name ?? "");
    assert.ok(templates.includes("WebApp"));
  });

  it("@azure/arm-resources: deployment with outputs and operations; resource group delete", async () => {
    const result = await arm.deployments.beginCreateOrUpdateAndWait(
      LAB_RG,
      "sdk-deploy",
      {
        properties: {
          mode: "Incremental",
          template: {
            $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
            contentVersion: "1.0.0.0",
            resources: [{ type: "Microsoft.Web/sites", apiVersion: "2022-09-01", name: "sdkweb", location: "[resourceGroup().location]", properties: {} }],
            outputs: { host: { type: "string", value: "[reference('sdkweb').defaultHostName]" } },
          },
        },
      },
      FAST,
    );
    assert.equal(result.properties?.provisioningState, "Succeeded");
    assert.equal((result.properties?.outputs as Record<string, { value: unknown }>)["host"]?.value, "sdkweb.azurewebsites.net");
    const ops = [];
    for await (const op of arm.deploymentOperations.list(LAB_RG, "sdk-deploy")) ops.push(op);
    assert.equal(ops[0]?.properties?.targetResource?.resourceName, "sdkweb");
    await arm.resourceGroups.createOrUpdate("sdk-scratch", { location: "westus" });
    await arm.resourceGroups.beginDeleteAndWait("sdk-scratch", FAST);
    assert.equal((await arm.resourceGroups.checkExistence("sdk-scratch")).body, false);
  });

  it("@azure/arm-compute: grant and revoke snapshot access", async () => {
    const vm = await dtl.virtualMachines.beginCreateOrUpdateAndWait(LAB_RG, LAB, "cvm", { location: "westus", galleryImageReference: { offer: "o", publisher: "p", sku: "s", osType: "Linux", version: "latest" } }, FAST);
    await dtl.customImages.beginCreateOrUpdateAndWait(LAB_RG, LAB, "cimg", { vm: { sourceVmId: vm.id ?? "", linuxOsInfo: { linuxOsState: "DeprovisionApplied" } } }, FAST);
    const access = await compute.snapshots.beginGrantAccessAndWait(LAB_RG, "cimg", { access: "Read", durationInSeconds: 600 }, FAST);
    assert.match(access.accessSAS ?? "", /^https:\/\/127\.0\.0\.1:10000\//);
    assert.equal((await h.storage.fetchBlobUrl(access.accessSAS ?? "")).status, 200);
    await compute.snapshots.beginRevokeAccessAndWait(LAB_RG, "cimg", FAST);
    assert.equal((await h.storage.fetchBlobUrl(access.accessSAS ?? "")).status, 404);
    const snapshot = await compute.snapshots.get(LAB_RG, "cimg");
    assert.equal(snapshot.osType, "Linux");
  });
});
