import { strict as assert } from "node:assert";
import { armError, evaluate, RG_ID, template } from "./test-support";

const VM_ID = `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1/virtualmachines/vm1`;
const vm = { type: "Microsoft.DevTestLab/labs/virtualmachines", apiVersion: "2018-09-15", name: "lab1/vm1", properties: {} };
const runtime = (id: string) => (id === VM_ID ? { id, name: "lab1/vm1", type: vm.type, location: "westeurope", properties: { fqdn: "vm1.westeurope.cloudapp.azure.com", provisioningState: "Succeeded" } } : undefined);

describe("template evaluator: outputs", () => {
  it("evaluates after deployment, with reference() answered by the runtime view", () => {
    const tpl = template({
      resources: [vm],
      outputs: {
        vmId: { type: "string", value: "[resourceId('Microsoft.DevTestLab/labs/virtualmachines', 'lab1', 'vm1')]" },
        fqdn: { type: "String", value: "[reference(resourceId('Microsoft.DevTestLab/labs/virtualmachines', 'lab1', 'vm1')).fqdn]" },
        location: { type: "string", value: "[reference('lab1/vm1', '2018-09-15', 'Full').location]" },
        count: { type: "int", value: 3 },
        flag: { type: "bool", value: "[equals(1, 1)]" },
        list: { type: "array", value: ["[concat('a', 'b')]"] },
        object: { type: "object", value: { a: "[toUpper('x')]" } },
      },
    });
    assert.deepEqual(evaluate(tpl).outputs(runtime), {
      vmId: { type: "String", value: VM_ID },
      fqdn: { type: "String", value: "vm1.westeurope.cloudapp.azure.com" },
      location: { type: "String", value: "westeurope" },
      count: { type: "Int", value: 3 },
      flag: { type: "Bool", value: true },
      list: { type: "Array", value: ["ab"] },
      object: { type: "Object", value: { a: "X" } },
    });
  });

  it("leaves out outputs whose condition is false", () => {
    const tpl = template({ outputs: { shown: { type: "string", condition: "[equals(1, 1)]", value: "yes" }, hidden: { type: "string", condition: "[equals(1, 2)]", value: "[reference('nothing').x]" } } });
    assert.deepEqual(Object.keys(evaluate(tpl).outputs(() => undefined)), ["shown"]);
  });

  it("builds array outputs with copy", () => {
    const tpl = template({ outputs: { names: { type: "array", copy: { count: 3, input: "[concat('vm', copyIndex(1))]" } } } });
    assert.deepEqual(evaluate(tpl).outputs(() => undefined).names, { type: "Array", value: ["vm1", "vm2", "vm3"] });
  });

  it("never returns the value of a secure output", () => {
    const tpl = template({ parameters: { pw: { type: "securestring" } }, outputs: { pw: { type: "securestring", value: "[parameters('pw')]" } } });
    const outputs = evaluate(tpl, { pw: { value: "hunter2" } }).outputs(() => undefined);
    assert.equal(outputs.pw?.type, "SecureString");
    assert.equal(outputs.pw?.value, undefined);
    assert.doesNotMatch(JSON.stringify(outputs), /hunter2/);
  });

  it("fails with DeploymentOutputEvaluationFailed when a value has the wrong type", () => {
    const error = armError(() => evaluate(template({ outputs: { o: { type: "string", value: "[json('null')]" } } })).outputs(() => undefined));
    assert.deepEqual(error, {
      code: "DeploymentOutputEvaluationFailed",
      message: "Unable to evaluate template outputs: 'o'. Please see error details and deployment operations. Please see https://aka.ms/arm-common-errors for usage details.",
      details: [{ code: "DeploymentOutputEvaluationFailed", target: "o", message: "The template output 'o' is not valid: Template output JToken type is not valid. Expected 'String'. Actual 'Null'.." }],
    });
  });

  it("fails with ResourceNotFound when the runtime does not know a referenced resource", () => {
    const tpl = template({ resources: [vm], outputs: { fqdn: { type: "string", value: "[reference('lab1/vm1').fqdn]" } } });
    assert.equal(armError(() => evaluate(tpl).outputs(() => undefined)).code, "ResourceNotFound");
  });

  it("does not ask the runtime about a resource whose condition excluded it", () => {
    const asked: string[] = [];
    const tpl = template({ resources: [{ ...vm, condition: "[equals(1, 2)]" }], outputs: { fqdn: { type: "string", value: "[reference('lab1/vm1').fqdn]" } } });
    const error = armError(() => evaluate(tpl).outputs((id) => (asked.push(id), runtime(id))));
    assert.equal(error.code, "ResourceNotFound");
    assert.deepEqual(asked, []);
  });

  it("reads other existing resources through hooks.reference", () => {
    const lab = `${RG_ID}/providers/Microsoft.DevTestLab/labs/lab1`;
    const hooks = { reference: (id: string) => (id === lab ? { vmCreationResourceGroupId: "x" } : undefined) };
    const tpl = template({ outputs: { o: { type: "string", value: "[reference(resourceId('Microsoft.DevTestLab/labs', 'lab1'), '2018-09-15').vmCreationResourceGroupId]" } } });
    assert.equal(evaluate(tpl, {}, hooks).outputs(() => undefined).o?.value, "x");
  });

  it("can be evaluated more than once", () => {
    const result = evaluate(template({ resources: [vm], outputs: { fqdn: { type: "string", value: "[reference('lab1/vm1').fqdn]" } } }));
    assert.equal(result.outputs(runtime).fqdn?.value, "vm1.westeurope.cloudapp.azure.com");
    assert.equal(result.outputs((id) => ({ id, name: "n", type: "t", properties: { fqdn: "other" } })).fqdn?.value, "other");
  });
});
