// Which custom images a task works on: listed by id or name, or chosen from a lab by a name pattern and/or a tag
// filter. Parsed and checked without Azure; matching is pure.
import { customImageId, parseCustomImageId, type CustomImageRef } from "../azure/ids";
import { validateCustomImageName } from "../azure/names";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { InputError } from "../errors";
import { tagValue, type Tags } from "./provenance";

export interface ImageSelection {
  /** Images named by resource id. */
  ids: (CustomImageRef & { id: string })[];
  /** Images named by name, in the source lab. */
  names: string[];
  /** Name glob (`*`, `?`), as given and compiled. */
  namePattern?: { text: string; regex: RegExp };
  /** Tag filter: the tag must exist, and when a value pattern is given, match it. */
  tag?: { name: string; valuePattern?: { text: string; regex: RegExp } };
}

export interface ImageSelectionInputs {
  images?: string;
  namePattern?: string;
  tagFilter?: string;
  /** Input names, for errors. */
  names: { images: string; namePattern: string; tagFilter: string };
}

const GLOB_NAME = /^[A-Za-z0-9_.*?-]+$/;

/** A case-insensitive, anchored regular expression for a glob with `*` and `?`. */
export function globToRegex(glob: string): RegExp {
  const body = [...glob].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, "i");
}

/** Entries of a list input: one per line, or separated by commas or semicolons; blank lines and `#` comments skipped. */
export function listEntries(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .flatMap((line) => line.split(/[,;]/))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** Parses the selection inputs; at least one of them must be given. */
export function parseImageSelection(inputs: ImageSelectionInputs): ImageSelection {
  const { names } = inputs;
  const selection: ImageSelection = { ids: [], names: [] };
  const seen = new Set<string>();
  for (const entry of listEntries(inputs.images)) {
    if (entry.startsWith("/")) {
      const ref = parseCustomImageId(entry, names.images);
      const id = customImageId(ref);
      validateCustomImageName(ref.imageName, { input: names.images });
      if (seen.has(id.toLowerCase())) continue;
      seen.add(id.toLowerCase());
      selection.ids.push({ ...ref, id });
    } else {
      validateCustomImageName(entry, { input: names.images });
      if (seen.has(`name:${entry.toLowerCase()}`)) continue;
      seen.add(`name:${entry.toLowerCase()}`);
      selection.names.push(entry);
    }
  }
  const pattern = inputs.namePattern?.trim();
  if (pattern) {
    if (pattern.length > 80 || !GLOB_NAME.test(pattern)) {
      throw new InputError(names.namePattern, `'${shown(pattern)}' is not a name pattern: use letters, digits, '_', '-', '.' and the wildcards '*' (any characters) and '?' (one character), at most 80 characters, e.g. win2022-*.`);
    }
    selection.namePattern = { text: pattern, regex: globToRegex(pattern) };
  }
  const filter = inputs.tagFilter?.trim();
  if (filter) selection.tag = parseTagFilter(filter, names.tagFilter);
  if (selection.ids.length === 0 && selection.names.length === 0 && !selection.namePattern && !selection.tag) {
    throw new InputError(
      names.images,
      `is required unless '${names.namePattern}' or '${names.tagFilter}' is given: list custom image ids or names (one per line), e.g. $(customImageId) from a capture step, or choose images by pattern.`,
    );
  }
  return selection;
}

/** `name` (the tag exists) or `name=value`, where the value may hold `*` and `?`. */
export function parseTagFilter(text: string, input: string): NonNullable<ImageSelection["tag"]> {
  const eq = text.indexOf("=");
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  if (name === "" || name.length > 512 || /[<>%&\\?/*]/.test(name)) {
    throw new InputError(input, `'${shown(text)}' is not a tag filter: use name or name=value (the value may use * and ?), e.g. ImageFactory.Family=win2016/*. A tag name has at most 512 characters and none of < > % & \\ ? / *.`);
  }
  if (eq < 0) return { name };
  const value = text.slice(eq + 1).trim();
  if (value === "" || value.length > 256) throw new InputError(input, `the tag filter '${shown(text)}' needs a value of 1 to 256 characters after '=' (or no '=' to ask only that the tag exists).`);
  return { name, valuePattern: { text: value, regex: globToRegex(value) } };
}

/** Does an image chosen by pattern match the name pattern and tag filter (both when both are given)? */
export function matchesPatterns(image: { name?: string; tags?: Tags }, selection: Pick<ImageSelection, "namePattern" | "tag">): boolean {
  if (!selection.namePattern && !selection.tag) return false;
  if (selection.namePattern && !selection.namePattern.regex.test(image.name ?? "")) return false;
  if (selection.tag) {
    const value = tagValue(image.tags, selection.tag.name);
    if (value === undefined) return false;
    if (selection.tag.valuePattern && !selection.tag.valuePattern.regex.test(value)) return false;
  }
  return true;
}

/** Whether resolving the selection needs the source lab (names and patterns are looked up there). */
export function selectionNeedsLab(selection: ImageSelection): boolean {
  return selection.names.length > 0 || selection.namePattern !== undefined || selection.tag !== undefined;
}

function shown(value: string): string {
  return neutralizeUntrustedText(value, { maxLength: 100 });
}
