// The agent boundary: the only folder that imports azure-pipelines-task-lib.
// runTask wires cancellation (the agent sends SIGINT, then SIGTERM 7.5 s later, then kills 2.5 s after that) to an
// AbortSignal, hands the body the inputs, log, outputs and summary, and turns the outcome into exactly one result.
import * as tl from "azure-pipelines-task-lib/task";
import { InputError } from "../errors";
import { TaskInputs } from "./inputs";
import { createTaskLog, type TaskLog } from "./log";
import { neutraliseLine, neutraliseLines } from "./neutralise";
import { createTaskOutputs, type TaskOutputs } from "./outputs";
import { registerSecret } from "./secrets";
import { createTaskSummary, type TaskSummary } from "./summary";

/** The parts of a task.json the runner uses: the task name and its inputs' aliases for error messages. */
export interface TaskManifest {
  name: string;
  friendlyName?: string;
  inputs?: readonly { name: string; aliases?: readonly string[]; label?: string }[];
}

export interface TaskContext {
  /** Aborted when the agent cancels the job. Every wait on Azure takes it. */
  signal: AbortSignal;
  inputs: TaskInputs;
  log: TaskLog;
  outputs: TaskOutputs;
  summary: TaskSummary;
  /** Registers a value with the agent so it is masked in every later line (multi-line values line by line). */
  registerSecret(value: string | undefined): void;
}

/** What a task body returns: the result message, and whether the run succeeded with issues (warnings). */
export type TaskOutcome = string | { message: string; withIssues?: boolean };

/** How long after the result the process may linger (open sockets, timers) before it is ended. */
const EXIT_GRACE_MS = 2000;

/** The error's message with the input's YAML aliases added, so a user who wrote `LabId:` recognises `lab`. */
export function describeError(err: unknown, manifest?: TaskManifest): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof InputError && manifest) {
    const input = manifest.inputs?.find((i) => i.name.toLowerCase() === err.input.toLowerCase());
    const aliases = input?.aliases ?? [];
    if (aliases.length > 0) {
      const prefix = `Input '${err.input}'`;
      const named = `Input '${err.input}' (alias${aliases.length > 1 ? "es" : ""} ${aliases.map((a) => `'${a}'`).join(", ")})`;
      return message.startsWith(prefix) ? named + message.slice(prefix.length) : `${named}: ${message}`;
    }
  }
  return message;
}

export interface RunTaskOptions {
  /** End the process shortly after the result is written (true under the agent; tests turn it off). */
  exitProcess?: boolean;
}

export async function runTask(
  manifest: TaskManifest,
  body: (ctx: TaskContext) => Promise<TaskOutcome>,
  options: RunTaskOptions = {},
): Promise<void> {
  const controller = new AbortController();
  const log = createTaskLog();
  const onCancel = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      log.info(`Cancel requested (${signal}): stopping the current wait and removing what this run created.`);
      controller.abort(new Error(`The task was cancelled (${signal}).`));
    }
  };
  process.on("SIGINT", onCancel);
  process.on("SIGTERM", onCancel);
  const summary = createTaskSummary();
  const outputs = createTaskOutputs();
  try {
    const outcome = await body({
      signal: controller.signal,
      inputs: new TaskInputs(),
      log,
      outputs,
      summary,
      registerSecret,
    });
    const { message, withIssues } = typeof outcome === "string" ? { message: outcome, withIssues: false } : outcome;
    log.info(message);
    finishSummary(summary, manifest, outputs);
    tl.setResult(withIssues ? tl.TaskResult.SucceededWithIssues : tl.TaskResult.Succeeded, neutraliseLine(message));
  } catch (err) {
    const cancelled = controller.signal.aborted;
    const message = describeError(err, manifest);
    // The result (and the error issue task-lib adds for it) gets one line; when the message has more lines (ARM
    // error details), the log gets all of them.
    const lines = neutraliseLines(message);
    if (lines.length > 1 || cancelled) for (const line of lines) log.info(line);
    summary.note(cancelled ? "Cancelled." : `Failed: ${message}`);
    finishSummary(summary, manifest, outputs);
    if (cancelled) {
      // task-lib writes TaskResult.Cancelled as "Cancelled", which the agent cannot parse (it fails the task); the
      // agent's own spelling is "Canceled".
      tl.command("task.complete", { result: "Canceled" }, neutraliseLine(message));
    } else {
      tl.setResult(tl.TaskResult.Failed, neutraliseLine(message));
    }
  } finally {
    process.off("SIGINT", onCancel);
    process.off("SIGTERM", onCancel);
    // An SDK socket or timer left behind must not hold the job open past the agent's grace period.
    if (options.exitProcess ?? true) setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  }
}

function finishSummary(summary: ReturnType<typeof createTaskSummary>, manifest: TaskManifest, outputs: TaskOutputs): void {
  for (const [name, value] of outputs.values) summary.fact(`Output ${name}`, value);
  try {
    summary.upload(manifest.friendlyName ?? manifest.name);
  } catch (err) {
    // A summary that cannot be written is not worth failing the task for.
    tl.debug(`The run summary was not uploaded: ${neutraliseLine(err instanceof Error ? err.message : String(err))}`);
  }
}
