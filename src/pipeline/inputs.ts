// Typed readers for task inputs. Each either returns a value of the promised type or throws an InputError that names
// the input and the form it expects, so a bad input fails the task before anything is written to Azure.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { InputError } from "../errors";
import { agentInputs, readVariable, type InputSource } from "./agent";

/** How much of a rejected value an error quotes: enough to recognise it, not a whole pasted file. */
const QUOTE_LIMIT = 80;

function quote(value: string): string {
  const oneLine = value.replace(/\s+/g, " ").trim();
  return `'${oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT)}…` : oneLine}'`;
}

export interface ReadOptions {
  /** The value is a secret: never quote it in an error. */
  secret?: boolean;
}

export interface NumberOptions {
  min: number;
  max: number;
  /** Used when the input is empty; without it an empty input is an error. */
  defaultValue?: number;
  /** Unit for messages, e.g. "minutes". */
  unit?: string;
}

export interface FileOptions {
  /** Required file inputs fail when empty; optional ones return undefined. */
  required?: boolean;
  /** Folder that relative paths are resolved against (default: the agent's working folder, then cwd). */
  baseDirectory?: string;
}

export interface TextFile {
  path: string;
  text: string;
}

/**
 * The inputs of a resource named by its id, or by a lab and its name: the values as given, and the input names for
 * the errors of the domain's check (checkVmTarget, checkImageTarget, checkEnvironmentTarget).
 */
export type IdOrLabAndName<Id extends string, Name extends string> = { [K in Id | "lab" | Name]?: string } & { names: Record<Id | "lab" | Name, string> };

export class TaskInputs {
  constructor(private readonly source: InputSource = agentInputs) {}

  /** The trimmed value, or undefined when the input is empty or whitespace. */
  private raw(name: string): string | undefined {
    const value = this.source.get(name);
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
  }

  requiredString(name: string, expected = "a value"): string {
    const value = this.raw(name);
    if (value === undefined) throw new InputError(name, `is required: give ${expected}.`);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  /** The id input, "lab" and the name input of a resource a task names either way; checked by the domain. */
  idOrLabAndName<Id extends string, Name extends string>(idInput: Id, nameInput: Name): IdOrLabAndName<Id, Name> {
    const names = { [idInput]: idInput, lab: "lab", [nameInput]: nameInput } as Record<Id | "lab" | Name, string>;
    return { [idInput]: this.raw(idInput), lab: this.raw("lab"), [nameInput]: this.raw(nameInput), names } as IdOrLabAndName<Id, Name>;
  }

  boolean(name: string, defaultValue: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return defaultValue;
    switch (value.toLowerCase()) {
      case "true":
      case "yes":
      case "on":
      case "1":
        return true;
      case "false":
      case "no":
      case "off":
      case "0":
        return false;
      default:
        throw new InputError(name, `expected true or false, got ${quote(value)}.`);
    }
  }

  wholeNumber(name: string, options: NumberOptions): number {
    const value = this.raw(name);
    const unit = options.unit ? ` ${options.unit}` : "";
    const expected = `a whole number${unit ? ` of${unit}` : ""} from ${options.min} to ${options.max}`;
    if (value === undefined) {
      if (options.defaultValue !== undefined) return options.defaultValue;
      throw new InputError(name, `is required: give ${expected}.`);
    }
    if (!/^[+]?\d+$/.test(value)) throw new InputError(name, `expected ${expected}, got ${quote(value)}.`);
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < options.min || number > options.max) {
      throw new InputError(name, `expected ${expected}, got ${quote(value)}.`);
    }
    return number;
  }

  /** One of a fixed set of values (a pickList or radio input), matched ignoring case, returned as listed. */
  choice<T extends string>(name: string, allowed: readonly T[], defaultValue?: T): T {
    const value = this.raw(name);
    if (value === undefined) {
      if (defaultValue !== undefined) return defaultValue;
      throw new InputError(name, `is required: give one of ${allowed.join(", ")}.`);
    }
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (match === undefined) throw new InputError(name, `expected one of ${allowed.join(", ")}, got ${quote(value)}.`);
    return match;
  }

  /**
   * A file that must exist. The agent fills an empty filePath input with the sources folder, so a folder is treated
   * as "not given" for an optional input and as an error for a required one.
   */
  existingFile(name: string, options: FileOptions & { required: true }): string;
  existingFile(name: string, options?: FileOptions): string | undefined;
  existingFile(name: string, options: FileOptions = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      if (options.required) throw new InputError(name, "is required: give the path of a file in the repository or on the agent.");
      return undefined;
    }
    const base = options.baseDirectory ?? (readVariable("System.DefaultWorkingDirectory") || process.cwd());
    const path = isAbsolute(value) ? value : resolve(base, value);
    if (!existsSync(path)) {
      throw new InputError(name, `the file ${quote(value)} does not exist (looked at ${quote(path)}). Check the path and that the repository or artifact holding it was downloaded.`);
    }
    if (statSync(path).isDirectory()) {
      if (!options.required && this.isAgentDefaultFolder(path)) return undefined;
      throw new InputError(name, `${quote(value)} is a folder; give the path of a file.`);
    }
    return path;
  }

  /** Reads an existing file as UTF-8 text (a leading byte-order mark removed, as ARM accepts one). */
  textFile(name: string, options: FileOptions & { required: true }): TextFile;
  textFile(name: string, options?: FileOptions): TextFile | undefined;
  textFile(name: string, options: FileOptions = {}): TextFile | undefined {
    const path = this.existingFile(name, options);
    if (path === undefined) return undefined;
    try {
      return { path, text: readFileSync(path, "utf8").replace(/^\uFEFF/, "") };
    } catch (err) {
      throw new InputError(name, `the file ${quote(path)} could not be read: ${err instanceof Error ? err.message : String(err)}.`);
    }
  }

  /** Multi-line text with line endings normalised to LF; undefined when empty. */
  multilineText(name: string): string | undefined {
    const value = this.source.get(name);
    if (value === undefined || value.trim() === "") return undefined;
    return value.replace(/\r\n?/g, "\n");
  }

  /**
   * A JSON value. `validate` turns the parsed value into T or returns a problem (a string) saying what is wrong and
   * what form is expected; the error then names this input.
   */
  json<T>(name: string, expected: string, validate: (value: unknown) => T | string, options: ReadOptions = {}): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new InputError(name, `is not valid JSON (${options.secret ? "syntax error" : detail}); expected ${expected}.`);
    }
    const result = validate(parsed);
    if (typeof result === "string") throw new InputError(name, `${result} Expected ${expected}.`);
    return result;
  }

  /** True when the agent's sources or working folder was substituted for an empty filePath input. */
  private isAgentDefaultFolder(path: string): boolean {
    const candidates = ["Build.SourcesDirectory", "System.DefaultWorkingDirectory", "System.ArtifactsDirectory"]
      .map((v) => readVariable(v))
      .filter((v): v is string => !!v)
      .map((v) => resolve(v));
    return candidates.includes(resolve(path)) || candidates.length === 0;
  }
}
