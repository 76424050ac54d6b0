// The agent boundary: the only folder that imports azure-pipelines-task-lib.
// runTask wires cancellation (the agent sends SIGINT, then SIGTERM 7.5 s later) to an AbortSignal and turns the
// outcome into exactly one task result.
import * as tl from "azure-pipelines-task-lib/task";

export interface TaskContext {
  /** Aborted when the agent cancels the job. Every wait on Azure takes it. */
  signal: AbortSignal;
}

export async function runTask(body: (ctx: TaskContext) => Promise<string>): Promise<void> {
  const controller = new AbortController();
  const onCancel = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      console.log(`Cancel requested (${signal}): stopping and cleaning up.`);
      controller.abort(new Error(`The task was cancelled (${signal}).`));
    }
  };
  process.on("SIGINT", onCancel);
  process.on("SIGTERM", onCancel);
  try {
    const message = await body({ signal: controller.signal });
    tl.setResult(tl.TaskResult.Succeeded, message);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    tl.setResult(controller.signal.aborted ? tl.TaskResult.Cancelled : tl.TaskResult.Failed, message);
  } finally {
    process.off("SIGINT", onCancel);
    process.off("SIGTERM", onCancel);
  }
}
