// Bundles every task (tasks/<Task>/index.ts) with esbuild into one minified CommonJS file,
// dist/tasks/<Task>/index.js, beside a copy of its task.json and icon.png. No node_modules ship with a task.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const taskNames = () =>
  readdirSync(join(root, "tasks")).filter((n) => existsSync(join(root, "tasks", n, "task.json"))).sort();

/** esbuild's options for one task: a single minified CommonJS file for the agent's Node (20 and later). */
export const taskBundleOptions = (entry, outfile) => ({
  entryPoints: [entry],
  outfile,
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

export async function buildTasks({ quiet = false } = {}) {
  const out = join(root, "dist", "tasks");
  const names = taskNames();
  // Folders of tasks that no longer exist go; the others are updated file by file (write, then rename) so a test
  // running a bundle while another build runs never finds a half-written or missing file.
  if (existsSync(out)) for (const stale of readdirSync(out).filter((n) => !names.includes(n))) rmSync(join(out, stale), { recursive: true, force: true });
  const replace = (from, to) => {
    const temp = `${to}.${process.pid}.tmp`;
    copyFileSync(from, temp);
    renameSync(temp, to);
  };
  const sizes = {};
  await Promise.all(
    names.map(async (name) => {
      const dir = join(out, name);
      mkdirSync(dir, { recursive: true });
      const bundle = join(dir, `index.js.${process.pid}.tmp`);
      await build(taskBundleOptions(join(root, "tasks", name, "index.ts"), bundle));
      renameSync(bundle, join(dir, "index.js"));
      replace(join(root, "tasks", name, "task.json"), join(dir, "task.json"));
      replace(join(root, "tasks", name, "icon.png"), join(dir, "icon.png"));
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
