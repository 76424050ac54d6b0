// Expected values are the examples of ARM's function reference (learn.microsoft.com, template-functions-string).
import { strict as assert } from "node:assert";
import { allText, armError, evaluate, run, runError, template } from "./test-support";

describe("template evaluator: string functions", () => {
  it("base64, base64ToString, base64ToJson", () => {
    assert.equal(run("base64('one, two, three')"), "b25lLCB0d28sIHRocmVl");
    assert.equal(run("base64ToString('b25lLCB0d28sIHRocmVl')"), "one, two, three");
    assert.deepEqual(run("base64ToJson(base64('{\"one\": \"a\", \"two\": \"b\"}'))"), { one: "a", two: "b" });
    assert.match(allText(runError("base64ToString('not base64!')")), /function 'base64ToString'/);
  });

  it("dataUri and dataUriToString", () => {
    assert.equal(run("dataUri('Hello')"), "data:text/plain;charset=utf8;base64,SGVsbG8=");
    assert.equal(run("dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')"), "Hello, World!");
  });

  it("startsWith and endsWith ignore case", () => {
    assert.equal(run("startsWith('abcdef', 'ab')"), true);
    assert.equal(run("startsWith('abcdef', 'AB')"), true);
    assert.equal(run("startsWith('abcdef', 'e')"), false);
    assert.equal(run("endsWith('abcdef', 'F')"), true);
    assert.equal(run("endsWith('abcdef', 'e')"), false);
  });

  it("indexOf and lastIndexOf ignore case and return -1 when absent", () => {
    assert.equal(run("indexOf('test', 't')"), 0);
    assert.equal(run("indexOf('abcdef', 'CD')"), 2);
    assert.equal(run("indexOf('abcdef', 'z')"), -1);
    assert.equal(run("lastIndexOf('test', 't')"), 3);
    assert.equal(run("lastIndexOf('abcdef', 'AB')"), 0);
    assert.equal(run("indexOf(createArray('a', 'b', 'a'), 'a')"), 0);
    assert.equal(run("lastIndexOf(createArray('a', 'b', 'a'), 'a')"), 2);
  });

  it("format uses .NET composite formatting", () => {
    assert.equal(run("format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)"), "Hello, User. Formatted number: 8,175,133");
    assert.equal(run("format('{0}-{0}-{{literal}}', 'x')"), "x-x-{literal}");
    assert.equal(run("format('[{0,4}]', 'a')"), "[   a]");
    assert.equal(run("format('{0:D3}', 7)"), "007");
    assert.match(allText(runError("format('{1}', 'only one')")), /function 'format'/);
  });

  it("padLeft", () => {
    assert.equal(run("padLeft('123', 10, '0')"), "0000000123");
    assert.equal(run("padLeft(7, 3)"), "  7");
  });

  it("replace replaces every occurrence, case-sensitively", () => {
    assert.equal(run("replace('123-123-1234', '-', '')"), "1231231234");
    assert.equal(run("replace('aAa', 'a', 'b')"), "bAb");
  });

  it("split by one or several delimiters, keeping empty entries", () => {
    assert.deepEqual(run("split('one,two,three', ',')"), ["one", "two", "three"]);
    assert.deepEqual(run("split('one;two,three', createArray(',', ';'))"), ["one", "two", "three"]);
    assert.deepEqual(run("split('a,,b', ',')"), ["a", "", "b"]);
  });

  it("string serialises objects and arrays compactly and keeps strings", () => {
    assert.equal(run("string(json('{\"valueA\": 10, \"valueB\": \"Example Text\"}'))"), '{"valueA":10,"valueB":"Example Text"}');
    assert.equal(run("string(createArray('a', 'b', 'c'))"), '["a","b","c"]');
    assert.equal(run("string(5)"), "5");
    assert.equal(run("string('text')"), "text");
    assert.equal(run("string(bool('true'))"), "True");
  });

  it("substring, with ARM's range errors", () => {
    assert.equal(run("substring('hello there', 6, 3)"), "the");
    assert.equal(run("substring('hello there', 6)"), "there");
    assert.match(allText(runError("substring('hello', 3, 5)")), /Unable to evaluate template language function 'substring'/);
    assert.match(allText(runError("substring('hello', -1)")), /cannot be less than zero/);
  });

  it("take and skip on strings", () => {
    assert.equal(run("take('one two three', 2)"), "on");
    assert.equal(run("skip('one two three', 4)"), "two three");
    assert.equal(run("take('abc', 10)"), "abc");
    assert.equal(run("skip('abc', 10)"), "");
  });

  it("toLower, toUpper, trim", () => {
    assert.equal(run("toLower('One Two Three')"), "one two three");
    assert.equal(run("toUpper('One Two Three')"), "ONE TWO THREE");
    assert.equal(run("trim('    one two three   ')"), "one two three");
  });

  it("uri combines a base and a relative URI as .NET's Uri does", () => {
    assert.equal(run("uri('http://contoso.com/resources/', 'nested/azuredeploy.json')"), "http://contoso.com/resources/nested/azuredeploy.json");
    assert.equal(run("uri('http://contoso.com/resources/azuredeploy.json', 'nested/azuredeploy.json')"), "http://contoso.com/resources/nested/azuredeploy.json");
    assert.equal(run("uri('https://a.blob.core.windows.net/c/', 'dsc/x.zip?sv=1&sig=2')"), "https://a.blob.core.windows.net/c/dsc/x.zip?sv=1&sig=2");
  });

  it("uriComponent and uriComponentToString", () => {
    assert.equal(run("uriComponent('http://contoso.com/resources/nested/azuredeploy.json')"), "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json");
    assert.equal(run("uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')"), "http://contoso.com/resources/nested/azuredeploy.json");
  });

  it("contains, empty, first, last and length on strings", () => {
    assert.equal(run("contains('OneTwoThree', 'e')"), true);
    assert.equal(run("contains('OneTwoThree', 'z')"), false);
    assert.equal(run("contains('OneTwoThree', 'one')"), false);
    assert.equal(run("empty('')"), true);
    assert.equal(run("first('One Two Three')"), "O");
    assert.equal(run("last('One Two Three')"), "e");
    assert.equal(run("length('One Two Three')"), 13);
  });

  it("utcNow formats the deployment time, only in parameter default values", () => {
    const now = new Date(Date.UTC(2026, 10, 5, 7, 8, 9));
    const tpl = template({
      parameters: {
        basic: { type: "string", defaultValue: "[utcNow()]" },
        universal: { type: "string", defaultValue: "[utcNow('u')]" },
        custom: { type: "string", defaultValue: "[utcNow('yyyy-MM-dd')]" },
      },
      outputs: {
        basic: { type: "string", value: "[parameters('basic')]" },
        universal: { type: "string", value: "[parameters('universal')]" },
        custom: { type: "string", value: "[parameters('custom')]" },
      },
    });
    const outputs = evaluate(tpl, {}, undefined, { now }).outputs(() => undefined);
    assert.equal(outputs.basic?.value, "20261105T070809Z");
    assert.equal(outputs.universal?.value, "2026-11-05 07:08:09Z");
    assert.equal(outputs.custom?.value, "2026-11-05");

    const error = armError(() => evaluate(template({ variables: { stamp: "[utcNow()]" } })));
    assert.match(error.message, /The template variable 'stamp' is not valid: The template function 'utcNow' is not expected at this location\. The function can only be used with parameter default values\./);
  });

  it("newGuid gives a fresh GUID, only in parameter default values", () => {
    const tpl = template({
      parameters: { a: { type: "string", defaultValue: "[newGuid()]" }, b: { type: "string", defaultValue: "[newGuid()]" } },
      outputs: { a: { type: "string", value: "[parameters('a')]" }, b: { type: "string", value: "[parameters('b')]" } },
    });
    const outputs = evaluate(tpl).outputs(() => undefined);
    assert.match(String(outputs.a?.value), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(outputs.a?.value, outputs.b?.value);
    assert.match(allText(runError("newGuid()")), /The template function 'newGuid' is not expected at this location/);
  });
});
