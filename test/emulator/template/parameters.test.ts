import { strict as assert } from "node:assert";
import { armError, evaluate, template } from "./test-support";

/** A template as text, so errors can point at lines and columns. */
const TEXT = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "labName": {
      "type": "string",
      "minLength": 3,
      "maxLength": 10
    },
    "adminPassword": {
      "type": "securestring"
    },
    "size": {
      "type": "string",
      "defaultValue": "Standard_B2s",
      "allowedValues": ["Standard_B2s", "Standard_D2s_v3"]
    },
    "count": {
      "type": "int",
      "defaultValue": 1,
      "minValue": 1,
      "maxValue": 5
    },
    "zones": {
      "type": "array",
      "defaultValue": ["1"],
      "allowedValues": ["1", "2", "3"]
    }
  },
  "resources": [],
  "outputs": {
    "echo": { "type": "object", "value": "[createObject('labName', parameters('LABNAME'), 'size', parameters('size'), 'count', parameters('count'), 'zones', parameters('zones'))]" }
  }
}`;

/** Where ARM (Json.NET) points for a parameter: the line of its definition and the 1-based column of its opening brace. */
function positionOf(name: string): { line: number; column: number } {
  const lines = TEXT.split("\n");
  const index = lines.findIndex((line) => line.includes(`"${name}": {`));
  return { line: index + 1, column: (lines[index] as string).indexOf("{") + 1 };
}

const valid = { labName: { value: "lab1" }, adminPassword: { value: "P@ssw0rd!" } };

function echo(values: Record<string, unknown>): Record<string, unknown> {
  return evaluate(TEXT, values).outputs(() => undefined).echo?.value as Record<string, unknown>;
}

describe("template evaluator: parameters", () => {
  it("binds given values, defaults, and names case-insensitively", () => {
    assert.deepEqual(echo({ LabName: { value: "lab1" }, adminpassword: { value: "x" }, count: { value: 3 } }), { labName: "lab1", size: "Standard_B2s", count: 3, zones: ["1"] });
  });

  it("reports a missing parameter with its line and column", () => {
    const error = armError(() => evaluate(TEXT, { labName: { value: "lab1" } }));
    const { line, column } = positionOf("adminPassword");
    assert.equal(error.code, "InvalidTemplate");
    assert.equal(
      error.message,
      `Deployment template validation failed: 'The value for the template parameter 'adminPassword' at line '${line}' and column '${column}' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'.`,
    );
    assert.deepEqual(error.additionalInfo?.[0]?.info, { lineNumber: line, linePosition: column, path: "properties.template.parameters.adminPassword" });
  });

  it("reports line 1 when the template came as an object (as for a REST body)", () => {
    const error = armError(() => evaluate(JSON.parse(TEXT), { labName: { value: "lab1" } }));
    assert.match(error.message, /'adminPassword' at line '1' and column '\d+' is not provided/);
  });

  it("rejects a value of the wrong type", () => {
    const error = armError(() => evaluate(TEXT, { ...valid, count: { value: "3" } }));
    assert.equal(
      error.message,
      "Deployment template validation failed: 'The provided value for the template parameter 'count' is not valid. Expected a value of type 'Int', but received a value of type 'String'. Please see https://aka.ms/arm-create-parameter-file for usage details.'.",
    );
    assert.match(armError(() => evaluate(TEXT, { ...valid, adminPassword: { value: 12 } })).message, /'adminPassword' is not valid\. Expected a value of type 'String', but received a value of type 'Int'/);
    assert.match(armError(() => evaluate(TEXT, { ...valid, zones: { value: "1" } })).message, /Expected a value of type 'Array'/);
  });

  it("enforces allowedValues, for arrays element by element", () => {
    const { line, column } = positionOf("size");
    const error = armError(() => evaluate(TEXT, { ...valid, size: { value: "Standard_A0" } }));
    assert.equal(
      error.message,
      `Deployment template validation failed: 'The provided value 'Standard_A0' for the template parameter 'size' at line '${line}' and column '${column}' is not valid. The parameter value is not part of the allowed value(s): 'Standard_B2s,Standard_D2s_v3'.'.`,
    );
    assert.deepEqual(echo({ ...valid, zones: { value: ["1", "3"] } }).zones, ["1", "3"]);
    assert.match(armError(() => evaluate(TEXT, { ...valid, zones: { value: ["1", "4"] } })).message, /The provided value '4' for the template parameter 'zones'/);
  });

  it("enforces minValue and maxValue", () => {
    assert.match(armError(() => evaluate(TEXT, { ...valid, count: { value: 0 } })).message, /template parameter 'count' at line '\d+' and column '\d+' is not valid\. Value should be greater than or equal to '1'\./);
    assert.match(armError(() => evaluate(TEXT, { ...valid, count: { value: 6 } })).message, /Value should be less than or equal to '5'\./);
  });

  it("enforces minLength and maxLength", () => {
    assert.match(armError(() => evaluate(TEXT, { ...valid, labName: { value: "ab" } })).message, /template parameter 'labName' at line '\d+' and column '\d+' is not valid\. Length of the value should be greater than or equal to '3'\./);
    assert.match(armError(() => evaluate(TEXT, { ...valid, labName: { value: "a-much-too-long-name" } })).message, /Length of the value should be less than or equal to '10'\./);
  });

  it("rejects parameters the template does not declare", () => {
    const error = armError(() => evaluate(TEXT, { ...valid, extra: { value: 1 } }));
    assert.match(error.message, /The template parameters 'extra' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time\. The only supported parameters for this template are 'labName, adminPassword, size, count, zones'\./);
  });

  it("rejects a null value", () => {
    const error = armError(() => evaluate(TEXT, { ...valid, size: { value: null } }));
    assert.equal(error.code, "InvalidDeploymentParameterValue");
    assert.match(error.message, /The value of deployment parameter 'size' is null/);
  });

  it("evaluates default value expressions, which may use later parameters and the deployment scope", () => {
    const tpl = template({
      parameters: {
        vmName: { type: "string", defaultValue: "[concat(parameters('prefix'), '-', uniqueString(resourceGroup().id))]" },
        prefix: { type: "string", defaultValue: "vm" },
        location: { type: "string", defaultValue: "[resourceGroup().location]" },
      },
      outputs: { vmName: { type: "string", value: "[parameters('vmName')]" }, location: { type: "string", value: "[parameters('location')]" } },
    });
    const outputs = evaluate(tpl).outputs(() => undefined);
    assert.match(String(outputs.vmName?.value), /^vm-[a-z2-7]{13}$/);
    assert.equal(outputs.location?.value, "westeurope");
  });

  it("validates default values against the constraints too", () => {
    const tpl = template({ parameters: { size: { type: "string", defaultValue: "Basic", allowedValues: ["Standard"] } } });
    assert.match(armError(() => evaluate(tpl)).message, /The provided value 'Basic' for the template parameter 'size'/);
  });

  it("does not allow variables() in a default value", () => {
    const tpl = template({ parameters: { p: { type: "string", defaultValue: "[variables('v')]" } }, variables: { v: "x" } });
    assert.match(armError(() => evaluate(tpl)).message, /The template resource 'p' at line '\d+' and column '\d+' is not valid: The template function 'variables' is not expected at this location\./);
  });

  it("reports an unknown parameter() name", () => {
    const tpl = template({ outputs: { o: { type: "string", value: "[parameters('nope')]" } } });
    const error = armError(() => evaluate(tpl).outputs(() => undefined));
    assert.match(error.details?.[0]?.message ?? "", /The template parameter 'nope' is not found\./);
  });

  it("rejects an unknown parameter type", () => {
    assert.match(armError(() => evaluate(template({ parameters: { p: { type: "number" } } }), { p: { value: 1 } })).message, /The template parameter 'p' at line '\d+' and column '\d+' is not valid: the type 'number' is not valid/);
  });

  it("accepts secureObject and object parameters, and types written in any case", () => {
    const tpl = template({
      parameters: { settings: { type: "SecureObject" }, extra: { type: "Object", defaultValue: { a: 1 } }, flag: { type: "Bool" } },
      outputs: { o: { type: "int", value: "[add(parameters('settings').n, parameters('extra').a)]" }, f: { type: "bool", value: "[parameters('flag')]" } },
    });
    const outputs = evaluate(tpl, { settings: { value: { n: 41 } }, flag: { value: false } }).outputs(() => undefined);
    assert.equal(outputs.o?.value, 42);
    assert.equal(outputs.f?.value, false);
  });

  it("resolves Key Vault references through the optional hook", () => {
    const tpl = template({ parameters: { password: { type: "securestring" } }, outputs: { length: { type: "int", value: "[length(parameters('password'))]" } } });
    const reference = { reference: { keyVault: { id: "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv" }, secretName: "pw" } };
    const hooks = { reference: () => undefined, keyVaultSecret: (vault: string, name: string) => (vault.endsWith("/kv") && name === "pw" ? "secret-value" : undefined) };
    assert.equal(evaluate(tpl, { password: reference }, hooks).outputs(() => undefined).length?.value, "secret-value".length);
    assert.equal(armError(() => evaluate(tpl, { password: reference })).code, "KeyVaultParameterReferenceSecretRetrieveFailed");
  });
});
