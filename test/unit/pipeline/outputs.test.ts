import { strict as assert } from "node:assert";
import { captureAgentOutput, loadAgentEnvironment, restoreAgentOutput } from "./agent-env";
import { createTaskOutputs } from "../../../src/pipeline/outputs";
import { createTaskLog } from "../../../src/pipeline/log";
import { registerSecret, secretPieces } from "../../../src/pipeline/secrets";
import { createTaskSummary } from "../../../src/pipeline/summary";

describe("pipeline/outputs, log and secrets", () => {
  beforeEach(() => loadAgentEnvironment({}));
  afterEach(() => restoreAgentOutput());

  it("sets a secret output as secret and registers it first", () => {
    const output = captureAgentOutput();
    createTaskOutputs().set("vmPassword", "S3cret-value-1", { secret: true });
    const commands = output.commands();
    assert.equal(commands[0]?.name, "task.setsecret");
    const variable = commands.find((c) => c.name === "task.setvariable");
    assert.deepEqual(variable?.properties, { variable: "vmPassword", isOutput: "true", issecret: "true" });
  });

  it("masks registered secrets in the uploaded summary, which the agent does not mask, also as JSON or URL echoes", () => {
    captureAgentOutput();
    const password = 'Pa"ss w0rd/1';
    registerSecret(password);
    const summary = createTaskSummary();
    summary.fact("Error", `deployment failed: {"adminPassword":${JSON.stringify(password)}}`);
    summary.note(`copy from https://x.blob.core.windows.net/c/b?p=${encodeURIComponent(password)}`);
    summary.note(`plain ${password}`);
    const markdown = summary.render("Result");
    for (const form of [password, JSON.stringify(password).slice(1, -1), encodeURIComponent(password)]) {
      assert.ok(!markdown.includes(form), `${form} in ${markdown}`);
    }
    assert.match(markdown, /\\\*\\\*\\\*/);
  });

  it("keeps an output value on one line", () => {
    const output = captureAgentOutput();
    createTaskOutputs().set("x", "a\nb\r\nc");
    assert.equal(output.commands().find((c) => c.name === "task.setvariable")?.data, "a b c");
  });

  it("prints debug lines only with system.debug=true", () => {
    const output = captureAgentOutput();
    createTaskLog({ debug: false }).debug("hidden detail");
    assert.ok(!output.text.includes("hidden detail"));
    createTaskLog({ debug: true }).debug("shown detail");
    assert.ok(output.commands().some((c) => c.name === "task.debug" && c.data === "shown detail"));
  });

  it("reports progress as a whole percent with neutralised text", () => {
    const output = captureAgentOutput();
    const log = createTaskLog({ debug: false });
    log.progress(42.6, "Creating vm-1: ##vso[task.complete result=Succeeded]");
    const progress = output.commands().find((c) => c.name === "task.setprogress");
    assert.equal(progress?.properties.value, "43");
    assert.ok(!/##vso\[/i.test(progress?.data ?? ""));
  });

  it("warns through an issue, neutralised", () => {
    const output = captureAgentOutput();
    createTaskLog({ debug: false }).warn("bad\n##vso[task.setvariable variable=x]y");
    const issues = output.commands().filter((c) => c.name === "task.issue");
    assert.equal(issues.length, 1);
    assert.equal(output.commands().filter((c) => c.name === "task.setvariable").length, 0);
  });

  it("splits PEM text into maskable lines without armour", () => {
    assert.deepEqual(secretPieces("-----BEGIN PRIVATE KEY-----\nAAAA1111\nBBBB2222\n-----END PRIVATE KEY-----\n"), ["AAAA1111", "BBBB2222"]);
    assert.deepEqual(secretPieces("single-line-secret"), ["single-line-secret"]);
    assert.deepEqual(secretPieces("ab"), []);
  });
});
