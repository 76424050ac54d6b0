// Runs a child script of the host tests with `node --import tsx`, its input as a JSON file, and parses the one
// JSON line it prints. Children exist because the real SDKs trust the emulator's CA only through
// NODE_EXTRA_CA_CERTS, which Node reads at process start.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..", "..", "..");

export async function runChild<T>(script: string, input: unknown, env: Record<string, string>, timeoutMs = 60_000): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), "emulator-check-"));
  const inputPath = join(folder, "input.json");
  await writeFile(inputPath, JSON.stringify(input));
  // Only what the child needs: no AZURE_* or proxy settings from the test process.
  const base: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG"]) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  try {
    return await new Promise<T>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, env: { ...base, ...env, CHECK_INPUT: inputPath }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (code !== 0) {
          reject(new Error(`${script} exited with ${String(code)}:\n${stderr}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "") as T);
        } catch {
          reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
        }
      });
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
