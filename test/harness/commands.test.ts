// The ##vso parser against the agent's rules, one command form at a time (no processes here; the round trip
// through the real task-lib is in round-trip.test.ts).
import { strict as assert } from "node:assert";
import {
  escapeCommandData,
  escapeCommandProperty,
  formatCommand,
  parseCommandLine,
  parseCommands,
  splitOutputLines,
  unescapeCommandValue,
} from "./commands";

describe("harness: ##vso command parser", () => {
  it("parses a command with properties and data", () => {
    const command = parseCommandLine("##vso[task.setvariable variable=labVmId;isOutput=true;issecret=false;]/subscriptions/1/vm");
    assert.ok(command);
    assert.equal(command.area, "task");
    assert.equal(command.event, "setvariable");
    assert.equal(command.name, "task.setvariable");
    assert.deepEqual(command.properties, { variable: "labVmId", isoutput: "true", issecret: "false" });
    assert.equal(command.data, "/subscriptions/1/vm");
  });

  it("parses a command without properties, with and without data", () => {
    assert.deepEqual(parseCommandLine("##vso[task.setsecret]s3cret")?.properties, {});
    assert.equal(parseCommandLine("##vso[task.setsecret]s3cret")?.data, "s3cret");
    const empty = parseCommandLine("##vso[task.debug]");
    assert.equal(empty?.data, "");
    assert.equal(empty?.name, "task.debug");
  });

  it("accepts properties with or without the closing semicolon, and empty pairs", () => {
    for (const line of ["##vso[task.setprogress value=40]half", "##vso[task.setprogress value=40;]half", "##vso[task.setprogress ;;value=40;;]half"]) {
      const command = parseCommandLine(line);
      assert.deepEqual(command?.properties, { value: "40" }, line);
      assert.equal(command?.data, "half", line);
    }
  });

  it("keeps spaces inside property values and does not trim property names, as the agent does", () => {
    const command = parseCommandLine("##vso[task.addattachment type=my type;name=two words here]path with spaces");
    assert.deepEqual(command?.properties, { type: "my type", name: "two words here" });
    assert.equal(command?.data, "path with spaces");
    // "; isOutput=true" names a property " isoutput": the agent does not see isOutput set.
    assert.deepEqual(parseCommandLine("##vso[task.setvariable variable=x; isOutput=true]v")?.properties, { variable: "x", " isoutput": "true" });
  });

  it("drops pairs without a key or a value, splits a pair at its first '=' and lets the last duplicate win", () => {
    const command = parseCommandLine("##vso[task.logissue type=error;=orphan;novalue=;flag;code=a=b;TYPE=warning]m");
    assert.deepEqual(command?.properties, { type: "warning", code: "a=b" });
  });

  it("finds a command after leading text and ends the head at the first ']'", () => {
    const command = parseCommandLine("2026-11-21T08:00:00Z stray ##vso[task.logissue type=warning]msg ] with ] brackets");
    assert.equal(command?.name, "task.logissue");
    assert.equal(command?.data, "msg ] with ] brackets");
    assert.equal(command?.line.substring(0, command.dataOffset), "2026-11-21T08:00:00Z stray ##vso[task.logissue type=warning]");
  });

  it("records unknown commands generically and keeps the case of area and event", () => {
    const command = parseCommandLine("##vso[Build.UpdateBuildNumber]1.2.3");
    assert.equal(command?.area, "Build");
    assert.equal(command?.event, "UpdateBuildNumber");
    assert.equal(command?.name, "build.updatebuildnumber");
    assert.equal(parseCommandLine("##vso[artifact.upload containerfolder=drop;artifactname=drop]/a")?.properties.artifactname, "drop");
  });

  it("does not see a command where the agent does not", () => {
    for (const line of [
      "plain text",
      "##vso[task.debug no closing bracket",
      "##vso[taskdebug]no dot",
      "##vso[task.debug.extra]three parts",
      "##vso[ task.debug]leading space",
      "##[warning]a formatting command, not a logging command",
      "#vso[task.debug]one hash",
    ]) {
      assert.equal(parseCommandLine(line), undefined, line);
    }
    // Empty parts between dots are skipped by the agent's split.
    assert.equal(parseCommandLine("##vso[task..debug]x")?.name, "task.debug");
  });

  it("unescapes properties and data like the agent, %AZP25 last", () => {
    assert.equal(unescapeCommandValue("a%3Bb%0Dc%0Ad%5De%AZP25f"), "a;b\rc\nd]e%f");
    assert.equal(unescapeCommandValue("%AZP253B"), "%3B");
    assert.equal(unescapeCommandValue("%AZP25AZP25"), "%AZP25");
    const command = parseCommandLine("##vso[task.setvariable variable=a%3Bb%5D;]100%AZP25 done%0D%0Anext");
    assert.equal(command?.properties.variable, "a;b]");
    assert.equal(command?.data, "100% done\r\nnext");
  });

  it("escapes like task-lib: properties fully, data only %, CR and LF", () => {
    assert.equal(escapeCommandProperty("50%;x]\r\n"), "50%AZP25%3Bx%5D%0D%0A");
    assert.equal(escapeCommandData("50%;x]\r\n"), "50%AZP25;x]%0D%0A");
    const values = ["%AZP25", "%3B%5D%0A%0D", "];%\r\n;]%", "plain", "=a=b="];
    for (const value of values) {
      const command = parseCommandLine(formatCommand("task.addattachment", { type: "t", name: value }, value));
      assert.equal(command?.properties.name, value);
      assert.equal(command?.data, value);
    }
  });

  it("splits output into lines on CRLF, LF and a lone CR, as the agent reads a stream", () => {
    assert.deepEqual(splitOutputLines("a\r\nb\nc\rd\r\n\r\ne"), ["a", "b", "c", "d", "", "e"]);
    assert.deepEqual(splitOutputLines("x\n"), ["x"]);
    const windows = "##vso[task.setvariable variable=v;]value\r\n##vso[task.complete result=Succeeded;]done\r\n";
    const commands = parseCommands(windows);
    assert.deepEqual(commands.map((c) => c.data), ["value", "done"]);
    assert.ok(!commands.some((c) => c.data.includes("\r")));
  });
});
