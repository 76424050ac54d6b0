// uniqueString is checked against values published from real ARM deployments; guid against Python's
// uuid.uuid5 (an independent RFC 4122 implementation) under ARM's documented namespace.
import { strict as assert } from "node:assert";
import { armGuid, uniqueString } from "./index";
import { murmurHash64 } from "./hash/unique-string";
import { allText, run, runError } from "./test-support";

describe("template evaluator: uniqueString and guid", () => {
  it("uniqueString matches values ARM produced", () => {
    assert.equal(uniqueString("hello", "world"), "a7wkljktk6wne");
    assert.equal(uniqueString("tyeth"), "zcztcwvu6iyg6");
    assert.equal(run("uniqueString('hello', 'world')"), "a7wkljktk6wne");
  });

  it("uniqueString hashes the arguments joined with '-' to the published 64-bit value", () => {
    assert.equal(murmurHash64(new TextEncoder().encode("hello-world")), 571013382255652050n);
    assert.equal(uniqueString("hello-world"), uniqueString("hello", "world"));
  });

  it("uniqueString is 13 lower-case base-32 characters, deterministic and case-sensitive", () => {
    for (const input of ["", "a", "abcdefgh", "abcdefghi", "/subscriptions/x/resourceGroups/Factory-RG", "ünïcödé"]) {
      assert.match(uniqueString(input), /^[a-z2-7]{13}$/);
      assert.equal(uniqueString(input), uniqueString(input));
    }
    assert.notEqual(uniqueString("abc"), uniqueString("ABC"));
  });

  it("uniqueString accepts only strings", () => {
    assert.match(allText(runError("uniqueString(1)")), /expects its parameter to be of type 'String'/);
  });

  it("guid is the RFC 4122 version-5 UUID of the arguments joined with '-'", () => {
    assert.equal(armGuid("a", "b", "c"), "a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
    assert.equal(armGuid("hello", "world"), "a5b868f8-11fe-567a-ace0-e77cc87f104e");
    assert.equal(
      run("guid(resourceGroup().id)", { scope: { subscriptionId: "00000000-0000-0000-0000-000000000000", resourceGroupName: "rg" } }),
      "9aa66516-21bf-591d-8865-b805a6ac9414",
    );
  });

  it("guid is deterministic and differs with its inputs", () => {
    assert.equal(run("guid('x', 'y')"), run("guid('x', 'y')"));
    assert.notEqual(run("guid('x', 'y')"), run("guid('y', 'x')"));
  });
});
