import { strict as assert } from "node:assert";
import type { LabVirtualMachine } from "@azure/arm-devtestlabs";
import { AzureOperationError } from "../../../src/errors";
import { evaluateArtifacts, parseArtifactRequests, resolveArtifactId, secretArtifactValues } from "../../../src/lab/artifacts";
import { LAB, LAB_ID, RG, SUBSCRIPTION } from "./fakes";

const lab = { subscriptionId: SUBSCRIPTION, resourceGroup: RG, labName: LAB };

describe("lab/artifacts", () => {
  describe("parseArtifactRequests", () => {
    it("accepts names, ids, and parameters as an object or as ARM's list", () => {
      const parsed = parseArtifactRequests([
        { name: "windows-chocolatey", parameters: { packages: "git", force: true } },
        { artifactId: `${LAB_ID}/artifactsources/privaterepo/artifacts/setup`, parameters: [{ name: "mode", value: "full" }] },
        { name: "linux-apt", source: "team repo" },
      ]);
      assert.deepEqual(parsed, [
        { name: "windows-chocolatey", source: undefined, parameters: [{ name: "packages", value: "git" }, { name: "force", value: "true" }] },
        { artifactId: `${LAB_ID}/artifactsources/privaterepo/artifacts/setup`, parameters: [{ name: "mode", value: "full" }] },
        { name: "linux-apt", source: "team repo", parameters: [] },
      ]);
    });
    it("accepts a single object as a list of one", () => assert.equal((parseArtifactRequests({ name: "a" }) as unknown[]).length, 1));
    const bad: [unknown, RegExp][] = [
      ["windows-sysprep", /not a JSON array/],
      [[42], /Artifact 1 is not a JSON object/],
      [[{}], /neither an artifactId nor a name/],
      [[{ name: "a", artifactId: "/subscriptions/x" }], /both/],
      [[{ artifactId: "windows-sysprep" }], /not a resource id/],
      [[{ name: "a", parameters: "x=1" }], /parameters must be/],
      [[{ name: "a", parameters: [{ value: "1" }] }], /needs a "name"/],
      [[{ name: "a", parameters: { p: null } }], /has no value/],
      [[{ name: "a", colour: "red" }], /unknown properties: colour/],
    ];
    for (const [value, pattern] of bad) {
      it(`reports ${JSON.stringify(value)}`, () => {
        const result = parseArtifactRequests(value);
        assert.equal(typeof result, "string");
        assert.match(result as string, pattern);
      });
    }
  });

  it("resolves a named artifact to the lab's public repository", () => {
    assert.equal(resolveArtifactId({ name: "windows-sysprep", parameters: [] }, lab, "artifacts"), `${LAB_ID}/artifactsources/public repo/artifacts/windows-sysprep`);
    assert.equal(resolveArtifactId({ name: "x", source: "mine", parameters: [] }, lab, "artifacts"), `${LAB_ID}/artifactsources/mine/artifacts/x`);
  });

  it("refuses an artifact of another lab", () => {
    const other = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.DevTestLab/labs/other/artifactsources/public repo/artifacts/x`;
    assert.throws(() => resolveArtifactId({ artifactId: other, parameters: [] }, lab, "artifacts"), AzureOperationError);
  });

  it("treats password-like parameters as secrets", () => {
    assert.deepEqual(secretArtifactValues([{ name: "a", parameters: [{ name: "adminPassword", value: "s3cret!!" }, { name: "packages", value: "git" }, { name: "apiKey", value: "k-123" }] }]), ["s3cret!!", "k-123"]);
  });

  describe("evaluateArtifacts", () => {
    const vm = (statuses: (string | undefined)[], extra: Partial<LabVirtualMachine> = {}): LabVirtualMachine => ({
      artifacts: statuses.map((status, i) => ({ artifactId: `${LAB_ID}/artifactsources/public repo/artifacts/a${i}`, status, ...(status === "Failed" ? { deploymentStatusMessage: "Script exited 1" } : {}) })),
      ...extra,
    });
    it("is not final while an artifact is pending or installing", () => {
      const e = evaluateArtifacts(vm(["Succeeded", "Installing", undefined]));
      assert.equal(e.final, false);
      assert.deepEqual(e.pending.map((p) => p.name), ["a1", "a2"]);
    });
    it("is final when every artifact succeeded, failed or was skipped, and lists the failures with messages", () => {
      const e = evaluateArtifacts(vm(["Succeeded", "Failed", "Skipped"]));
      assert.equal(e.final, true);
      assert.equal(e.succeeded, 1);
      assert.deepEqual(e.failed, [{ name: "a1", status: "Failed", message: "Script exited 1" }]);
    });
    it("looks only at the artifacts an apply added", () => {
      const e = evaluateArtifacts(vm(["Failed", "Succeeded"]), { fromIndex: 1 });
      assert.equal(e.failed.length, 0);
      assert.equal(e.total, 1);
    });
    it("falls back to the VM's counters without an artifact list", () => {
      assert.equal(evaluateArtifacts({ artifactDeploymentStatus: { totalArtifacts: 0, artifactsApplied: 0 } }).final, true);
      assert.equal(evaluateArtifacts({ artifactDeploymentStatus: { totalArtifacts: 2, artifactsApplied: 1, deploymentStatus: "Running" } }).final, false);
      assert.equal(evaluateArtifacts({ artifactDeploymentStatus: { totalArtifacts: 2, artifactsApplied: 2 } }).final, true);
    });
  });
});
