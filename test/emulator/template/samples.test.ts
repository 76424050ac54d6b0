// Every sample template the offline Azure must deploy (golden images, lab templates, environments) evaluates
// with parameters made from its own definitions; the SharePoint environments fail as ARM fails on functions
// the emulator does not support.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { EvaluatedResource } from "../core/contracts";
import { SUPPORTED_FUNCTIONS } from "./index";
import { armError, evaluate, RG_ID } from "./test-support";

const SAMPLES = join(__dirname, "..", "..", "fixtures", "samples");

function templatesUnder(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".json") && !entry.name.endsWith(".parameters.json") && entry.name !== "metadata.json") out.push(path);
    }
  };
  walk(join(SAMPLES, folder));
  return out.sort();
}

type Definition = { type: string; defaultValue?: unknown; allowedValues?: unknown[]; minLength?: number; maxLength?: number; minValue?: number; maxValue?: number };

/** A plausible value for every parameter without a default: the first allowed value, or one of the right type and length. */
function parametersFor(text: string, overrides: Record<string, unknown> = {}): Record<string, { value: unknown }> {
  const definitions = (JSON.parse(text.replace(/^\uFEFF/, "")) as { parameters?: Record<string, Definition> }).parameters ?? {};
  const values: Record<string, { value: unknown }> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (name in overrides) values[name] = { value: overrides[name] };
    else if (definition.defaultValue === undefined) values[name] = { value: madeUp(name, definition) };
  }
  return values;
}

function madeUp(name: string, definition: Definition): unknown {
  if (definition.allowedValues) return definition.allowedValues[0];
  switch (definition.type.toLowerCase()) {
    case "int":
      return Math.min(definition.maxValue ?? Number.MAX_SAFE_INTEGER, Math.max(definition.minValue ?? 1, 1));
    case "bool":
      return true;
    case "array":
      return [];
    case "object":
    case "secureobject":
      return {};
    default: {
      let text = name.toLowerCase().replace(/[^a-z0-9]/g, "");
      if (definition.maxLength !== undefined) text = text.slice(0, definition.maxLength);
      return text.padEnd(definition.minLength ?? 0, "x");
    }
  }
}

/** The provider's view of any created resource: enough for the samples' outputs and deferred values. */
function runtime(id: string): unknown {
  const name = id.split("/").pop() ?? "";
  return { id, name, type: "emulated", properties: { fqdn: `${name}.example.test`, secretUriWithVersion: `https://vault.example.test/secrets/${name}/1`, dnsSettings: { fqdn: `${name}.example.test` } } };
}

/** Every string of a JSON value (keys included). */
function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([key, item]) => [key, ...stringsOf(item)]);
  return [];
}

/** The template's expression strings ("[...]", not "[[..."). */
function expressionsOf(templateJson: unknown): Set<string> {
  return new Set(stringsOf(templateJson).filter((value) => value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]")));
}

function read(path: string): string {
  return readFileSync(path, "utf8");
}

function assertWellFormed(resources: EvaluatedResource[]): void {
  const ids = resources.map((r) => r.id.toLowerCase());
  assert.equal(new Set(ids).size, ids.length, "resource ids are unique");
  resources.forEach((resource, position) => {
    assert.ok(resource.id.startsWith(`${RG_ID}/providers/`), resource.id);
    assert.ok(resource.apiVersion, `${resource.id} has an api version`);
    for (const dependency of resource.dependsOn) {
      assert.ok(ids.slice(0, position).includes(dependency.toLowerCase()), `${resource.name} comes after its dependency ${dependency}`);
    }
  });
}

const mustDeploy = [...templatesUnder("image-factory/Configuration/GoldenImages"), ...templatesUnder("lab-templates"), ...templatesUnder("environments")].filter(
  (path) => !relative(SAMPLES, path).startsWith(join("environments", "SharePoint-")),
);
const sharePoint = templatesUnder("environments").filter((path) => relative(SAMPLES, path).startsWith(join("environments", "SharePoint-")));

describe("template evaluator: sample templates", () => {
  it("finds the samples", () => {
    assert.ok(mustDeploy.length >= 30, `${mustDeploy.length} templates`);
    assert.equal(sharePoint.length, 2);
  });

  for (const path of mustDeploy) {
    it(`evaluates ${relative(SAMPLES, path)}`, () => {
      const text = read(path);
      const result = evaluate(text, parametersFor(text));
      assert.ok(result.resources.length > 0);
      assertWellFormed(result.resources);
      const expressions = expressionsOf(JSON.parse(text.replace(/^\uFEFF/, "")));
      for (const resource of result.resources) {
        const resolved = resource.resolve ? resource.resolve(runtime) : resource;
        const left = stringsOf(resolved.properties).filter((value) => expressions.has(value));
        assert.deepEqual(left, [], `${resource.name} has no unevaluated expression left`);
      }
      const outputs = result.outputs(runtime);
      for (const output of Object.values(outputs)) assert.notEqual(output.value, undefined);
    });
  }

  describe("checked by hand", () => {
    const goldenImages = templatesUnder("image-factory/Configuration/GoldenImages");

    it("a golden image is one lab VM named <labName>/<newVMName> with the factory's parameters", () => {
      assert.equal(goldenImages.length, 3);
      for (const path of goldenImages) {
        const text = read(path);
        const values = { newVMName: "win2016-001", labName: "FactoryLab", size: "Standard_D2s_v3", userName: "factory", password: "P@ssw0rd-123" };
        const result = evaluate(text, parametersFor(text, values));
        assert.equal(result.resources.length, 1);
        const [vm] = result.resources as [EvaluatedResource];
        const vmId = `${RG_ID}/providers/Microsoft.DevTestLab/labs/FactoryLab/virtualmachines/win2016-001`;
        assert.equal(vm.type, "Microsoft.DevTestLab/labs/virtualmachines");
        assert.equal(vm.name, "FactoryLab/win2016-001");
        assert.equal(vm.id, vmId);
        assert.equal(vm.location, "westeurope");
        assert.deepEqual(vm.dependsOn, []);
        const properties = vm.properties as Record<string, unknown>;
        assert.equal(properties.size, "Standard_D2s_v3");
        assert.equal(properties.userName, "factory");
        assert.equal(properties.password, "P@ssw0rd-123");
        assert.equal(properties.labVirtualNetworkId, `${RG_ID}/providers/Microsoft.DevTestLab/labs/FactoryLab/virtualnetworks/DtlFactoryLab`);
        assert.equal(properties.labSubnetName, "DtlFactoryLabSubnet");
        assert.equal(typeof properties.notes, "string");
        assert.deepEqual(result.outputs(runtime), { labVMId: { type: "String", value: vmId } });
      }
    });

    it("101-dtl-create-lab: a lab and its virtual network, which waits for it", () => {
      const text = read(join(SAMPLES, "lab-templates", "101-dtl-create-lab", "azuredeploy.json"));
      const result = evaluate(text, parametersFor(text, { newLabName: "TeamLab" }));
      const labId = `${RG_ID}/providers/Microsoft.DevTestLab/labs/TeamLab`;
      assert.deepEqual(
        result.resources.map((r) => [r.type, r.name, r.dependsOn]),
        [
          ["Microsoft.DevTestLab/labs", "TeamLab", []],
          ["Microsoft.DevTestLab/labs/virtualNetworks", "TeamLab/DtlTeamLab", [labId]],
        ],
      );
      assert.equal(result.outputs(runtime).labId?.value, labId);
    });

    it("201-dtl-create-lab-with-seleniumgrid: copy loop of nodes that wait for the hub they reference", () => {
      const text = read(join(SAMPLES, "lab-templates", "201-dtl-create-lab-with-seleniumgrid", "azuredeploy.json"));
      const result = evaluate(text, parametersFor(text, { labName: "Grid", nodeCount: 3, password: "P@ssw0rd-123" }));
      const vmIds = (name: string) => `${RG_ID}/providers/Microsoft.DevTestLab/labs/Grid/virtualmachines/${name}`;
      const names = result.resources.map((r) => r.name);
      assert.deepEqual(names, ["Grid", "Grid/DtlGrid", "Grid/SeleniumHub", "Grid/SeleniumNode1", "Grid/SeleniumNode2", "Grid/SeleniumNode3"]);
      const node = result.resources.find((r) => r.name === "Grid/SeleniumNode2");
      assert.ok(node?.dependsOn.some((id) => id.toLowerCase() === vmIds("SeleniumHub").toLowerCase()));
      const resolved = node?.resolve?.(runtime);
      assert.match(JSON.stringify(resolved?.properties), /SeleniumHub\.example\.test/);
      assert.equal(result.outputs(runtime).HubURL?.value, "http://SeleniumHub.example.test:4444/wd/hub");
    });

    it("WebApp-SQL: children depend on their server named by a variable", () => {
      const text = read(join(SAMPLES, "environments", "WebApp-SQL", "azuredeploy.json"));
      const result = evaluate(text, parametersFor(text));
      const server = result.resources.find((r) => r.type === "Microsoft.Sql/servers");
      assert.ok(server);
      for (const child of result.resources.filter((r) => r.type.startsWith("Microsoft.Sql/servers/"))) {
        assert.ok(child.name.startsWith(`${server.name}/`));
        assert.ok(child.dependsOn.includes(server.id), `${child.name} waits for the server`);
      }
    });

    it("ServiceFabric-LabCluster: the condition picks one nested deployment, whose parameters wait for the secret", () => {
      const text = read(join(SAMPLES, "environments", "ServiceFabric-LabCluster", "azuredeploy.json"));
      const linux = evaluate(text, parametersFor(text, { clusterOS: "Linux" }));
      const deployments = linux.resources.filter((r) => r.type === "Microsoft.Resources/deployments");
      assert.deepEqual(deployments.map((r) => r.name), ["factory-deployment-QuickstartTemplate-Linux"]);
      const secret = linux.resources.find((r) => r.type === "Microsoft.KeyVault/vaults/secrets");
      assert.ok(secret && deployments[0]?.dependsOn.includes(secret.id));
      const parameters = (deployments[0]?.resolve?.(runtime).properties as { parameters: Record<string, { value: unknown }> }).parameters;
      assert.equal(parameters.certificateUrlValue?.value, `https://vault.example.test/secrets/ClusterCertificate/1`);
    });

    it("301-dtl-add-lab-user: a role assignment extension resource on the lab", () => {
      const text = read(join(SAMPLES, "lab-templates", "301-dtl-add-lab-user", "azuredeploy.json"));
      assert.equal(text.charCodeAt(0), 0xfeff, "the sample keeps its byte-order mark");
      const result = evaluate(text, parametersFor(text, { labName: "TeamLab", roleAssignmentGuid: "0f0e0d0c-0b0a-0908-0706-050403020100", principalId: "p" }));
      const assignment = result.resources[1];
      assert.equal(assignment?.type, "Microsoft.Authorization/roleAssignments");
      assert.equal(assignment?.id, `${RG_ID}/providers/Microsoft.DevTestLab/labs/TeamLab/providers/Microsoft.Authorization/roleAssignments/0f0e0d0c-0b0a-0908-0706-050403020100`);
    });
  });

  for (const path of sharePoint) {
    it(`fails ${relative(SAMPLES, path)} on a function beyond the supported set, as ARM reports it`, () => {
      const text = read(path);
      const error = armError(() => evaluate(text, parametersFor(text)));
      assert.equal(error.code, "InvalidTemplate");
      const match = /^Deployment template validation failed: 'The template (?:resource|variable|output) '[^']*' (?:at line '\d+' and column '\d+' )?is not valid: The template function '(\w+)' is not valid\. Please see https:\/\/aka\.ms\/arm-functions for usage details\.\. Please see https:\/\/aka\.ms\/arm-functions for usage details\.'\.$/.exec(error.message);
      assert.ok(match, error.message);
      const fn = match[1] as string;
      assert.ok(!SUPPORTED_FUNCTIONS.some((name) => name.toLowerCase() === fn.toLowerCase()), `${fn} is reported unsupported`);
      assert.ok(text.includes(`${fn}(`), `the template uses ${fn}()`);
    });
  }
});
