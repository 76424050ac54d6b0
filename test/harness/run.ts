// Runs a bundled task the way the agent's Node handler does: `<node> <task>/index.js` in the job's working
// directory, with the agent's environment, both output streams read line by line for ##vso commands, and the
// agent's cancellation. The result is what the agent would make of the run; it rejects when a secret leaked.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { agentCancelDelays, CancelEscalation, killProcessTree, type CancelDelays, type CancellationRecord, type SentSignal } from "./cancel";
import { parseCommandLine, type VsoCommand } from "./commands";
import { buildTaskEnvironment, createAgentFolders, type TaskEnvironmentOptions } from "./env";
import { LineSplitter, type OutputLine, type OutputStream } from "./lines";
import { builtTask } from "./paths";
import { nodeRuntime, type NodeRuntime } from "./runtimes";
import { findSecretLeaks, maskSecrets, SecretLeakError, type SecretLeak, type SecretSource } from "./secrets";
import { taskLibEchoesOfMaskedValues } from "./task-lib-echoes";
import { readTaskJson, type TaskJson } from "./task-json";
import { buildCommandViews, type CommandViews, type SetVariable } from "./views";

export interface RunTaskOptions extends Omit<TaskEnvironmentOptions, "taskDefinition"> {
  /** A task built by `npm run build`: runs dist/tasks/<task>/index.js with its task.json. */
  task?: string;
  /** Or any script to run as a task... */
  script?: string;
  /** ...with this task.json (default: task.json beside the script, if there is one). */
  taskJsonPath?: string;
  /** Node runtime, or its major version (20 or 24). Default Node 20. */
  node?: NodeRuntime | number;
  /** Working directory. Default: System.DefaultWorkingDirectory of the run, as the agent does. */
  cwd?: string;
  /** More values that must never be printed: client secrets, keys, tokens, passwords, SAS signatures. */
  knownSecrets?: Array<string | SecretSource>;
  /** Resolve even when a secret leaked (the leaks are in `secretLeaks`), for a test that inspects one. */
  allowSecretLeaks?: boolean;
  /** Cancel like the agent this many ms after the start. */
  cancelAfterMs?: number;
  /** Kill the task and fail after this long. Default 45 s (below mocha's 60 s, so this message is the one shown). */
  timeoutMs?: number;
  /** Only for the harness's own tests: shorter SIGINT → SIGTERM → SIGKILL delays than the agent's 7.5 s / 2.5 s. */
  cancelDelays?: CancelDelays;
  /** Keep the run's agent folders (work folder, temp directory) instead of deleting them after the run. */
  keepAgentFolders?: boolean;
}

export interface UploadedSummary {
  /** As the task gave it. */
  path: string;
  /** The file's content, read when the task ended; undefined if it could not be read (see `readError`). */
  content: string | undefined;
  readError?: string;
}

export interface TaskRunResult extends Omit<CommandViews, "summaryPaths"> {
  /** Task name (or script path) and runtime, for messages. */
  label: string;
  scriptPath: string;
  taskJsonPath: string | undefined;
  runtime: NodeRuntime;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Every line of both streams in arrival order, with the command parsed from it. */
  lines: OutputLine[];
  /** Lines that are not commands (what the log shows as plain text). */
  stdoutLines: string[];
  stderrLines: string[];
  /** Every command of both streams, in arrival order. */
  commands: VsoCommand[];
  summaries: UploadedSummary[];
  /** The inputs the task was given, by input name (after aliases, defaults and $(macros)). */
  inputs: Record<string, string>;
  /** The agent folders of the run (deleted after the run unless keepAgentFolders). */
  agentFolders: { workFolder: string; tempDirectory: string; sourcesDirectory: string };
  /** Signals sent (cancellation), in order. */
  signalsSent: SentSignal[];
  cancellation: CancellationRecord | undefined;
  /** Secrets found in the output (only non-empty with allowSecretLeaks; otherwise the run rejects). */
  secretLeaks: SecretLeak[];
  /** The last write of a variable (names compare case-insensitively, as in the agent). */
  variable(name: string): SetVariable | undefined;
}

export interface TaskRunHandle {
  readonly pid: number | undefined;
  readonly result: Promise<TaskRunResult>;
  /** Cancel like the agent (SIGINT, SIGTERM after 7.5 s, kill after 2.5 s more). Idempotent. */
  cancel(): void;
  /** Resolves with the first line (seen so far or to come) that matches; rejects if the task ends first. */
  waitForLine(match: string | RegExp | ((line: OutputLine) => boolean)): Promise<OutputLine>;
  /** Resolves with the first command named "area.event" (or matching the predicate); rejects if the task ends first. */
  waitForCommand(match: string | ((command: VsoCommand) => boolean)): Promise<VsoCommand>;
}

export class TaskTimeoutError extends Error {
  override name = "TaskTimeoutError";
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

export const defaultTimeoutMs = 45_000;
/** Like the agent: once the process has exited, give the pipes 5 s to close, then kill what still holds them. */
const pipeDrainMs = 5_000;

const liveChildren = new Set<import("node:child_process").ChildProcess>();
let exitHookInstalled = false;

function resolveTask(options: RunTaskOptions): { scriptPath: string; taskJsonPath: string | undefined; label: string } {
  if (options.task !== undefined && options.script !== undefined) throw new Error("Give either task or script, not both");
  if (options.task !== undefined) {
    const built = builtTask(options.task);
    if (!existsSync(built.scriptPath)) throw new Error(`${built.scriptPath} does not exist: run \`npm run build\` first`);
    return { ...built, label: options.task };
  }
  if (options.script === undefined) throw new Error("Give the task to run: task (a built task's name) or script");
  const scriptPath = resolve(options.script);
  if (!existsSync(scriptPath)) throw new Error(`${scriptPath} does not exist`);
  const beside = join(dirname(scriptPath), "task.json");
  const taskJsonPath = options.taskJsonPath !== undefined ? resolve(options.taskJsonPath) : existsSync(beside) ? beside : undefined;
  return { scriptPath, taskJsonPath, label: options.script };
}

function matcher<T>(match: string | RegExp | ((item: T) => boolean), text: (item: T) => string): (item: T) => boolean {
  if (typeof match === "function") return match;
  if (typeof match === "string") return (item) => text(item).includes(match);
  return (item) => match.test(text(item));
}

/** Starts a task; see runTask for the common case. */
export function startTask(options: RunTaskOptions): TaskRunHandle {
  const { scriptPath, taskJsonPath, label: scriptLabel } = resolveTask(options);
  const taskJson: TaskJson | undefined = taskJsonPath ? readTaskJson(taskJsonPath) : undefined;
  const taskLabel = taskJson?.name ?? scriptLabel;
  const runtime = options.node === undefined ? nodeRuntime(20) : typeof options.node === "number" ? nodeRuntime(options.node) : options.node;
  const label = `${taskLabel} on ${runtime.label}`;

  const folders = createAgentFolders(mkdtempSync(join(tmpdir(), "harness-agent-")));
  let environment: ReturnType<typeof buildTaskEnvironment>;
  try {
    environment = buildTaskEnvironment({ ...options, taskDefinition: taskJson }, folders);
  } catch (error) {
    rmSync(folders.workFolder, { recursive: true, force: true });
    throw error;
  }
  const testSecrets: SecretSource[] = [
    ...environment.secrets,
    ...(options.knownSecrets ?? []).map((s, i) => (typeof s === "string" ? { label: `knownSecrets[${i}]`, value: s } : s)),
  ];
  const cwd = options.cwd ?? folders.sourcesDirectory;

  const startedAt = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAt);
  const child = spawn(runtime.path, [scriptPath], { cwd, env: environment.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => liveChildren.forEach(killProcessTree));
  }

  const lines: OutputLine[] = [];
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const lineCounts: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const lineWaiters = new Set<{ test: (line: OutputLine) => boolean; resolve: (line: OutputLine) => void; reject: (e: Error) => void }>();
  const onLine = (stream: OutputStream) => (text: string) => {
    const command = parseCommandLine(text);
    const line: OutputLine = { stream, number: ++lineCounts[stream], text, ...(command ? { command } : {}), atMs: elapsedMs() };
    lines.push(line);
    for (const waiter of lineWaiters) {
      if (waiter.test(line)) {
        lineWaiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  const splitters = { stdout: new LineSplitter(onLine("stdout")), stderr: new LineSplitter(onLine("stderr")) };
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream].on("data", (chunk: Buffer) => {
      chunks[stream].push(chunk);
      splitters[stream].write(chunk);
    });
  }

  const signalsSent: SentSignal[] = [];
  const escalation = new CancelEscalation(child, options.cancelDelays ?? agentCancelDelays, elapsedMs, signalsSent);
  const cancelTimer = options.cancelAfterMs !== undefined ? setTimeout(() => escalation.start(), options.cancelAfterMs) : undefined;
  let timedOut = false;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    signalsSent.push({ signal: "SIGKILL", atMs: elapsedMs(), reason: "timeout" });
    killProcessTree(child);
  }, timeoutMs);

  let ended = false;
  const result = new Promise<TaskRunResult>((resolvePromise, rejectPromise) => {
    let exit: ExitInfo | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (ended || !exit) return;
      ended = true;
      clearTimeout(drainTimer);
      child.stdout.destroy();
      child.stderr.destroy();
      splitters.stdout.end();
      splitters.stderr.end();
      for (const waiter of lineWaiters) waiter.reject(new Error(`${label} ended without writing the line waited for`));
      lineWaiters.clear();
      try {
        const run = buildResult(exit);
        if (timedOut) {
          const tail = lines.slice(-20).map((l) => `  ${l.stream}: ${maskSecrets(l.text, run.secrets)}`);
          throw new TaskTimeoutError(`${label} did not finish within ${timeoutMs} ms and was killed. Last output:\n${tail.join("\n")}`);
        }
        if (run.result.secretLeaks.length > 0 && !options.allowSecretLeaks) {
          throw new SecretLeakError(run.result.secretLeaks, run.result, label);
        }
        resolvePromise(run.result);
      } catch (error) {
        rejectPromise(error);
      } finally {
        if (!options.keepAgentFolders) rmSync(folders.workFolder, { recursive: true, force: true });
      }
    };
    child.once("error", (error) => {
      if (ended) return;
      ended = true;
      cleanup();
      if (!options.keepAgentFolders) rmSync(folders.workFolder, { recursive: true, force: true });
      rejectPromise(new Error(`Could not start ${label}: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal, atMs: elapsedMs() };
      cleanup();
      drainTimer = setTimeout(() => {
        killProcessTree(child);
        finish();
      }, pipeDrainMs);
    });
    child.once("close", () => finish());
  });

  function cleanup() {
    liveChildren.delete(child);
    escalation.stop();
    clearTimeout(timeoutTimer);
    if (cancelTimer) clearTimeout(cancelTimer);
  }

  function buildResult(exit: ExitInfo): { result: TaskRunResult; secrets: SecretSource[] } {
    const commandLines = lines.filter((line): line is OutputLine & { command: VsoCommand } => line.command !== undefined);
    const commands = commandLines.map((line) => line.command);
    const { summaryPaths, ...views } = buildCommandViews(commands, Object.keys(options.secrets ?? {}));
    const summaries = summaryPaths.map((path): UploadedSummary => {
      try {
        return { path, content: readFileSync(resolve(cwd, path), "utf8") };
      } catch (error) {
        return { path, content: undefined, readError: error instanceof Error ? error.message : String(error) };
      }
    });
    const registered: SecretSource[] = views.secretsRegistered.map((secret) => ({
      label: `${secret.via}${secret.name !== undefined ? ` ${secret.name}` : ""} (registered by the task)`,
      value: secret.value,
    }));
    // Secrets may be in the data of the commands that register them, and in task-lib's echo of values the agent masks.
    const exempt = new Set(views.secretsRegistered.map((secret) => secret.command));
    for (const echo of taskLibEchoesOfMaskedValues(commands, environment.agentMasked, environment.inputs)) exempt.add(echo);
    // The agent masks registered secrets in log lines only; an uploaded summary file is shown as written.
    const summaryLeaks = summaries.flatMap((summary) => {
      const fileLines = (summary.content ?? "").split(/\r?\n/).map((text, index): OutputLine => ({ stream: "stdout", number: index + 1, text, atMs: exit.atMs }));
      return findSecretLeaks([...testSecrets, ...registered], fileLines, new Set()).map((leak) => ({ ...leak, stream: `summary:${summary.path}` as const }));
    });
    const secretLeaks = [...findSecretLeaks([...testSecrets, ...registered], lines, exempt), ...summaryLeaks];
    const stdout = Buffer.concat(chunks.stdout).toString("utf8");
    const stderr = Buffer.concat(chunks.stderr).toString("utf8");
    const variables = views.variables;
    const run: TaskRunResult = {
      ...views,
      label,
      scriptPath,
      taskJsonPath,
      runtime,
      exitCode: exit.code,
      signal: exit.signal,
      durationMs: exit.atMs,
      stdout,
      stderr,
      lines,
      stdoutLines: lines.filter((l) => l.stream === "stdout" && !l.command).map((l) => l.text),
      stderrLines: lines.filter((l) => l.stream === "stderr" && !l.command).map((l) => l.text),
      commands,
      summaries,
      inputs: environment.inputs,
      agentFolders: { workFolder: folders.workFolder, tempDirectory: folders.tempDirectory, sourcesDirectory: folders.sourcesDirectory },
      signalsSent,
      cancellation: escalation.record,
      secretLeaks,
      variable: (name) => variables.filter((v) => v.name.toLowerCase() === name.toLowerCase()).at(-1),
    };
    return { result: run, secrets: [...testSecrets, ...registered] };
  }

  const waitForLine = (match: string | RegExp | ((line: OutputLine) => boolean)): Promise<OutputLine> => {
    const test = matcher(match, (line: OutputLine) => line.text);
    const seen = lines.find(test);
    if (seen) return Promise.resolve(seen);
    if (ended) return Promise.reject(new Error(`${label} has ended`));
    return new Promise((resolveWait, rejectWait) => lineWaiters.add({ test, resolve: resolveWait, reject: rejectWait }));
  };

  return {
    pid: child.pid,
    result,
    cancel: () => escalation.start(),
    waitForLine,
    waitForCommand: async (match) => {
      const test = typeof match === "string" ? (c: VsoCommand) => c.name === match.toLowerCase() : match;
      const line = await waitForLine((l) => l.command !== undefined && test(l.command));
      return line.command as VsoCommand;
    },
  };
}

/**
 * Runs a task to the end as the agent would and returns what the agent would see. Rejects when a secret appears
 * in the output (unless allowSecretLeaks), when the task outlives timeoutMs, or when it cannot start. A failed
 * task does not reject: check `result.result`.
 */
export function runTask(options: RunTaskOptions): Promise<TaskRunResult> {
  return startTask(options).result;
}
