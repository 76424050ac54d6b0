// Resource-group deployments: the LRO as recorded, resources created through the providers (a lab VM in a
// template behaves like its direct PUT), outputs and outputResources, deployment operations, validation
// errors (synchronous 400), runtime failures (DeploymentFailed with details), cancel, delete, templateLink.
import assert from "node:assert/strict";
import { Harness, LAB, LAB_RG, SUB, body, propsOf } from "./testing/harness";
import { fakeEvaluateTemplate } from "./testing/fakeEvaluator";

type Obj = Record<string, unknown>;
const V = { apiVersion: "2025-03-01" };
const DEPLOYMENTS = `/subscriptions/${SUB}/resourcegroups/${LAB_RG}/providers/Microsoft.Resources/deployments`;

const VM_TEMPLATE = {
  $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: { labName: { type: "string" }, newVMName: { type: "string" }, password: { type: "securestring" }, storageName: { type: "string", defaultValue: "factorystore01" } },
  variables: { vmId: "[resourceId('Microsoft.DevTestLab/labs/virtualmachines', parameters('labName'), parameters('newVMName'))]" },
  resources: [
    {
      apiVersion: "2018-10-15-preview",
      type: "Microsoft.DevTestLab/labs/virtualmachines",
      name: "[concat(parameters('labName'), '/', parameters('newVMName'))]",
      location: "[resourceGroup().location]",
      properties: {
        galleryImageReference: { offer: "WindowsServer", publisher: "MicrosoftWindowsServer", sku: "2019-Datacenter", osType: "Windows", version: "latest" },
        size: "Standard_DS2_v2",
        userName: "factory",
        password: "[parameters('password')]",
        labSubnetName: "[concat('Dtl', parameters('labName'), 'Subnet')]",
        labVirtualNetworkId: "[resourceId('Microsoft.DevTestLab/labs/virtualnetworks', parameters('labName'), concat('Dtl', parameters('labName')))]",
        artifacts: [{ artifactId: "[resourceId('Microsoft.DevTestLab/labs/artifactSources/artifacts', parameters('labName'), 'public repo', 'windows-sysprep')]" }],
      },
    },
    { type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-01-01", name: "[parameters('storageName')]", location: "[resourceGroup().location]", sku: { name: "Standard_LRS" }, kind: "StorageV2", properties: {} },
  ],
  outputs: {
    labVMId: { type: "string", value: "[variables('vmId')]" },
    fqdn: { type: "string", value: "[reference(variables('vmId')).fqdn]" },
    blob: { type: "string", value: "[reference(parameters('storageName')).primaryEndpoints.blob]" },
  },
};

function deploy(h: Harness, name: string, template: unknown, parameters: Obj = {}) {
  return h.call("PUT", `${DEPLOYMENTS}/${name}`, { ...V, body: { properties: { mode: "Incremental", template, parameters } } });
}

describe("ARM emulator: deployments", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(async () => h.close());

  it("deploys a lab VM and a storage account: recorded LRO shape, outputs, outputResources, operations", async () => {
    const put = await deploy(h, "vm-deploy", VM_TEMPLATE, { labName: { value: LAB }, newVMName: { value: "tmplvm" }, password: { value: "Pa55w.rd-1234" } });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(propsOf(put)["provisioningState"], "Accepted");
    assert.match(String(propsOf(put)["templateHash"]), /^\d+$/);
    assert.deepEqual(propsOf(put)["parameters"], {
      labName: { type: "String", value: LAB },
      newVMName: { type: "String", value: "tmplvm" },
      password: { type: "SecureString" },
      storageName: { type: "String", value: "factorystore01" },
    });
    assert.match(put.headers?.["Azure-AsyncOperation"] ?? "", new RegExp(`/subscriptions/${SUB}/resourcegroups/${LAB_RG}/providers/Microsoft\\.Resources/deployments/vm-deploy/operationStatuses/\\d{20}\\?api-version=2025-03-01$`));
    assert.equal(put.headers?.["Location"], undefined);
    const seen = await h.pollStatus(put.headers?.["Azure-AsyncOperation"] ?? "");
    assert.deepEqual(seen[0], { status: "Running" });
    assert.deepEqual(seen[seen.length - 1], { status: "Succeeded" });

    const got = await h.call("GET", `${DEPLOYMENTS}/vm-deploy`, V);
    const p = propsOf(got);
    assert.equal(body(got)["type"], "Microsoft.Resources/deployments");
    assert.equal(p["provisioningState"], "Succeeded");
    const vmId = `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.DevTestLab/labs/${LAB}/virtualmachines/tmplvm`;
    const outputs = p["outputs"] as Record<string, Obj>;
    assert.equal(String(outputs["labVMId"]?.["value"]).toLowerCase(), vmId.toLowerCase());
    assert.equal(outputs["fqdn"]?.["value"], "tmplvm.westus.cloudapp.azure.com");
    assert.equal(outputs["blob"]?.["value"], "https://factorystore01.blob.core.windows.net/");
    assert.match(String(outputs["fqdn"]?.["type"]), /^string$/i);
    assert.deepEqual((p["outputResources"] as Obj[]).map((r) => String(r["id"]).toLowerCase()).sort(), [vmId.toLowerCase(), `/subscriptions/${SUB}/resourcegroups/${LAB_RG}/providers/microsoft.storage/storageaccounts/factorystore01`].sort());
    assert.match(String(p["duration"]), /^PT\d+\.\d{7}S$/);

    // the VM went through the VM provider: artifacts applied
    const vm = await h.call("GET", vmId, { query: { $expand: "properties($expand=artifacts)" } });
    assert.deepEqual(propsOf(vm)["artifactDeploymentStatus"], { deploymentStatus: "Succeeded", artifactsApplied: 1, totalArtifacts: 1 });

    const ops = body(await h.call("GET", `${DEPLOYMENTS}/vm-deploy/operations`, V))["value"] as Obj[];
    const creates = ops.filter((o) => (o["properties"] as Obj)["provisioningOperation"] === "Create");
    assert.equal(creates.length, 2);
    for (const o of creates) {
      const op = o["properties"] as Obj;
      assert.equal(op["provisioningState"], "Succeeded");
      assert.ok(["Created", "OK"].includes(String(op["statusCode"])));
      assert.match(String(o["id"]), /\/deployments\/vm-deploy\/operations\/[0-9A-F]{16}$/);
    }
    const vmOp = creates.find((o) => String(((o["properties"] as Obj)["targetResource"] as Obj)["resourceType"]).toLowerCase() === "microsoft.devtestlab/labs/virtualmachines");
    const target = (vmOp?.["properties"] as Obj)["targetResource"] as Obj;
    assert.equal(String(target["id"]).toLowerCase(), vmId.toLowerCase());
    assert.equal(target["resourceName"], `${LAB}/tmplvm`);
    assert.ok(ops.some((o) => (o["properties"] as Obj)["provisioningOperation"] === "EvaluateDeploymentOutput"));
    const one = await h.call("GET", `${DEPLOYMENTS}/vm-deploy/operations/${String(vmOp?.["operationId"])}`, V);
    assert.equal(one.status, 200);
  });

  it("rejects invalid templates synchronously with the evaluator's error (400)", async () => {
    const missing = await deploy(h, "bad", VM_TEMPLATE, { labName: { value: LAB } });
    assert.equal(missing.status, 400);
    const error = body(missing)["error"] as Obj;
    assert.equal(error["code"], "InvalidTemplate");
    assert.match(String(error["message"]), /newVMName/);
    assert.equal((await h.call("GET", `${DEPLOYMENTS}/bad`, V)).status, 404, "nothing was stored");
    const noMode = await h.call("PUT", `${DEPLOYMENTS}/bad`, { ...V, body: { properties: { template: VM_TEMPLATE } } });
    assert.equal(noMode.status, 400);
    assert.equal((body(noMode)["error"] as Obj)["code"], "InvalidRequestContent");
    const longName = await deploy(h, "x".repeat(65), { resources: [] });
    assert.equal((body(longName)["error"] as Obj)["code"], "DeploymentNameLengthLimitExceeded");
    const noGroup = await h.call("PUT", `/subscriptions/${SUB}/resourcegroups/nogroup/providers/Microsoft.Resources/deployments/d`, { ...V, body: { properties: { mode: "Incremental", template: { resources: [] } } } });
    assert.equal((body(noGroup)["error"] as Obj)["code"], "ResourceGroupNotFound");
    const validate = await h.call("POST", `${DEPLOYMENTS}/check/validate`, { ...V, body: { properties: { mode: "Incremental", template: VM_TEMPLATE, parameters: { labName: { value: LAB }, newVMName: { value: "v1" }, password: { value: "x" } } } } });
    assert.equal(validate.status, 200);
    assert.equal((propsOf(validate)["validatedResources"] as Obj[]).length, 2);
    const invalid = await h.call("POST", `${DEPLOYMENTS}/check/validate`, { ...V, body: { properties: { mode: "Incremental", template: VM_TEMPLATE } } });
    assert.equal(invalid.status, 400);
    assert.equal((await h.call("GET", `${DEPLOYMENTS}/check`, V)).status, 404, "validate stores nothing");
  });

  it("a resource that fails at runtime fails the deployment with DeploymentFailed and details; dependents are not started", async () => {
    const image = { offer: "o", publisher: "p", sku: "s", osType: "Linux", version: "latest" };
    const template = {
      resources: [
        { type: "Microsoft.DevTestLab/labs/virtualmachines", apiVersion: "2018-10-15-preview", name: "nolab/vm1", location: "westus", properties: { galleryImageReference: image } },
        { type: "Microsoft.DevTestLab/labs/virtualmachines", apiVersion: "2018-10-15-preview", name: `${LAB}/doomed`, location: "westus", properties: { galleryImageReference: image } },
        { type: "Microsoft.Web/serverfarms", apiVersion: "2022-09-01", name: "plan1", location: "westus", dependsOn: [`[resourceId('Microsoft.DevTestLab/labs/virtualmachines', '${LAB}', 'doomed')]`], properties: {} },
      ],
    };
    h.lroFailures.set("PUT /virtualmachines/doomed", { code: "OSProvisioningTimedOut", message: "OS Provisioning for VM 'doomed' did not finish in the allotted time." });
    const put = await deploy(h, "failing", template);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const end = await h.finish(put);
    assert.equal(end["status"], "Failed");
    const error = end["error"] as Obj;
    assert.equal(error["code"], "DeploymentFailed");
    assert.equal(error["message"], "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-debug for usage details.");
    const details = error["details"] as Obj[];
    assert.equal(details.length, 2);
    const notFound = details.find((d) => d["code"] === "NotFound");
    assert.match(String(notFound?.["message"]), /ParentResourceNotFound/);
    assert.match(String(notFound?.["message"]), /\r\n/, "inner errors are pretty-printed with CRLF as ARM does");
    const conflict = details.find((d) => d["code"] === "Conflict");
    const inner = JSON.parse(String(conflict?.["message"])) as Obj;
    assert.equal((inner["error"] as Obj)["code"], "ResourceDeploymentFailure");
    assert.deepEqual(((inner["error"] as Obj)["details"] as Obj[])[0], { code: "OSProvisioningTimedOut", message: "OS Provisioning for VM 'doomed' did not finish in the allotted time." });

    const got = propsOf(await h.call("GET", `${DEPLOYMENTS}/failing`, V));
    assert.equal(got["provisioningState"], "Failed");
    assert.equal((got["error"] as Obj)["code"], "DeploymentFailed");
    const ops = body(await h.call("GET", `${DEPLOYMENTS}/failing/operations`, V))["value"] as Obj[];
    assert.equal(ops.length, 2, "the plan depending on the failed VM was never started");
    assert.ok(ops.every((o) => (o["properties"] as Obj)["provisioningState"] === "Failed"));
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Web/serverfarms/plan1`, V)).status, 404);
    const failed = await h.call("GET", DEPLOYMENTS, { ...V, query: { $filter: "provisioningState eq 'Failed'" } });
    assert.deepEqual((body(failed)["value"] as Obj[]).map((d) => d["name"]), ["failing"]);
  });

  it("lroFailure of the deployment itself, re-PUT while running, cancel and delete", async () => {
    const slow = await Harness.create({ timeScale: 0.001 });
    try {
      const tpl = { resources: [{ type: "Microsoft.Web/serverfarms", apiVersion: "2022-09-01", name: "plan1", location: "westus", properties: {} }] };
      const put = await deploy(slow, "long", tpl);
      const again = await deploy(slow, "long", tpl);
      assert.equal(again.status, 409);
      assert.match(String((body(again)["error"] as Obj)["message"]), /is still active/);
      const busyDelete = await slow.call("DELETE", `${DEPLOYMENTS}/long`, V);
      assert.equal(busyDelete.status, 409);
      assert.equal((await slow.call("POST", `${DEPLOYMENTS}/long/cancel`, V)).status, 204);
      assert.equal((await slow.finish(put))["status"], "Canceled");
      assert.equal(propsOf(await slow.call("GET", `${DEPLOYMENTS}/long`, V))["provisioningState"], "Canceled");
      assert.equal((await slow.call("POST", `${DEPLOYMENTS}/long/cancel`, V)).status, 409);
      const del = await slow.call("DELETE", `${DEPLOYMENTS}/long`, V);
      assert.equal(del.status, 202);
      assert.match(del.headers?.["Location"] ?? "", /\/operationresults\//);
      await slow.finish(del);
      assert.equal((await slow.call("GET", `${DEPLOYMENTS}/long`, V)).status, 404);
    } finally {
      await slow.close();
    }
    h.lroFailures.set("PUT /deployments/broken", { code: "InternalServerError", message: "ARM had a bad day." });
    const broken = await deploy(h, "broken", { resources: [] });
    assert.deepEqual(await h.finish(broken), { status: "Failed", error: { code: "InternalServerError", message: "ARM had a bad day." } });
  });

  it("nested inline deployments create their resources; outputResources include them", async () => {
    const template = {
      resources: [
        {
          type: "Microsoft.Resources/deployments",
          apiVersion: "2021-04-01",
          name: "inner",
          properties: {
            mode: "Incremental",
            template: {
              $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
              contentVersion: "1.0.0.0",
              resources: [{ type: "Microsoft.Network/publicIPAddresses", apiVersion: "2023-11-01", name: "pip1", location: "westus", properties: { dnsSettings: { domainNameLabel: "factorypip" } } }],
            },
          },
        },
      ],
      outputs: { fqdn: { type: "string", value: "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip1'), '2023-11-01').dnsSettings.fqdn]" } },
    };
    const put = await deploy(h, "outer", template);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.deepEqual(await h.finish(put), { status: "Succeeded" });
    const p = propsOf(await h.call("GET", `${DEPLOYMENTS}/outer`, V));
    assert.deepEqual((p["outputResources"] as Obj[]).map((r) => String(r["id"]).split("/").pop()), ["pip1"]);
    assert.equal(((p["outputs"] as Record<string, Obj>)["fqdn"])?.["value"], "factorypip.westus.cloudapp.azure.com");
    assert.equal(propsOf(await h.call("GET", `${DEPLOYMENTS}/inner`, V))["provisioningState"], "Succeeded");
  });

  it("fetches a templateLink from storage with its SAS; refuses expired links and the internet", async () => {
    const { account, container } = h.storage.labContainer("templates", "artifacts");
    await h.storage.ensureContainer(account, container);
    await h.storage.putBlob(account, container, "main.json", Buffer.from("\uFEFF" + JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: [{ type: "Microsoft.Web/serverfarms", apiVersion: "2022-09-01", name: "linkedplan", location: "westus", properties: {} }] })));
    const sas = h.storage.sasUrl({ account, container, blob: "main.json", permissions: "r", expiresOn: new Date(Date.now() + 600_000) });
    const put = await h.call("PUT", `${DEPLOYMENTS}/linked`, { ...V, body: { properties: { mode: "Incremental", templateLink: { uri: sas } } } });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.deepEqual(await h.finish(put), { status: "Succeeded" });
    assert.equal((propsOf(await h.call("GET", `${DEPLOYMENTS}/linked`, V))["templateLink"] as Obj)["uri"], sas);
    const expired = h.storage.sasUrl({ account, container, blob: "main.json", permissions: "r", expiresOn: new Date(Date.now() - 1000) });
    const refused = await h.call("PUT", `${DEPLOYMENTS}/linked2`, { ...V, body: { properties: { mode: "Incremental", templateLink: { uri: expired } } } });
    assert.equal(refused.status, 400);
    assert.equal((body(refused)["error"] as Obj)["code"], "InvalidContentLink");
    const internet = await h.call("PUT", `${DEPLOYMENTS}/linked3`, { ...V, body: { properties: { mode: "Incremental", templateLink: { uri: "https://raw.githubusercontent.com/x/y/main.json" } } } });
    assert.equal((body(internet)["error"] as Obj)["code"], "InvalidContentLink");
  });

  it("works with any evaluator that keeps the contract (hand-written templates)", async () => {
    const fake = await Harness.create({ internals: { evaluateTemplate: fakeEvaluateTemplate } });
    try {
      const template = {
        parameters: { site: { type: "string" } },
        resources: [{ type: "Microsoft.Web/sites", apiVersion: "2022-09-01", name: "[parameters('site')]", location: "[resourceGroup().location]", properties: {} }],
        outputs: { host: { type: "string", value: `[reference('/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Web/sites/factoryweb').defaultHostName]` } },
      };
      const put = await deploy(fake, "web", template, { site: { value: "factoryweb" } });
      assert.deepEqual(await fake.finish(put), { status: "Succeeded" });
      assert.deepEqual(propsOf(await fake.call("GET", `${DEPLOYMENTS}/web`, V))["outputs"], { host: { type: "string", value: "factoryweb.azurewebsites.net" } });
      const site = await fake.call("GET", `/subscriptions/${SUB}/resourceGroups/${LAB_RG}/providers/Microsoft.Web/sites/factoryweb`, V);
      assert.equal(propsOf(site)["provisioningState"], "Succeeded");
      assert.equal(propsOf(site)["defaultHostName"], "factoryweb.azurewebsites.net");
    } finally {
      await fake.close();
    }
  });
});
