import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../../src/errors";
import {
  findVmTemplateParameters,
  parseTemplate,
  prepareTemplateDeployment,
  templateVmOsType,
  withVmName,
  type ArmTemplate,
  type PrepareTemplateOptions,
} from "../../../src/lab/template";
import { parseOverrides, parseParametersFile } from "../../../src/params";

const samples = join(__dirname, "..", "..", "fixtures", "samples");
const read = (...parts: string[]) => readFileSync(join(samples, ...parts), "utf8");
const goldenImage = () => parseTemplate(read("image-factory", "Configuration", "GoldenImages", "Win2016", "Datacenter.json"), "templateFile");
const quickStart = () => parseTemplate(read("lab-templates", "101-dtl-create-vm-username-pwd-customimage", "azuredeploy.json"), "templateFile");
const inputs = { templateInput: "templateFile", vmNameInput: "vmName", parametersInput: "parametersFile", overridesInput: "parameterOverrides" };

function prepare(options: Partial<PrepareTemplateOptions> & { template: ArmTemplate }) {
  return prepareTemplateDeployment({ labName: "factory", inputs, ...options });
}

function assertInputError(fn: () => unknown, input: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.input, input);
    assert.match(err.message, pattern);
    return true;
  });
}

describe("lab/template", () => {
  describe("finding the lab and VM name parameters", () => {
    it("reads them from the VM resource's name through variables (image factory: labName, newVMName)", () => {
      assert.deepEqual(findVmTemplateParameters(goldenImage()), { labNameParameter: "labName", vmNameParameter: "newVMName" });
    });
    it("handles the quick-start templates' existingLabName", () => {
      assert.deepEqual(findVmTemplateParameters(quickStart()), { labNameParameter: "existingLabName", vmNameParameter: "newVMName" });
    });
    it("finds a parameter named differently from the usual names, from the resource name", () => {
      const template: ArmTemplate = {
        parameters: { theLab: { type: "string" }, machine: { type: "string" } },
        resources: [{ type: "Microsoft.DevTestLab/labs/virtualmachines", name: "[format('{0}/{1}', parameters('theLab'), parameters('machine'))]" }],
      };
      assert.deepEqual(findVmTemplateParameters(template), { labNameParameter: "theLab", vmNameParameter: "machine" });
    });
    it("finds a VM nested under a lab resource and a literal lab in its name", () => {
      const template: ArmTemplate = {
        parameters: { vmName: { type: "string" } },
        resources: [{ type: "Microsoft.DevTestLab/labs", name: "mylab", resources: [{ type: "virtualmachines", name: "[parameters('vmName')]" }] }],
      };
      assert.equal(findVmTemplateParameters(template).vmNameParameter, "vmName");
    });
    it("knows a literally named VM", () => {
      const template: ArmTemplate = { resources: [{ type: "Microsoft.DevTestLab/labs/virtualMachines", name: "mylab/fixed-vm" }] };
      assert.equal(findVmTemplateParameters(template).literalVmName, "fixed-vm");
    });
    it("reads a literal OS type for the name rules", () => {
      assert.equal(templateVmOsType(goldenImage()), "Windows");
      assert.equal(templateVmOsType(quickStart()), undefined);
    });
  });

  describe("prepareTemplateDeployment", () => {
    it("injects the lab and VM name and keeps the other values with their template types", () => {
      const prepared = prepare({
        template: goldenImage(),
        vmName: "win2016-01",
        overrides: parseOverrides("-size Standard_D2s_v3 -userName admin -password (ConvertTo-SecureString -String 'P@ss w0rd!' -AsPlainText -Force)", "parameterOverrides"),
      });
      assert.equal(prepared.vmName, "win2016-01");
      assert.deepEqual(prepared.parameters.labName, { value: "factory" });
      assert.deepEqual(prepared.parameters.newVMName, { value: "win2016-01" });
      assert.deepEqual(prepared.parameters.password, { value: "P@ss w0rd!" });
      assert.ok(prepared.secretValues.includes("P@ss w0rd!"), "the securestring value is a secret");
    });

    it("takes the VM name from the parameters file when the input is empty, and warns about a different lab", () => {
      const prepared = prepare({ template: quickStart(), fileParameters: parseParametersFile(read("lab-templates", "101-dtl-create-vm-username-pwd-customimage", "azuredeploy.parameters.json"), "parametersFile") });
      assert.equal(prepared.vmName, "MyVM1pwdcus");
      assert.deepEqual(prepared.parameters.existingLabName, { value: "factory" });
      assert.equal(prepared.warnings.length >= 1, true);
      assert.match(prepared.warnings[0] ?? "", /existingLabName to 'MyLab1'.*'factory' instead/);
      assert.ok(prepared.secretValues.includes("SomePassword!"));
    });

    it("lets the VM name input win over the parameters file", () => {
      const prepared = prepare({ template: quickStart(), vmName: "other", fileParameters: parseParametersFile(read("lab-templates", "101-dtl-create-vm-username-pwd-customimage", "azuredeploy.parameters.json"), "parametersFile") });
      assert.deepEqual(prepared.parameters.newVMName, { value: "other" });
    });

    it("fails without a VM name anywhere, naming the VM name input and the template parameter", () => {
      assertInputError(() => prepare({ template: goldenImage(), overrides: parseOverrides("-size a -userName b -password c", "parameterOverrides") }), "vmName", /parameter 'newVMName'/);
    });

    it("fails on a template parameter without a value, before any deployment", () => {
      assertInputError(() => prepare({ template: goldenImage(), vmName: "vm1" }), "parameterOverrides", /size.*userName.*password|needs a value/);
    });

    it("fails on an override the template does not declare", () => {
      assertInputError(() => prepare({ template: goldenImage(), vmName: "vm1", overrides: parseOverrides("-size a -userName b -password c -colour blue", "parameterOverrides") }), "parameterOverrides", /colour/);
    });

    it("fails on a template without a lab VM or with two", () => {
      assertInputError(() => prepare({ template: { resources: [{ type: "Microsoft.Storage/storageAccounts", name: "x" }] }, vmName: "v" }), "templateFile", /creates no lab VM/);
      const two: ArmTemplate = {
        parameters: { a: { type: "string" } },
        resources: [
          { type: "Microsoft.DevTestLab/labs/virtualmachines", name: "[concat('l/', parameters('a'))]" },
          { type: "Microsoft.DevTestLab/labs/virtualmachines", name: "l/b" },
        ],
      };
      assertInputError(() => prepare({ template: two, vmName: "v" }), "templateFile", /more than one lab VM/);
    });

    it("refuses another name for a literally named VM", () => {
      const template: ArmTemplate = { resources: [{ type: "Microsoft.DevTestLab/labs/virtualmachines", name: "factory/fixed" }] };
      assert.equal(prepare({ template }).vmName, "fixed");
      assertInputError(() => prepare({ template, vmName: "other" }), "vmName", /literally/);
    });

    it("renames the VM for a retry attempt", () => {
      const prepared = prepare({ template: goldenImage(), vmName: "vm1", overrides: parseOverrides("-size a -userName b -password cccccccc", "parameterOverrides") });
      const second = withVmName(prepared, "vm1-2");
      assert.deepEqual(second.parameters.newVMName, { value: "vm1-2" });
      assert.deepEqual(prepared.parameters.newVMName, { value: "vm1" }, "the original is unchanged");
    });
  });

  describe("parseTemplate", () => {
    it("accepts a byte-order mark and comments, as ARM does", () => {
      const template = parseTemplate("\uFEFF{ // comment\n \"resources\": [] }", "templateFile");
      assert.deepEqual(template.resources, []);
    });
    it("rejects a parameters file given as the template", () => {
      assertInputError(() => parseTemplate(read("lab-templates", "101-dtl-create-vm-username-pwd-customimage", "azuredeploy.parameters.json"), "templateFile"), "templateFile", /no 'resources' array/);
    });
    it("rejects invalid JSON with a position", () => {
      assertInputError(() => parseTemplate("{\n \"resources\": [,]\n}", "templateFile"), "templateFile", /not valid JSON/);
    });
  });
});
