// The bad-input tables of the lab, environment and image tasks share one check: the task fails with a message that
// names the input first, and the emulator's request log shows no ARM write for the run.
import { strict as assert } from "node:assert";
import type { TaskRunResult } from "../harness";

export interface BadInput<Task extends string = string> {
  task: Task;
  inputs: Record<string, string>;
  /** The input the message must name first. */
  input: string;
  /** More the message must say. */
  says?: RegExp;
}

/** What the check reads from the emulator's request log (both support files' e2e objects have it). */
export interface ArmWriteLog {
  lastSeq(): Promise<number>;
  writesSince(seq: number): Promise<unknown[]>;
}

/** The test's title: the task, its inputs as JSON (`shown`, with long values masked; cut at 110 characters), the input. */
export function badInputTitle(item: BadInput, shown: string): string {
  return `${item.task} ${shown.length > 110 ? `${shown.slice(0, 110)}…` : shown} → ${item.input}`;
}

/** Runs the task through `run` and checks it failed naming `item.input` first, without any ARM write. */
export async function assertFailsNamingInput(log: ArmWriteLog, item: BadInput, run: () => Promise<TaskRunResult>): Promise<void> {
  const seq = await log.lastSeq();
  const result = await run();
  const label = `${item.task} ${JSON.stringify(item.inputs)}`;
  assert.equal(result.result.result, "Failed", `${label} did not fail: ${result.result.message}`);
  const message = result.result.message ?? "";
  assert.ok(message.startsWith(`Input '${item.input}'`), `${label}: the message does not name '${item.input}' first: ${message}`);
  if (item.says) assert.match(message, item.says, label);
  assert.deepEqual(await log.writesSince(seq), [], `${label}: ARM writes happened`);
}
