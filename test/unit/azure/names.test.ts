// DevTest Labs naming rules, checked before any call.
import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import {
  parseOsType,
  validateCustomImageName,
  validateDeploymentName,
  validateEnvironmentName,
  validateLabName,
  validateLabVmName,
  validateResourceGroupName,
} from "../../../src/azure/names";

function rejects(check: () => unknown, input: string, pattern: RegExp): void {
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.input, input);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("azure/names", () => {
  describe("lab VM names", () => {
    for (const name of ["web01", "W", "a-b-c", "9lives", "Build-Agent-1", "x".repeat(15)]) {
      it(`accepts '${name}' for Windows`, () => assert.equal(validateLabVmName(name, { input: "vmName", osType: "Windows" }), name));
    }
    it("accepts 64 characters for Linux", () => assert.ok(validateLabVmName("l".repeat(64), { input: "vmName", osType: "Linux" })));
    it("rejects 16 characters for Windows, stating the limit", () => rejects(() => validateLabVmName("w".repeat(16), { input: "vmName", osType: "Windows" }), "vmName", /has 16 characters; at most 15/));
    it("rejects 65 characters for Linux", () => rejects(() => validateLabVmName("l".repeat(65), { input: "vmName", osType: "Linux" }), "vmName", /at most 64/));
    it("without an OS, checks the Linux limit only", () => assert.ok(validateLabVmName("a".repeat(40), { input: "vmName" })));
    for (const [name, why] of [
      ["", /empty/],
      ["12345", /cannot be all digits/],
      ["-web", /start and end with a letter or digit/],
      ["web-", /start and end with a letter or digit/],
      ["web_01", /letters, digits and hyphens/],
      ["web.01", /letters, digits and hyphens/],
      ["web 01", /letters, digits and hyphens/],
      ["wéb", /letters, digits and hyphens/],
    ] as const) {
      it(`rejects '${name}' with the rule`, () => rejects(() => validateLabVmName(name, { input: "VirtualMachineName", osType: "Windows" }), "VirtualMachineName", why));
    }
  });

  describe("custom image names (the service's rule: ^[^_\\W][\\w-._]{0,79}(?<![-.])$)", () => {
    for (const name of ["image_000001", "Win2019.Base-v2", "a", "A".repeat(80)]) {
      it(`accepts '${name.slice(0, 20)}'`, () => assert.ok(validateCustomImageName(name, { input: "imageName" })));
    }
    for (const [name, why] of [
      ["_image", /start with a letter or digit/],
      ["image-", /cannot end with a hyphen or period/],
      ["image.", /cannot end with a hyphen or period/],
      ["my image", /letters, digits, underscores, hyphens and periods/],
      ["img(1)", /letters, digits, underscores, hyphens and periods/],
      ["A".repeat(81), /at most 80/],
    ] as const) {
      it(`rejects '${name.slice(0, 20)}'`, () => rejects(() => validateCustomImageName(name, { input: "NewCustomImageName" }), "NewCustomImageName", why));
    }
  });

  describe("environment names", () => {
    it("accepts a usual name", () => assert.ok(validateEnvironmentName("qa-env.1", { input: "environmentName" })));
    it("rejects a blank", () => rejects(() => validateEnvironmentName("qa env", { input: "EnvironmentName" }), "EnvironmentName", /not a valid environment name/));
  });

  describe("lab names", () => {
    it("accepts letters, digits, _ and -", () => assert.ok(validateLabName("Factory_Lab-01", { input: "labName" })));
    it("rejects a period", () => rejects(() => validateLabName("factory.lab", { input: "labName" }), "labName", /letters, digits, underscores and hyphens/));
    it("rejects 51 characters", () => rejects(() => validateLabName("l".repeat(51), { input: "labName" }), "labName", /at most 50/));
  });

  describe("deployment and resource group names", () => {
    it("accepts a deployment name with parentheses and periods", () => assert.ok(validateDeploymentName("dtl-vm_(web01).1", { input: "deploymentName" })));
    it("rejects a deployment name with a slash", () => rejects(() => validateDeploymentName("a/b", { input: "deploymentName" }), "deploymentName", /deployment name/));
    it("rejects a 65-character deployment name", () => rejects(() => validateDeploymentName("d".repeat(65), { input: "deploymentName" }), "deploymentName", /at most 64/));
    it("rejects a resource group ending with a period", () => rejects(() => validateResourceGroupName("rg.", { input: "resourceGroup" }), "resourceGroup", /cannot end with a period/));
  });

  it("echoes a bad name safely", () => {
    rejects(() => validateLabVmName("##vso[task.complete result=Succeeded]", { input: "vmName" }), "vmName", /##vso_\[/);
  });

  it("parses OS types case-insensitively", () => {
    assert.equal(parseOsType(" windows ", { input: "osType" }), "Windows");
    assert.equal(parseOsType("LINUX", { input: "osType" }), "Linux");
    rejects(() => parseOsType("macOS", { input: "osType" }), "osType", /Use Windows or Linux/);
  });
});
