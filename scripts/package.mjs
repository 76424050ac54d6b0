// Builds every task and packs the extension with tfx-cli into dist/<publisher>.<id>-<version>.vsix.
// The manifest's paths (tasks/<Task>, images, overview.md) are resolved in a staging folder, dist/extension,
// that holds the bundled tasks in place of their sources, so no source or node_modules reaches the .vsix.
// tfx only warns about task.json problems; `npm test` validates them against the official schema.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTasks } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sizes = await buildTasks();
const outDir = join(root, "dist");
const stage = join(outDir, "extension");
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(join(outDir, "tasks"), join(stage, "tasks"), { recursive: true });
for (const item of ["images", "overview.md", "vss-extension.json", "LICENSE"]) cpSync(join(root, item), join(stage, item), { recursive: true });
for (const old of readdirSync(outDir).filter((f) => f.endsWith(".vsix"))) rmSync(join(outDir, old));

const tfx = join(dirname(createRequire(import.meta.url).resolve("tfx-cli/package.json")), "_build", "tfx-cli.js");
execFileSync(process.execPath, [tfx, "extension", "create", "--root", stage, "--manifest-globs", "vss-extension.json", "--output-path", outDir, "--no-prompt", "--no-color"], {
  cwd: stage,
  stdio: ["ignore", "inherit", "inherit"],
});
const [vsix] = readdirSync(outDir).filter((f) => f.endsWith(".vsix"));
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
console.log(`\n${vsix}: ${(statSync(join(outDir, vsix)).size / 1024).toFixed(0)} KiB (${Object.keys(sizes).length} tasks, ${(total / 1024).toFixed(0)} KiB of bundles before compression)`);
