// The runner on raw output: streams kept apart, exact bytes split into lines as the agent splits them, commands
// found on both streams, exit code and timing, and waiting for a line or command while the task runs.
import { strict as assert } from "node:assert";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fixtureTask } from "./fixtures/build";
import { runTask, startTask, type TaskRunResult } from "./run";
import { forEachNode } from "./runtimes";

interface Chunk {
  stream: "stdout" | "stderr";
  text: string;
  delayMs?: number;
}

async function rawRun(chunks: Chunk[], extra: { exitCode?: number; node?: import("./runtimes").NodeRuntime } = {}): Promise<TaskRunResult> {
  const task = await fixtureTask("raw-output");
  return runTask({ script: task.scriptPath, node: extra.node, inputs: { chunks: JSON.stringify(chunks), exitCode: extra.exitCode ?? 0 } });
}

/** The fixture's own lines come after task-lib's load-time debug commands; look only at what it wrote. */
const written = (lines: string[]) => lines.filter((line) => !line.startsWith("##vso[task.debug]"));

forEachNode((node) => {
  describe("harness: running a task", () => {
    it("keeps stdout and stderr apart, with the exit code and duration", async () => {
      const run = await rawRun(
        [
          { stream: "stdout", text: "out one\n" },
          { stream: "stderr", text: "err one\n" },
          { stream: "stdout", text: "out two\n" },
        ],
        { exitCode: 3, node },
      );
      assert.deepEqual(run.stdoutLines, ["out one", "out two"]);
      assert.deepEqual(run.stderrLines, ["err one"]);
      assert.ok(run.stdout.endsWith("out one\nout two\n"));
      assert.equal(run.stderr, "err one\n");
      assert.equal(run.exitCode, 3);
      assert.equal(run.signal, null);
      assert.ok(run.durationMs > 0 && run.durationMs < 10_000);
      assert.equal(run.result.result, undefined, "no task.complete: the harness does not invent a result");
    });

    it("splits CRLF, lone CR and a last line without a break, also across writes", async () => {
      const run = await rawRun(
        [
          { stream: "stdout", text: "##vso[task.setvariable variable=win;]crlf value\r\nbare\rcarriage\r" },
          { stream: "stdout", text: "\nsplit ", delayMs: 30 },
          { stream: "stdout", text: "line ✓\nno newline at the end", delayMs: 30 },
        ],
        { node },
      );
      assert.equal(run.variable("win")?.value, "crlf value");
      assert.deepEqual(written(run.stdoutLines), ["bare", "carriage", "split line ✓", "no newline at the end"]);
    });

    it("finds commands on stderr and after leading text, and keeps unknown commands", async () => {
      const run = await rawRun(
        [
          { stream: "stderr", text: "##vso[task.logissue type=error;]from stderr\n" },
          { stream: "stdout", text: "12:00:01 ##vso[task.setprogress value=10;]starting\n" },
          { stream: "stdout", text: "##vso[build.addbuildtag]golden\n" },
          { stream: "stdout", text: "##vso[task.complete result=SucceededWithIssues;]done\n" },
        ],
        { node },
      );
      assert.deepEqual(run.errors, ["from stderr"]);
      assert.deepEqual(run.progress, [{ value: 10, text: "starting" }]);
      assert.deepEqual(run.otherCommands.map((c) => [c.name, c.data]), [["build.addbuildtag", "golden"]]);
      assert.equal(run.result.result, "SucceededWithIssues");
      // Two pipes: order is kept within a stream, not between them.
      const order = run.lines.filter((l) => l.stream === "stdout" && l.command && l.command.name !== "task.debug").map((l) => l.command?.name);
      assert.deepEqual(order, ["task.setprogress", "build.addbuildtag", "task.complete"]);
      assert.ok(run.lines.every((l, i) => i === 0 || l.atMs >= (run.lines[i - 1]?.atMs ?? 0)));
    });

    it("lets a test wait for a line or a command while the task runs", async () => {
      const task = await fixtureTask("raw-output");
      const handle = startTask({
        script: task.scriptPath,
        node,
        inputs: {
          chunks: JSON.stringify([
            { stream: "stdout", text: "##vso[task.setprogress value=50;]half way\n", delayMs: 50 },
            { stream: "stdout", text: "later\n", delayMs: 100 },
          ]),
        },
      });
      const progress = await handle.waitForCommand("task.setprogress");
      assert.equal(progress.properties.value, "50");
      const later = await handle.waitForLine(/^later$/);
      assert.equal(later.stream, "stdout");
      const seen = await handle.waitForLine(/^##vso\[task.setprogress/);
      assert.equal(seen.command?.name, "task.setprogress", "a line already seen resolves at once");
      await handle.result;
      await assert.rejects(handle.waitForLine("never written"), /has ended/);
    });

    it("deletes the run's agent folders afterwards unless asked to keep them", async () => {
      const task = await fixtureTask("raw-output");
      const removed = await runTask({ script: task.scriptPath, node, inputs: { chunks: "[]" } });
      assert.ok(!existsSync(removed.agentFolders.workFolder));
      const kept = await runTask({ script: task.scriptPath, node, inputs: { chunks: "[]" }, keepAgentFolders: true });
      try {
        assert.ok(existsSync(join(kept.agentFolders.tempDirectory, ".taskkey")), "task-lib's vault key is in the temp directory");
      } finally {
        rmSync(kept.agentFolders.workFolder, { recursive: true, force: true });
      }
    });

    it("rejects a wait when the task ends without the line", async () => {
      const task = await fixtureTask("raw-output");
      const handle = startTask({ script: task.scriptPath, node, inputs: { chunks: "[]" } });
      await assert.rejects(handle.waitForCommand((c) => c.name === "task.complete"), /ended without writing the line waited for/);
      await handle.result;
    });
  });
});

describe("harness: task resolution", () => {
  it("explains what to do when a task is not built", () => {
    assert.throws(() => startTask({ task: "NoSuchTask" }), /dist\/tasks\/NoSuchTask\/index\.js does not exist: run `npm run build` first/);
    assert.throws(() => startTask({}), /Give the task to run/);
    assert.throws(() => startTask({ task: "A", script: "b.js" }), /either task or script/);
  });
});
