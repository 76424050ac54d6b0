// DTL environments: creation from the lab's environment repository into their own resource group with a
// deployment whose outputs can be read; @me and @all; deletion removes the resource group.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { CALLER, Harness, LAB_PATH, OTHER, SUB, body, propsOf, samplesWith } from "./testing/harness";

type Obj = Record<string, unknown>;

const WITH_OUTPUTS = {
  $schema: "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: { siteName: { type: "string" }, instances: { type: "int", defaultValue: 1 }, adminPassword: { type: "securestring" } },
  resources: [
    { type: "Microsoft.Web/serverfarms", apiVersion: "2022-09-01", name: "[concat(parameters('siteName'), '-plan')]", location: "[resourceGroup().location]", sku: { name: "S1" }, properties: { numberOfWorkers: "[parameters('instances')]" } },
    {
      type: "Microsoft.Web/sites",
      apiVersion: "2022-09-01",
      name: "[parameters('siteName')]",
      location: "[resourceGroup().location]",
      dependsOn: ["[resourceId('Microsoft.Web/serverfarms', concat(parameters('siteName'), '-plan'))]"],
      properties: { serverFarmId: "[resourceId('Microsoft.Web/serverfarms', concat(parameters('siteName'), '-plan'))]" },
    },
  ],
  outputs: {
    url: { type: "string", value: "[concat('https://', reference(parameters('siteName')).defaultHostName)]" },
    instances: { type: "int", value: "[parameters('instances')]" },
  },
};

const TEMPLATE_ID = `/subscriptions/${SUB}/resourceGroups/rg-factory/providers/Microsoft.DevTestLab/labs/FactoryLab/artifactSources/Public Environment Repo/armTemplates/WithOutputs`;

describe("ARM emulator: DTL environments", () => {
  let h: Harness;
  let samplesDir = "";
  before(() => {
    samplesDir = samplesWith({ WithOutputs: WITH_OUTPUTS });
  });
  after(() => rmSync(samplesDir, { recursive: true, force: true }));
  beforeEach(async () => {
    h = await Harness.create({ samplesDir });
  });
  afterEach(async () => h.close());

  it("creates an environment in its own resource group; outputs are on its deployment", async () => {
    const put = await h.call("PUT", `${LAB_PATH}/users/@me/environments/web1`, {
      body: {
        location: "westus",
        properties: { deploymentProperties: { armTemplateId: TEMPLATE_ID, parameters: [{ name: "siteName", value: "factory-web1" }, { name: "instances", value: "3" }, { name: "adminPassword", value: "Env-Secret-1!" }] } },
      },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.ok(put.headers?.["Azure-AsyncOperation"]);
    assert.equal(put.headers?.["Location"], undefined);
    assert.equal(body(put)["id"], `/subscriptions/${SUB}/resourcegroups/rg-factory/providers/microsoft.devtestlab/labs/factorylab/users/${CALLER.objectId}/environments/web1`);
    assert.equal(body(put)["type"], "Microsoft.DevTestLab/labs/users/environments");
    assert.equal(propsOf(put)["provisioningState"], "Creating");
    assert.deepEqual(await h.finish(put), { status: "Succeeded" });

    const env = await h.call("GET", `${LAB_PATH}/users/@me/environments/web1`);
    const p = propsOf(env);
    assert.equal(p["provisioningState"], "Succeeded");
    assert.equal(p["armTemplateDisplayName"], "WithOutputs");
    assert.equal(p["createdByUser"], "factory-sp");
    const rgId = String(p["resourceGroupId"]);
    assert.match(rgId, new RegExp(`^/subscriptions/${SUB}/resourceGroups/FactoryLab-web1-\\d{6}$`));
    const rgName = rgId.split("/").pop() ?? "";
    const deployments = await h.call("GET", `${rgId}/providers/Microsoft.Resources/deployments`, { apiVersion: "2021-04-01" });
    const [deployment] = body(deployments)["value"] as Obj[];
    const outputs = (deployment?.["properties"] as Obj)["outputs"] as Record<string, Obj>;
    assert.equal(outputs["url"]?.["value"], "https://factory-web1.azurewebsites.net");
    assert.equal(outputs["instances"]?.["value"], 3, "DTL's string parameter became the template's int");
    const site = await h.call("GET", `/subscriptions/${SUB}/resourceGroups/${rgName}/providers/Microsoft.Web/sites/factory-web1`, { apiVersion: "2022-09-01" });
    assert.equal(site.status, 200);

    // the caller's user profile was created on first use
    const me = await h.call("GET", `${LAB_PATH}/users/@me`);
    assert.equal(body(me)["name"], CALLER.objectId);
    assert.equal((propsOf(me)["identity"] as Obj)["objectId"], CALLER.objectId);

    // delete removes the environment and its resource group
    const del = await h.call("DELETE", `${LAB_PATH}/users/@me/environments/web1`);
    assert.equal(del.status, 202);
    assert.ok(del.headers?.["Location"] && del.headers["Azure-AsyncOperation"]);
    assert.deepEqual(await h.finish(del), { status: "Succeeded" });
    assert.equal((await h.call("GET", `${LAB_PATH}/users/@me/environments/web1`)).status, 404);
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourcegroups/${rgName}`, { apiVersion: "2021-04-01" })).status, 404);
    assert.equal((await h.call("GET", `/subscriptions/${SUB}/resourceGroups/${rgName}/providers/Microsoft.Web/sites/factory-web1`, { apiVersion: "2022-09-01" })).status, 404);
  });

  it("lists @me and @all; a failing template fails the environment; unknown templates are refused", async () => {
    const make = async (caller: typeof CALLER, name: string) =>
      h.finish(
        await h.call("PUT", `${LAB_PATH}/users/@me/environments/${name}`, {
          caller,
          body: { properties: { deploymentProperties: { armTemplateId: TEMPLATE_ID, parameters: [{ name: "siteName", value: `site-${name}` }, { name: "adminPassword", value: "x" }] } } },
        }),
        caller,
      );
    await make(CALLER, "mine");
    await make(OTHER, "theirs");
    const mine = await h.call("GET", `${LAB_PATH}/users/@me/environments`);
    assert.deepEqual((body(mine)["value"] as Obj[]).map((e) => e["name"]), ["mine"]);
    const all = await h.call("GET", `${LAB_PATH}/users/@all/environments`);
    assert.deepEqual((body(all)["value"] as Obj[]).map((e) => e["name"]).sort(), ["mine", "theirs"]);
    const byId = await h.call("GET", `${LAB_PATH}/users/${OTHER.objectId}/environments/theirs`);
    assert.equal(byId.status, 200);

    const missingParam = await h.call("PUT", `${LAB_PATH}/users/@me/environments/broken`, { body: { properties: { deploymentProperties: { armTemplateId: TEMPLATE_ID, parameters: [] } } } });
    assert.equal(missingParam.status, 201);
    const end = await h.finish(missingParam);
    assert.equal(end["status"], "Failed");
    assert.equal((end["error"] as Obj)["code"], "InvalidTemplate");
    assert.equal(propsOf(await h.call("GET", `${LAB_PATH}/users/@me/environments/broken`))["provisioningState"], "Failed");

    const unknown = await h.call("PUT", `${LAB_PATH}/users/@me/environments/nope`, { body: { properties: { deploymentProperties: { armTemplateId: TEMPLATE_ID.replace("WithOutputs", "Nothing"), parameters: [] } } } });
    assert.equal(unknown.status, 400);
  });

  it("deploys the repository's WebApp sample as an environment", async () => {
    const put = await h.call("PUT", `${LAB_PATH}/users/@me/environments/webapp`, {
      body: { properties: { deploymentProperties: { armTemplateId: TEMPLATE_ID.replace("WithOutputs", "WebApp"), parameters: [] } } },
    });
    assert.deepEqual(await h.finish(put), { status: "Succeeded" });
    const rgId = String(propsOf(await h.call("GET", `${LAB_PATH}/users/@me/environments/webapp`))["resourceGroupId"]);
    const resources = await h.call("GET", `${rgId}/resources`, { apiVersion: "2021-04-01" });
    assert.deepEqual((body(resources)["value"] as Obj[]).map((r) => r["type"]).sort(), ["Microsoft.Web/serverfarms", "Microsoft.Web/sites"]);
  });
});
