// Logical, comparison and numeric functions; expected values from ARM's function reference.
import { strict as assert } from "node:assert";
import { allText, run, runError } from "./test-support";

describe("template evaluator: logical, comparison and numeric functions", () => {
  it("and, or, not", () => {
    assert.equal(run("and(bool('true'), bool('false'))"), false);
    assert.equal(run("and(equals(1, 1), equals(2, 2), equals(3, 3))"), true);
    assert.equal(run("or(bool('true'), bool('false'))"), true);
    assert.equal(run("not(equals(1, 2))"), true);
    assert.match(allText(runError("and('yes', bool('true'))")), /function 'and' expects its parameter to be of type 'Boolean'/);
  });

  it("if evaluates only the branch it takes", () => {
    assert.equal(run("if(equals(1, 1), 'yes', 'no')"), "yes");
    // The untaken branch names a variable that does not exist: ARM never looks at it.
    assert.equal(run("if(equals(1, 2), variables('missing'), 'fallback')"), "fallback");
    assert.match(allText(runError("if('x', 1, 2)")), /function 'if' expects its parameter to be of type 'Boolean'/);
  });

  it("coalesce returns the first non-null value", () => {
    assert.equal(run("coalesce(json('null'), json('null'), 'third')"), "third");
    assert.equal(run("coalesce(json('null'))"), null);
  });

  it("bool converts strings and integers", () => {
    assert.equal(run("bool('True')"), true);
    assert.equal(run("bool('false')"), false);
    assert.equal(run("bool(1)"), true);
    assert.equal(run("bool(0)"), false);
    assert.match(allText(runError("bool('maybe')")), /function 'bool'/);
  });

  it("equals compares deeply and case-sensitively", () => {
    assert.equal(run("equals(createArray(1, 2), createArray(1, 2))"), true);
    assert.equal(run("equals(json('{\"a\":1,\"b\":2}'), json('{\"b\":2,\"a\":1}'))"), true);
    assert.equal(run("equals('a', 'A')"), false);
    assert.equal(run("equals(1, '1')"), false);
  });

  it("greater, greaterOrEquals, less, lessOrEquals on integers and strings", () => {
    assert.equal(run("greater(10, 5)"), true);
    assert.equal(run("greater('A', 'a')"), false);
    assert.equal(run("greaterOrEquals(5, 5)"), true);
    assert.equal(run("less(10, 5)"), false);
    assert.equal(run("less('A', 'a')"), true);
    assert.equal(run("lessOrEquals(5, 5)"), true);
    assert.match(allText(runError("greater(1, 'a')")), /function 'greater'/);
  });

  it("add, sub, mul, div, mod with C# integer semantics", () => {
    assert.equal(run("add(5, 3)"), 8);
    assert.equal(run("sub(7, 3)"), 4);
    assert.equal(run("mul(5, 3)"), 15);
    assert.equal(run("div(8, 3)"), 2);
    assert.equal(run("div(-7, 2)"), -3);
    assert.equal(run("mod(7, 3)"), 1);
    assert.equal(run("mod(-7, 3)"), -1);
    assert.match(allText(runError("div(1, 0)")), /Unable to evaluate template language function 'div'/);
    assert.match(allText(runError("add('1', 2)")), /function 'add' expects its parameter to be of type 'Integer'/);
  });

  it("int converts strings", () => {
    assert.equal(run("int('4')"), 4);
    assert.equal(run("add(int('-4'), 1)"), -3);
    assert.match(allText(runError("int('four')")), /function 'int'/);
  });
});
