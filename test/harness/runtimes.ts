// The Node runtimes a task must run on: the agent's Node20_1 and Node24 handlers. Node 20 is the Node running the
// tests (or a `node` on PATH); Node 24 is the binary `npm ci` installs under tools/node24.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { node24Binary } from "./paths";

export interface NodeRuntime {
  /** "Node 20" or "Node 24": use it in test titles. */
  label: string;
  /** Absolute path of the node binary. */
  path: string;
  major: number;
  /** e.g. "20.20.2". */
  version: string;
}

const versions = new Map<string, string | undefined>();

function versionOf(binary: string): string | undefined {
  if (!versions.has(binary)) {
    const probe = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
    versions.set(binary, probe.status === 0 ? probe.stdout.trim().replace(/^v/, "") : undefined);
  }
  return versions.get(binary);
}

function runtimeAt(binary: string): NodeRuntime | undefined {
  const version = versionOf(binary);
  if (version === undefined) return undefined;
  const major = Number(version.split(".")[0]);
  return { label: `Node ${major}`, path: binary, major, version };
}

function findNode20(): NodeRuntime {
  const onPath = (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "node"));
  for (const candidate of [process.execPath, ...onPath]) {
    if (candidate !== process.execPath && !existsSync(candidate)) continue;
    const runtime = runtimeAt(candidate);
    if (runtime?.major === 20) return runtime;
  }
  throw new Error(`No Node 20 found (tests run on ${process.version} at ${process.execPath}, none on PATH): the tasks must run on Node 20, install it.`);
}

/** The Node 24 that `npm ci` installs (the parameter is for the harness's own test of the missing case). */
export function findNode24(binary = node24Binary): NodeRuntime {
  const runtime = existsSync(binary) ? runtimeAt(binary) : undefined;
  if (!runtime) {
    throw new Error(`Node 24 is missing (expected ${binary}): run \`npm ci\`, whose postinstall installs it.`);
  }
  if (runtime.major !== 24) throw new Error(`${binary} is Node ${runtime.version}, not 24: run \`npm ci\` again.`);
  return runtime;
}

let cached: NodeRuntime[] | undefined;

/**
 * Node 20 and Node 24, the runtimes of the agent's current handlers. Throws when one is missing. On a platform
 * without an npm build of Node 24 (anything but linux-x64, where postinstall skips it) only the current Node runs.
 */
export function nodeRuntimes(): NodeRuntime[] {
  if (!cached) {
    if (process.platform !== "linux" || process.arch !== "x64") {
      const current = runtimeAt(process.execPath);
      if (!current) throw new Error(`Cannot run ${process.execPath} --version`);
      cached = [current];
    } else {
      cached = [findNode20(), findNode24()];
    }
  }
  return cached;
}

/** One runtime by major version (20 or 24). */
export function nodeRuntime(major: number): NodeRuntime {
  const runtime = nodeRuntimes().find((r) => r.major === major);
  if (!runtime) throw new Error(`Node ${major} is not one of the harness runtimes (${nodeRuntimes().map((r) => r.label).join(", ")})`);
  return runtime;
}

/** Declares the same tests once per runtime: `forEachNode((node) => it("...", () => runTask({ node, ... })))`. */
export function forEachNode(body: (runtime: NodeRuntime) => void): void {
  for (const runtime of nodeRuntimes()) describe(`on ${runtime.label}`, () => body(runtime));
}
