import { strict as assert } from "node:assert";
import { allText, GROUP, RG_ID, run, runError, SUBSCRIPTION, TENANT } from "./test-support";

describe("template evaluator: resource and deployment functions", () => {
  describe("resourceId family", () => {
    it("builds resource-group ids from a type and one name per type segment", () => {
      assert.equal(run("resourceId('Microsoft.DevTestLab/labs', 'lab1')"), `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1`);
      assert.equal(
        run("resourceId('Microsoft.DevTestLab/labs/virtualmachines', 'lab1', 'vm1')"),
        `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1/virtualmachines/vm1`,
      );
      assert.equal(
        run("resourceId('Microsoft.DevTestLab/labs/artifactSources/artifacts', 'lab1', 'public repo', 'windows-chocolatey')"),
        `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1/artifactSources/public repo/artifacts/windows-chocolatey`,
      );
    });

    it("accepts a resource group, or a subscription and a resource group, before the type", () => {
      assert.equal(run("resourceId('otherRg', 'Microsoft.Storage/storageAccounts', 'sa')"), `/subscriptions/${SUBSCRIPTION}/resourceGroups/otherRg/providers/Microsoft.Storage/storageAccounts/sa`);
      assert.equal(run("resourceId('sub2', 'otherRg', 'Microsoft.Storage/storageAccounts', 'sa')"), "/subscriptions/sub2/resourceGroups/otherRg/providers/Microsoft.Storage/storageAccounts/sa");
    });

    it("rejects a name count that does not match the type", () => {
      assert.match(allText(runError("resourceId('Microsoft.DevTestLab/labs/virtualmachines', 'lab1')")), /Unable to evaluate template language function 'resourceId': the type 'Microsoft\.DevTestLab\/labs\/virtualmachines' requires '2' resource name argument\(s\)\./);
      assert.match(allText(runError("resourceId('lab1')")), /function 'resourceId'/);
    });

    it("subscriptionResourceId, tenantResourceId and extensionResourceId", () => {
      assert.equal(run("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')"), `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/r1`);
      assert.equal(run("subscriptionResourceId('sub2', 'Microsoft.Authorization/roleDefinitions', 'r1')"), "/subscriptions/sub2/providers/Microsoft.Authorization/roleDefinitions/r1");
      assert.equal(run("tenantResourceId('Microsoft.Management/managementGroups', 'mg1')"), "/providers/Microsoft.Management/managementGroups/mg1");
      assert.equal(
        run("extensionResourceId(resourceId('Microsoft.DevTestLab/labs', 'lab1'), 'Microsoft.Authorization/locks', 'lock1')"),
        `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1/providers/Microsoft.Authorization/locks/lock1`,
      );
    });
  });

  describe("resourceGroup, subscription, deployment, environment", () => {
    it("resourceGroup() describes the target group; tags only when it has some", () => {
      const group = run("resourceGroup()") as Record<string, unknown>;
      assert.equal(group.id, RG_ID);
      assert.equal(group.name, GROUP);
      assert.equal(group.location, "westeurope");
      assert.equal(group.type, "Microsoft.Resources/resourceGroups");
      assert.deepEqual(group.properties, { provisioningState: "Succeeded" });
      assert.equal("tags" in group, false);
      assert.equal(run("resourceGroup().tags.owner", { scope: { resourceGroupTags: { owner: "factory" } } }), "factory");
    });

    it("subscription() gives id, subscriptionId, tenantId and displayName", () => {
      assert.deepEqual(run("subscription()", { scope: { subscriptionDisplayName: "Factory" } }), {
        id: `/subscriptions/${SUBSCRIPTION}`,
        subscriptionId: SUBSCRIPTION,
        tenantId: TENANT,
        displayName: "Factory",
      });
    });

    it("deployment() gives the name, template link, content version and mode", () => {
      assert.equal(run("deployment().name"), "factory-deployment");
      assert.equal(run("deployment().properties.template.contentVersion"), "1.0.0.0");
      assert.equal(run("deployment().properties.templateLink.uri", { scope: { templateLink: { uri: "https://example.test/t.json" } } }), "https://example.test/t.json");
      assert.match(allText(runError("deployment().properties.templateLink")), /The language expression property 'templateLink' doesn't exist/);
    });

    it("deployment().properties.parameters leaves secure parameters out", () => {
      const parameters = { name: { type: "string" }, secret: { type: "securestring" } };
      const values = { name: { value: "n" }, secret: { value: "s3cret" } };
      assert.deepEqual(run("deployment().properties.parameters", { parameters, values }), { name: { value: "n" } });
    });

    it("environment() describes AzureCloud", () => {
      assert.equal(run("environment().name"), "AzureCloud");
      assert.equal(run("environment().suffixes.storage"), "core.windows.net");
      assert.equal(run("environment().suffixes.keyvaultDns"), ".vault.azure.net");
      assert.equal(run("environment().resourceManager"), "https://management.azure.com/");
    });
  });

  describe("reference and list functions on existing resources", () => {
    const vnetId = `${RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet1`;
    const vnet = { id: vnetId, name: "vnet1", type: "Microsoft.Network/virtualNetworks", location: "westeurope", properties: { subnets: [{ name: "default" }] } };

    it("asks hooks.reference with id, api version and the Full flag", () => {
      const calls: unknown[] = [];
      const hooks = {
        reference(id: string, apiVersion: string | undefined, full: boolean) {
          calls.push([id, apiVersion, full]);
          return id.toLowerCase() === vnetId.toLowerCase() ? (full ? vnet : vnet.properties) : undefined;
        },
      };
      assert.equal(run("reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet1'), '2023-11-01').subnets[0].name", { hooks }), "default");
      assert.equal(run("reference(resourceId('Microsoft.Network/virtualNetworks', 'vnet1'), '2023-11-01', 'Full').location", { hooks }), "westeurope");
      assert.deepEqual(calls, [
        [vnetId, "2023-11-01", false],
        [vnetId, "2023-11-01", true],
      ]);
    });

    it("fails with ResourceNotFound for a resource that does not exist", () => {
      const error = runError("reference(resourceId('Microsoft.Network/virtualNetworks', 'nope'), '2023-11-01')");
      assert.equal(error.code, "ResourceNotFound");
      assert.match(error.message, /The Resource 'Microsoft\.Network\/virtualNetworks\/nope' under resource group 'Factory-RG' was not found\./);
    });

    it("is not allowed in variables", () => {
      const error = runError("variables('v')", { variables: { v: "[reference('x')]" } });
      assert.match(error.message, /The template variable 'v' is not valid: The template function 'reference' is not expected at this location\./);
    });

    it("list functions go to hooks.list for resources hooks.reference knows", () => {
      const hooks = {
        reference: (id: string) => (id.endsWith("/sa1") ? { properties: {} } : undefined),
        list: (id: string, apiVersion: string, fn: string) => ({ keys: [{ value: `${fn}:${id.split("/").pop() ?? ""}:${apiVersion}` }] }),
      };
      assert.equal(run("listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01').keys[0].value", { hooks }), "listKeys:sa1:2023-01-01");
      assert.equal(runError("listKeys(resourceId('Microsoft.Storage/storageAccounts', 'other'), '2023-01-01')", { hooks }).code, "ResourceNotFound");
      assert.match(allText(runError("listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01')", { hooks: { reference: hooks.reference } })), /Unable to evaluate template language function 'listKeys'/);
    });
  });
});
