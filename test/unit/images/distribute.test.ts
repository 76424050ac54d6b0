// The distribution's orchestration against an in-memory Azure: what it writes, in which order, what it cleans up after
// success, failure and cancel, and how it shares and revokes read access.
import { strict as assert } from "node:assert";
import type { CustomImage } from "@azure/arm-devtestlabs";
import { AzureOperationError, InputError } from "../../../src/errors";
import { distributeImages, type DistributeOptions, type DistributionTarget } from "../../../src/images/distribute";
import { PROVENANCE_TAGS, provenanceTags } from "../../../src/images/provenance";
import { parseImageSelection } from "../../../src/images/selection";
import { FACTORY, FakeAzure, imagesContext, TEAM_A, TEAM_B, type Write } from "./fakes";

const inputs = { images: "images", namePattern: "imageNamePattern", tagFilter: "imageTagFilter" };
const SNAPSHOT = `/subscriptions/${FACTORY.subscriptionId}/resourceGroups/factory-rg/providers/Microsoft.Compute/snapshots/golden`;
const provenance = provenanceTags({ sourcePath: "Win2016/Datacenter.json", templateText: "{}", created: new Date("2026-11-01T00:00:00Z") });
const target = (lab: typeof TEAM_A, extra: Partial<DistributionTarget> = {}): DistributionTarget => ({ ...lab, input: "targetLabs", ...extra });
const ops = (writes: Write[], lab?: string) => writes.filter((w) => lab === undefined || w.target.includes(lab)).map((w) => w.op);

function setup(image: Partial<CustomImage> = {}) {
  const azure = new FakeAzure();
  azure.addLab(FACTORY);
  azure.addLab(TEAM_A, "westeurope");
  azure.addLab(TEAM_B, "eastus");
  const source = azure.addImage(FACTORY, {
    name: "golden",
    description: "Golden image",
    managedSnapshotId: SNAPSHOT,
    vm: { linuxOsInfo: { linuxOsState: "DeprovisionApplied" } },
    tags: { ...provenance, team: "qa" },
    ...image,
  });
  // The snapshot's disk, readable once access is granted.
  const options = (extra: Partial<DistributeOptions> = {}): DistributeOptions => ({
    selection: parseImageSelection({ images: source.id, names: inputs }),
    targets: [target(TEAM_A), target(TEAM_B)],
    maxParallel: 3,
    timeoutMs: 3_600_000,
    inputs,
    services: azure,
    ...extra,
  });
  return { azure, source, options };
}

describe("images: distributing (orchestration)", () => {
  it("shares one read grant, stages, copies and creates per lab, then deletes the staged blobs and revokes last", async () => {
    const { azure, options } = setup();
    const ctx = imagesContext();
    const result = await distributeImages(ctx, options());

    assert.deepEqual(result.outcomes.map((o) => [o.lab, o.status]), [["TeamLabA", "created"], ["TeamLabB", "created"]]);
    assert.deepEqual(result.createdImageIds, [`${TEAM_A.id}/customimages/golden`, `${TEAM_B.id}/customimages/golden`]);
    assert.deepEqual(result.failed, []);
    assert.equal(ops(azure.writes).filter((op) => op === "grantRead").length, 1);
    assert.equal(azure.writes.at(-1)?.op, "revoke", "access is revoked after the last copy");
    assert.deepEqual(azure.writes.at(-1)?.detail, { waitForCompletion: true });
    for (const lab of ["TeamLabA", "TeamLabB"]) {
      const mine = ops(azure.writes.filter((w) => w.op !== "grantRead" && w.op !== "revoke"), lab.toLowerCase());
      assert.deepEqual(mine, ["startCopy", "deleteBlob"], `${lab}: blob operations`);
      assert.deepEqual(ops(azure.writes, lab).filter((op) => op !== "startCopy" && op !== "deleteBlob"), ["generateUploadUri", "createImage"]);
      const create = azure.writes.findIndex((w) => w.op === "createImage" && w.target.startsWith(lab));
      const cleanup = azure.writes.findIndex((w) => w.op === "deleteBlob" && w.target.includes(lab.toLowerCase()));
      assert.ok(cleanup > create, `${lab}: the staged blob is deleted after the image was made from it`);
    }
    const body = azure.writes.find((w) => w.op === "createImage" && w.target.startsWith("TeamLabB"))?.detail as CustomImage;
    assert.equal(body.location, "eastus");
    assert.equal(body.description, "Golden image");
    assert.deepEqual(body.vhd, { imageName: "https://teamlabb.blob.test/uploads/" + String(body.vhd?.imageName).split("/").pop(), sysPrep: true, osType: "Linux" });
    assert.doesNotMatch(String(body.vhd?.imageName), /sig=/, "the image records the blob, not the SAS");
    assert.deepEqual(body.tags, { ...provenance, [PROVENANCE_TAGS.origin]: "uid-golden", CreatedBy: "dtl-image-factory" });
    assert.deepEqual(azure.stagedBlobs, []);
    assert.equal(azure.openGrants.size, 0);
    assert.ok(ctx.secrets.some((s) => s.startsWith("READ-SECRET")), "the read signature is registered");
    assert.equal(ctx.secrets.filter((s) => s.startsWith("UPLOAD-SECRET")).length, 2, "each upload signature is registered");
    assert.equal(ctx.recorded.progress.at(-1)?.percent, 100);
    assert.match(ctx.recorded.progress.at(-1)?.message ?? "", /2 of 2 copies finished/);
    assert.match(result.message, /Created 2 image copies, 0 already present, 0 skipped, 0 failed \(1 image to 2 labs\)/);
  });

  it("writes nothing when every lab has the image already", async () => {
    const { azure, options } = setup();
    await distributeImages(imagesContext(), options());
    azure.writes.length = 0;
    const again = await distributeImages(imagesContext(), options());
    assert.deepEqual(azure.writes, []);
    assert.deepEqual(again.createdImageIds, []);
    assert.deepEqual(again.targetImageIds, [`${TEAM_A.id}/customimages/golden`, `${TEAM_B.id}/customimages/golden`]);
  });

  it("when creating the image fails in one lab, removes it and the staged blob there; the other lab completes", async () => {
    const { azure, options } = setup();
    azure.failCreate = (image) => (image.labName === "TeamLabB" ? new Error("The disk could not be imported.") : undefined);
    const result = await distributeImages(imagesContext(), options());
    assert.deepEqual(result.outcomes.map((o) => o.status), ["created", "failed"]);
    assert.match(result.failed[0]?.detail ?? "", /could not be imported/);
    assert.deepEqual(ops(azure.writes, "TeamLabB/golden"), ["createImage", "deleteImage"]);
    assert.deepEqual(azure.images(TEAM_B), []);
    assert.deepEqual(azure.stagedBlobs, []);
    assert.equal(azure.openGrants.size, 0);
  });

  it("when the copy fails, creates no image and leaves nothing staged", async () => {
    const { azure, options } = setup();
    azure.failCopies = true;
    const result = await distributeImages(imagesContext(), options());
    assert.deepEqual(result.outcomes.map((o) => o.status), ["failed", "failed"]);
    assert.match(result.failed[0]?.detail ?? "", /reports the copy as failed \(500 InternalError: the source went away ##vso_\[task/);
    assert.ok(!ops(azure.writes).includes("createImage"));
    assert.deepEqual(azure.stagedBlobs, []);
    assert.equal(azure.openGrants.size, 0);
  });

  it("when read access cannot be granted, every copy fails and what was staged is removed", async () => {
    const { azure, options } = setup();
    azure.failGrant = new Error("The snapshot is being deleted.");
    const result = await distributeImages(imagesContext(), options());
    assert.deepEqual(result.outcomes.map((o) => o.status), ["failed", "failed"]);
    assert.ok(!ops(azure.writes).includes("startCopy"));
    assert.deepEqual(azure.stagedBlobs, []);
  });

  it("on cancel, aborts the running copies, removes the staged blobs and starts the revoke without waiting", async () => {
    const { azure, options } = setup();
    const controller = new AbortController();
    azure.hangCopies = true;
    let started = 0;
    azure.onCopyStart = () => {
      if (++started === 2) controller.abort();
    };
    const result = await distributeImages(imagesContext({ signal: controller.signal }), options());
    assert.equal(result.cancelled, true);
    assert.deepEqual(result.outcomes.map((o) => [o.status, o.detail]), [["failed", "cancelled"], ["failed", "cancelled"]]);
    assert.equal(ops(azure.writes).filter((op) => op === "abortCopy").length, 2);
    assert.ok(!ops(azure.writes).includes("createImage"));
    assert.deepEqual(azure.stagedBlobs, []);
    assert.deepEqual(azure.writes.find((w) => w.op === "revoke")?.detail, { waitForCompletion: false });
    assert.match(result.message, /^Cancelled/);
  });

  it("keeps to the bound on parallel copies", async () => {
    const { azure, options } = setup();
    azure.addLab({ subscriptionId: TEAM_A.subscriptionId, resourceGroup: "x-rg", labName: "Third", id: TEAM_A.id.replace("teams-rg", "x-rg").replace("TeamLabA", "Third") });
    const third = { subscriptionId: TEAM_A.subscriptionId, resourceGroup: "x-rg", labName: "Third", id: TEAM_A.id.replace("teams-rg", "x-rg").replace("TeamLabA", "Third") };
    const result = await distributeImages(imagesContext(), options({ maxParallel: 1, targets: [target(TEAM_A), target(TEAM_B), target(third)] }));
    assert.equal(result.createdImageIds.length, 3);
    assert.equal(azure.maxConcurrentCopies, 1);
  });

  it("reads a VHD image through the source lab's upload access, which has nothing to revoke", async () => {
    const { azure, options } = setup({ managedSnapshotId: undefined, vm: undefined, vhd: { imageName: "https://factorylab.blob.test/uploads/base.vhd", osType: "Windows", sysPrep: false } });
    azure.storage.set("https://factorylab.blob.test/uploads/base.vhd", { content: "vhd" });
    const result = await distributeImages(imagesContext(), options({ targets: [target(TEAM_A)] }));
    assert.deepEqual(result.outcomes.map((o) => o.status), ["created"]);
    assert.deepEqual(ops(azure.writes, "FactoryLab"), ["generateUploadUri"]);
    assert.ok(!ops(azure.writes).includes("grantRead") && !ops(azure.writes).includes("revoke"));
    assert.deepEqual((azure.writes.find((w) => w.op === "createImage")?.detail as CustomImage).vhd?.osType, "Windows");
    assert.deepEqual(azure.stagedBlobs, ["https://factorylab.blob.test/uploads/base.vhd"], "the source VHD stays, the staged copy is gone");
  });

  it("replaces a failed copy left by an earlier run, and refuses to touch someone else's image of that name", async () => {
    const { azure, options, source } = setup();
    const copyTags = { ...provenance, [PROVENANCE_TAGS.origin]: source.uniqueIdentifier ?? "" };
    azure.addImage(TEAM_A, { name: "golden", provisioningState: "Failed", tags: copyTags });
    azure.addImage(TEAM_B, { name: "golden", tags: { team: "theirs" }, description: "theirs" });
    const result = await distributeImages(imagesContext(), options());
    assert.deepEqual(result.outcomes.map((o) => [o.lab, o.status]), [["TeamLabA", "created"], ["TeamLabB", "failed"]]);
    assert.deepEqual(ops(azure.writes, "TeamLabA/golden"), ["deleteImage", "createImage"]);
    assert.deepEqual(ops(azure.writes, "TeamLabB"), [], "nothing is written to the lab with the clash");
    assert.match(result.failed[0]?.detail ?? "", /not a copy of this image/);
    assert.equal(azure.images(TEAM_B)[0]?.description, "theirs");
  });

  it("reports missing images and labs as input errors before any write", async () => {
    const { azure, options } = setup();
    await assert.rejects(
      distributeImages(imagesContext(), options({ selection: parseImageSelection({ images: `${FACTORY.id}/customimages/nope`, names: inputs }) })),
      (error: unknown) => error instanceof InputError && error.input === "images" && /'nope' does not exist/.test(error.message),
    );
    const missing = { subscriptionId: TEAM_A.subscriptionId, resourceGroup: "teams-rg", labName: "Gone", id: TEAM_A.id.replace("TeamLabA", "Gone") };
    await assert.rejects(
      distributeImages(imagesContext(), options({ targets: [target(TEAM_A), target(missing, { input: "labsFile" })] })),
      (error: unknown) => error instanceof InputError && error.input === "labsFile" && /'Gone'.*does not exist, or the service connection 'azureSubscription' cannot see it/.test(error.message),
    );
    const lab = { ...FACTORY, id: FACTORY.id };
    await assert.rejects(
      distributeImages(imagesContext(), options({ selection: parseImageSelection({ namePattern: "win-*", names: inputs }), sourceLab: lab })),
      (error: unknown) => error instanceof InputError && error.input === "imageNamePattern" && /matches the name pattern 'win-\*' \(the lab has 1 custom image\)/.test(error.message),
    );
    assert.deepEqual(azure.writes, []);
  });

  it("a lab the routed connection may not read is an input error that points to the second connection", async () => {
    const { azure, options } = setup();
    azure.labs.getLab = async () => Promise.reject(new AzureOperationError("Reading the lab", TEAM_B.id, "The access token is from the wrong issuer. (HTTP 401)", "InvalidAuthenticationTokenTenant"));
    await assert.rejects(
      distributeImages(imagesContext(), options()),
      (error: unknown) => error instanceof InputError && error.input === "targetLabs" && /may not read the lab 'TeamLabA'.*give a second service connection \(targetConnection\)/.test(error.message),
    );
    assert.deepEqual(azure.writes, []);
  });

  it("skips the source lab and labs whose ImagePaths do not want the image", async () => {
    const { azure, options } = setup();
    const result = await distributeImages(imagesContext(), options({ targets: [target(FACTORY), target(TEAM_A, { imagePaths: ["Win2016R2"] }), target(TEAM_B, { imagePaths: ["Win2016"] })] }));
    assert.deepEqual(result.outcomes.map((o) => [o.lab, o.status, o.detail]), [
      ["FactoryLab", "skipped", "the image's own lab"],
      ["TeamLabA", "skipped", "not in the lab's ImagePaths"],
      ["TeamLabB", "created", ""],
    ]);
    assert.deepEqual(ops(azure.writes, "TeamLabA"), []);
  });
});
