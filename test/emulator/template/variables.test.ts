import { strict as assert } from "node:assert";
import { armError, evaluate, run, template } from "./test-support";

describe("template evaluator: variables", () => {
  it("resolves names case-insensitively and in any declaration order", () => {
    const variables = { fullName: "[concat(variables('PREFIX'), '-', variables('suffix'))]", prefix: "lab", Suffix: "01" };
    assert.equal(run("variables('fullname')", { variables }), "lab-01");
  });

  it("evaluates expressions inside object and array variables", () => {
    const variables = { settings: { name: "[toUpper('a')]", list: ["[concat('b', 'c')]", 1] } };
    assert.deepEqual(run("variables('settings')", { variables }), { name: "A", list: ["bc", 1] });
  });

  it("builds variables with a variable-level copy loop", () => {
    const variables = { copy: [{ name: "disks", count: 3, input: { name: "[concat('disk', copyIndex('disks', 1))]", lun: "[copyIndex('disks')]" } }] };
    assert.deepEqual(run("variables('disks')", { variables }), [
      { name: "disk1", lun: 0 },
      { name: "disk2", lun: 1 },
      { name: "disk3", lun: 2 },
    ]);
  });

  it("builds properties with a property-level copy loop inside a variable", () => {
    const variables = { config: { copy: [{ name: "ports", count: 2, input: "[add(8080, copyIndex('ports'))]" }], kind: "web" } };
    assert.deepEqual(run("variables('config')", { variables }), { kind: "web", ports: [8080, 8081] });
  });

  it("reports a variable that does not exist", () => {
    const error = armError(() => evaluate(template({ variables: { a: "[variables('b')]" } })));
    assert.equal(
      error.message,
      "Deployment template validation failed: 'The template variable 'a' is not valid: The template variable 'b' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.. Please see https://aka.ms/arm-functions for usage details.'.",
    );
  });

  it("reports the failing variable even when another variable asked for it", () => {
    const error = armError(() => evaluate(template({ variables: { a: "[variables('b')]", b: "[substring('x', 5)]" } })));
    assert.match(error.message, /The template variable 'b' is not valid: Unable to evaluate template language function 'substring'/);
  });

  it("detects variables that refer to themselves", () => {
    const error = armError(() => evaluate(template({ variables: { a: "[variables('b')]", b: "[variables('a')]" } })));
    assert.match(error.message, /The template variable '[ab]' is not valid: The template variable '[ab]' refers to itself/);
  });

  it("does not allow copyIndex outside a copy loop", () => {
    const error = armError(() => evaluate(template({ variables: { a: "[copyIndex()]" } })));
    assert.match(error.message, /The template function 'copyIndex' is not expected at this location\. The function can only be used in a resource with copy specified\./);
  });
});
