// ARM parameters files: both forms, byte-order marks, comments, Key Vault references kept, and clear errors that
// never quote the file (it holds passwords).
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../../src/errors";
import { parseParametersFile } from "../../../src/params/parameters-file";
import { readTemplateParameters } from "../../../src/params/template-parameters";
import { mergeParameters } from "../../../src/params/merge";
import { firstSyntaxError, lineAndColumn, parseJsonText } from "../../../src/params/json";

const VAULT = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/kv-rg/providers/Microsoft.KeyVault/vaults/factory-kv";
const parse = (text: string) => parseParametersFile(text, "parametersFile");
const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

function rejects(text: string, pattern: RegExp, hidden?: string): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => {
      assert.ok(error instanceof InputError, String(error));
      assert.equal(error.input, "parametersFile");
      assert.match(error.message, pattern);
      if (hidden) assert.ok(!error.message.includes(hidden), "the file's content is not repeated");
      return true;
    },
  );
}

describe("params/parameters-file: parseParametersFile", () => {
  it("reads the full form", () => {
    const text = JSON.stringify({
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      contentVersion: "1.0.0.0",
      parameters: { vmName: { value: "web01" }, count: { value: 2 }, tags: { value: { a: "b" } }, zones: { value: [1] }, flag: { value: false }, nothing: { value: null } },
    });
    assert.deepEqual(plain(parse(text)), { vmName: { value: "web01" }, count: { value: 2 }, tags: { value: { a: "b" } }, zones: { value: [1] }, flag: { value: false }, nothing: { value: null } });
  });

  it("reads the bare parameters object", () => {
    assert.deepEqual(plain(parse('{"vmName": {"value": "web01"}}')), { vmName: { value: "web01" } });
  });

  it("reads a document with only 'parameters' as the full form", () => {
    assert.deepEqual(plain(parse('{"parameters": {"a": {"value": 1}}}')), { a: { value: 1 } });
  });

  it("reads a bare-form parameter that is itself named 'parameters'", () => {
    assert.deepEqual(plain(parse('{"parameters": {"value": 1}}')), { parameters: { value: 1 } });
  });

  it("tolerates a byte-order mark, // and /* */ comments", () => {
    const text = '\uFEFF{\n  // the VM\n  "parameters": { /* name */ "vmName": { "value": "web//01" } }\n}';
    assert.deepEqual(plain(parse(text)), { vmName: { value: "web//01" } });
  });

  it("keeps Key Vault references as references", () => {
    const reference = { keyVault: { id: VAULT }, secretName: "vmPassword", secretVersion: "abc123" };
    const result = parse(JSON.stringify({ parameters: { password: { reference }, user: { value: "admin", metadata: { description: "x" } } } }));
    assert.deepEqual(plain(result), { password: { reference }, user: { value: "admin" } });
  });

  it("accepts the lower-cased vault id the portal copies", () => {
    const reference = { keyVault: { id: VAULT.toLowerCase() }, secretName: "s" };
    assert.deepEqual(plain(parse(JSON.stringify({ p: { reference } }))), { p: { reference } });
  });

  it("gives no parameters for an empty 'parameters'", () => {
    assert.deepEqual(plain(parse('{"$schema": "x", "contentVersion": "1.0.0.0", "parameters": {}}')), {});
    assert.deepEqual(plain(parse('{"$schema": "x", "contentVersion": "1.0.0.0"}')), {});
  });

  it("treats __proto__ as a plain name", () => {
    const result = parse('{"__proto__": {"value": "x"}, "a": {"value": 1}}');
    assert.deepEqual(Object.keys(result), ["__proto__", "a"]);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("reads every parameters file of the lab templates (three start with a byte-order mark) and checks it against its template", () => {
    const root = join(__dirname, "..", "..", "fixtures", "samples", "lab-templates");
    const dirs = readdirSync(root).filter((dir) => existsSync(join(root, dir, "azuredeploy.parameters.json"))).sort();
    assert.ok(dirs.length > 10);
    const mismatched: string[] = [];
    for (const dir of dirs) {
      const parameters = parse(readFileSync(join(root, dir, "azuredeploy.parameters.json"), "utf8"));
      const template = parseJsonText(readFileSync(join(root, dir, "azuredeploy.json"), "utf8"), { inputName: "templateFile", what: "the template" });
      try {
        mergeParameters(parameters, undefined, readTemplateParameters(template, "templateFile"));
      } catch (error) {
        assert.ok(error instanceof InputError && error.input === "parametersFile", String(error));
        mismatched.push(`${dir}: ${error.message}`);
      }
    }
    // Two samples' parameters files set parameters their templates do not declare (renamed or removed); ARM rejects
    // such a deployment, and we say so before it starts.
    assert.deepEqual(mismatched, [
      "101-dtl-create-lab-shared-gallery-configured: Input 'parametersFile': the parameters file sets 'existingSharedImageGalleryId', which the template does not declare. It declares: newLabName, existingSharedGalleryId.",
      "201-dtl-create-lab-with-seleniumgrid: Input 'parametersFile': the parameters file sets 'VMSize', which the template does not declare. It declares: labName, nodeCount, username, password, seleniumServerStandaloneJarFile, hubConfigJsonFile, nodeConfigJsonFile.",
    ]);
  });

  describe("errors", () => {
    it("a file that is not JSON: line and column, never the content", () => rejects('{\n  "password": {"value": Sup3rSecret}\n}', /not valid JSON near line 2, column 25/, "Sup3rSecret"));
    it("a truncated file", () => rejects('{"a": {"value": 1}', /not valid JSON near line 1, column 19/));
    it("an empty file", () => rejects("  \n", /is empty/));
    it("a file holding only a byte-order mark", () => rejects("\uFEFF", /is empty/));
    it("an unclosed comment", () => rejects('{"a": {"value": 1}} /* note', /comment that is never closed \(line 1, column 21\)/));
    it("an array", () => rejects("[1, 2]", /must hold a JSON object/));
    it("'parameters' that is not an object", () => rejects('{"$schema": "x", "parameters": [1]}', /'parameters' .* must be an object/));
    it("an entry that is not an object", () => rejects('{"vmName": "web01"}', /parameter 'vmName' .* must be an object/));
    it("an entry without value or reference", () => rejects('{"vmName": {}}', /exactly one of "value" and "reference"/));
    it("an entry with both", () => rejects(`{"p": {"value": 1, "reference": {"keyVault": {"id": "${VAULT}"}, "secretName": "s"}}}`, /exactly one/));
    it("an entry with an unknown key", () => rejects('{"p": {"values": 1}}', /'values'; an entry has "value" or "reference"/));
    it("a Key Vault reference without a secret name", () => rejects(`{"p": {"reference": {"keyVault": {"id": "${VAULT}"}}}}`, /Key Vault reference that must be/));
    it("a Key Vault reference to something that is not a vault", () =>
      rejects(`{"p": {"reference": {"keyVault": {"id": "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa"}, "secretName": "s"}}}`, /not a Key Vault id/));
    it("a Key Vault reference with a malformed id", () => rejects('{"p": {"reference": {"keyVault": {"id": "factory-kv"}, "secretName": "s"}}}', /'factory-kv' is not a valid id/));
    it("the same name twice in another case", () => rejects('{"vmName": {"value": 1}, "VMNAME": {"value": 2}}', /'VMNAME' .* appears twice/));
  });
});

describe("params/json", () => {
  it("numbers lines and columns from 1", () => {
    assert.equal(lineAndColumn("ab\ncd", 0), "line 1, column 1");
    assert.equal(lineAndColumn("ab\ncd", 4), "line 2, column 2");
  });

  it("finds the first syntax error", () => {
    assert.equal(firstSyntaxError('{"a": [1, 2]}'), undefined);
    assert.equal(firstSyntaxError('{"a": tru}'), 6);
    assert.equal(firstSyntaxError('{"a": 1,}'), 8);
    assert.equal(firstSyntaxError('{"a": "x\ny"}'), 8);
    assert.equal(firstSyntaxError("[1] x"), 4);
  });
});

describe("params/template-parameters: readTemplateParameters", () => {
  it("reads types, defaults and constraints", () => {
    const definitions = readTemplateParameters(
      { parameters: { size: { type: "string", defaultValue: "Standard_D2s_v3", allowedValues: ["Standard_D2s_v3"] }, count: { type: "Int", minValue: 1, maxValue: 5 } } },
      "templateFile",
    );
    assert.deepEqual(plain(definitions), { size: { type: "string", defaultValue: "Standard_D2s_v3", allowedValues: ["Standard_D2s_v3"] }, count: { type: "Int", minValue: 1, maxValue: 5 } });
  });

  it("rejects a parameter without a type or with an unknown one", () => {
    assert.throws(() => readTemplateParameters({ parameters: { a: {} } }, "templateFile"), (error: unknown) => error instanceof InputError && /'a' has no "type"/.test(error.message));
    assert.throws(() => readTemplateParameters({ parameters: { a: { type: "number" } } }, "templateFile"), (error: unknown) => error instanceof InputError && /'number'; ARM knows/.test(error.message));
  });
});
