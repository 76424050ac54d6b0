// Which custom images of one lab retention deletes. Pure: the same images, policy and time give the same answer.
//
// Rules, in order:
// - an image without the factory's family tag is never touched (Microsoft's scripts deleted images they had not
//   made); neither is one with the protect tag, one of another family than asked for, or one not in a final state;
// - within a family (by tag, not by name prefix), images are ordered newest first by their provenance time (else
//   DTL's creation date; an image with neither counts as newest, so it is never the one deleted for its age);
// - the newest `keepNewest` stay; of the rest, those older than `maxAgeDays` go (with only one of the two given,
//   that one decides);
// - unless `deleteLastImage`, a family never loses its last image: the newest one selected is kept instead.
import { familyOf, imageTime, isProtected, type Tags } from "./provenance";

export interface RetentionCandidate {
  id: string;
  name: string;
  tags?: Tags;
  /** DTL's creation date. */
  creationDate?: Date | string;
  provisioningState?: string;
}

export interface RetentionPolicy {
  /** Keep this many newest images of each family. */
  keepNewest?: number;
  /** Delete images older than this many days (that are not among the newest kept). */
  maxAgeDays?: number;
  /** Allow deleting a family's only remaining image. */
  deleteLastImage: boolean;
  /** Only families whose key matches (case-insensitive); every family when undefined. */
  family?: RegExp;
  now: Date;
}

export type RetentionReason =
  | "foreign"
  | "protected"
  | "otherFamily"
  | "notReady"
  | "newest"
  | "young"
  | "unknownAge"
  | "lastImage"
  | "beyondNewest"
  | "tooOld";

export interface RetentionDecision {
  image: RetentionCandidate;
  action: "delete" | "keep";
  reason: RetentionReason;
  /** The family key (lower case), when the image has one. */
  family?: string;
  /** Position in its family, newest first (0 = newest), for ranked images. */
  rank?: number;
  time?: Date;
  /** One line for the log: why. */
  explanation: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function checkRetentionPolicy(policy: RetentionPolicy): void {
  if (policy.keepNewest === undefined && policy.maxAgeDays === undefined) throw new RangeError("A retention policy needs keepNewest, maxAgeDays or both.");
  if (policy.keepNewest !== undefined && (!Number.isInteger(policy.keepNewest) || policy.keepNewest < 0)) throw new RangeError(`keepNewest must be a whole number >= 0, got ${policy.keepNewest}`);
  if (policy.maxAgeDays !== undefined && !(policy.maxAgeDays >= 0)) throw new RangeError(`maxAgeDays must be >= 0, got ${policy.maxAgeDays}`);
}

/** One decision per image, in the order given. */
export function selectForRetirement(images: readonly RetentionCandidate[], policy: RetentionPolicy): RetentionDecision[] {
  checkRetentionPolicy(policy);
  const decisions = new Map<RetentionCandidate, RetentionDecision>();
  const families = new Map<string, RetentionCandidate[]>();
  const keep = (image: RetentionCandidate, reason: RetentionReason, explanation: string, family?: string) =>
    decisions.set(image, { image, action: "keep", reason, explanation, ...(family !== undefined ? { family } : {}) });

  for (const image of images) {
    const family = familyOf(image.tags);
    if (family === undefined) {
      keep(image, "foreign", "not made by the image factory (no family tag): never touched");
      continue;
    }
    if (policy.family && !policy.family.test(family)) {
      keep(image, "otherFamily", `family '${family}' is not the one asked for`, family);
      continue;
    }
    const members = families.get(family) ?? [];
    members.push(image);
    families.set(family, members);
  }

  for (const [family, members] of families) {
    const ranked: { image: RetentionCandidate; time?: Date }[] = [];
    for (const image of members) {
      const state = (image.provisioningState ?? "Succeeded").toLowerCase();
      if (state !== "succeeded") {
        keep(image, "notReady", `its provisioning state is ${image.provisioningState ?? "unknown"}: left alone`, family);
        continue;
      }
      ranked.push({ image, time: imageTime(image.tags, image.creationDate) });
    }
    ranked.sort(newestFirst);
    const selected: RetentionDecision[] = [];
    ranked.forEach(({ image, time }, rank) => {
      const base = { image, family, rank, ...(time ? { time } : {}) };
      const put = (action: "keep" | "delete", reason: RetentionReason, explanation: string) => {
        const decision: RetentionDecision = { ...base, action, reason, explanation };
        decisions.set(image, decision);
        if (action === "delete") selected.push(decision);
      };
      if (isProtected(image.tags)) return put("keep", "protected", "has the protect tag: never deleted");
      if (policy.keepNewest !== undefined && rank < policy.keepNewest) return put("keep", "newest", `one of the ${policy.keepNewest} newest of its family`);
      if (policy.maxAgeDays !== undefined) {
        if (time === undefined) return put("keep", "unknownAge", "its age is unknown (no build time or creation date)");
        const ageDays = (policy.now.getTime() - time.getTime()) / DAY_MS;
        if (ageDays <= policy.maxAgeDays) return put("keep", "young", `${formatDays(ageDays)} old, not older than ${policy.maxAgeDays} days`);
        const why = `${formatDays(ageDays)} old, older than ${policy.maxAgeDays} days`;
        return put("delete", "tooOld", policy.keepNewest !== undefined ? `not among the ${policy.keepNewest} newest and ${why}` : why);
      }
      return put("delete", "beyondNewest", `not among the ${policy.keepNewest ?? 0} newest of its family`);
    });
    // The family's last image: every member (ranked or not, protected or not) would be gone.
    if (!policy.deleteLastImage && selected.length > 0 && selected.length === members.length) {
      const spared = selected[0];
      if (spared) {
        decisions.set(spared.image, { ...spared, action: "keep", reason: "lastImage", explanation: "the only image of its family that would remain: kept (allow deleting the last image to remove it)" });
      }
    }
  }
  return images.map((image) => decisions.get(image) ?? { image, action: "keep", reason: "foreign", explanation: "not considered" });
}

/** Newest first; an image without a time counts as newest; ties by name, then id, descending (stable across runs). */
function newestFirst(a: { image: RetentionCandidate; time?: Date }, b: { image: RetentionCandidate; time?: Date }): number {
  const at = a.time?.getTime() ?? Number.POSITIVE_INFINITY;
  const bt = b.time?.getTime() ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at > bt ? -1 : 1;
  const byName = b.image.name.localeCompare(a.image.name);
  return byName !== 0 ? byName : b.image.id.localeCompare(a.image.id);
}

function formatDays(days: number): string {
  if (days < 1) return `${Math.max(0, Math.round(days * 24))} h`;
  return `${Math.floor(days)} days`;
}
