// Merging template defaults, the parameters file, overrides and the task's own values: types, names, precedence,
// constraints and the secret values to register.
import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import { mergeParameters } from "../../../src/params/merge";
import { parseOverrides } from "../../../src/params/overrides";
import { parseParametersFile } from "../../../src/params/parameters-file";
import type { TemplateParameterDefinitions } from "../../../src/params/types";

const VAULT = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/kv-rg/providers/Microsoft.KeyVault/vaults/factory-kv";

const definitions: TemplateParameterDefinitions = {
  newVMName: { type: "string" },
  labName: { type: "string" },
  size: { type: "string", defaultValue: "Standard_D2s_v3", allowedValues: ["Standard_D2s_v3", "Standard_D4s_v3"] },
  userName: { type: "string", defaultValue: "labadmin", minLength: 3, maxLength: 20 },
  password: { type: "securestring" },
  count: { type: "int", defaultValue: 1, minValue: 1, maxValue: 5 },
  offset: { type: "Int", defaultValue: 0 },
  enabled: { type: "bool", defaultValue: true },
  tags: { type: "object", defaultValue: {} },
  secrets: { type: "secureObject", defaultValue: {} },
  zones: { type: "array", defaultValue: [], allowedValues: ["1", "2", "3"] },
  notes: { type: "string", defaultValue: "" },
};

const overrides = (text: string) => parseOverrides(text, "parameterOverrides");
const merge = (text: string, file?: string) => mergeParameters(file === undefined ? undefined : parseParametersFile(file, "parametersFile"), overrides(text), definitions);
const values = (text: string, file?: string) => JSON.parse(JSON.stringify(merge(text, file).parameters)) as Record<string, unknown>;

function rejects(check: () => unknown, input: string, pattern: RegExp, hidden?: string): void {
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.input, input);
    assert.match(error.message, pattern);
    if (hidden) assert.ok(!error.message.includes(hidden), "secret values are not shown");
    return true;
  });
}

describe("params/merge: mergeParameters", () => {
  describe("converts override text to the declared type", () => {
    const cases: [string, string, unknown][] = [
      ["int", "-count 5", { count: { value: 5 } }],
      ["a negative int (the value starts with -)", "-offset -5", { offset: { value: -5 } }],
      ["an int with a plus sign, quoted", '-count "+3"', { count: { value: 3 } }],
      ["bool true", "-enabled true", { enabled: { value: true } }],
      ["bool False in another case", "-enabled False", { enabled: { value: false } }],
      ["PowerShell's $false", "-enabled $false", { enabled: { value: false } }],
      ["an object from JSON", '-tags {"team": "qa"}', { tags: { value: { team: "qa" } } }],
      ["an object from quoted JSON", `-tags '{"team": "qa"}'`, { tags: { value: { team: "qa" } } }],
      ["an array from JSON", '-zones ["1", "2"]', { zones: { value: ["1", "2"] } }],
      ["a string that looks like a number stays a string", "-notes 5", { notes: { value: "5" } }],
      ["a string that looks like JSON stays text", "-notes {abc}", { notes: { value: "{abc}" } }],
      ["a string with blanks", '-notes "built by the factory"', { notes: { value: "built by the factory" } }],
    ];
    for (const [name, text, expected] of cases) {
      it(name, () => assert.deepEqual(values(text), expected));
    }
  });

  describe("rejects text that is not of the declared type", () => {
    it("a word for an int", () => rejects(() => merge("-count five"), "parameterOverrides", /-count: 'five' is not a whole number \(the template declares 'count' as int\)/));
    it("a float for an int", () => rejects(() => merge("-count 1.5"), "parameterOverrides", /not a whole number/));
    it("an int too large", () => rejects(() => merge("-count 9007199254740993"), "parameterOverrides", /too large/));
    it("yes for a bool", () => rejects(() => merge("-enabled yes"), "parameterOverrides", /'yes' is not true or false/));
    it("an array for an object", () => rejects(() => merge("-tags [1]"), "parameterOverrides", /not a JSON object/));
    it("broken JSON for an object, with where", () => rejects(() => merge("-tags {team: qa}"), "parameterOverrides", /not valid JSON \(error near line 1, column 2 of the value\); write a JSON object/));
    it("a bare word for an array", () => rejects(() => merge("-zones 1"), "parameterOverrides", /not a JSON array/));
    it("never shows a secure object's text", () => rejects(() => merge("-secrets {pw: Sup3rSecret}"), "parameterOverrides", /-secrets: the value is not valid JSON/, "Sup3rSecret"));
  });

  describe("names", () => {
    it("match the template case-insensitively and take its casing", () => {
      assert.deepEqual(values("-NEWVMNAME web01 -LabName factory"), { newVMName: { value: "web01" }, labName: { value: "factory" } });
    });
    it("an override the template does not declare fails, listing what it declares", () =>
      rejects(() => merge("-vmSize big"), "parameterOverrides", /the override -vmSize sets 'vmSize', which the template does not declare\. It declares: newVMName, labName, size/));
    it("a file parameter the template does not declare fails on the parameters file input", () =>
      rejects(() => merge("", '{"vmSize": {"value": "x"}}'), "parametersFile", /the parameters file sets 'vmSize'/));
    it("a parameter named __proto__ is a plain name", () => {
      const result = mergeParameters(undefined, overrides("-__proto__ x"), undefined);
      assert.deepEqual(Object.keys(result.parameters), ["__proto__"]);
      assert.equal(({} as Record<string, unknown>).x, undefined);
    });
  });

  describe("precedence", () => {
    it("file < overrides < values the task sets", () => {
      const file = '{"parameters": {"newVMName": {"value": "from-file"}, "userName": {"value": "fileuser"}, "labName": {"value": "file-lab"}}}';
      const result = mergeParameters(parseParametersFile(file, "parametersFile"), overrides("-newVMName from-override -labName override-lab"), definitions, {
        set: { labName: "task-lab", unknownToTemplate: "skipped" },
      });
      assert.deepEqual(JSON.parse(JSON.stringify(result.parameters)), { newVMName: { value: "from-override" }, userName: { value: "fileuser" }, labName: { value: "task-lab" } });
    });
    it("keeps a Key Vault reference from the file, and an override replaces it", () => {
      const file = JSON.stringify({ parameters: { password: { reference: { keyVault: { id: VAULT }, secretName: "vm-pw" } } } });
      assert.deepEqual(values("", file), { password: { reference: { keyVault: { id: VAULT }, secretName: "vm-pw" } } });
      assert.deepEqual(values('-password "P@ss w0rd"', file), { password: { value: "P@ss w0rd" } });
    });
  });

  describe("empty overrides", () => {
    it("add nothing, and never a parameter named 'undefined' (Microsoft's task did)", () => {
      for (const text of ["", "   ", "\n"]) {
        const result = mergeParameters(undefined, parseOverrides(text, "parameterOverrides"), definitions);
        assert.deepEqual(Object.keys(result.parameters), []);
        assert.equal("undefined" in result.parameters, false);
      }
      assert.deepEqual(Object.keys(mergeParameters(undefined, undefined, undefined).parameters), []);
    });
  });

  describe("without template declarations", () => {
    it("keeps text as text and JSON as JSON; never guesses numbers or booleans", () => {
      const result = mergeParameters(undefined, overrides('-count 5 -flag true -tags {"a": 1} -bad {x}'), undefined);
      assert.deepEqual(JSON.parse(JSON.stringify(result.parameters)), { count: { value: "5" }, flag: { value: "true" }, tags: { value: { a: 1 } }, bad: { value: "{x}" } });
    });
  });

  describe("constraints", () => {
    it("allowedValues match without regard to case", () => assert.deepEqual(values("-size standard_d4s_v3"), { size: { value: "standard_d4s_v3" } }));
    it("a value outside allowedValues fails, listing them", () => rejects(() => merge("-size Standard_A0"), "parameterOverrides", /-size: 'Standard_A0' is not one of the values the template allows\. Allowed: "Standard_D2s_v3", "Standard_D4s_v3"\./));
    it("each item of an array must be allowed", () => rejects(() => merge('-zones ["1", "4"]'), "parameterOverrides", /not one of the values the template allows/));
    it("minValue", () => rejects(() => merge("-count 0"), "parameterOverrides", /below the minimum 1/));
    it("maxValue", () => rejects(() => merge("-count 6"), "parameterOverrides", /above the maximum 5/));
    it("minLength", () => rejects(() => merge("-userName ab"), "parameterOverrides", /has 2 characters; at least 3/));
    it("maxLength, checked for file values too", () => rejects(() => merge("", `{"userName": {"value": "${"u".repeat(21)}"}}`), "parametersFile", /parameter 'userName' in the parameters file: the value has 21 characters; at most 20/));
    it("a file value of the wrong type", () => rejects(() => merge("", '{"count": {"value": "many"}}'), "parametersFile", /'count' in the parameters file has a string value, but the template declares it as int/));
    it("a file value written as a numeric string is accepted for an int", () => assert.deepEqual(values("", '{"count": {"value": "2"}}'), { count: { value: "2" } }));
  });

  describe("required parameters", () => {
    it("are reported when missing", () => {
      assert.deepEqual(merge("-newVMName web01").missingRequired, ["labName", "password"]);
    });
    it("fail when requireAll is set", () => {
      rejects(() => mergeParameters(undefined, overrides("-newVMName web01"), definitions, { requireAll: true, overridesInput: "ParameterOverrides" }), "ParameterOverrides", /needs a value for labName, password/);
    });
    it("count as given when the task sets them", () => {
      assert.deepEqual(mergeParameters(undefined, overrides(""), definitions, { set: { newVMName: "vm", labName: "lab", password: "pw-1234" } }).missingRequired, []);
    });
  });

  describe("secrets", () => {
    it("returns securestring values and names", () => {
      const result = merge('-password "P@ss w0rd" -newVMName web01');
      assert.deepEqual(result.secretValues, ["P@ss w0rd"]);
      assert.deepEqual(result.secureParameterNames, ["password"]);
    });
    it("returns a secure object's JSON and its strings", () => {
      const result = merge('-secrets {"sql": "Sql-Pa55word", "n": 1, "short": "ab"}');
      assert.deepEqual(result.secretValues, ['{"sql":"Sql-Pa55word","n":1,"short":"ab"}', "Sql-Pa55word"]);
      assert.deepEqual(result.secureParameterNames, ["secrets"]);
    });
    it("returns a value written as ConvertTo-SecureString even for a plain string parameter", () => {
      const result = merge("-notes (ConvertTo-SecureString -String 'hidden notes' -AsPlainText -Force)");
      assert.deepEqual(result.secretValues, ["hidden notes"]);
      assert.deepEqual(result.secureParameterNames, ["notes"]);
    });
    it("returns secure values from the parameters file", () => {
      assert.deepEqual(merge("", '{"password": {"value": "FromFile-1"}}').secretValues, ["FromFile-1"]);
    });
    it("masks and warns about a password declared as plain string", () => {
      const result = mergeParameters(undefined, overrides("-adminPassword Plain-Pa55"), { adminPassword: { type: "string" } });
      assert.deepEqual(result.secretValues, ["Plain-Pa55"]);
      assert.match(result.warnings[0] ?? "", /'adminPassword' looks like a secret but the template declares it as string/);
    });
    it("does not show a secure value that breaks a constraint", () =>
      rejects(() => mergeParameters(undefined, overrides("-pw Sup3rSecret"), { pw: { type: "securestring", minLength: 20 } }), "parameterOverrides", /the value has 11 characters; at least 20/, "Sup3rSecret"));
  });

  it("produces the parameters object a deployment takes", () => {
    const result = merge('-newVMName web01 -labName factory -password "pw-123456" -count 2 -tags {"a": "b"}');
    assert.equal(JSON.stringify(result.parameters), '{"newVMName":{"value":"web01"},"labName":{"value":"factory"},"password":{"value":"pw-123456"},"count":{"value":2},"tags":{"value":{"a":"b"}}}');
  });
});
