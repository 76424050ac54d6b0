// A deployment's template outputs as pipeline output variables. Pure.
//
// ARM gives outputs as {name: {type, value}}. Each becomes `<prefix><name>`: strings as they are, numbers and
// booleans as text, objects and arrays as JSON. Secure outputs (securestring, secureobject) become secret variables;
// ARM never returns their values from a finished deployment, so usually there is nothing to set, which is said.
import { InputError } from "../errors";

export interface TemplateOutputVariable {
  /** The variable's name: prefix + the output's name (characters a variable name cannot hold replaced by "_"). */
  name: string;
  /** The output as ARM names it. */
  output: string;
  value: string;
  secret: boolean;
}

export interface TemplateOutputVariables {
  variables: TemplateOutputVariable[];
  /** Outputs not set, each with the reason, for the log. */
  skipped: string[];
}

export interface OutputVariableOptions {
  /** Put before every output's name, e.g. "env." or "web_". */
  prefix: string;
  /** Names this task sets itself; an output of the same name is skipped rather than overwriting it. */
  reserved: readonly string[];
}

// Azure DevOps variable names: letters, digits, ".", "_" and "-"; the agent maps "." and " " to "_" for env.
const INVALID_NAME_CHARACTERS = /[^A-Za-z0-9._-]/g;
const VALID_NAME = /^[A-Za-z0-9._-]*$/;
/** Prefixes the agent keeps for itself: a variable named like these is not passed to later steps as set. */
const RESERVED_PREFIXES = ["endpoint", "input", "secret", "securefile", "system.", "agent.", "build.", "release."];

/** Checks the prefix input: letters, digits, ".", "_" and "-", at most 100 characters. */
export function checkOutputPrefix(prefix: string, inputName: string): string {
  const value = prefix.trim();
  if (value.length > 100) throw new InputError(inputName, `the prefix has ${value.length} characters; at most 100 are allowed.`);
  if (!VALID_NAME.test(value)) {
    throw new InputError(inputName, `'${value.slice(0, 60)}' is not a valid variable name prefix: use letters, digits, '.', '_' and '-' only (e.g. env_ or web.).`);
  }
  if (RESERVED_PREFIXES.some((reserved) => value.toLowerCase().startsWith(reserved))) {
    throw new InputError(inputName, `a variable name starting with '${value}' is reserved by Azure Pipelines; choose another prefix (e.g. env_).`);
  }
  return value;
}

export function templateOutputVariables(outputs: unknown, options: OutputVariableOptions): TemplateOutputVariables {
  const variables: TemplateOutputVariable[] = [];
  const skipped: string[] = [];
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) return { variables, skipped };
  const taken = new Set(options.reserved.map((name) => name.toLowerCase()));
  for (const [output, entry] of Object.entries(outputs as Record<string, unknown>)) {
    const { type, value, hasValue } = readOutput(entry);
    const secret = type === "securestring" || type === "secureobject";
    const name = `${options.prefix}${output.replace(INVALID_NAME_CHARACTERS, "_")}`;
    if (!hasValue) {
      skipped.push(secret ? `Output '${output}' is secure; Azure does not return its value, so no variable was set.` : `Output '${output}' has no value; no variable was set.`);
      continue;
    }
    if (taken.has(name.toLowerCase())) {
      skipped.push(`Output '${output}' would be the variable '${name}', which is already set; give a prefix to keep both.`);
      continue;
    }
    taken.add(name.toLowerCase());
    variables.push({ name, output, value: textOf(value), secret });
  }
  return { variables, skipped };
}

function readOutput(entry: unknown): { type: string; value: unknown; hasValue: boolean } {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return { type: "", value: undefined, hasValue: false };
  const record = entry as Record<string, unknown>;
  const typeKey = Object.keys(record).find((key) => key.toLowerCase() === "type");
  const valueKey = Object.keys(record).find((key) => key.toLowerCase() === "value");
  const type = typeKey === undefined ? "" : String(record[typeKey]).toLowerCase();
  return { type, value: valueKey === undefined ? undefined : record[valueKey], hasValue: valueKey !== undefined && record[valueKey] !== undefined };
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
