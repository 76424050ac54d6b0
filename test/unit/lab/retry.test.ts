import { strict as assert } from "node:assert";
import { AzureOperationError, InputError } from "../../../src/errors";
import { ArtifactsFailedError } from "../../../src/lab/artifacts";
import { isRetryableFailure, NO_RETRY, retryDelayMs, vmNameForAttempt, type RetryPolicy } from "../../../src/lab/retry";
import { CancelledError } from "../../../src/steps";

const policy: RetryPolicy = { ...NO_RETRY, retries: 5, initialDelayMs: 30_000, maxDelayMs: 120_000 };

describe("lab/retry", () => {
  it("backs off exponentially from the initial delay, capped", () => {
    assert.deepEqual([2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n)), [30_000, 60_000, 120_000, 120_000, 120_000]);
    assert.equal(retryDelayMs(policy, 1), 0);
    assert.equal(retryDelayMs({ ...policy, initialDelayMs: 0 }, 4), 0);
  });

  describe("which failures another attempt may fix", () => {
    const retryable: [string, unknown][] = [
      ["a capacity error", new AzureOperationError("Creating", "vm", "AllocationFailed: no capacity", "AllocationFailed")],
      ["an internal server error", new AzureOperationError("Creating", "vm", "Something broke (HTTP 500)", "InternalServerError")],
      ["a deployment failed because the VM did", new AzureOperationError("Deploying", "d", "At least one resource deployment operation failed.\nFailed operations:\n  Microsoft.DevTestLab/labs/virtualmachines 'l/vm': VMProvisioningFailed: boot timeout", "DeploymentFailed")],
      ["a failed artifact", new ArtifactsFailedError("vm", [{ name: "windows-chocolatey", status: "Failed", message: "exit code 1" }])],
      ["an unknown error", new Error("socket hang up")],
    ];
    const permanent: [string, unknown][] = [
      ["a bad input", new InputError("vmName", "bad")],
      ["a cancellation", new CancelledError("cancelled")],
      ["a timeout", new AzureOperationError("Creating", "vm", "did not finish", "OperationTimedOut")],
      ["a permission error", new AzureOperationError("Creating", "vm", "denied", "AuthorizationFailed")],
      ["a quota error", new AzureOperationError("Creating", "vm", "too many cores", "QuotaExceeded")],
      ["a deployment failed on an invalid template", new AzureOperationError("Deploying", "d", "At least one resource deployment operation failed.\nFailed operations:\n  InvalidTemplate: bad expression", "DeploymentFailed")],
      ["a lab policy violation inside a deployment", new AzureOperationError("Deploying", "d", "Details: RequestDisallowedByPolicy: size not allowed", "DeploymentFailed")],
    ];
    for (const [what, error] of retryable) it(`retries ${what}`, () => assert.equal(isRetryableFailure(error), true));
    for (const [what, error] of permanent) it(`does not retry ${what}`, () => assert.equal(isRetryableFailure(error), false));
  });

  describe("VM names per attempt", () => {
    it("keeps the name when not appending, and for the first attempt", () => {
      assert.equal(vmNameForAttempt("web01", 3, { append: false }), "web01");
      assert.equal(vmNameForAttempt("web01", 1, { append: true }), "web01");
    });
    it("appends -<attempt> from the second attempt", () => {
      assert.equal(vmNameForAttempt("web01", 2, { append: true }), "web01-2");
      assert.equal(vmNameForAttempt("web01", 11, { append: true }), "web01-11");
    });
    it("shortens the base so a Windows name stays within 15 characters, without a double hyphen", () => {
      assert.equal(vmNameForAttempt("abcdefghijklmno", 2, { append: true, osType: "Windows" }), "abcdefghijklm-2");
      assert.equal(vmNameForAttempt("abcdefghijklm-x", 10, { append: true, osType: "Windows" }), "abcdefghijkl-10");
      assert.ok(vmNameForAttempt("a".repeat(64), 3, { append: true }).length <= 64);
    });
  });
});
