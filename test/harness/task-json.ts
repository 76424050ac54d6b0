// Reads a task.json and resolves a test's inputs against it the way a pipeline does: a YAML key may be the input's
// name or one of its aliases (matched case-insensitively), and every input the step leaves out gets its
// defaultValue (or the empty string). Unknown keys are refused so a typo fails loudly instead of testing nothing.
import { readFileSync } from "node:fs";

export interface TaskJsonInput {
  name: string;
  aliases?: string[];
  type: string;
  defaultValue?: string | number | boolean;
  required?: boolean;
}

export interface TaskJson {
  id?: string;
  name: string;
  friendlyName?: string;
  inputs?: TaskJsonInput[];
  execution?: Record<string, { target: string }>;
}

export type InputValue = string | number | boolean;

export function readTaskJson(path: string): TaskJson {
  return JSON.parse(readFileSync(path, "utf8")) as TaskJson;
}

/** Finds the task.json input a YAML key refers to, by name or alias. */
export function findInput(taskJson: TaskJson, key: string): TaskJsonInput | undefined {
  const wanted = key.toLowerCase();
  return (taskJson.inputs ?? []).find(
    (input) => input.name.toLowerCase() === wanted || (input.aliases ?? []).some((alias) => alias.toLowerCase() === wanted),
  );
}

/**
 * Maps given inputs (by name or alias) to input names and fills in defaults. Returns name → value for every input
 * the task declares; without a task.json the given inputs pass through unchanged.
 */
export function resolveInputs(taskJson: TaskJson | undefined, given: Record<string, InputValue> = {}): Record<string, string> {
  if (!taskJson) return Object.fromEntries(Object.entries(given).map(([key, value]) => [key, String(value)]));
  const resolved: Record<string, string> = {};
  const givenBy: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    const input = findInput(taskJson, key);
    if (!input) {
      const known = (taskJson.inputs ?? []).map((i) => [i.name, ...(i.aliases ?? [])].join("|")).join(", ");
      throw new Error(`Task ${taskJson.name} has no input "${key}" (inputs: ${known || "none"})`);
    }
    const earlier = givenBy[input.name];
    if (earlier !== undefined) {
      throw new Error(`Input "${input.name}" of task ${taskJson.name} given twice: as "${earlier}" and as "${key}"`);
    }
    givenBy[input.name] = key;
    resolved[input.name] = String(value);
  }
  for (const input of taskJson.inputs ?? []) {
    if (!(input.name in resolved)) resolved[input.name] = input.defaultValue === undefined ? "" : String(input.defaultValue);
  }
  return resolved;
}
