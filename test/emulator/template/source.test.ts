import { strict as assert } from "node:assert";
import { evaluateTemplate, parseTemplateText } from "./index";
import { armError, evaluate, noHooks, scope, template } from "./test-support";

describe("template evaluator: template text", () => {
  const text = JSON.stringify(template({ parameters: { n: { type: "string" } } }), null, 2);

  it("accepts a UTF-8 byte-order mark, as ARM does", () => {
    const parsed = parseTemplateText(`\uFEFF${text}`) as Record<string, unknown>;
    assert.equal(parsed.contentVersion, "1.0.0.0");
    assert.equal(evaluate(`\uFEFF${text}`, { n: { value: "x" } }).resources.length, 0);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
    assert.equal(evaluateTemplate(bytes, { n: { value: "x" } }, scope, noHooks).resources.length, 0);
  });

  it("rejects invalid JSON with InvalidTemplate", () => {
    const error = armError(() => parseTemplateText('{ "resources": [ }'));
    assert.equal(error.code, "InvalidTemplate");
    assert.match(error.message, /^Unable to parse template content\./);
    assert.equal(armError(() => evaluate("not json")).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate(42)).code, "InvalidTemplate");
  });

  it("keeps line numbers for a template parsed with parseTemplateText", () => {
    const error = armError(() => evaluate(parseTemplateText(text)));
    const line = text.split("\n").findIndex((l) => l.includes('"n": {')) + 1;
    assert.match(error.message, new RegExp(`'n' at line '${line}' and column '\\d+' is not provided`));
  });

  it("never modifies the template object it is given", () => {
    const tpl = template({ variables: { v: "[concat('a', 'b')]" }, resources: [{ type: "Microsoft.DevTestLab/labs", apiVersion: "2018-09-15", name: "[variables('v')]", properties: { copy: [{ name: "x", count: 1, input: 1 }] } }] });
    const before = JSON.stringify(tpl);
    evaluate(tpl);
    assert.equal(JSON.stringify(tpl), before);
  });

  it("rejects symbolic-name templates (languageVersion 2.0) with an ARM-style error", () => {
    const error = armError(() => evaluate({ ...template({}), languageVersion: "2.0", resources: {} }));
    assert.equal(error.code, "InvalidTemplate");
    assert.match(error.message, /The template language version '2\.0' is not supported/);
  });

  it("rejects malformed sections and resources without crashing", () => {
    assert.equal(armError(() => evaluate({ resources: "none" })).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate({ resources: [42] })).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate({ resources: [{ name: "x" }] })).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate({ resources: [{ type: "Microsoft.DevTestLab/labs", name: "x" }] })).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate({ resources: [{ type: "Microsoft.DevTestLab/labs", apiVersion: "1", name: "x", dependsOn: "y" }] })).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate({ outputs: { o: "x" } }).outputs(() => undefined)).code, "DeploymentOutputEvaluationFailed");
    assert.equal(armError(() => evaluate({ parameters: { p: "x" } })).code, "InvalidTemplate");
    assert.equal(armError(() => evaluate(template({ parameters: { p: { type: "string" } } }), { p: "bare value" })).code, "InvalidRequestContent");
  });
});
