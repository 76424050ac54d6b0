// Provenance tags: how the image factory marks the custom images it makes, defined once here. Retention trusts
// only these tags (never a name prefix), and distribution copies them to every lab so that a copy can be
// recognised as the same image. Tag names compare case-insensitively, as Azure treats them.
import { createHash } from "node:crypto";

/** The tags the factory writes on every custom image it makes or copies. */
export const PROVENANCE_TAGS = {
  /** The image family: which golden image template this is a generation of. Retention groups by it. */
  family: "ImageFactory.Family",
  /** The template's path below the golden images folder, with forward slashes: `Win2016/Datacenter.json`. */
  sourcePath: "ImageFactory.SourcePath",
  /** `sha256:<hex>` of the template's text (byte-order mark removed, line endings as LF). */
  contentHash: "ImageFactory.ContentHash",
  /** The pipeline run that built the image (Build.BuildId). */
  buildId: "ImageFactory.BuildId",
  /** The commit the template came from (Build.SourceVersion). */
  commit: "ImageFactory.Commit",
  /** When the image was built, ISO 8601 UTC. Retention orders a family by it; copies keep it. */
  created: "ImageFactory.Created",
  /** The `uniqueIdentifier` of the image the first copy was made from; every copy of a copy keeps it. */
  origin: "ImageFactory.Origin",
} as const;

/** An image with this tag (any value) is never deleted by retention. */
export const PROTECT_TAG = "ImageFactory.Protect";

export type ProvenanceKey = keyof typeof PROVENANCE_TAGS;
export type Tags = Readonly<Record<string, string | undefined>>;

/** The provenance an image's tags carry. */
export interface Provenance {
  family: string;
  sourcePath?: string;
  contentHash?: string;
  buildId?: string;
  commit?: string;
  /** As written in the tag. */
  created?: string;
  origin?: string;
}

export interface ProvenanceInput {
  /** Path of the template below the golden images folder (either slash). */
  sourcePath: string;
  /** The template's text, hashed into contentHash. */
  templateText: string;
  buildId?: string;
  commit?: string;
  created: Date;
  /** Default: derived from sourcePath (familyKeyFor). */
  family?: string;
}

/** Azure's limit on a tag value. */
const MAX_TAG_VALUE = 256;

/** The value of a tag, its name matched case-insensitively. */
export function tagValue(tags: Tags | undefined, name: string): string | undefined {
  if (!tags) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(tags)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** A template path with forward slashes, no leading `./` or `/`, no empty segments. */
export function normalizeTemplatePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

/** The family key of a template path: normalised, lower case, without `.json`; at most 256 characters. */
export function familyKeyFor(sourcePath: string): string {
  const key = normalizeTemplatePath(sourcePath).toLowerCase().replace(/\.json$/, "");
  if (key.length <= MAX_TAG_VALUE) return key;
  // Keep it unique and within the tag limit: a readable head and a hash of the whole path.
  return `${key.slice(0, MAX_TAG_VALUE - 17)}~${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

/** `sha256:<hex>` of a template's text; a checkout with CRLF line endings or a BOM hashes the same. */
export function templateContentHash(text: string): string {
  const canonical = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  return `sha256:${createHash("sha256").update(canonical, "utf8").digest("hex")}`;
}

/** The tags the factory writes on an image it built. */
export function provenanceTags(input: ProvenanceInput): Record<string, string> {
  const sourcePath = normalizeTemplatePath(input.sourcePath);
  const tags: Record<string, string> = {
    [PROVENANCE_TAGS.family]: input.family ?? familyKeyFor(sourcePath),
    [PROVENANCE_TAGS.sourcePath]: sourcePath.slice(0, MAX_TAG_VALUE),
    [PROVENANCE_TAGS.contentHash]: templateContentHash(input.templateText),
    [PROVENANCE_TAGS.created]: input.created.toISOString(),
  };
  if (input.buildId) tags[PROVENANCE_TAGS.buildId] = input.buildId.slice(0, MAX_TAG_VALUE);
  if (input.commit) tags[PROVENANCE_TAGS.commit] = input.commit.slice(0, MAX_TAG_VALUE);
  return tags;
}

/** The provenance in an image's tags, or undefined when it has no family tag (the factory did not make it). */
export function readProvenance(tags: Tags | undefined): Provenance | undefined {
  const family = tagValue(tags, PROVENANCE_TAGS.family)?.trim();
  if (!family) return undefined;
  const provenance: Provenance = { family };
  for (const key of Object.keys(PROVENANCE_TAGS) as ProvenanceKey[]) {
    if (key === "family") continue;
    const value = tagValue(tags, PROVENANCE_TAGS[key])?.trim();
    if (value) provenance[key] = value;
  }
  return provenance;
}

/** Only the provenance tags of `tags` (names as defined here), e.g. to copy them to another image. */
export function pickProvenanceTags(tags: Tags | undefined): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of Object.values(PROVENANCE_TAGS)) {
    const value = tagValue(tags, name);
    if (value !== undefined && value !== "") picked[name] = value;
  }
  return picked;
}

/** True when the image carries the protect tag, whatever its value. */
export function isProtected(tags: Tags | undefined): boolean {
  return tagValue(tags, PROTECT_TAG) !== undefined;
}

/** The image family key of an image (case-folded for grouping), or undefined for an image the factory did not make. */
export function familyOf(tags: Tags | undefined): string | undefined {
  return readProvenance(tags)?.family.toLowerCase();
}

/** When the image was built: the provenance time when valid, else the time DTL recorded, else undefined. */
export function imageTime(tags: Tags | undefined, creationDate?: Date | string): Date | undefined {
  const tagged = tagValue(tags, PROVENANCE_TAGS.created);
  const fromTag = tagged ? parseTime(tagged) : undefined;
  if (fromTag) return fromTag;
  if (creationDate instanceof Date) return Number.isNaN(creationDate.getTime()) ? undefined : creationDate;
  return typeof creationDate === "string" ? parseTime(creationDate) : undefined;
}

function parseTime(text: string): Date | undefined {
  // ISO 8601 with a date; Date.parse alone would accept "1" or "March".
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const time = Date.parse(text.trim());
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * The identity of an image across labs. A factory image is identified by its provenance (family, path, hash,
 * build, commit, time); an image without provenance by the origin its copies carry.
 */
export function provenanceFingerprint(tags: Tags | undefined): string | undefined {
  const provenance = readProvenance(tags);
  if (provenance) {
    const { origin: _origin, ...identity } = provenance;
    return JSON.stringify(
      (Object.keys(identity) as (keyof typeof identity)[])
        .sort()
        .map((key) => [key, key === "family" ? identity[key].toLowerCase() : identity[key]]),
    );
  }
  const origin = tagValue(tags, PROVENANCE_TAGS.origin)?.trim().toLowerCase();
  return origin ? JSON.stringify([["origin", origin]]) : undefined;
}

/** Do two images' tags say they are the same image? False when either has no provenance at all. */
export function sameProvenance(a: Tags | undefined, b: Tags | undefined): boolean {
  const left = provenanceFingerprint(a);
  return left !== undefined && left === provenanceFingerprint(b);
}
