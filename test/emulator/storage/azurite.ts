// Starts Azurite's blob service (the npm package) as a child process over HTTPS with the emulator's certificate,
// on a free port, and stops it with the emulator.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface AzuriteOptions {
  /** Folder for Azurite's data. */
  location: string;
  certPath: string;
  keyPath: string;
  /** Azurite itself fetches copy sources over HTTPS: it must trust the emulator's CA too. */
  caCertPath: string;
  log(message: string): void;
}

export interface AzuriteProcess {
  /** https://127.0.0.1:PORT */
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

const startTimeoutMs = 30_000;

export function startAzurite(options: AzuriteOptions): Promise<AzuriteProcess> {
  const azuriteMain = require.resolve("azurite/dist/src/blob/main.js");
  const child = spawn(
    process.execPath,
    [
      join(__dirname, "azurite-child.cjs"),
      azuriteMain,
      "--blobHost", "127.0.0.1",
      "--blobPort", "0",
      "--location", options.location,
      "--disableTelemetry",
      "--skipApiVersionCheck",
      // No access log on stdout: the emulator keeps its own request log.
      "--silent",
      "--cert", options.certPath,
      "--key", options.keyPath,
      // Bearer tokens from the emulator's Entra ID (storage audience) are accepted, and so user delegation SAS.
      "--oauth", "basic",
    ],
    { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NODE_EXTRA_CA_CERTS: options.caCertPath } },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    let ready = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within ${startTimeoutMs} ms. Output:\n${output}`));
    }, startTimeoutMs);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${String(code)} before it was ready. Output:\n${output}`));
    };
    child.once("exit", onExit);
    child.stderr?.on("data", (chunk: Buffer) => {
      if (!ready) output += chunk.toString();
      options.log(`azurite: ${chunk.toString().trimEnd()}`);
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      // Keep draining after start (a full pipe would stall Azurite) but stop collecting.
      if (ready) return;
      output += chunk.toString();
      const match = /successfully listens on (https:\/\/[^\s]+)/.exec(output);
      if (match?.[1] && child.pid !== undefined) {
        ready = true;
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve({ origin: match[1].replace(/\/$/, ""), pid: child.pid, stop: () => stopChild(child) });
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
