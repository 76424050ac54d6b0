// What the agent makes of a sequence of commands: result merging, variable flags, secrets, issues, progress.
import { strict as assert } from "node:assert";
import { parseCommands } from "./commands";
import { buildCommandViews, mergeTaskResults, parseAgentTaskResult } from "./views";

const views = (output: string, secretVariables: string[] = []) => buildCommandViews(parseCommands(output), secretVariables);

describe("harness: command views", () => {
  it("merges task.complete results worst-wins, keeping the last message", () => {
    const run = views("##vso[task.complete result=Failed;]first\n##vso[task.complete result=Succeeded;]second\n");
    assert.equal(run.result.result, "Failed");
    assert.equal(run.result.message, "second");
    assert.deepEqual(run.result.completions.map((c) => c.result), ["Failed", "Succeeded"]);
    assert.equal(views("##vso[task.complete result=Succeeded;]a\n##vso[task.complete result=SucceededWithIssues;]b\n").result.result, "SucceededWithIssues");
    assert.equal(mergeTaskResults("Canceled", "Failed"), "Canceled");
    assert.equal(mergeTaskResults("Skipped", "Canceled"), "Skipped");
    assert.equal(views("plain only\n").result.result, undefined);
  });

  it("fails the task for a result the agent cannot parse, task-lib's 'Cancelled' included", () => {
    for (const bad of ["Cancelled", "succeeded", "", "Done"]) {
      const run = views(`##vso[task.complete result=${bad};]x\n`);
      assert.equal(run.result.result, "Failed", bad);
      assert.equal(run.commandErrors.length, 1, bad);
    }
    assert.equal(views("##vso[task.complete]no result\n").result.result, "Failed");
    assert.equal(parseAgentTaskResult("2"), "Failed");
    assert.equal(parseAgentTaskResult(" Succeeded "), "Succeeded");
  });

  it("reads variable flags with Boolean.TryParse and keeps a secret variable secret", () => {
    const run = views(
      [
        "##vso[task.setvariable variable=out;isOutput=TRUE;isReadOnly=true]1",
        "##vso[task.setvariable variable=flag;isOutput=yes;issecret=1]2",
        "##vso[task.setvariable variable=pw;issecret=true]first-secret",
        "##vso[task.setvariable variable=PW]second-secret",
        "##vso[task.setvariable variable=given.secret]third-secret",
        "##vso[task.setvariable]no name",
      ].join("\n"),
      ["Given.Secret"],
    );
    const byName = Object.fromEntries(run.variables.map((v) => [v.name, v]));
    assert.deepEqual([byName.out?.isOutput, byName.out?.isReadOnly, byName.out?.isSecret], [true, true, false]);
    assert.deepEqual([byName.flag?.isOutput, byName.flag?.isSecret], [false, false]);
    assert.equal(byName.PW?.isSecret, true, "a later write to a secret variable stays secret");
    assert.equal(byName["given.secret"]?.isSecret, true, "a job's secret variable stays secret");
    assert.deepEqual(run.secretsRegistered.map((s) => s.value), ["first-secret", "second-secret", "third-secret"]);
    assert.equal(run.commandErrors.length, 1, "setvariable without a name is rejected");
  });

  it("registers task.setsecret values, ignores empty ones and rejects multi-line ones", () => {
    const run = views("##vso[task.setsecret]abc123\n##vso[task.setsecret]\n##vso[task.setsecret]two%0Alines\n");
    assert.deepEqual(run.secretsRegistered.map((s) => [s.via, s.value]), [["task.setsecret", "abc123"]]);
    assert.equal(run.commandErrors.length, 1);
  });

  it("collects issues from task.issue (task-lib) and task.logissue, with their properties", () => {
    const run = views(
      [
        "##vso[task.issue type=warning;source=TaskInternal;]careful",
        "##vso[task.logissue type=Error;sourcepath=a.ts;linenumber=3;columnnumber=7;code=E1]broken",
        "##vso[task.logissue]no type: ignored",
        "##vso[task.logissue type=info]bad type",
      ].join("\n"),
    );
    assert.deepEqual(run.warnings, ["careful"]);
    assert.deepEqual(run.errors, ["broken"]);
    assert.equal(run.issues[0]?.source, "TaskInternal");
    assert.deepEqual(
      [run.issues[1]?.type, run.issues[1]?.sourcePath, run.issues[1]?.lineNumber, run.issues[1]?.columnNumber, run.issues[1]?.code],
      ["error", "a.ts", "3", "7", "E1"],
    );
    assert.equal(run.issues.length, 2);
    assert.equal(run.commandErrors.length, 1);
  });

  it("records progress, summaries, debug, files, attachments, endpoints and paths", () => {
    const run = views(
      [
        "##vso[task.setprogress value=42;]Creating VM",
        "##vso[task.setprogress value=abc;]odd",
        "##vso[task.uploadsummary]/tmp/summary.md",
        "##vso[task.debug]details",
        "##vso[task.uploadfile]/tmp/log.txt",
        "##vso[task.addattachment type=t;name=n;]/tmp/a",
        "##vso[task.setendpoint id=e1;field=authParameter;key=AccessToken]new-token",
        "##vso[task.prependpath]/opt/bin",
        "##vso[task.logdetail id=1;type=build;name=n]m",
        "##vso[artifact.upload artifactname=drop]/a",
      ].join("\n"),
    );
    assert.deepEqual(run.progress, [{ value: 42, text: "Creating VM" }, { value: undefined, text: "odd" }]);
    assert.deepEqual(run.summaryPaths, ["/tmp/summary.md"]);
    assert.deepEqual(run.debug, ["details"]);
    assert.deepEqual(run.uploadedFiles, ["/tmp/log.txt"]);
    assert.deepEqual(run.attachments, [{ type: "t", name: "n", path: "/tmp/a" }]);
    assert.deepEqual(run.endpointUpdates, [{ id: "e1", field: "authParameter", key: "AccessToken", value: "new-token" }]);
    assert.deepEqual(run.secretsRegistered.map((s) => [s.via, s.value]), [["task.setendpoint", "new-token"]]);
    assert.deepEqual(run.prependedPaths, ["/opt/bin"]);
    assert.equal(run.logDetails.length, 1);
    assert.deepEqual(run.otherCommands.map((c) => c.name), ["artifact.upload"]);
  });
});
