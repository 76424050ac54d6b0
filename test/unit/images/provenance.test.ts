import { strict as assert } from "node:assert";
import {
  familyKeyFor,
  familyOf,
  imageTime,
  isProtected,
  normalizeTemplatePath,
  pickProvenanceTags,
  PROTECT_TAG,
  PROVENANCE_TAGS,
  provenanceFingerprint,
  provenanceTags,
  readProvenance,
  sameProvenance,
  tagValue,
  templateContentHash,
} from "../../../src/images/provenance";

describe("images: provenance tags", () => {
  const created = new Date("2026-11-01T10:00:00Z");
  const tags = provenanceTags({ sourcePath: "Win2016\\Datacenter.json", templateText: "{}\r\n", buildId: "42", commit: "abc123", created });

  it("writes the family, path, hash, build, commit and time under the names defined once", () => {
    assert.deepEqual(tags, {
      "ImageFactory.Family": "win2016/datacenter",
      "ImageFactory.SourcePath": "Win2016/Datacenter.json",
      "ImageFactory.ContentHash": templateContentHash("{}\n"),
      "ImageFactory.Created": "2026-11-01T10:00:00.000Z",
      "ImageFactory.BuildId": "42",
      "ImageFactory.Commit": "abc123",
    });
    assert.equal(PROTECT_TAG, "ImageFactory.Protect");
  });

  it("hashes template text the same with a BOM or CRLF line endings", () => {
    assert.equal(templateContentHash("\uFEFFa\r\nb\r\n"), templateContentHash("a\nb\n"));
    assert.notEqual(templateContentHash("a\nb"), templateContentHash("a\nc"));
    assert.match(templateContentHash(""), /^sha256:[0-9a-f]{64}$/);
  });

  it("derives family keys from paths: normalised, lower case, without .json, within the tag value limit", () => {
    assert.equal(familyKeyFor("./Win2016//SQLServer 2016 Express.json"), "win2016/sqlserver 2016 express");
    assert.equal(familyKeyFor("/Linux/Ubuntu"), "linux/ubuntu");
    const long = familyKeyFor(`${"a".repeat(300)}.json`);
    assert.equal(long.length, 256);
    assert.notEqual(long, familyKeyFor(`${"a".repeat(299)}b.json`), "long keys stay distinct");
    assert.equal(normalizeTemplatePath("a\\b/./c"), "a/b/c");
  });

  it("reads tags case-insensitively and ignores images without a family tag", () => {
    assert.equal(tagValue({ "imagefactory.family": "x" }, PROVENANCE_TAGS.family), "x");
    assert.deepEqual(readProvenance({ "IMAGEFACTORY.FAMILY": " Win " , "imagefactory.buildid": "7" }), { family: "Win", buildId: "7" });
    assert.equal(readProvenance({ "ImageFactory.BuildId": "7" }), undefined);
    assert.equal(readProvenance({ "ImageFactory.Family": "  " }), undefined);
    assert.equal(familyOf({ "ImageFactory.Family": "Win2016/DC" }), "win2016/dc");
    assert.equal(familyOf(undefined), undefined);
  });

  it("picks only provenance tags to copy", () => {
    assert.deepEqual(pickProvenanceTags({ ...tags, team: "qa", [PROTECT_TAG]: "yes" }), tags);
  });

  it("treats any value of the protect tag as protection", () => {
    assert.equal(isProtected({ "imagefactory.protect": "" }), true);
    assert.equal(isProtected({ [PROTECT_TAG]: "false" }), true);
    assert.equal(isProtected({ team: "qa" }), false);
    assert.equal(isProtected(undefined), false);
  });

  it("orders by the provenance time when it is valid, else DTL's creation date", () => {
    assert.deepEqual(imageTime(tags, new Date("2020-01-01T00:00:00Z")), created);
    assert.deepEqual(imageTime({ [PROVENANCE_TAGS.created]: "yesterday" }, "2026-01-02T03:04:05+00:00"), new Date("2026-01-02T03:04:05Z"));
    assert.equal(imageTime({ [PROVENANCE_TAGS.created]: "1" }), undefined, "a bare number is no time");
    assert.equal(imageTime(undefined, new Date(Number.NaN)), undefined);
  });

  it("identifies an image by its provenance, or by its origin when it has none", () => {
    const copy = { ...tags, [PROVENANCE_TAGS.origin]: "guid-1", "ImageFactory.family": "WIN2016/DATACENTER" };
    assert.equal(sameProvenance(tags, copy), true, "origin and family case do not matter for factory images");
    assert.equal(sameProvenance(tags, { ...tags, "ImageFactory.BuildId": "43" }), false);
    assert.equal(sameProvenance({ [PROVENANCE_TAGS.origin]: "G1" }, { [PROVENANCE_TAGS.origin]: "g1" }), true);
    assert.equal(sameProvenance({ [PROVENANCE_TAGS.origin]: "g1" }, { [PROVENANCE_TAGS.origin]: "g2" }), false);
    assert.equal(sameProvenance({}, {}), false, "no provenance is never the same");
    assert.equal(provenanceFingerprint({ team: "qa" }), undefined);
  });
});
