// Values written through the real task-lib come back exactly: the fixture sends every nasty value through each
// logging command, and the harness must parse them back to the original strings.
import { strict as assert } from "node:assert";
import { fixtureTask } from "./fixtures/build";
import { nastyValues } from "./fixtures/nasty-values/values";
import { runTask, type TaskRunResult } from "./run";
import { forEachNode } from "./runtimes";

forEachNode((node) => {
  describe("harness: round trip through task-lib", () => {
    let run: TaskRunResult;
    before(async () => {
      const task = await fixtureTask("nasty-values");
      run = await runTask({ script: task.scriptPath, node });
    });

    it("ran on the runtime asked for", () => {
      assert.equal(run.runtime.major, node.major);
      assert.equal(run.exitCode, 0);
    });

    it("gets variable values back (data: %, CR, LF escaped)", () => {
      nastyValues.forEach((value, i) => {
        const variable = run.variable(`nasty${i}`);
        assert.equal(variable?.value, value, `nasty${i}`);
        assert.equal(variable?.isOutput, true);
        assert.equal(variable?.isSecret, false);
      });
    });

    it("gets warning and error messages back", () => {
      for (const value of nastyValues) {
        assert.ok(run.warnings.includes(value), JSON.stringify(value));
        assert.ok(run.errors.includes(value), JSON.stringify(value));
      }
      assert.ok(run.issues.every((issue) => issue.source === "TaskInternal"));
    });

    it("gets property values back (every special character escaped)", () => {
      const nonEmpty = nastyValues.filter((v) => v !== "");
      assert.deepEqual(run.attachments.map((a) => a.name), nonEmpty);
      assert.deepEqual(run.endpointUpdates.map((e) => e.key), nonEmpty);
      assert.deepEqual(run.endpointUpdates.map((e) => e.value), [...nastyValues]);
      assert.deepEqual(run.progress.map((p) => p.text), [...nastyValues]);
      assert.deepEqual(run.progress.map((p) => p.value), nastyValues.map((_, i) => i));
    });

    it("is not fooled by a ##vso command inside a value", () => {
      assert.equal(run.result.completions.length, 2);
      assert.ok(run.variables.some((v) => v.value === "##vso[task.complete result=Failed;]injected"));
    });

    it("merges the two results worst-wins and keeps the last message", () => {
      assert.equal(run.result.result, "Failed");
      assert.equal(run.result.message, nastyValues.join(" | "));
    });

    it("reads the uploaded summary's content and records files and paths", () => {
      assert.equal(run.summaries.length, 1);
      assert.equal(run.summaries[0]?.content, `# Summary\n\n${nastyValues.join("\n")}\n`);
      assert.deepEqual(run.uploadedFiles, [run.summaries[0]?.path]);
      assert.deepEqual(run.prependedPaths, ["/opt/tools;with]odd%chars"]);
    });

    it("keeps every command in order and no command text in the plain lines", () => {
      assert.ok(run.commands.length > nastyValues.length * 5);
      assert.equal(run.commands.at(-1)?.name, "task.complete");
      assert.ok(!run.stdoutLines.some((line) => line.includes("##vso[")));
      assert.equal(run.commandErrors.length, 0);
    });
  });
});
