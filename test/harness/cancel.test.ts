// Cancellation like the agent's: SIGINT, then SIGTERM, then kill — with delays shortened for these tests.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { agentCancelDelays } from "./cancel";
import { fixtureTask } from "./fixtures/build";
import { runTask, startTask, TaskTimeoutError, type RunTaskOptions } from "./run";
import { forEachNode } from "./runtimes";

const short = { sigtermAfterMs: 300, sigkillAfterMs: 300 };

async function startSignals(mode: string, extra: Partial<RunTaskOptions> = {}) {
  const task = await fixtureTask("signals");
  const handle = startTask({ script: task.scriptPath, inputs: { mode }, cancelDelays: short, ...extra });
  await handle.waitForLine("ready");
  return handle;
}

/** Running, not a zombie (in a container nobody may reap the orphan, so "exists" is not enough). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.substring(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

forEachNode((node) => {
  describe("harness: cancellation", () => {
    it("sends only SIGINT to a task that stops on it", async () => {
      const handle = await startSignals("exit-on-sigint", { node });
      handle.cancel();
      handle.cancel(); // idempotent
      const run = await handle.result;
      assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT"]);
      assert.deepEqual([run.exitCode, run.signal], [0, null]);
      assert.ok(run.stdoutLines.includes("got SIGINT, cleaning up"));
      assert.equal(run.result.result, "Failed");
      assert.deepEqual(run.cancellation?.delays, short);
    });

    it("sends SIGTERM after the delay to a task that ignores SIGINT", async () => {
      const handle = await startSignals("ignore-sigint", { node });
      handle.cancel();
      const run = await handle.result;
      const [sigint, sigterm, ...rest] = run.signalsSent;
      assert.deepEqual([sigint?.signal, sigterm?.signal, rest.length], ["SIGINT", "SIGTERM", 0]);
      const gap = (sigterm?.atMs ?? 0) - (sigint?.atMs ?? 0);
      assert.ok(gap >= short.sigtermAfterMs - 5 && gap < short.sigtermAfterMs + 1000, `SIGTERM ${gap} ms after SIGINT`);
      assert.deepEqual(run.stdoutLines.slice(-2), ["ignoring SIGINT", "got SIGTERM"]);
      assert.equal(run.exitCode, 0);
    });

    it("kills a task that ignores both, and the processes it started", async () => {
      const handle = await startSignals("ignore-all-with-child", { node });
      const childPid = Number((await handle.waitForLine(/^child \d+$/)).text.split(" ")[1]);
      assert.ok(isAlive(childPid));
      handle.cancel();
      const run = await handle.result;
      assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT", "SIGTERM", "SIGKILL"]);
      const [sigint, sigterm, sigkill] = run.signalsSent;
      assert.ok((sigkill?.atMs ?? 0) - (sigterm?.atMs ?? 0) >= short.sigkillAfterMs - 5);
      assert.ok((sigterm?.atMs ?? 0) - (sigint?.atMs ?? 0) >= short.sigtermAfterMs - 5);
      assert.equal(run.signal, "SIGKILL");
      assert.ok(run.stdoutLines.includes("ignoring SIGINT") && run.stdoutLines.includes("ignoring SIGTERM"));
      for (let i = 0; i < 50 && isAlive(childPid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(!isAlive(childPid), "the task's child was killed with it");
    });

    it("cancels by itself after cancelAfterMs", async () => {
      const task = await fixtureTask("signals");
      const run = await runTask({ script: task.scriptPath, node, inputs: { mode: "default-handlers" }, cancelAfterMs: 300, cancelDelays: short });
      assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT"]);
      assert.ok((run.cancellation?.requestedAtMs ?? 0) >= 295);
      assert.equal(run.signal, "SIGINT", "without a handler SIGINT ends node");
    });

    it("uses the agent's 7.5 s and 2.5 s unless told otherwise", async () => {
      assert.deepEqual({ ...agentCancelDelays }, { sigtermAfterMs: 7500, sigkillAfterMs: 2500 });
      const handle = await startSignals("exit-on-sigint", { node, cancelDelays: undefined });
      handle.cancel();
      const run = await handle.result;
      assert.deepEqual(run.cancellation?.delays, { sigtermAfterMs: 7500, sigkillAfterMs: 2500 });
      assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT"]);
    });

    it("kills and fails a task that outlives the timeout", async () => {
      const task = await fixtureTask("signals");
      const started = Date.now();
      await assert.rejects(runTask({ script: task.scriptPath, node, inputs: { mode: "ignore-all" }, timeoutMs: 400 }), (error: Error) => {
        assert.ok(error instanceof TaskTimeoutError);
        assert.match(error.message, /did not finish within 400 ms and was killed/);
        assert.match(error.message, /stdout: ready/);
        return true;
      });
      assert.ok(Date.now() - started < 5000);
    });

    it("does nothing when cancelled after the task ended", async () => {
      const task = await fixtureTask("raw-output");
      const handle = startTask({ script: task.scriptPath, node, inputs: { chunks: "[]" } });
      const run = await handle.result;
      handle.cancel();
      assert.deepEqual(run.signalsSent, []);
      assert.equal(run.cancellation, undefined);
    });
  });
});
