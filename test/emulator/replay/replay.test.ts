// Replays the recorded real-service traffic (test/fixtures/recordings) against the emulator: per recorded ARM
// request, the emulator's status code, long-running-operation headers and key body properties must match what
// Azure answered. One emulator (replay seed, time scale 0) serves all recordings, reset between them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator, type RunningEmulator } from "../client";
import { openArmSession } from "./http";
import { loadRecordings } from "./recordings";
import { replayRecording, type ReplayOutcome } from "./replayer";
import { scenarios } from "./scenarios";
import { formatMismatches, formatOutcomes } from "./table";

const seedPath = join(__dirname, "seed.json");
const signIn = { tenantId: "00000000-0000-0000-0000-000000000000", clientId: "7e000000-0000-4000-8000-000000000001", clientSecret: "replay-secret~R3c0rd3dTraff1c" };

describe("replay of the recorded Azure traffic against the emulator", function () {
  this.timeout(5 * 60 * 1000);
  let emulator: RunningEmulator | undefined;
  const outcomes: ReplayOutcome[] = [];

  before(async function () {
    emulator = await startEmulator({ seed: seedPath, timeScale: 0 });
  });

  after(async function () {
    if (outcomes.length > 0) console.log(formatOutcomes(outcomes).replace(/^/gm, "      "));
    await emulator?.stop();
  });

  for (const recording of loadRecordings()) {
    it(`matches ${recording.name}`, async function () {
      if (emulator === undefined) throw new Error("the emulator did not start");
      await emulator.admin.reset();
      const session = await openArmSession(emulator.httpsAgent, { ...signIn, authorityHost: emulator.ready.authorityHost, armUrl: emulator.ready.armUrl });
      const outcome = await replayRecording(recording, scenarios[recording.name] ?? {}, session);
      outcomes.push(outcome);
      assert.ok(outcome.sent > 0, `nothing of ${recording.name} was replayed`);
      if (outcome.mismatches.length > 0) {
        assert.fail(`${outcome.mismatches.length} mismatch(es) replaying ${recording.name}:\n${formatMismatches(outcome.mismatches)}`);
      }
    });
  }
});
