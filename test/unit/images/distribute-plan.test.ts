import { strict as assert } from "node:assert";
import type { CustomImage } from "@azure/arm-devtestlabs";
import { AzureOperationError, InputError } from "../../../src/errors";
import { accessDurationSeconds, describeSource, newestOfEachFamily, planPair, stagingBlobName, uploadsBlobOf } from "../../../src/images/distribute";
import { PROVENANCE_TAGS, provenanceTags } from "../../../src/images/provenance";
import { sasSecrets, withoutQuery } from "../../../src/images/services";
import { FACTORY, TEAM_A } from "./fakes";

const ref = { ...FACTORY, imageName: "golden" };
const snapshotId = `/subscriptions/${FACTORY.subscriptionId}/resourcegroups/factory-rg/providers/microsoft.compute/snapshots/golden`;
const provenance = provenanceTags({ sourcePath: "Win2016/Datacenter.json", templateText: "{}", buildId: "7", created: new Date("2026-11-01T00:00:00Z") });
const captured = (extra: Partial<CustomImage> = {}): CustomImage => ({
  name: "golden",
  provisioningState: "Succeeded",
  uniqueIdentifier: "0d9f3c1e-aaaa-bbbb-cccc-000000000001",
  managedSnapshotId: snapshotId,
  vm: { sourceVmId: `${FACTORY.id}/virtualmachines/vm1`, linuxOsInfo: { linuxOsState: "DeprovisionApplied" } },
  description: "Golden",
  tags: { ...provenance, team: "qa" },
  ...extra,
});

describe("images: planning a distribution", () => {
  describe("describeSource", () => {
    it("reads OS type, generalization, snapshot and the tags every copy gets", () => {
      const source = describeSource(ref, captured(), "images");
      assert.equal(source.osType, "Linux");
      assert.equal(source.generalized, true);
      assert.deepEqual(source.access, { kind: "snapshot", snapshot: { subscriptionId: FACTORY.subscriptionId, resourceGroup: "factory-rg", name: "golden", id: snapshotId } });
      assert.deepEqual(source.copyTags, { ...provenance, [PROVENANCE_TAGS.origin]: "0d9f3c1e-aaaa-bbbb-cccc-000000000001", CreatedBy: "dtl-image-factory" });
      assert.equal(source.sourcePath, "Win2016/Datacenter.json");
      assert.equal(source.description, "Golden");
    });

    it("keeps the origin of a copy, so a copy of a copy is the same image", () => {
      const copy = describeSource(ref, captured({ tags: { ...provenance, [PROVENANCE_TAGS.origin]: "first" }, uniqueIdentifier: "second" }), "images");
      assert.equal(copy.copyTags[PROVENANCE_TAGS.origin], "first");
    });

    it("knows Windows states, VHD images and their sysprep flag", () => {
      assert.equal(describeSource(ref, captured({ vm: { windowsOsInfo: { windowsOsState: "NonSysprepped" } } }), "images").generalized, false);
      assert.equal(describeSource(ref, captured({ vm: { windowsOsInfo: { windowsOsState: "SysprepRequested" } } }), "images").osType, "Windows");
      const vhd = describeSource(ref, captured({ vm: undefined, managedSnapshotId: undefined, vhd: { imageName: "https://lab1.blob.core.windows.net/uploads/base.vhd", osType: "Windows", sysPrep: true } }), "images");
      assert.deepEqual([vhd.osType, vhd.generalized, vhd.access], ["Windows", true, { kind: "vhd", lab: ref, blobName: "base.vhd", uri: "https://lab1.blob.core.windows.net/uploads/base.vhd" }]);
    });

    it("refuses images that are not ready, have no OS type or nothing to copy from", () => {
      assert.throws(() => describeSource(ref, captured({ provisioningState: "Creating" }), "images"), (e: unknown) => e instanceof AzureOperationError && /state Creating, not Succeeded/.test(e.message));
      assert.throws(() => describeSource(ref, captured({ vm: {} }), "images"), (e: unknown) => e instanceof InputError && e.input === "images" && /no OS type/.test(e.message));
      assert.throws(() => describeSource(ref, captured({ managedSnapshotId: undefined }), "images"), /neither a managed snapshot nor a VHD/);
      assert.throws(() => describeSource(ref, captured({ managedSnapshotId: `${FACTORY.id}/virtualmachines/vm1` }), "images"), /not a Microsoft\.Compute snapshot id/);
    });
  });

  it("finds the blob of a VHD in a lab's uploads container, on Azure and in path-style URLs", () => {
    assert.deepEqual(uploadsBlobOf("https://a1.blob.core.windows.net/uploads/dir/x%20y.vhd?sv=1"), { blobName: "dir/x y.vhd", uri: "https://a1.blob.core.windows.net/uploads/dir/x%20y.vhd" });
    assert.deepEqual(uploadsBlobOf("https://127.0.0.1:1000/devstoreaccount1/uploads-3f2a9c0d1b4e/base.vhd"), { blobName: "base.vhd", uri: "https://127.0.0.1:1000/devstoreaccount1/uploads-3f2a9c0d1b4e/base.vhd" });
    assert.deepEqual(uploadsBlobOf("/base.vhd"), { blobName: "base.vhd", uri: "/base.vhd" });
  });

  it("names the staged VHD stably per image, so a re-run overwrites what a killed run left", () => {
    const a = stagingBlobName({ name: "golden", fingerprint: "f1" });
    assert.equal(a, stagingBlobName({ name: "golden", fingerprint: "f1" }));
    assert.notEqual(a, stagingBlobName({ name: "golden", fingerprint: "f2" }));
    assert.match(a, /^imagefactory-golden-[0-9a-f]{12}\.vhd$/);
  });

  it("asks for read access long enough for every round of copies, within a day", () => {
    assert.equal(accessDurationSeconds(1, 3, 60_000), 3600, "at least an hour");
    assert.equal(accessDurationSeconds(7, 3, 3 * 3600_000), 3 * 3 * 3600 + 900);
    assert.equal(accessDurationSeconds(100, 1, 1440 * 60_000), 24 * 3600);
  });

  it("masks a SAS URL and its signature, as written and decoded", () => {
    assert.deepEqual(sasSecrets("https://x.blob.test/c/b?sp=r&sig=ab%2Bc%3D&se=1"), ["https://x.blob.test/c/b?sp=r&sig=ab%2Bc%3D&se=1", "ab%2Bc%3D", "ab+c="]);
    assert.deepEqual(sasSecrets("https://x.blob.test/c/b"), ["https://x.blob.test/c/b"]);
    assert.equal(withoutQuery("https://x.blob.test/c/b.vhd?sig=s"), "https://x.blob.test/c/b.vhd");
  });

  describe("planPair", () => {
    const source = describeSource(ref, captured(), "images");
    const target = { id: TEAM_A.id };
    const copyOf = (name: string, extra: Partial<CustomImage> = {}) => ({ id: `${TEAM_A.id}/customimages/${name}`, name, tags: source.copyTags, provisioningState: "Succeeded", ...extra });
    const options = { useImagePaths: true };

    it("copies when the lab has no such image", () => assert.deepEqual(planPair(source, target, [], options), { kind: "copy" }));
    it("skips the image's own lab", () => assert.deepEqual(planPair(source, { id: FACTORY.id.toLowerCase() }, [], options), { kind: "sourceLab" }));
    it("skips a lab whose ImagePaths do not name the template, unless told to ignore them", () => {
      assert.deepEqual(planPair(source, { ...target, imagePaths: ["Win2016R2"] }, [], options), { kind: "notWanted" });
      assert.deepEqual(planPair(source, { ...target, imagePaths: ["Win2016R2"] }, [], { useImagePaths: false }), { kind: "copy" });
      assert.deepEqual(planPair(source, { ...target, imagePaths: ["win2016"] }, [], options), { kind: "copy" });
    });
    it("finds a copy with the same provenance, by name or under another name", () => {
      assert.equal(planPair(source, target, [copyOf("golden")], options).kind, "present");
      assert.deepEqual(planPair(source, target, [copyOf("renamed")], options), { kind: "present", existing: "renamed", existingId: `${TEAM_A.id}/customimages/renamed` });
    });
    it("replaces a failed copy of this image, waits for one in progress, refuses someone else's image", () => {
      assert.deepEqual(planPair(source, target, [copyOf("golden", { provisioningState: "Failed" })], options), { kind: "replace", existing: "golden" });
      const busy = planPair(source, target, [copyOf("golden", { provisioningState: "Creating" })], options);
      assert.equal(busy.kind, "conflict");
      assert.match(busy.kind === "conflict" ? busy.reason : "", /in the state Creating/);
      const other = planPair(source, target, [copyOf("GOLDEN", { tags: { team: "qa" } })], options);
      assert.match(other.kind === "conflict" ? other.reason : "", /not a copy of this image/);
      const otherBuild = planPair(source, target, [copyOf("golden", { tags: { ...source.copyTags, [PROVENANCE_TAGS.buildId]: "8" } })], options);
      assert.equal(otherBuild.kind, "conflict", "another build of the family under the same name");
    });
  });

  it("keeps only the newest image of each family when asked; images without a family stay", () => {
    const item = (name: string, family: string | undefined, created: string): { image: Pick<CustomImage, "name" | "tags"> } => ({
      image: { name, tags: family ? { [PROVENANCE_TAGS.family]: family, [PROVENANCE_TAGS.created]: created } : {} },
    });
    const chosen = newestOfEachFamily([item("a1", "a", "2026-01-01T00:00:00Z"), item("a2", "A", "2026-02-01T00:00:00Z"), item("b1", "b", "2026-01-01T00:00:00Z"), item("x", undefined, "")]);
    assert.deepEqual(chosen.map((c) => c.image.name).sort(), ["a2", "b1", "x"]);
  });
});
