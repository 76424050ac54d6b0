// Runs last in the suite: every request the end-to-end tests sent to an emulator, and its answer, must satisfy the
// official swagger (oav). The emulators' logs were saved by saveTraffic() when the tests stopped them.
// REQUIRE_TRAFFIC=1 makes an empty collection a failure (CI, where the e2e tests must have run);
// EMULATOR_TRAFFIC_ALL=1 validates every file in the folder, not only this process's (a separate CI step).
import assert from "node:assert/strict";
import { readTraffic, trafficDir } from "./collect";
import { formatReport } from "./report";
import { validateTraffic } from "./validate";

describe("emulator traffic against the official swagger (oav)", function () {
  this.timeout(10 * 60 * 1000);

  it("has no violation in any collected request or response", async function () {
    const dir = trafficDir();
    const collected = readTraffic(dir, { allRuns: process.env["EMULATOR_TRAFFIC_ALL"] === "1" });
    const entries = collected.files.reduce((sum, file) => sum + file.traffic.entries.length, 0);
    if (entries === 0) {
      const message = `no emulator traffic was collected in ${dir}${collected.otherRuns > 0 ? ` (${collected.otherRuns} file(s) from other runs ignored)` : ""}`;
      if (process.env["REQUIRE_TRAFFIC"] === "1") assert.fail(`${message}, but REQUIRE_TRAFFIC=1`);
      console.log(`      ${message}: nothing to validate`);
      return;
    }
    const report = await validateTraffic(
      collected.files.map(({ path, traffic }) => ({ name: path.slice(dir.length + 1), entries: traffic.entries, droppedEntries: traffic.droppedEntries })),
    );
    const text = formatReport(report);
    if (report.violations.length > 0) assert.fail(`${report.violations.length} swagger violation(s) in the emulator's traffic\n${text}`);
    console.log(text.replace(/^/gm, "      "));
  });
});
