import { strict as assert } from "node:assert";
import { parseExpression, classifyString } from "./expression/parser";
import { allText, armError, evaluate, run, runError, template } from "./test-support";

describe("template evaluator: expression language", () => {
  describe("which strings are expressions", () => {
    it("treats [..] as an expression and [[ as an escaped literal bracket", () => {
      assert.deepEqual(classifyString("[concat('a')]"), { kind: "expression", text: "concat('a')" });
      assert.deepEqual(classifyString("[[concat('a')]"), { kind: "literal", value: "[concat('a')]" });
      assert.deepEqual(classifyString("[not closed"), { kind: "literal", value: "[not closed" });
      assert.deepEqual(classifyString("plain"), { kind: "literal", value: "plain" });
    });

    it("evaluates escaped strings in a template to their literal text", () => {
      const result = evaluate(template({ outputs: { o: { type: "string", value: "[[parameters('x')]" } } })).outputs(() => undefined);
      assert.equal(result.o?.value, "[parameters('x')]");
    });

    it("evaluates expressions used as property names", () => {
      assert.deepEqual(run("variables('tags')", { variables: { tags: { "[concat('hidden-', 'link')]": "Resource" } } }), { "hidden-link": "Resource" });
    });
  });

  describe("syntax", () => {
    it("reads string literals with doubled quotes, integers and negative integers", () => {
      assert.equal(run("'it''s'"), "it's");
      assert.equal(run("add(-3, 10)"), 7);
    });

    it("allows whitespace between a function name and its arguments", () => {
      assert.equal(run("concat ('a' , 'b')"), "ab");
    });

    it("applies property, index and string-index access to results", () => {
      const variables = { config: { items: [{ name: "first" }, { name: "second" }], "odd key": 5 } };
      assert.equal(run("variables('config').items[1].name", { variables }), "second");
      assert.equal(run("variables('config')['odd key']", { variables }), 5);
      assert.equal(run("variables('config').ITEMS[0]['NAME']", { variables }), "first");
    });

    it("parses nested calls into a tree", () => {
      const tree = parseExpression("concat(parameters('a'), 'b')[0].c");
      assert.equal(tree.kind, "property");
    });

    it("reports an empty expression as ARM does", () => {
      const error = armError(() => evaluate(template({ variables: { v: "[]" } })));
      assert.equal(error.code, "InvalidTemplate");
      assert.match(error.message, /^Deployment template language expression evaluation failed: 'Unable to parse language expression '': expected token 'Identifier' and actual 'EndOfData'\.'/);
    });

    it("reports an unexpected character with its position", () => {
      const error = armError(() => evaluate(template({ variables: { v: "[concat('a') + 1]" } })));
      assert.match(error.message, /The language expression 'concat\('a'\) \+ 1' is not valid: the string character '\+' at position '12' is not expected\./);
    });

    it("reports a missing closing parenthesis", () => {
      const error = armError(() => evaluate(template({ variables: { v: "[concat('a']" } })));
      assert.match(error.message, /expected token 'RightParenthesis' and actual 'EndOfData'/);
    });
  });

  describe("functions", () => {
    it("resolves function names case-insensitively", () => {
      assert.equal(run("CONCAT(ToLower('A'), toupper('b'))"), "aB");
    });

    it("rejects an unknown function with ARM's InvalidTemplate message", () => {
      const error = armError(() => evaluate(template({ variables: { v: "[noSuchFunction('a')]" } })));
      assert.equal(error.code, "InvalidTemplate");
      assert.equal(
        error.message,
        "Deployment template validation failed: 'The template variable 'v' is not valid: The template function 'noSuchFunction' is not valid. Please see https://aka.ms/arm-functions for usage details.. Please see https://aka.ms/arm-functions for usage details.'.",
      );
    });

    it("rejects user-defined (namespaced) functions", () => {
      const error = armError(() => evaluate(template({ variables: { v: "[contoso.uniqueName('a')]" } })));
      assert.match(error.message, /The template function 'contoso\.uniqueName' is not valid/);
    });

    it("rejects unknown functions even in an if() branch that would not be taken", () => {
      const error = armError(() => evaluate(template({ outputs: { o: { type: "string", value: "[if(true(), 'a', 'b')]" } } })));
      assert.match(error.message, /The template output 'o' is not valid: The template function 'true' is not valid/);
    });

    it("checks the number of arguments", () => {
      assert.match(allText(runError("toLower('a', 'b')")), /function 'toLower': function requires 1 argument\(s\) while 2 were provided/);
      assert.match(allText(runError("substring('abc')")), /function requires 2 to 3 argument\(s\) while 1 were provided/);
    });

    it("checks argument types", () => {
      assert.match(allText(runError("toLower(5)")), /The template language function 'toLower' expects its parameter to be of type 'String'\. The provided value is of type 'Integer'\./);
    });
  });

  describe("property access errors", () => {
    it("names the missing property and the available ones", () => {
      const error = runError("variables('o').missing", { variables: { o: { a: 1, b: 2 } } });
      assert.equal(error.code, "DeploymentOutputEvaluationFailed");
      assert.match(allText(error), /The language expression property 'missing' doesn't exist, available properties are 'a, b'\./);
    });

    it("reports an index out of bounds", () => {
      assert.match(allText(runError("variables('a')[2]", { variables: { a: [1, 2] } })), /The language expression property array index '2' is out of bounds\./);
    });

    it("never crashes on access to a non-object", () => {
      assert.match(allText(runError("variables('a').name", { variables: { a: 5 } })), /The language expression property 'name' can't be evaluated\./);
    });
  });
});
