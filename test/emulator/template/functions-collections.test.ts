// Expected values follow the examples of ARM's array and object function reference.
import { strict as assert } from "node:assert";
import { allText, run, runError } from "./test-support";

const variables = {
  firstObject: { one: "a", two: "b", three: "c" },
  secondObject: { one: "a", two: "z", three: "c" },
  firstArray: ["one", "two", "three"],
  secondArray: ["three", "four"],
  nestedA: { settings: { a: 1, inner: { x: 1 } }, list: [1] },
  nestedB: { settings: { b: 2, inner: { y: 2 } }, list: [2] },
};

describe("template evaluator: array and object functions", () => {
  it("array, createArray, createObject", () => {
    assert.deepEqual(run("array('a')"), ["a"]);
    assert.deepEqual(run("array(createArray(1, 2))"), [1, 2]);
    assert.deepEqual(run("createArray(1, 'b', createArray(3))"), [1, "b", [3]]);
    assert.deepEqual(run("createObject('a', 1, 'b', createArray('x'))"), { a: 1, b: ["x"] });
    assert.match(allText(runError("createObject('a')")), /function 'createObject'/);
  });

  it("concat joins arrays, or strings and numbers", () => {
    assert.deepEqual(run("concat(createArray(1, 2), createArray(3))"), [1, 2, 3]);
    assert.equal(run("concat('a', 1, 'b')"), "a1b");
    assert.match(allText(runError("concat('a', createArray(1))")), /function 'concat' expects its parameter to be of type 'String'\. The provided value is of type 'Array'/);
  });

  it("contains on arrays (deep equality) and objects (property names, ignoring case)", () => {
    assert.equal(run("contains(variables('firstArray'), 'two')", { variables }), true);
    assert.equal(run("contains(variables('firstArray'), 'TWO')", { variables }), false);
    assert.equal(run("contains(createArray(createArray(1)), createArray(1))"), true);
    assert.equal(run("contains(variables('firstObject'), 'ONE')", { variables }), true);
    assert.equal(run("contains(variables('firstObject'), 'four')", { variables }), false);
  });

  it("empty, first, last, length on arrays and objects", () => {
    assert.equal(run("empty(createArray())"), true);
    assert.equal(run("empty(json('{}'))"), true);
    assert.equal(run("empty(json('null'))"), true);
    assert.equal(run("empty(variables('firstObject'))", { variables }), false);
    assert.equal(run("first(variables('firstArray'))", { variables }), "one");
    assert.equal(run("last(variables('firstArray'))", { variables }), "three");
    assert.equal(run("length(variables('firstArray'))", { variables }), 3);
    assert.equal(run("length(variables('firstObject'))", { variables }), 3);
  });

  it("take and skip on arrays", () => {
    assert.deepEqual(run("take(variables('firstArray'), 2)", { variables }), ["one", "two"]);
    assert.deepEqual(run("skip(variables('firstArray'), 2)", { variables }), ["three"]);
    assert.deepEqual(run("skip(variables('firstArray'), -1)", { variables }), ["one", "two", "three"]);
  });

  it("intersection of objects and of arrays", () => {
    assert.deepEqual(run("intersection(variables('firstObject'), variables('secondObject'))", { variables }), { one: "a", three: "c" });
    assert.deepEqual(run("intersection(variables('firstArray'), variables('secondArray'))", { variables }), ["three"]);
  });

  it("union of arrays drops duplicates; of objects, later values win and nested objects merge", () => {
    assert.deepEqual(run("union(variables('firstArray'), variables('secondArray'))", { variables }), ["one", "two", "three", "four"]);
    assert.deepEqual(run("union(json('{\"one\":\"a\",\"three\":\"c1\"}'), json('{\"three\":\"c2\",\"four\":\"d\"}'))"), { one: "a", three: "c2", four: "d" });
    assert.deepEqual(run("union(variables('nestedA'), variables('nestedB'))", { variables }), { settings: { a: 1, b: 2, inner: { x: 1, y: 2 } }, list: [2] });
    assert.match(allText(runError("union(createArray(1), 'a')")), /function 'union'/);
  });

  it("range", () => {
    assert.deepEqual(run("range(1, 3)"), [1, 2, 3]);
    assert.deepEqual(run("range(5, 0)"), []);
    assert.match(allText(runError("range(0, -1)")), /function 'range'/);
  });

  it("min and max take integers or one array", () => {
    assert.equal(run("min(createArray(0, 3, 2, 5, 4))"), 0);
    assert.equal(run("max(0, 3, 2, 5, 4)"), 5);
  });

  it("json parses objects, arrays, scalars and null", () => {
    assert.deepEqual(run("json('{\"a\": [1, true]}')"), { a: [1, true] });
    assert.equal(run("json('null')"), null);
    assert.equal(run("json('{\"a\": \"b\"}').a"), "b");
    assert.match(allText(runError("json('{oops')")), /function 'json'/);
  });
});
