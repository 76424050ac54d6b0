// Bundles every task (tasks/<Task>/index.ts) with esbuild into one minified CommonJS file,
// dist/tasks/<Task>/index.js, beside a copy of its task.json and icon.png. No node_modules ship with a task.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const taskNames = () =>
  readdirSync(join(root, "tasks")).filter((n) => existsSync(join(root, "tasks", n, "task.json"))).sort();

export async function buildTasks({ quiet = false } = {}) {
  const out = join(root, "dist", "tasks");
  rmSync(out, { recursive: true, force: true });
  const sizes = {};
  await Promise.all(
    taskNames().map(async (name) => {
      const dir = join(out, name);
      mkdirSync(dir, { recursive: true });
      await build({
        entryPoints: [join(root, "tasks", name, "index.ts")],
        outfile: join(dir, "index.js"),
        bundle: true,
        minify: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        legalComments: "none",
        logLevel: "warning",
        // Optional native/peer modules some SDK dependencies probe for at run time.
        external: ["keytar", "@azure/msal-node-extensions", "dtrace-provider"],
      });
      copyFileSync(join(root, "tasks", name, "task.json"), join(dir, "task.json"));
      copyFileSync(join(root, "tasks", name, "icon.png"), join(dir, "icon.png"));
      sizes[name] = statSync(join(dir, "index.js")).size;
    }),
  );
  if (!quiet) {
    for (const [name, size] of Object.entries(sizes).sort()) console.log(`${name.padEnd(28)} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildTasks();
}
