// `npm start`: the main job on the embedded default (the offline Azure). Builds and packages the extension, then
// runs the demo chain (create lab VM → capture custom image → delete VM) through the agent harness against the
// emulator and prints what happened.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "package.mjs")], { cwd: root, stdio: "inherit" });
execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts", "demo.ts")], { cwd: root, stdio: "inherit" });
