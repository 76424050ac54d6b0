// The labs file of Microsoft's ImageFactory scripts, read as they wrote it:
//   {"Labs": [{"SubscriptionId": "…", "ResourceGroup": "…", "LabName": "…", "ImagePaths": ["Win2016", "Win2012R2/VS.json"]}]}
// Property names match case-insensitively (PowerShell's ConvertFrom-Json did). An ImagePaths entry names a template
// file (one image) or a folder (every template below it); matching is by whole path segments, so `Win2016` never
// matches `Win2016R2` (the scripts compared raw string prefixes).
import { labId, type LabRef } from "../azure/ids";
import { NAME_RULES } from "../azure/names";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { InputError } from "../errors";
import { normalizeTemplatePath } from "./provenance";

export interface LabsFileEntry extends LabRef {
  id: string;
  /** Undefined when the entry has no ImagePaths: every image goes to that lab. */
  imagePaths?: string[];
}

export interface ParseLabsFileOptions {
  /** The task input that named the file, for errors. */
  input: string;
  /** The file's path, for errors. */
  path?: string;
}

export const LABS_FILE_FORM = '{"Labs": [{"SubscriptionId": "<GUID>", "ResourceGroup": "<name>", "LabName": "<name>", "ImagePaths": ["<folder or template>", …]}]}';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses and checks a labs file; every problem is an InputError naming the input and the entry. */
export function parseLabsFile(text: string, options: ParseLabsFileOptions): LabsFileEntry[] {
  const where = options.path ? `the labs file '${neutralizeUntrustedText(options.path, { maxLength: 200 })}'` : "the labs file";
  const fail = (problem: string): never => {
    throw new InputError(options.input, `${where} ${problem} Expected ${LABS_FILE_FORM}.`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    return fail(`is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!isObject(parsed)) return fail("must hold a JSON object.");
  const labs = property(parsed, "Labs");
  if (!Array.isArray(labs)) return fail("has no \"Labs\" array.");
  if (labs.length === 0) return fail("lists no labs.");

  const byId = new Map<string, LabsFileEntry>();
  labs.forEach((raw: unknown, index) => {
    const at = `entry ${index + 1} of "Labs"`;
    if (!isObject(raw)) return fail(`${at} is not an object.`);
    const text = (name: string): string => {
      const value = property(raw, name);
      if (typeof value !== "string" || value.trim() === "") return fail(`${at} has no "${name}".`);
      return value.trim();
    };
    const subscriptionId = text("SubscriptionId");
    if (!GUID.test(subscriptionId)) fail(`${at}: SubscriptionId '${shown(subscriptionId)}' is not a subscription id (a GUID).`);
    const resourceGroup = text("ResourceGroup");
    checkName(resourceGroup, "resourceGroup", (problem) => fail(`${at}: ResourceGroup ${problem}`));
    const labName = text("LabName");
    checkName(labName, "lab", (problem) => fail(`${at}: LabName ${problem}`));

    let imagePaths: string[] | undefined;
    const paths = property(raw, "ImagePaths");
    if (paths !== undefined && paths !== null) {
      if (!Array.isArray(paths)) return fail(`${at}: "ImagePaths" must be an array of template files or folders.`);
      imagePaths = paths.map((path: unknown, pathIndex) => {
        if (typeof path !== "string" || normalizeTemplatePath(path) === "") return fail(`${at}: ImagePaths[${pathIndex}] must be a non-empty path.`);
        if (normalizeTemplatePath(path).split("/").includes("..")) return fail(`${at}: ImagePaths[${pathIndex}] '${shown(path)}' must not contain '..'.`);
        return normalizeTemplatePath(path);
      });
    }

    const ref: LabRef = { subscriptionId, resourceGroup, labName };
    const id = labId(ref);
    const key = id.toLowerCase();
    const previous = byId.get(key);
    if (previous) {
      // The same lab twice: it gets the images of both entries.
      previous.imagePaths = previous.imagePaths === undefined || imagePaths === undefined ? undefined : [...previous.imagePaths, ...imagePaths];
    } else {
      byId.set(key, { ...ref, id, ...(imagePaths !== undefined ? { imagePaths } : {}) });
    }
  });
  return [...byId.values()];
}

/**
 * Does an ImagePaths entry select the template at `sourcePath`? Equal paths (a file; `.json` may be left out), or
 * the entry is a folder above it. Whole segments, case-insensitive, either slash.
 */
export function imagePathMatches(entry: string, sourcePath: string): boolean {
  const entrySegments = segments(entry);
  const pathSegments = segments(sourcePath);
  if (entrySegments.length === 0 || entrySegments.length > pathSegments.length) return false;
  const withoutJson = (segment: string) => segment.replace(/\.json$/, "");
  return entrySegments.every((segment, index) => {
    const other = pathSegments[index] ?? "";
    if (segment === other) return true;
    // The last entry segment may name the template without its extension.
    return index === entrySegments.length - 1 && index === pathSegments.length - 1 && withoutJson(segment) === withoutJson(other);
  });
}

/** True when a lab of the labs file should receive the template at sourcePath (no ImagePaths = every template). */
export function labWantsImage(entry: Pick<LabsFileEntry, "imagePaths">, sourcePath: string | undefined): boolean {
  if (entry.imagePaths === undefined) return true;
  if (sourcePath === undefined) return false;
  return entry.imagePaths.some((path) => imagePathMatches(path, sourcePath));
}

function segments(path: string): string[] {
  return normalizeTemplatePath(path).toLowerCase().split("/").filter((segment) => segment !== "");
}

function checkName(name: string, kind: "lab" | "resourceGroup", fail: (problem: string) => never): void {
  const rule = NAME_RULES[kind];
  if (name.length > rule.maxLength || !rule.check(name)) fail(`'${shown(name)}' is not a valid ${rule.what} (${rule.rule}).`);
}

function property(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: string): string {
  return neutralizeUntrustedText(value, { maxLength: 100 });
}
