// Whatever a template says, the evaluator answers with a value or an ARM error, never a JavaScript crash.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { EvaluatedTemplate, TemplateEvaluationHooks, TemplateScope } from "../core/contracts";
import { evaluateTemplate, SUPPORTED_FUNCTIONS, TemplateError } from "./index";
import { evaluate, run, template } from "./test-support";

function onlyArmErrors(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    assert.ok(error.error.code && error.error.message, "ARM errors have a code and a message");
  }
}

const names = SUPPORTED_FUNCTIONS.filter((name) => name !== "list*");

const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
    fc.integer({ min: -5, max: 20 }).map(String),
    fc.constantFrom("variables('o')", "variables('a')", "parameters('p')", "json('null')"),
    fc.tuple(fc.constantFrom(...names), fc.array(tie("expr"), { maxLength: 3 })).map(([name, args]) => `${name}(${args.join(", ")})`),
    fc.tuple(tie("expr"), fc.constantFrom(".a", ".name", "[0]", "['x']")).map(([target, access]) => `${target}${access}`),
  ),
})).expr;

describe("template evaluator: robustness", () => {
  it("the contract's function type accepts evaluateTemplate as exported", () => {
    const asContract: (template: unknown, parameters: Record<string, unknown>, scope: TemplateScope, hooks: TemplateEvaluationHooks) => EvaluatedTemplate = evaluateTemplate;
    assert.equal(typeof asContract, "function");
  });

  it("random expressions give a value or an ARM error", () => {
    const options = { variables: { o: { a: [1, "x"], name: "n" }, a: ["x", 2] }, parameters: { p: { type: "string", defaultValue: "v" } } };
    fc.assert(
      fc.property(expression, (text) => {
        onlyArmErrors(() => run(text, options));
      }),
      { numRuns: 400, seed: 20261105 },
    );
  });

  it("random damage to a real template gives a result or an ARM error", () => {
    const base = template({
      parameters: { labName: { type: "string", defaultValue: "lab" }, count: { type: "int", defaultValue: 2 } },
      variables: { vnet: "[concat('Dtl', parameters('labName'))]" },
      resources: [
        { type: "Microsoft.DevTestLab/labs", apiVersion: "2018-09-15", name: "[parameters('labName')]", resources: [{ type: "virtualnetworks", apiVersion: "2018-09-15", name: "[variables('vnet')]", dependsOn: ["[parameters('labName')]"] }] },
        { type: "Microsoft.DevTestLab/labs/virtualmachines", apiVersion: "2018-09-15", name: "[concat(parameters('labName'), '/vm', copyIndex())]", copy: { name: "vms", count: "[parameters('count')]" }, dependsOn: ["[parameters('labName')]"], properties: { n: "[copyIndex()]" } },
      ],
      outputs: { id: { type: "string", value: "[resourceId('Microsoft.DevTestLab/labs', parameters('labName'))]" } },
    });
    const junk = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string({ maxLength: 8 }), fc.constant("[concat("), fc.constant("[reference('lab').x]"), fc.constant("[listKeys('lab', '1')]"), fc.constant("[reference('vms')]"), fc.constant([]), fc.constant({}), expression.map((e) => `[${e}]`));
    const paths: (string | number)[][] = [];
    const collect = (value: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (Array.isArray(value)) value.forEach((item, i) => collect(item, [...path, i]));
      else if (typeof value === "object" && value !== null) for (const [key, item] of Object.entries(value)) collect(item, [...path, key]);
    };
    collect(base, []);
    fc.assert(
      fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), junk, (path, replacement) => {
        const damaged = structuredClone(base) as Record<string, unknown>;
        let target: Record<string | number, unknown> = damaged;
        for (const segment of path.slice(0, -1)) target = target[segment] as Record<string | number, unknown>;
        target[path[path.length - 1] as string | number] = replacement;
        onlyArmErrors(() => evaluate(damaged).outputs((id) => ({ id, properties: {} })));
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
