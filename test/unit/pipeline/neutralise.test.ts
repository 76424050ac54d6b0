import { strict as assert } from "node:assert";
import { markdownText, neutraliseLine, neutraliseLines } from "../../../src/pipeline/neutralise";

describe("pipeline/neutralise", () => {
  const hostile = [
    "##vso[task.setvariable variable=x]owned",
    "##VSO[task.complete result=Succeeded;]done",
    "text ##vso[task.setsecret]abc in the middle",
    "##[error]fake error",
    "##[group]fake group",
    "## vso[task.debug]spaced",
  ];
  for (const text of hostile) {
    it(`defuses ${JSON.stringify(text)}`, () => {
      const out = neutraliseLine(text);
      assert.ok(!/##vso\[/i.test(out), out);
      assert.ok(!out.includes("##["), out);
      assert.ok(!/##\s+vso\[/i.test(out), out);
    });
  }

  it("masks a SAS signature in the forms a URL takes inside other text", () => {
    for (const text of [
      "https://a.blob.core.windows.net/c/b?sv=2024&sig=AbC%2Bsecret123&se=x",
      "<Message>https://a.blob.core.windows.net/c/b?sv=2024&amp;sig=AbCsecret123&amp;se=x</Message>",
      '{"url":"https://a/c/b?sv=2024\\u0026sig=AbCsecret123\\u0026se=x"}',
      "copy source https%3A%2F%2Fa%2Fc%2Fb%3Fsv%3D2024%26sig%3DAbCsecret123%26se%3Dx",
    ]) {
      assert.ok(!neutraliseLine(text).includes("AbC"), neutraliseLine(text));
    }
  });

  it("keeps a message on one line whatever line breaks it carries", () => {
    for (const br of ["\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029"]) {
      const out = neutraliseLine(`first${br}##vso[task.complete result=Succeeded;]x`);
      assert.ok(!/[\r\n\u0085\u2028\u2029]/.test(out), JSON.stringify(out));
      assert.ok(!/##vso\[/i.test(out));
    }
  });

  it("splits multi-line text into lines that are each safe", () => {
    const lines = neutraliseLines("Deployment failed:\r##vso[task.setvariable variable=a]b\n##[section]x");
    assert.equal(lines.length, 3);
    for (const line of lines) assert.ok(!/##(vso)?\[/i.test(line), line);
  });

  it("drops control characters (ANSI escapes, NUL, backspace) but keeps tabs", () => {
    assert.equal(neutraliseLine("a\u001b[31mred\u0000\u0008\tb"), "a[31mred\tb");
  });

  it("hides SAS signatures and bearer tokens", () => {
    const out = neutraliseLine("GET https://x.blob.core.windows.net/c/b?sv=2024&sig=abc%2Bdef&se=1 Authorization: Bearer eyJ0eXAi.abc.def");
    assert.ok(!out.includes("abc%2Bdef"));
    assert.ok(!out.includes("eyJ0eXAi"));
    assert.match(out, /sig=\*\*\*/);
  });

  it("leaves ordinary text alone", () => {
    const text = "Lab VM /subscriptions/1/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l/virtualmachines/vm-1 created (50%).";
    assert.equal(neutraliseLine(text), text);
  });

  it("escapes markdown so Azure text renders as written in the summary", () => {
    const out = markdownText("<img src=x onerror=alert(1)> | **bold** ##vso[x]");
    assert.ok(!out.includes("<img"));
    assert.ok(out.includes("\\|"));
    assert.ok(!/##vso\[/i.test(out));
  });
});
