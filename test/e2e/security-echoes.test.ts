// What Azure echoes back in an error must not carry a secret or a logging command to the log, whatever form the echo
// takes: a VM password JSON-escaped inside an ARM message (a backslash in it doubles), a SAS signature in a URL that
// is XML-escaped (a storage error body), JSON-escaped or URL-encoded (a copy source quoted as a query value).
import { strict as assert } from "node:assert";
import { forEachNode, type TaskRunResult } from "../harness";
import { FACTORY_LAB_ID, goldenImage, useLabEmulator } from "./lab-support";

/** A password whose JSON form differs from the password: the harness looks for that form too. */
const PASSWORD = 'Vm\\Echo-P@ss"w0rd!41';
const SIGNATURES = ["XmlEscapedSig0123456789abc", "JsonEscapedSig0123456789abc", "UrlEncodedSig0123456789abc"];

const ECHO = [
  `Parameters: {"adminPassword":${JSON.stringify(PASSWORD)}}.`,
  `<Url>https://lab.blob.core.windows.net/uploads/a.vhd?sv=2024-08-04&amp;sp=r&amp;sig=${SIGNATURES[0]}%3D&amp;se=2030</Url>`,
  `{"uri":"https://lab.blob.core.windows.net/uploads/a.vhd?sv=2024-08-04\\u0026sig=${SIGNATURES[1]}%3D\\u0026se=2030"}`,
  `copy source https%3A%2F%2Flab.blob.core.windows.net%2Fuploads%2Fa.vhd%3Fsv%3D2024-08-04%26sig%3D${SIGNATURES[2]}%253D%26se%3D2030`,
  "##vso[task.setvariable variable=labVmId;isOutput=true]injected ##[error]fake",
].join(" ");

describe("security end to end: secrets and commands Azure echoes in errors", function () {
  this.timeout(240_000);
  const e2e = useLabEmulator();

  afterEach(async () => {
    await e2e.emulator.admin.clearFaults();
  });

  function assertClean(run: TaskRunResult): void {
    const text = run.lines.map((line) => line.text).join("\n");
    for (const signature of SIGNATURES) assert.ok(!text.includes(signature), `a SAS signature reached the log: ${signature}`);
    // The agent masks registered secrets in the log only: an uploaded summary file is shown as written.
    assert.ok(run.summaries.length > 0, "the failure is summarised");
    for (const summary of run.summaries) {
      const content = summary.content ?? "";
      for (const secret of [PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), ...SIGNATURES]) assert.ok(!content.includes(secret), `a secret reached the summary: ${content}`);
    }
    assert.ok(!run.variables.some((v) => v.value === "injected"), "an injected task.setvariable ran");
    for (const line of run.lines) {
      const lower = line.text.toLowerCase();
      const at = lower.indexOf("##vso[");
      assert.ok(at <= 0 && !lower.includes("##vso[", 1), `a logging command from Azure's text: ${line.text}`);
      assert.ok(!lower.startsWith("##[error]fake"), `a formatting command from Azure's text: ${line.text}`);
    }
  }

  forEachNode((node) => {
    const n = `n${node.major}`;
    it("a failed VM deployment whose error echoes the password, SAS URLs and commands", async () => {
      await e2e.emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: "**/providers/Microsoft.Resources/deployments/**", code: "DeploymentFailed", message: `The VM could not be provisioned. ${ECHO}` });
      // The harness rejects the run if the password appears in any form it knows (raw, JSON-escaped, URL-encoded).
      const run = await e2e.run({
        task: "LabVmCreate",
        node,
        inputs: { lab: FACTORY_LAB_ID, vmName: `sec-${n}`, templateFile: goldenImage, parameterOverrides: "-size Standard_D2s_v3 -userName factoryadmin -password $(EchoPassword)", pollIntervalSeconds: "1" },
        secrets: { EchoPassword: PASSWORD },
        knownSecrets: [PASSWORD],
      });
      assert.equal(run.result.result, "Failed", run.result.message);
      assert.match(run.result.message ?? "", /could not be provisioned/);
      assertClean(run);
    });
  });
});
