// The emulator's command line contract (DESIGN.md "The offline Azure"): one JSON ready line on stdout and
// nothing else there, HTTPS with its own CA, and a clean stop on SIGINT and SIGTERM that takes Azurite along.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Agent } from "node:https";
import { createServer } from "node:net";
import { dirname, isAbsolute, join } from "node:path";
import { send, startEmulator, type ReadyLine } from "../client";

const root = join(__dirname, "..", "..", "..");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

describe("emulator CLI", function () {
  this.timeout(120_000);

  it("prints exactly one JSON ready line with the contract's fields and stops cleanly on SIGTERM, Azurite too", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "..", "main.ts"), "--port", "0", "--time-scale", "0"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 60_000;
    while (!stdout.includes("\n") && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(stdout.includes("\n"), `no ready line; stderr:\n${stderr}`);
    const ready = JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as ReadyLine;

    const port = new URL(ready.armUrl).port;
    assert.match(ready.armUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(ready.authorityHost, `https://127.0.0.1:${port}`);
    assert.equal(ready.adminUrl, `https://127.0.0.1:${port}/_emulator`);
    assert.match(ready.oidcRequestUri, new RegExp(`^https://127\\.0\\.0\\.1:${port}/.+/oidctoken$`));
    assert.match(ready.blobEndpoint, /^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    assert.match(ready.tenantId, /^[0-9a-f-]{36}$/);
    assert.equal(ready.subscriptionIds.length, 2);
    assert.ok(ready.clientId && ready.clientSecret && ready.systemAccessToken);
    assert.ok(isAbsolute(ready.caCertPath) && readFileSync(ready.caCertPath, "utf8").includes("BEGIN CERTIFICATE"));

    // The certificate is valid for 127.0.0.1 and localhost, under the emulator's CA only.
    const agent = new Agent({ ca: readFileSync(ready.caCertPath, "utf8") });
    assert.equal((await send(agent, "GET", `https://localhost:${port}/_emulator/state`)).status, 200);
    await assert.rejects(send(new Agent(), "GET", `${ready.adminUrl}/state`), /self.signed|unable to verify|certificate/i);
    agent.destroy();
    assert.ok(alive(ready.azuritePid), "Azurite runs");

    child.kill("SIGTERM");
    const result = await exited;
    assert.equal(result.code, 0, stderr);
    assert.equal(stdout.trim().split("\n").length, 1, `stdout has more than the ready line:\n${stdout}`);
    assert.ok(await gone(ready.azuritePid, 5000), "Azurite stopped with the emulator");
    assert.equal(existsSync(dirname(ready.caCertPath)), false, "temp folder removed");
  });

  it("listens on the port given and stops cleanly on SIGINT, Azurite too", async () => {
    const port = await freePort();
    const emulator = await startEmulator({ port });
    assert.equal(emulator.ready.armUrl, `https://127.0.0.1:${port}/`);
    const { azuritePid } = emulator.ready;
    const result = await emulator.stop("SIGINT");
    assert.equal(result.code, 0, emulator.logs());
    assert.ok(await gone(azuritePid, 5000), "Azurite stopped with the emulator");
    assert.match(emulator.logs(), /stopping \(SIGINT\)/);
  });

  it("takes Azurite down even when the emulator is killed outright", async () => {
    const emulator = await startEmulator();
    const { azuritePid } = emulator.ready;
    await emulator.stop("SIGKILL");
    assert.ok(await gone(azuritePid, 8000), "Azurite noticed its parent's pipe closing");
    assert.equal(existsSync(dirname(emulator.ready.caCertPath)), false, "the client removed the killed emulator's temp folder");
  });

  it("refuses an invalid seed with a message naming the problem", async () => {
    const seed = { tenants: [], subscriptions: [{ id: "s", tenantId: "nobody", displayName: "x" }], principals: [], managedIdentities: [], labs: [] };
    await assert.rejects(startEmulator({ seed }), /subscriptions\[0\]\.tenantId names no tenant/);
  });
});
