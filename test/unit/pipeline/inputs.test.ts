import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "./agent-env";
import { InputError } from "../../../src/errors";
import { TaskInputs } from "../../../src/pipeline/inputs";

function inputsOf(values: Record<string, string>): TaskInputs {
  return new TaskInputs({ get: (name) => values[name] });
}

function assertInputError(fn: () => unknown, input: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    assert.equal(err.input, input);
    assert.ok(err.message.startsWith(`Input '${input}': `), err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

describe("pipeline/inputs", () => {
  describe("strings", () => {
    it("returns a trimmed required string", () => assert.equal(inputsOf({ a: "  x  " }).requiredString("a"), "x"));
    it("fails on a missing or blank required string, saying what to give", () => {
      assertInputError(() => inputsOf({}).requiredString("lab", "a lab resource id"), "lab", /is required: give a lab resource id/);
      assertInputError(() => inputsOf({ lab: "   " }).requiredString("lab"), "lab", /is required/);
    });
    it("returns undefined for an empty optional string", () => {
      assert.equal(inputsOf({ a: " " }).optionalString("a"), undefined);
      assert.equal(inputsOf({}).optionalString("a"), undefined);
    });
  });

  describe("idOrLabAndName", () => {
    it("reads the id, lab and name inputs as given (trimmed, blank as undefined), with their names", () =>
      assert.deepEqual(inputsOf({ vmId: " ", lab: " FactoryLab ", vmName: "vm1" }).idOrLabAndName("vmId", "vmName"), {
        vmId: undefined,
        lab: "FactoryLab",
        vmName: "vm1",
        names: { vmId: "vmId", lab: "lab", vmName: "vmName" },
      }));
  });

  describe("boolean", () => {
    it("accepts true/false in any case and common spellings", () => {
      for (const v of ["true", "TRUE", "True", "yes", "1", "on"]) assert.equal(inputsOf({ b: v }).boolean("b", false), true, v);
      for (const v of ["false", "False", "no", "0", "off"]) assert.equal(inputsOf({ b: v }).boolean("b", true), false, v);
    });
    it("uses the default when empty", () => assert.equal(inputsOf({}).boolean("b", true), true));
    it("rejects anything else, quoting the value", () => assertInputError(() => inputsOf({ b: "maybe" }).boolean("b", true), "b", /expected true or false, got 'maybe'/));
  });

  describe("wholeNumber", () => {
    const opts = { min: 1, max: 1440, unit: "minutes" };
    it("parses a number in range", () => assert.equal(inputsOf({ t: "30" }).wholeNumber("t", opts), 30));
    it("uses the default when empty", () => assert.equal(inputsOf({}).wholeNumber("t", { ...opts, defaultValue: 60 }), 60));
    it("fails when empty without default", () => assertInputError(() => inputsOf({}).wholeNumber("t", opts), "t", /is required: give a whole number of minutes from 1 to 1440/));
    for (const bad of ["abc", "1.5", "-3", "0", "1441", "1e3", "0x10", "30 minutes", "99999999999999999999"]) {
      it(`rejects ${JSON.stringify(bad)} naming the range`, () =>
        assertInputError(() => inputsOf({ t: bad }).wholeNumber("t", opts), "t", /expected a whole number of minutes from 1 to 1440, got '/));
    }
  });

  describe("choice", () => {
    const allowed = ["Windows", "Linux"] as const;
    it("matches ignoring case and returns the listed spelling", () => assert.equal(inputsOf({ os: "linux" }).choice("os", allowed), "Linux"));
    it("uses the default", () => assert.equal(inputsOf({}).choice("os", allowed, "Windows"), "Windows"));
    it("lists the allowed values on a bad one", () => assertInputError(() => inputsOf({ os: "Mac" }).choice("os", allowed), "os", /expected one of Windows, Linux, got 'Mac'/));
    it("fails when required and empty", () => assertInputError(() => inputsOf({}).choice("os", allowed), "os", /is required: give one of Windows, Linux/));
  });

  describe("files", () => {
    const dir = mkdtempSync(join(tmpdir(), "dtl-inputs-"));
    const file = join(dir, "azuredeploy.json");
    writeFileSync(file, "\uFEFF{\"a\":1}");
    mkdirSync(join(dir, "folder"));

    it("resolves a relative path against the given base and strips a byte-order mark", () => {
      const text = inputsOf({ f: "azuredeploy.json" }).textFile("f", { required: true, baseDirectory: dir });
      assert.equal(text.path, file);
      assert.equal(text.text, "{\"a\":1}");
    });
    it("fails on a missing file, naming the path it looked at", () =>
      assertInputError(() => inputsOf({ f: "nope.json" }).existingFile("f", { baseDirectory: dir }), "f", /does not exist \(looked at '.*nope\.json'\)/));
    it("fails on a required file that was not given", () =>
      assertInputError(() => inputsOf({}).existingFile("f", { required: true }), "f", /is required: give the path of a file/));
    it("fails when a required file input names a folder", () =>
      assertInputError(() => inputsOf({ f: join(dir, "folder") }).existingFile("f", { required: true }), "f", /is a folder/));
    it("returns undefined for an optional file that was not given", () => assert.equal(inputsOf({}).existingFile("f"), undefined));
  });

  describe("multilineText", () => {
    it("normalises CRLF and keeps inner spacing", () => assert.equal(inputsOf({ m: "a  b\r\nc\rd" }).multilineText("m"), "a  b\nc\nd"));
    it("returns undefined for blank text", () => assert.equal(inputsOf({ m: " \n " }).multilineText("m"), undefined));
  });

  describe("json", () => {
    const arrayOf = (v: unknown) => (Array.isArray(v) ? v : "The value is not a JSON array.");
    it("parses and validates", () => assert.deepEqual(inputsOf({ j: "[1,2]" }).json("j", "a JSON array", arrayOf), [1, 2]));
    it("returns undefined when empty", () => assert.equal(inputsOf({}).json("j", "a JSON array", arrayOf), undefined));
    it("reports a syntax error with the expected form", () =>
      assertInputError(() => inputsOf({ j: "[1," }).json("j", "a JSON array", arrayOf), "j", /is not valid JSON .*expected a JSON array/));
    it("reports the validator's problem with the expected form", () =>
      assertInputError(() => inputsOf({ j: "{}" }).json("j", "a JSON array", arrayOf), "j", /The value is not a JSON array\. Expected a JSON array\./));
    it("does not quote a secret value in a syntax error", () => {
      assert.throws(() => inputsOf({ j: "{\"password\": \"hunter22\"" }).json("j", "an object", (v) => v, { secret: true }), (err: Error) => !err.message.includes("hunter22"));
    });
  });
});
