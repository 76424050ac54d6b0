// Template defaults < parameters file < overrides < values the task sets. Override text is converted to the type
// the template declares; names match the template case-insensitively and take its casing; a name the template
// does not declare, a value of the wrong type or outside allowedValues/min/max fails here, before any deployment.
// Values of secure parameters (and anything written as ConvertTo-SecureString) are returned for registration as
// secrets.
import { InputError } from "../errors";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { firstSyntaxError, lineAndColumn } from "./json";
import type { ParameterOverride, ParameterOverrides } from "./overrides";
import {
  emptyParameters,
  isReferenceEntry,
  type ArmParameterEntry,
  type ArmParameters,
  type JsonValue,
  type TemplateParameterDefinition,
  type TemplateParameterDefinitions,
} from "./types";

export interface MergeOptions {
  /** The input the parameters file came from. Default "parametersFile". */
  parametersInput?: string;
  /** The input the overrides came from. Default "parameterOverrides". */
  overridesInput?: string;
  /** Values the task sets itself (e.g. the lab and VM name), applied last; skipped when the template has no such parameter. */
  set?: Record<string, JsonValue>;
  /** Fail when a parameter without a default gets no value. Default false (see missingRequired). */
  requireAll?: boolean;
}

export interface MergedParameters {
  /** The deployment's parameters: name (as the template declares it) → {value} or {reference}. */
  parameters: ArmParameters;
  /** Values to register as secrets before anything is logged. */
  secretValues: string[];
  /** Parameters whose values are secret (secure types, ConvertTo-SecureString). */
  secureParameterNames: string[];
  /** Declared parameters without a default that got no value (ARM would reject the deployment). */
  missingRequired: string[];
  /** Things worth telling the user, e.g. a password parameter declared as plain string. */
  warnings: string[];
}

type Source = "file" | "override" | "set";

interface MergedEntry {
  name: string;
  entry: ArmParameterEntry;
  source: Source;
  /** Written as ConvertTo-SecureString. */
  secretSyntax: boolean;
}

interface Declared {
  name: string;
  definition: TemplateParameterDefinition;
}

// Names that say "this is a secret" even when the template forgot to declare the parameter secure.
const SECRET_LOOKING_NAME = /(password|passwd|pwd|secret|token|sas|connectionstring)/i;

export function mergeParameters(
  fileParams: ArmParameters | undefined,
  overrides: ParameterOverrides | undefined,
  templateParameterDefinitions?: TemplateParameterDefinitions,
  options: MergeOptions = {},
): MergedParameters {
  const parametersInput = options.parametersInput ?? "parametersFile";
  const overridesInput = options.overridesInput ?? "parameterOverrides";
  const inputOf = (source: Source) => (source === "file" ? parametersInput : overridesInput);
  const declared = templateParameterDefinitions ? indexDeclared(templateParameterDefinitions) : undefined;
  const declaredList = () => {
    const names = [...(declared?.values() ?? [])].map((entry) => entry.name);
    return names.length > 0 ? `It declares: ${names.join(", ")}.` : "The template declares no parameters.";
  };
  const nameFor = (name: string, source: Source): string => {
    if (!declared) return name;
    const found = declared.get(name.toLowerCase());
    if (found) return found.name;
    const where = source === "file" ? "the parameters file sets" : `the override -${name} sets`;
    throw new InputError(inputOf(source), `${where} '${neutralizeUntrustedText(name, { maxLength: 80 })}', which the template does not declare. ${declaredList()}`);
  };

  const merged = new Map<string, MergedEntry>();
  for (const [name, entry] of Object.entries(fileParams ?? {})) {
    const finalName = nameFor(name, "file");
    const definition = declared?.get(name.toLowerCase())?.definition;
    if (definition && !isReferenceEntry(entry)) checkFileValue(finalName, entry.value, definition, parametersInput);
    merged.set(name.toLowerCase(), { name: finalName, entry, source: "file", secretSyntax: false });
  }
  for (const override of overrides?.values() ?? []) {
    const finalName = nameFor(override.name, "override");
    const definition = declared?.get(override.name.toLowerCase())?.definition;
    const value = definition ? convertOverride(override, finalName, definition, overridesInput) : untypedValue(override);
    merged.set(override.name.toLowerCase(), { name: finalName, entry: { value }, source: "override", secretSyntax: override.form === "secureString" });
  }
  for (const [name, value] of Object.entries(options.set ?? {})) {
    if (declared && !declared.has(name.toLowerCase())) continue;
    merged.set(name.toLowerCase(), { name: declared?.get(name.toLowerCase())?.name ?? name, entry: { value }, source: "set", secretSyntax: false });
  }

  const parameters = emptyParameters();
  const secretValues = new Set<string>();
  const secureParameterNames: string[] = [];
  const warnings: string[] = [];
  for (const [key, item] of merged) {
    const definition = declared?.get(key)?.definition;
    const value = isReferenceEntry(item.entry) ? undefined : item.entry.value;
    const secureType = definition !== undefined && isSecureType(definition.type);
    if (definition && value !== undefined) checkConstraints(item, value, definition, inputOf(item.source));
    if (secureType || item.secretSyntax) secureParameterNames.push(item.name);
    if (value !== undefined && (secureType || item.secretSyntax || SECRET_LOOKING_NAME.test(item.name))) {
      for (const secret of secretsIn(value)) secretValues.add(secret);
    }
    if (SECRET_LOOKING_NAME.test(item.name) && definition && !secureType && value !== undefined && value !== "") {
      warnings.push(`Parameter '${item.name}' looks like a secret but the template declares it as ${definition.type}; Azure keeps its value in the deployment history. Declare it securestring.`);
    }
    Object.defineProperty(parameters, item.name, { value: item.entry, enumerable: true, writable: true, configurable: true });
  }

  const missingRequired = [...(declared?.entries() ?? [])]
    .filter(([key, entry]) => !merged.has(key) && !("defaultValue" in entry.definition))
    .map(([, entry]) => entry.name);
  if (options.requireAll && missingRequired.length > 0) {
    throw new InputError(overridesInput, `the template needs a value for ${missingRequired.join(", ")}: set it in the parameters file or as an override.`);
  }
  return { parameters, secretValues: [...secretValues], secureParameterNames, missingRequired, warnings };
}

function indexDeclared(definitions: TemplateParameterDefinitions): Map<string, Declared> {
  const index = new Map<string, Declared>();
  for (const [name, definition] of Object.entries(definitions)) index.set(name.toLowerCase(), { name, definition });
  return index;
}

function isSecureType(type: string): boolean {
  const lower = type.toLowerCase();
  return lower === "securestring" || lower === "secureobject";
}

/** Without a template: JSON when written as valid JSON, otherwise the text. Never guesses numbers or booleans. */
function untypedValue(override: ParameterOverride): JsonValue {
  return override.form === "json" && override.json !== undefined ? override.json : override.text;
}

function convertOverride(override: ParameterOverride, name: string, definition: TemplateParameterDefinition, inputName: string): JsonValue {
  const type = definition.type.toLowerCase();
  const shown = shownValue(override.text, name, definition, override.form === "secureString");
  const problem = (what: string) => new InputError(inputName, `-${override.name}: ${what} (the template declares '${name}' as ${definition.type}).`);
  switch (type) {
    case "int": {
      const text = override.text.trim();
      if (!/^[+-]?\d+$/.test(text)) throw problem(`${shown} is not a whole number`);
      const value = Number(text);
      if (!Number.isSafeInteger(value)) throw problem(`${shown} is too large`);
      return value;
    }
    case "bool": {
      const text = override.text.trim().toLowerCase().replace(/^\$/, "");
      if (text === "true") return true;
      if (text === "false") return false;
      throw problem(`${shown} is not true or false`);
    }
    case "object":
    case "secureobject":
    case "array": {
      const wanted = type === "array" ? "a JSON array" : "a JSON object";
      const value = override.json ?? parseJsonOrUndefined(override.text);
      if (value === undefined) {
        const offset = firstSyntaxError(override.text);
        const where = offset === undefined ? "" : ` (error near ${lineAndColumn(override.text, offset)} of the value)`;
        throw problem(`the value is not valid JSON${where}; write ${wanted}`);
      }
      const isArray = Array.isArray(value);
      const isObject = typeof value === "object" && value !== null && !isArray;
      if ((type === "array" && !isArray) || (type !== "array" && !isObject)) throw problem(`the value is not ${wanted}`);
      return value;
    }
    default:
      // string, securestring: the text exactly as written (JSON-looking text too).
      return override.text;
  }
}

function checkFileValue(name: string, value: JsonValue, definition: TemplateParameterDefinition, inputName: string): void {
  if (value === null) return;
  const type = definition.type.toLowerCase();
  const ok =
    type === "int"
      ? (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value.trim()))
      : type === "bool"
        ? typeof value === "boolean" || (typeof value === "string" && /^(true|false)$/i.test(value.trim()))
        : type === "array"
          ? Array.isArray(value)
          : type === "object" || type === "secureobject"
            ? typeof value === "object" && !Array.isArray(value)
            : typeof value === "string";
  if (!ok) {
    throw new InputError(inputName, `parameter '${name}' in the parameters file has a ${Array.isArray(value) ? "array" : typeof value} value, but the template declares it as ${definition.type}.`);
  }
}

function checkConstraints(item: MergedEntry, value: JsonValue, definition: TemplateParameterDefinition, inputName: string): void {
  const where = item.source === "file" ? `parameter '${item.name}' in the parameters file` : `-${item.name}`;
  const secret = isSecureType(definition.type) || item.secretSyntax;
  const shown = secret ? "the value" : `'${neutralizeUntrustedText(typeof value === "string" ? value : JSON.stringify(value), { maxLength: 60 })}'`;
  if (definition.allowedValues) {
    const items = Array.isArray(value) && definition.type.toLowerCase() === "array" ? value : [value];
    const allowed = definition.allowedValues;
    if (!items.every((entry) => allowed.some((candidate) => sameValue(candidate, entry)))) {
      const list = secret ? "" : ` Allowed: ${allowed.map((entry) => neutralizeUntrustedText(JSON.stringify(entry), { maxLength: 40 })).join(", ")}.`;
      throw new InputError(inputName, `${where}: ${shown} is not one of the values the template allows.${list}`);
    }
  }
  if (typeof value === "number") {
    if (definition.minValue !== undefined && value < definition.minValue) throw new InputError(inputName, `${where}: ${shown} is below the minimum ${definition.minValue}.`);
    if (definition.maxValue !== undefined && value > definition.maxValue) throw new InputError(inputName, `${where}: ${shown} is above the maximum ${definition.maxValue}.`);
  }
  if (typeof value === "string" || Array.isArray(value)) {
    const length = value.length;
    const unit = typeof value === "string" ? "characters" : "items";
    if (definition.minLength !== undefined && length < definition.minLength) throw new InputError(inputName, `${where}: the value has ${length} ${unit}; at least ${definition.minLength} are needed.`);
    if (definition.maxLength !== undefined && length > definition.maxLength) throw new InputError(inputName, `${where}: the value has ${length} ${unit}; at most ${definition.maxLength} are allowed.`);
  }
}

// ARM compares allowed strings without regard to case.
function sameValue(a: JsonValue, b: JsonValue): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

function shownValue(text: string, name: string, definition: TemplateParameterDefinition, secretSyntax: boolean): string {
  if (secretSyntax || isSecureType(definition.type) || SECRET_LOOKING_NAME.test(name)) return "the value";
  return `'${neutralizeUntrustedText(text, { maxLength: 60 })}'`;
}

/** A secret string, or the JSON of a secret object/array and the strings in it (short ones would mask too much). */
function secretsIn(value: JsonValue): string[] {
  if (typeof value === "string") return value.trim() === "" ? [] : [value];
  if (value === null || typeof value !== "object") return [];
  const leaves: string[] = [];
  const walk = (node: JsonValue) => {
    if (typeof node === "string" && node.trim().length >= 4) leaves.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(value);
  return [JSON.stringify(value), ...leaves];
}

function parseJsonOrUndefined(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
