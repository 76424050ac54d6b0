// The function library: every supported function by lower-case name (ARM's names are case-insensitive).
import { arrayFunctions } from "./array";
import { collectionFunctions } from "./collection";
import { deploymentFunctions } from "./deployment";
import { logicalFunctions } from "./logical";
import { numericFunctions } from "./numeric";
import { listFunction, resourceFunctions } from "./resource";
import { stringFunctions } from "./string";
import type { TemplateFunction } from "./types";

const library = new Map<string, TemplateFunction>();
for (const fn of [...stringFunctions, ...collectionFunctions, ...arrayFunctions, ...logicalFunctions, ...numericFunctions, ...deploymentFunctions, ...resourceFunctions]) {
  const key = fn.name.toLowerCase();
  if (library.has(key)) throw new Error(`template function ${fn.name} registered twice`);
  library.set(key, fn);
}

export function lookupFunction(name: string): TemplateFunction | undefined {
  const key = name.toLowerCase();
  const fn = library.get(key);
  if (fn) return fn;
  return key.startsWith("list") && key.length > 4 ? listFunction(name) : undefined;
}

/** ARM names of the supported functions (list* stands for every function whose name starts with "list"). */
export const SUPPORTED_FUNCTIONS: readonly string[] = [...[...library.values()].map((fn) => fn.name), "list*"].sort((a, b) => a.localeCompare(b));
