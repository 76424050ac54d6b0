// The leak check, on real task output: a task that prints a secret fails the run, one that only registers it
// passes, and the encodings a leak usually takes are caught too.
import { strict as assert } from "node:assert";
import { parseCommandLine } from "./commands";
import { fixtureTask } from "./fixtures/build";
import type { OutputLine } from "./lines";
import { runTask, type RunTaskOptions } from "./run";
import { forEachNode } from "./runtimes";
import { findSecretLeaks, maskSecrets, SecretLeakError, secretForms } from "./secrets";

const secretValue = 'Sup3r "secret"/value;with]specials%&=';

async function secretRun(mode: string, extra: Partial<RunTaskOptions> = {}) {
  const task = await fixtureTask("secret-output");
  // The value reaches the task in a variable the harness knows nothing about: only the task can tell it's secret.
  return runTask({ script: task.scriptPath, inputs: { mode }, env: { FIXTURE_SECRET: secretValue }, ...extra });
}

/** Runs and expects a SecretLeakError; returns it after checking the secret is not in its message. */
async function expectLeak(mode: string, extra: Partial<RunTaskOptions> = {}): Promise<SecretLeakError> {
  try {
    await secretRun(mode, extra);
  } catch (error) {
    assert.ok(error instanceof SecretLeakError, String(error));
    assert.ok(!error.message.includes(secretValue), "the report must not print the secret");
    return error;
  }
  assert.fail(`mode ${mode}: the leak was not caught`);
}

forEachNode((node) => {
  describe("harness: secret check", () => {
    it("passes a task that only registers a secret (in the registering command the value is expected)", async () => {
      const run = await secretRun("register-only", { node });
      assert.deepEqual(run.secretsRegistered.map((s) => s.value), [secretValue]);
      assert.deepEqual(run.secretLeaks, []);
    });

    it("fails a task that prints a secret it registered", async () => {
      const error = await expectLeak("register-and-print", { node });
      assert.equal(error.leaks.length, 1);
      assert.deepEqual([error.leaks[0]?.stream, error.leaks[0]?.form, error.leaks[0]?.place], ["stdout", "raw", "output"]);
      assert.match(error.message, /task\.setsecret \(registered by the task\) \(raw\) in stdout line \d+, output: "the secret is \*\*\*"/);
    });

    it("fails a task that prints the secret before registering it", async () => {
      const error = await expectLeak("print-before-register", { node });
      assert.equal(error.leaks[0]?.form, "raw");
    });

    it("catches a URL-encoded leak", async () => {
      const error = await expectLeak("print-url-encoded", { node });
      assert.equal(error.leaks[0]?.form, "url-encoded");
      assert.match(error.message, /sig=\*\*\*"/);
    });

    it("catches a secret in an uploaded summary file, which the agent shows unmasked", async () => {
      const error = await expectLeak("summary-with-secret", { node });
      assert.equal(error.leaks.length, 1);
      assert.match(error.leaks[0]?.stream ?? "", /^summary:.*summary\.md$/);
    });

    it("catches a JSON-escaped leak", async () => {
      const error = await expectLeak("print-json", { node });
      assert.equal(error.leaks[0]?.form, "json-escaped");
    });

    it("catches a leak on stderr", async () => {
      const error = await expectLeak("print-to-stderr", { node });
      assert.equal(error.leaks[0]?.stream, "stderr");
    });

    it("catches a leak inside a command, as the agent unescapes it", async () => {
      const error = await expectLeak("warning-with-value", { node });
      assert.ok(error.leaks.some((leak) => leak.place === "task.issue data"));
    });

    it("catches known secrets the task never registered, and only those", async () => {
      const quiet = await secretRun("print-plain", { node });
      assert.equal(quiet.secretLeaks.length, 0, "without knownSecrets a plain value is just output");
      const error = await expectLeak("print-plain", { node, knownSecrets: [{ label: "storage key", value: secretValue }] });
      assert.equal(error.leaks[0]?.secret, "storage key");
    });

    it("catches a secret variable of the job and an endpoint key printed by the task", async () => {
      const variable = await expectLeak("print-secret-variable", { node, secrets: { "sp.key": secretValue } });
      assert.equal(variable.leaks[0]?.secret, "secret variable sp.key");
      const connection = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910";
      const endpoint = await expectLeak("print-endpoint-key", {
        node,
        inputs: { mode: "print-endpoint-key", connection },
        endpoints: [{ id: connection, url: "https://127.0.0.1/", scheme: "ServicePrincipal", parameters: { serviceprincipalid: "id", serviceprincipalkey: secretValue } }],
      });
      assert.equal(endpoint.leaks[0]?.secret, `endpoint ${connection} parameter serviceprincipalkey`);
    });

    it("passes a task that reads job secrets through task-lib's getters (their debug echo is masked by the agent)", async () => {
      const connection = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910";
      const run = await secretRun("read-only", {
        node,
        inputs: { mode: "read-only", connection },
        secrets: { "sp.key": secretValue },
        endpoints: [{ id: connection, url: "https://127.0.0.1/", scheme: "ServicePrincipal", parameters: { serviceprincipalkey: "endpoint-key-123" } }],
      });
      assert.ok(run.debug.some((d) => d.includes(secretValue)), "task-lib did echo the secret variable");
      assert.deepEqual(run.secretLeaks, []);
    });

    it("learns a secret the task generates from its secret variable, and catches it printed", async () => {
      const quiet = await secretRun("generated-secret-variable", { node });
      const generated = quiet.variable("generatedPassword");
      assert.equal(generated?.isSecret, true);
      assert.equal(generated?.isOutput, true);
      const error = await expectLeak("generated-secret-variable-printed", { node });
      assert.match(error.leaks[0]?.secret ?? "", /task\.setvariable generatedPassword/);
    });

    it("resolves with the leaks when a test opts out", async () => {
      const run = await secretRun("register-and-print", { node, allowSecretLeaks: true });
      assert.equal(run.secretLeaks.length, 1);
      assert.ok(run.stdout.includes(secretValue));
    });
  });
});

describe("harness: secret scanning", () => {
  const line = (text: string, number = 1): OutputLine => {
    const command = parseCommandLine(text);
    return { stream: "stdout", number, text, atMs: 0, ...(command ? { command } : {}) };
  };

  it("looks for encodings only of values of 6+ characters", () => {
    assert.deepEqual(secretForms("a b").map((f) => f.form), ["raw"]);
    assert.deepEqual(secretForms("a b/c+d").map((f) => f.form), ["raw", "url-encoded", "form-encoded", "base64"]);
    const leaks = findSecretLeaks([{ label: "k", value: "a b/c+d" }], [line(Buffer.from("a b/c+d").toString("base64"))], new Set());
    assert.equal(leaks[0]?.form, "base64");
  });

  it("exempts only the data of the exempt command, not the rest of its line", () => {
    const register = line("##vso[task.setsecret]topsecret");
    const sneaky = line("topsecret ##vso[task.setsecret]topsecret", 2);
    const secrets = [{ label: "s", value: "topsecret" }];
    assert.deepEqual(findSecretLeaks(secrets, [register], new Set([register.command!])), []);
    assert.equal(findSecretLeaks(secrets, [sneaky], new Set([sneaky.command!])).length, 1);
  });

  it("finds a multi-line secret printed whole or line by line", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    const secrets = [{ label: "cert", value: pem }];
    const whole = pem.split("\n").map((text, i) => line(text, i + 1));
    assert.deepEqual(findSecretLeaks(secrets, whole, new Set()).map((l) => [l.line, l.form]), [[2, "line of a multi-line value"]]);
    const short = "-----BEGIN KEY-----\nabc\n-----END KEY-----";
    const shortLines = short.split("\n").map((text, i) => line(text, i + 1));
    assert.deepEqual(findSecretLeaks([{ label: "k", value: short }], shortLines, new Set()).map((l) => [l.line, l.form]), [[1, "raw"]]);
    assert.equal(findSecretLeaks(secrets, [line("key body MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")], new Set())[0]?.form, "line of a multi-line value");
    assert.deepEqual(findSecretLeaks(secrets, [line("-----BEGIN PRIVATE KEY-----")], new Set()), []);
  });

  it("masks the longest secret first", () => {
    assert.equal(maskSecrets("pw=abc123xyz", [{ label: "a", value: "abc123" }, { label: "b", value: "abc123xyz" }]), "pw=***");
  });
});
