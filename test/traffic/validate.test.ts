// Runs last in the suite: every request the end-to-end tests sent to an emulator, and its answer, must satisfy the
// official swagger (oav). The emulators' logs were saved by saveTraffic() when the tests stopped them.
// REQUIRE_TRAFFIC=1 makes an empty collection a failure (CI, where the e2e tests must have run);
// EMULATOR_TRAFFIC_ALL=1 validates every file in the folder, not only this process's (a separate CI step).
import assert from "node:assert/strict";
import { trafficDir } from "./collect";
import { checkCollectedTraffic } from "./suite-check";

describe("emulator traffic against the official swagger (oav)", function () {
  this.timeout(10 * 60 * 1000);

  it("has no violation in any collected request or response", async function () {
    const verdict = await checkCollectedTraffic({
      dir: trafficDir(),
      allRuns: process.env["EMULATOR_TRAFFIC_ALL"] === "1",
      requireTraffic: process.env["REQUIRE_TRAFFIC"] === "1",
    });
    if (!verdict.ok) assert.fail(verdict.message);
    console.log(verdict.message.replace(/^/gm, "      "));
  });
});
