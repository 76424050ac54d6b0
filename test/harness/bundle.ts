// Bundles a TypeScript task entry with esbuild, with scripts/build.mjs's settings, so a test can run a
// task that is not in tasks/ (the harness's fixtures) exactly as a built one runs. Writes through a temporary
// file and a rename: several test processes may bundle the same fixture at once.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BundledTask {
  scriptPath: string;
  taskJsonPath: string;
}

export async function bundleTask(options: { entry: string; taskJson: string; outDir: string }): Promise<BundledTask> {
  mkdirSync(options.outDir, { recursive: true });
  const scriptPath = join(options.outDir, "index.js");
  const taskJsonPath = join(options.outDir, "task.json");
  // Imported, not required: build.mjs is an ES module.
  const { taskBundleOptions } = await import("../../scripts/build.mjs");
  const output = await build({ ...taskBundleOptions(options.entry, scriptPath), write: false });
  const file = output.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${options.entry}`);
  const partial = `${scriptPath}.${process.pid}.tmp`;
  writeFileSync(partial, file.contents);
  renameSync(partial, scriptPath);
  const partialJson = `${taskJsonPath}.${process.pid}.tmp`;
  copyFileSync(options.taskJson, partialJson);
  renameSync(partialJson, taskJsonPath);
  return { scriptPath, taskJsonPath };
}
