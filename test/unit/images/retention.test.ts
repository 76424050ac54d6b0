import { strict as assert } from "node:assert";
import fc from "fast-check";
import { PROTECT_TAG, PROVENANCE_TAGS } from "../../../src/images/provenance";
import { selectForRetirement, type RetentionCandidate, type RetentionPolicy } from "../../../src/images/retention";

const NOW = new Date("2026-11-20T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const image = (name: string, options: { family?: string; daysAgo?: number; protect?: boolean; state?: string; creationDaysAgo?: number } = {}): RetentionCandidate => ({
  id: `/lab/customimages/${name}`,
  name,
  tags: {
    ...(options.family !== undefined ? { [PROVENANCE_TAGS.family]: options.family } : {}),
    ...(options.daysAgo !== undefined ? { [PROVENANCE_TAGS.created]: new Date(NOW.getTime() - options.daysAgo * DAY).toISOString() } : {}),
    ...(options.protect ? { [PROTECT_TAG]: "yes" } : {}),
  },
  ...(options.creationDaysAgo !== undefined ? { creationDate: new Date(NOW.getTime() - options.creationDaysAgo * DAY) } : {}),
  ...(options.state ? { provisioningState: options.state } : {}),
});
const deleted = (images: RetentionCandidate[], policy: Omit<RetentionPolicy, "now">) =>
  selectForRetirement(images, { ...policy, now: NOW })
    .filter((d) => d.action === "delete")
    .map((d) => d.image.name)
    .sort();

describe("images: retention (which images retire)", () => {
  const win = [image("w1", { family: "win", daysAgo: 40 }), image("w2", { family: "win", daysAgo: 20 }), image("w3", { family: "win", daysAgo: 5 }), image("w4", { family: "win", daysAgo: 1 })];

  it("keeps the newest N of each family", () => {
    assert.deepEqual(deleted(win, { keepNewest: 2, deleteLastImage: false }), ["w1", "w2"]);
    assert.deepEqual(deleted(win, { keepNewest: 10, deleteLastImage: false }), []);
  });

  it("with an age too, deletes only images beyond the newest N that are older than it", () => {
    assert.deepEqual(deleted(win, { keepNewest: 1, maxAgeDays: 10, deleteLastImage: false }), ["w1", "w2"]);
    assert.deepEqual(deleted(win, { keepNewest: 1, maxAgeDays: 30, deleteLastImage: false }), ["w1"]);
    assert.deepEqual(deleted(win, { maxAgeDays: 3, deleteLastImage: false }), ["w1", "w2", "w3"]);
  });

  it("never touches images without the family tag or with the protect tag, whatever their names and ages", () => {
    const images = [...win, image("w0"), image("w-old-protected", { family: "win", daysAgo: 400, protect: true })];
    const decisions = selectForRetirement(images, { keepNewest: 0, deleteLastImage: true, now: NOW });
    assert.equal(decisions.find((d) => d.image.name === "w0")?.reason, "foreign");
    assert.equal(decisions.find((d) => d.image.name === "w-old-protected")?.reason, "protected");
    assert.deepEqual(deleted(images, { keepNewest: 0, deleteLastImage: true }), ["w1", "w2", "w3", "w4"]);
  });

  it("counts protected images among the newest but never deletes them", () => {
    const images = [image("p", { family: "f", daysAgo: 1, protect: true }), image("a", { family: "f", daysAgo: 2 }), image("b", { family: "f", daysAgo: 3 })];
    assert.deepEqual(deleted(images, { keepNewest: 2, deleteLastImage: false }), ["b"]);
  });

  it("never deletes a family's last image unless told to; then the newest selected one stays", () => {
    const old = [image("o1", { family: "f", daysAgo: 100 }), image("o2", { family: "f", daysAgo: 90 })];
    assert.deepEqual(deleted(old, { maxAgeDays: 30, deleteLastImage: false }), ["o1"]);
    assert.equal(selectForRetirement(old, { maxAgeDays: 30, deleteLastImage: false, now: NOW }).find((d) => d.image.name === "o2")?.reason, "lastImage");
    assert.deepEqual(deleted(old, { maxAgeDays: 30, deleteLastImage: true }), ["o1", "o2"]);
    assert.deepEqual(deleted([...old, image("busy", { family: "f", state: "Creating" })], { maxAgeDays: 30, deleteLastImage: false }), ["o1", "o2"], "an image still being created remains");
  });

  it("groups families case-insensitively, filters them, and leaves images that are not in a final state alone", () => {
    const images = [image("a", { family: "Win", daysAgo: 9 }), image("b", { family: "WIN", daysAgo: 8 }), image("c", { family: "linux", daysAgo: 50 }), image("d", { family: "linux", daysAgo: 60, state: "Failed" })];
    assert.deepEqual(deleted(images, { keepNewest: 1, deleteLastImage: true, family: /^win$/i }), ["a"]);
    const decisions = selectForRetirement(images, { keepNewest: 0, deleteLastImage: true, now: NOW });
    assert.equal(decisions.find((d) => d.image.name === "d")?.reason, "notReady");
    assert.equal(decisions.find((d) => d.image.name === "c")?.action, "delete");
  });

  it("uses DTL's creation date without a provenance time, and never deletes an image of unknown age for its age", () => {
    const images = [image("dated", { family: "f", creationDaysAgo: 50 }), image("undated", { family: "f" }), image("new", { family: "f", daysAgo: 1 })];
    assert.deepEqual(deleted(images, { maxAgeDays: 10, deleteLastImage: true }), ["dated"]);
    const ranked = selectForRetirement(images, { keepNewest: 1, deleteLastImage: true, now: NOW });
    assert.equal(ranked.find((d) => d.image.name === "undated")?.rank, 0, "an image without a time counts as newest");
  });

  it("breaks ties between equally new images by name, the same way every run", () => {
    const tied = [image("b", { family: "f", daysAgo: 3 }), image("a", { family: "f", daysAgo: 3 })];
    assert.deepEqual(deleted(tied, { keepNewest: 1, deleteLastImage: false }), ["a"]);
    assert.deepEqual(deleted([...tied].reverse(), { keepNewest: 1, deleteLastImage: false }), ["a"]);
  });

  it("rejects a policy without a rule", () => {
    assert.throws(() => selectForRetirement([], { deleteLastImage: false, now: NOW }), /keepNewest, maxAgeDays or both/);
    assert.throws(() => selectForRetirement([], { keepNewest: -1, deleteLastImage: false, now: NOW }), /keepNewest/);
  });

  describe("properties over random image sets", () => {
    const families = ["win", "linux", "WIN", "sql"];
    const candidate = fc.record({
      family: fc.option(fc.constantFrom(...families), { nil: undefined }),
      // Few distinct days, so equal times (ties at the keep boundary) are common.
      daysAgo: fc.option(fc.integer({ min: -2, max: 40 }), { nil: undefined }),
      creationDaysAgo: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      protect: fc.boolean(),
      state: fc.constantFrom(undefined, "Succeeded", "succeeded", "Creating", "Failed", "Deleting"),
    });
    const imageSet = fc.array(candidate, { maxLength: 25 }).map((specs) => specs.map((spec, index) => image(`img-${index}`, { ...spec, ...(spec.state ? { state: spec.state } : {}) })));
    const policy = fc
      .record({
        keepNewest: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        maxAgeDays: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        deleteLastImage: fc.boolean(),
        familyFilter: fc.option(fc.constantFrom("win", "linux"), { nil: undefined }),
      })
      .filter((p) => p.keepNewest !== undefined || p.maxAgeDays !== undefined);
    const familyKey = (img: RetentionCandidate) => img.tags?.[PROVENANCE_TAGS.family]?.toLowerCase();
    const time = (img: RetentionCandidate) => {
      const tagged = img.tags?.[PROVENANCE_TAGS.created];
      if (tagged) return Date.parse(tagged);
      return img.creationDate instanceof Date ? img.creationDate.getTime() : Number.POSITIVE_INFINITY;
    };
    const ready = (img: RetentionCandidate) => (img.provisioningState ?? "Succeeded").toLowerCase() === "succeeded";

    it("never deletes a foreign, protected, unready, newest-N or too-young image; the last-image rule holds", () => {
      fc.assert(
        fc.property(imageSet, policy, (images, p) => {
          const rules: RetentionPolicy = {
            ...(p.keepNewest !== undefined ? { keepNewest: p.keepNewest } : {}),
            ...(p.maxAgeDays !== undefined ? { maxAgeDays: p.maxAgeDays } : {}),
            deleteLastImage: p.deleteLastImage,
            ...(p.familyFilter ? { family: new RegExp(`^${p.familyFilter}$`, "i") } : {}),
            now: NOW,
          };
          const decisions = selectForRetirement(images, rules);
          assert.equal(decisions.length, images.length);
          const gone = new Set(decisions.filter((d) => d.action === "delete").map((d) => d.image));
          for (const img of gone) {
            const family = familyKey(img);
            assert.ok(family !== undefined, "a foreign image was deleted");
            assert.ok(!img.tags?.[PROTECT_TAG] && img.tags?.[PROTECT_TAG] !== "", "a protected image was deleted");
            assert.ok(ready(img), "an image not in a final state was deleted");
            if (p.familyFilter) assert.equal(family, p.familyFilter, "an image of another family was deleted");
            if (p.keepNewest !== undefined) {
              // Images as new as this one count too: of equals, any may be the one kept.
              const newer = images.filter((other) => other !== img && familyKey(other) === family && ready(other) && time(other) >= time(img));
              assert.ok(newer.length >= p.keepNewest, `one of the ${p.keepNewest} newest was deleted`);
            }
            if (p.maxAgeDays !== undefined) {
              const t = time(img);
              assert.ok(Number.isFinite(t) && (NOW.getTime() - t) / DAY > p.maxAgeDays, "an image younger than the age limit was deleted");
            }
          }
          if (!p.deleteLastImage) {
            for (const family of new Set(images.map(familyKey).filter((f) => f !== undefined))) {
              const members = images.filter((img) => familyKey(img) === family);
              assert.ok(members.some((img) => !gone.has(img)), `the family ${family} lost its last image`);
            }
          }
        }),
        { numRuns: 500 },
      );
    });

    it("is deterministic and independent of the order the lab lists images in", () => {
      fc.assert(
        fc.property(imageSet, policy, fc.integer(), (images, p, seed) => {
          const rules: RetentionPolicy = { keepNewest: p.keepNewest, maxAgeDays: p.maxAgeDays, deleteLastImage: p.deleteLastImage, now: NOW };
          const once = new Set(selectForRetirement(images, rules).filter((d) => d.action === "delete").map((d) => d.image.name));
          const shuffled = [...images].sort((a, b) => ((a.name.length * 31 + seed) % 7) - ((b.name.length * 17 + seed) % 7) || a.name.localeCompare(b.name) * (seed % 2 === 0 ? 1 : -1));
          const twice = new Set(selectForRetirement(shuffled, rules).filter((d) => d.action === "delete").map((d) => d.image.name));
          assert.deepEqual([...twice].sort(), [...once].sort());
        }),
        { numRuns: 300 },
      );
    });
  });
});
