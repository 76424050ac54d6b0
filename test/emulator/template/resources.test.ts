import { strict as assert } from "node:assert";
import type { EvaluatedResource } from "../core/contracts";
import { armError, evaluate, RG_ID, template } from "./test-support";

const LAB = `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1`;

function byName(resources: EvaluatedResource[], name: string): EvaluatedResource {
  const found = resources.find((resource) => resource.name === name);
  assert.ok(found, `resource ${name} in ${resources.map((r) => r.name).join(", ")}`);
  return found;
}

function lab(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "Microsoft.DevTestLab/labs", apiVersion: "2018-09-15", name: "lab1", location: "[resourceGroup().location]", ...extra };
}

describe("template evaluator: resources", () => {
  it("evaluates identity and body: id, type, name, apiVersion, location, tags, sku, kind, properties", () => {
    const tpl = template({
      resources: [
        lab({ tags: { owner: "[concat('fact', 'ory')]" }, sku: { name: "Standard" }, kind: "[toLower('Lab')]", properties: { labStorageType: "[toUpper('premium')]" } }),
      ],
    });
    const [resource] = evaluate(tpl).resources;
    assert.deepEqual(resource, {
      id: LAB,
      type: "Microsoft.DevTestLab/labs",
      name: "lab1",
      apiVersion: "2018-09-15",
      location: "westeurope",
      tags: { owner: "factory" },
      sku: { name: "Standard" },
      kind: "lab",
      properties: { labStorageType: "PREMIUM" },
      dependsOn: [],
    });
  });

  it("composes nested resources' type and name with the parent's and makes them depend on it", () => {
    const tpl = template({
      resources: [
        lab({
          resources: [
            { type: "virtualnetworks", apiVersion: "2018-09-15", name: "Dtllab1" },
            { type: "policySets/policies", apiVersion: "2018-09-15", name: "default/MaxVmsAllowedPerLab" },
            { type: "Microsoft.DevTestLab/labs/schedules", apiVersion: "2018-09-15", name: "lab1/LabVmsShutdown" },
          ],
        }),
      ],
    });
    const { resources } = evaluate(tpl);
    assert.deepEqual(
      resources.map((r) => [r.type, r.name, r.id, r.dependsOn]),
      [
        ["Microsoft.DevTestLab/labs", "lab1", LAB, []],
        ["Microsoft.DevTestLab/labs/virtualnetworks", "lab1/Dtllab1", `${LAB}/virtualnetworks/Dtllab1`, [LAB]],
        ["Microsoft.DevTestLab/labs/policySets/policies", "lab1/default/MaxVmsAllowedPerLab", `${LAB}/policySets/default/policies/MaxVmsAllowedPerLab`, [LAB]],
        ["Microsoft.DevTestLab/labs/schedules", "lab1/LabVmsShutdown", `${LAB}/schedules/LabVmsShutdown`, [LAB]],
      ],
    );
  });

  it("rejects names whose segments do not match the type", () => {
    const tpl = template({ resources: [{ type: "Microsoft.DevTestLab/labs/virtualmachines", apiVersion: "2018-09-15", name: "vm-without-lab" }] });
    const error = armError(() => evaluate(tpl));
    assert.match(error.message, /The template resource 'vm-without-lab' at line '1' and column '\d+' is not valid: .*incorrect segment lengths/);
  });

  it("rejects an empty name and an expression as type", () => {
    assert.match(armError(() => evaluate(template({ resources: [lab({ name: "[concat('')]" })] }))).message, /The name property cannot be null or empty/);
    assert.match(armError(() => evaluate(template({ resources: [lab({ type: "[concat('Microsoft.DevTestLab/labs')]" })] }))).message, /The type property cannot be an expression/);
  });

  it("writes extension resources given as parent/providers/type with their own type and the parent's id", () => {
    const tpl = template({
      resources: [
        lab(),
        { type: "Microsoft.DevTestLab/labs/providers/roleAssignments", apiVersion: "2016-07-01", name: "lab1/Microsoft.Authorization/guid1", dependsOn: ["lab1"], properties: {} },
      ],
    });
    const assignment = evaluate(tpl).resources[1] as EvaluatedResource;
    assert.equal(assignment.id, `${LAB}/providers/Microsoft.Authorization/roleAssignments/guid1`);
    assert.equal(assignment.type, "Microsoft.Authorization/roleAssignments");
    assert.equal(assignment.name, "guid1");
  });

  it("puts an extension resource with a scope property under that resource", () => {
    const tpl = template({ resources: [lab(), { type: "Microsoft.Authorization/locks", apiVersion: "2020-05-01", name: "lock1", scope: "[resourceId('Microsoft.DevTestLab/labs', 'lab1')]", dependsOn: ["lab1"] }] });
    assert.equal(evaluate(tpl).resources[1]?.id, `${LAB}/providers/Microsoft.Authorization/locks/lock1`);
  });

  describe("copy loops", () => {
    const vms = (count: unknown, extra: Record<string, unknown> = {}) => ({
      type: "Microsoft.DevTestLab/labs/virtualmachines",
      apiVersion: "2018-09-15",
      name: "[concat('lab1/vm', copyIndex(1))]",
      copy: { name: "vmCopy", count },
      properties: { index: "[copyIndex()]", named: "[copyIndex('vmCopy', 10)]" },
      ...extra,
    });

    it("expands a resource count times with copyIndex()", () => {
      const tpl = template({ parameters: { n: { type: "int", defaultValue: 3 } }, resources: [vms("[parameters('n')]")] });
      const { resources } = evaluate(tpl);
      assert.deepEqual(resources.map((r) => r.name), ["lab1/vm1", "lab1/vm2", "lab1/vm3"]);
      assert.deepEqual(resources.map((r) => r.properties), [
        { index: 0, named: 10 },
        { index: 1, named: 11 },
        { index: 2, named: 12 },
      ]);
    });

    it("allows a count of zero", () => {
      assert.deepEqual(evaluate(template({ resources: [vms(0)] })).resources, []);
    });

    it("lets dependsOn name the whole loop", () => {
      const tpl = template({ resources: [{ type: "Microsoft.Resources/tags", apiVersion: "2021-04-01", name: "default", dependsOn: ["vmCopy"], properties: {} }, vms(2)] });
      const { resources } = evaluate(tpl);
      const tags = byName(resources, "default");
      assert.deepEqual(tags.dependsOn, [`${LAB}/virtualmachines/vm1`, `${LAB}/virtualmachines/vm2`]);
      assert.equal(resources[resources.length - 1], tags);
    });

    it("runs serial loops batch after batch", () => {
      const { resources } = evaluate(template({ resources: [vms(5, { copy: { name: "vmCopy", count: 5, mode: "Serial", batchSize: 2 } })] }));
      const deps = Object.fromEntries(resources.map((r) => [r.name, r.dependsOn.map((id) => id.split("/").pop())]));
      assert.deepEqual(deps, { "lab1/vm1": [], "lab1/vm2": [], "lab1/vm3": ["vm1", "vm2"], "lab1/vm4": ["vm1", "vm2"], "lab1/vm5": ["vm3", "vm4"] });
    });

    it("expands property-level copy loops in properties", () => {
      const tpl = template({ resources: [lab({ properties: { copy: [{ name: "disks", count: 2, input: { lun: "[copyIndex('disks')]" } }], other: 1 } })] });
      assert.deepEqual(evaluate(tpl).resources[0]?.properties, { other: 1, disks: [{ lun: 0 }, { lun: 1 }] });
    });

    it("rejects copyIndex outside a loop and an unknown loop name", () => {
      assert.match(armError(() => evaluate(template({ resources: [lab({ properties: { i: "[copyIndex()]" } })] }))).message, /The template resource 'lab1' at line '1' and column '\d+' is not valid: The template function 'copyIndex' is not expected at this location/);
      assert.match(armError(() => evaluate(template({ resources: [vms(1, { properties: { i: "[copyIndex('other')]" } })] }))).message, /The provided copy name 'other' doesn't exist in the resource/);
    });
  });

  describe("conditions", () => {
    it("leaves out resources whose condition is false, and dependencies on them", () => {
      const tpl = template({
        parameters: { withLab: { type: "bool" } },
        resources: [lab({ condition: "[parameters('withLab')]" }), { type: "Microsoft.DevTestLab/labs/schedules", apiVersion: "2018-09-15", name: "lab1/shutdown", dependsOn: ["[resourceId('Microsoft.DevTestLab/labs', 'lab1')]"] }],
      });
      assert.deepEqual(evaluate(tpl, { withLab: { value: false } }).resources.map((r) => [r.name, r.dependsOn]), [["lab1/shutdown", []]]);
      assert.deepEqual(evaluate(tpl, { withLab: { value: true } }).resources.map((r) => [r.name, r.dependsOn]), [["lab1", []], ["lab1/shutdown", [LAB]]]);
    });

    it("does not cascade a parent's condition to its children (as ARM documents)", () => {
      const tpl = template({ resources: [lab({ condition: "[equals(1, 2)]", resources: [{ type: "schedules", apiVersion: "2018-09-15", name: "s" }] })] });
      assert.deepEqual(evaluate(tpl).resources.map((r) => [r.name, r.dependsOn]), [["lab1/s", []]]);
    });

    it("requires a boolean condition", () => {
      assert.match(armError(() => evaluate(template({ resources: [lab({ condition: "yes" })] }))).message, /The condition must evaluate to a boolean/);
    });
  });

  describe("dependsOn and order", () => {
    const vm = (name: string, dependsOn: string[]) => ({ type: "Microsoft.DevTestLab/labs/virtualmachines", apiVersion: "2018-09-15", name: `lab1/${name}`, dependsOn });

    it("resolves resource ids, resourceId(), names and Namespace/type/name forms, and orders by them", () => {
      const tpl = template({
        variables: { labId: "[resourceId('Microsoft.DevTestLab/labs', 'lab1')]" },
        resources: [
          vm("d", ["Microsoft.DevTestLab/labs/lab1/virtualmachines/c"]),
          vm("c", ["lab1/b"]),
          vm("b", ["[variables('labId')]"]),
          vm("a", [`${LAB.toUpperCase()}`]),
          lab(),
        ],
      });
      const { resources } = evaluate(tpl);
      assert.deepEqual(resources.map((r) => r.name), ["lab1", "lab1/b", "lab1/c", "lab1/d", "lab1/a"]);
      assert.deepEqual(byName(resources, "lab1/d").dependsOn, [`${LAB}/virtualmachines/c`]);
      assert.deepEqual(byName(resources, "lab1/a").dependsOn, [LAB]);
      for (const [position, resource] of resources.entries()) {
        for (const dependency of resource.dependsOn) assert.ok(resources.slice(0, position).some((r) => r.id === dependency), `${resource.name} after ${dependency}`);
      }
    });

    it("reports a dependency on a resource the template does not define", () => {
      const error = armError(() => evaluate(template({ resources: [vm("a", ["[resourceId('Microsoft.DevTestLab/labs', 'elsewhere')]"])] })));
      assert.equal(error.message, "Deployment template validation failed: 'The resource 'Microsoft.DevTestLab/labs/elsewhere' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details.'.");
    });

    it("reports circular dependencies as ARM does", () => {
      const error = armError(() => evaluate(template({ resources: [vm("a", ["lab1/b"]), vm("b", ["lab1/c"]), vm("c", ["lab1/a"]), lab()] })));
      assert.equal(error.code, "InvalidTemplate");
      assert.match(error.message, new RegExp(`^Deployment template validation failed: 'Circular dependency detected on resource: '${LAB}/virtualmachines/[abc]'\\. Please see https://aka.ms/arm-syntax-resources for usage details\\.'\\.$`));
      assert.match(armError(() => evaluate(template({ resources: [vm("self", ["lab1/self"])] }))).message, /Circular dependency detected on resource: '.*\/virtualmachines\/self'/);
    });

    it("rejects the same resource defined twice", () => {
      assert.match(armError(() => evaluate(template({ resources: [lab(), lab()] }))).message, new RegExp(`The resource '${LAB}' at line '1' and column '\\d+' is defined multiple times in a template`));
    });
  });

  describe("reference() to resources of the same deployment", () => {
    const tpl = template({
      resources: [
        { type: "Microsoft.Network/publicIPAddresses", apiVersion: "2023-11-01", name: "pip", location: "westeurope", properties: {} },
        {
          type: "Microsoft.Web/sites",
          apiVersion: "2022-09-01",
          name: "site",
          properties: { host: "[reference('pip').dnsSettings.fqdn]", fixed: "[concat('a', 'b')]", full: "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip'), '2023-11-01', 'Full').location]" },
        },
      ],
    });
    const pipId = `${RG_ID}/providers/Microsoft.Network/publicIPAddresses/pip`;
    const runtime = (id: string) => (id === pipId ? { id, name: "pip", type: "Microsoft.Network/publicIPAddresses", location: "westeurope", properties: { dnsSettings: { fqdn: "pip.example.test" } } } : undefined);

    it("depends implicitly on the referenced resource and keeps the value for deploy time", () => {
      const site = evaluate(tpl).resources[1];
      assert.ok(site);
      assert.deepEqual(site.dependsOn, [pipId]);
      assert.deepEqual(site.properties, { host: "[reference('pip').dnsSettings.fqdn]", fixed: "ab", full: "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip'), '2023-11-01', 'Full').location]" });
      assert.equal(typeof site.resolve, "function");
      assert.equal(evaluate(tpl).resources[0]?.resolve, undefined);
    });

    it("resolves the kept values with the provider's runtime view", () => {
      const site = evaluate(tpl).resources[1];
      assert.deepEqual(site?.resolve?.(runtime).properties, { host: "pip.example.test", fixed: "ab", full: "westeurope" });
    });

    it("fails at deploy time as ARM does when the value cannot be evaluated", () => {
      const error = armError(() => evaluate(tpl).resources[1]?.resolve?.((id) => ({ id, name: "pip", type: "t", properties: {} })));
      assert.equal(error.code, "InvalidTemplate");
      assert.match(error.message, new RegExp(`^Unable to process template language expressions for resource '${RG_ID}/providers/Microsoft.Web/sites/site' at line '1' and column '\\d+'\\. 'The language expression property 'dnsSettings' doesn't exist`));
    });

    it("defers property names too, and refuses reference() in a copy count", () => {
      const pip = (tpl.resources as unknown[])[0];
      const named = template({ resources: [pip, { type: "Microsoft.Web/sites", apiVersion: "2022-09-01", name: "s2", tags: { "[reference('pip').dnsSettings.fqdn]": "host" } }] });
      const site = evaluate(named).resources[1];
      assert.deepEqual(site?.tags, { "[reference('pip').dnsSettings.fqdn]": "host" });
      assert.deepEqual(site?.resolve?.(runtime).tags, { "pip.example.test": "host" });
      const counted = template({ resources: [pip, { type: "Microsoft.Web/sites", apiVersion: "2022-09-01", name: "s3", properties: { copy: [{ name: "x", count: "[length(reference('pip').ipTags)]", input: 1 }] } }] });
      assert.match(armError(() => evaluate(counted)).message, /The template resource 's3' at line '1' and column '\d+' is not valid: The template function 'reference' is not expected at this location/);
    });

    it("is not allowed in a resource name", () => {
      const bad = template({ resources: [lab(), { type: "Microsoft.Web/sites", apiVersion: "2022-09-01", name: "[reference('lab1').name]" }] });
      assert.match(armError(() => evaluate(bad)).message, /The template function 'reference' is not expected at this location/);
    });
  });

  it("points resource errors at the resource's line when the template is text", () => {
    const text = JSON.stringify(template({ resources: [lab(), lab({ name: "lab2", properties: { x: "[parameters('missing')]" } })] }), null, 2);
    const lines = text.split("\n");
    const line = lines.findIndex((l, i) => l.trim() === "{" && lines[i + 1]?.includes("Microsoft.DevTestLab/labs") && lines[i + 3]?.includes("lab2")) + 1;
    const error = armError(() => evaluate(text));
    assert.equal(
      error.message,
      `Deployment template validation failed: 'The template resource 'lab2' at line '${line}' and column '5' is not valid: The template parameter 'missing' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details.. Please see https://aka.ms/arm-functions for usage details.'.`,
    );
  });
});
