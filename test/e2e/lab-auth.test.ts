// Every service connection scheme signs in and works for the lab tasks; a wrong secret, a wrong job token, an
// expired federated assertion and a subscription the identity cannot reach each fail with a clear message, and no
// credential is printed (the harness fails the run on a leak, with system.debug=true here).
import { strict as assert } from "node:assert";
import { forEachNode, nodeRuntime } from "../harness";
import { FACTORY_LAB, useLabEmulator } from "./lab-support";
import type { ServiceConnectionKind } from "../emulator/client";

describe("lab tasks end to end: signing in with every service connection scheme", function () {
  this.timeout(120_000);
  const e2e = useLabEmulator();
  // A delete of a VM that does not exist: lists the subscription's labs, reads the VM, succeeds with a note.
  const probe = { lab: FACTORY_LAB, vmName: "never-created" };

  forEachNode((node) => {
    for (const kind of ["spnKey", "spnCertificate", "WorkloadIdentityFederation", "ManagedServiceIdentity"] as ServiceConnectionKind[]) {
      it(`signs in with ${kind}`, async () => {
        const run = await e2e.run({ task: "LabVmDelete", node, kind, debug: true, inputs: probe });
        assert.equal(run.result.result, "Succeeded", `${run.result.message}\n${run.stdoutLines.slice(-20).join("\n")}`);
        assert.match(run.result.message ?? "", /does not exist \(already deleted\)/);
      });
    }
  });

  describe("failures", () => {
    const node = nodeRuntime(20);

    it("a wrong client secret fails, saying the sign-in failed and to check the connection", async () => {
      const connection = e2e.connection("spnKey");
      const wrong = { ...connection, parameters: { ...connection.parameters, serviceprincipalkey: "not-the-secret-9f8e7d" } };
      const run = await e2e.run({ task: "LabVmDelete", node, connection: wrong, debug: true, inputs: probe, knownSecrets: ["not-the-secret-9f8e7d"] });
      assert.equal(run.result.result, "Failed");
      assert.match(run.result.message ?? "", /AADSTS7000215|client secret/i);
      assert.match(run.result.message ?? "", /service connection/i);
    });

    it("a job token the OIDC endpoint rejects fails workload identity federation clearly", async () => {
      const run = await e2e.run({ task: "LabVmDelete", node, kind: "WorkloadIdentityFederation", systemAccessToken: "not-the-job-token-1234567", debug: true, inputs: probe });
      assert.equal(run.result.result, "Failed");
      assert.match(run.result.message ?? "", /sign|token|OIDC|401|authori/i);
    });

    it("an expired federated assertion (the agent's OIDC token) fails with Entra's expiry error and the fix", async () => {
      const connection = e2e.connection("WorkloadIdentityFederation");
      const rule = await e2e.emulator.admin.addFault({ kind: "tokenExpiry", mode: "expiredAssertion", serviceConnectionId: connection.id });
      try {
        const run = await e2e.run({ task: "LabVmDelete", node, connection, debug: true, inputs: probe });
        assert.equal(run.result.result, "Failed");
        assert.match(run.result.message ?? "", /AADSTS700024|expired/i);
        assert.match(run.result.message ?? "", /service connection/i);
        const writes = (await e2e.emulator.admin.requests()).value.filter((r) => r.method !== "GET" && r.path.startsWith("/subscriptions"));
        assert.equal(writes.length, 0);
      } finally {
        await e2e.emulator.admin.deleteFault(rule.id);
      }
    });

    it("a VM id in a subscription that does not exist fails (it is not taken for an already deleted VM)", async () => {
      const vmId = "/subscriptions/29999999-0000-4000-8000-000000000009/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab/virtualmachines/vm1";
      const run = await e2e.run({ task: "LabVmDelete", node, debug: true, inputs: { vmId } });
      assert.equal(run.result.result, "Failed", run.result.message);
      assert.match(run.result.message ?? "", /subscription/i);
      assert.doesNotMatch(run.result.message ?? "", /already deleted/);
    });

    it("a subscription the principal cannot reach fails with the permission hint", async () => {
      const connection = e2e.connection("spnKey");
      const clientId = connection.parameters.serviceprincipalid ?? "";
      await e2e.emulator.admin.setPermissions({ clientId, subscriptions: [] });
      try {
        const run = await e2e.run({ task: "LabVmDelete", node, connection, inputs: probe });
        assert.equal(run.result.result, "Failed");
        assert.match(run.result.message ?? "", /permission|AuthorizationFailed|403|cannot see/i);
      } finally {
        await e2e.emulator.admin.reset();
      }
    });
  });
});
