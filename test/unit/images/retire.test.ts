// Retirement against an in-memory Azure: what it deletes, that a dry run writes nothing (over random image sets), and
// that a lab that cannot be read stops the task before any delete.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { InputError } from "../../../src/errors";
import { PROTECT_TAG, PROVENANCE_TAGS } from "../../../src/images/provenance";
import { retireImages, type RetireLab, type RetireOptions } from "../../../src/images/retire";
import { FACTORY, FakeAzure, imagesContext, TEAM_A } from "./fakes";

const NOW = new Date("2026-11-20T00:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const retireLab = (lab: typeof FACTORY, input = "lab"): RetireLab => ({ ...lab, input });
const tags = (family: string | undefined, daysAgo: number, protect = false) => ({
  ...(family ? { [PROVENANCE_TAGS.family]: family } : {}),
  [PROVENANCE_TAGS.created]: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
  ...(protect ? { [PROTECT_TAG]: "" } : {}),
});

function setup() {
  const azure = new FakeAzure();
  azure.addLab(FACTORY);
  azure.addLab(TEAM_A);
  for (const [name, family, days, protect] of [
    ["w1", "win", 40, false],
    ["w2", "win", 20, false],
    ["w3", "win", 1, false],
    ["wp", "win", 90, true],
    ["x", undefined, 400, false],
  ] as const) {
    azure.addImage(FACTORY, { name, tags: tags(family, days, protect) });
  }
  azure.addImage(TEAM_A, { name: "l1", tags: tags("linux", 50) });
  azure.addImage(TEAM_A, { name: "l2", tags: tags("linux", 40) });
  const options = (extra: Partial<RetireOptions> = {}): RetireOptions => ({
    labs: [retireLab(FACTORY), retireLab(TEAM_A, "labsFile")],
    policy: { keepNewest: 1, deleteLastImage: false },
    dryRun: false,
    maxParallel: 2,
    timeoutMs: 60_000,
    now: NOW,
    services: azure,
    ...extra,
  });
  return { azure, options };
}

describe("images: retiring (orchestration)", () => {
  it("deletes what the rules select in every lab, waiting for each delete", async () => {
    const { azure, options } = setup();
    const ctx = imagesContext();
    const result = await retireImages(ctx, options());
    assert.deepEqual(result.deletedImageIds.map((id) => id.split("/").pop()).sort(), ["l1", "w1", "w2"]);
    assert.deepEqual(result.selectedImageIds.length, 3);
    assert.ok(azure.writes.every((w) => w.op === "deleteImage" && (w.detail as { waitForCompletion: boolean }).waitForCompletion));
    assert.deepEqual(azure.images(FACTORY).map((i) => i.name).sort(), ["w3", "wp", "x"]);
    assert.match(result.message, /Deleted 3 custom images, kept 4 in 2 labs/);
    assert.ok(ctx.recorded.lines.some((line) => /keep\s+x: not made by the image factory/.test(line)));
  });

  it("a dry run lists and writes nothing, whatever the images and rules", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ family: fc.option(fc.constantFrom("a", "b"), { nil: undefined }), days: fc.integer({ min: 0, max: 60 }), protect: fc.boolean() }), { maxLength: 15 }),
        fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        fc.boolean(),
        async (specs, keepNewest, maxAgeDays, deleteLastImage) => {
          const azure = new FakeAzure();
          azure.addLab(FACTORY);
          specs.forEach((spec, index) => azure.addImage(FACTORY, { name: `img-${index}`, tags: tags(spec.family, spec.days, spec.protect) }));
          const policy = { keepNewest: keepNewest ?? (maxAgeDays === undefined ? 1 : undefined), maxAgeDays, deleteLastImage };
          const result = await retireImages(imagesContext(), { labs: [retireLab(FACTORY)], policy, dryRun: true, maxParallel: 3, timeoutMs: 1000, now: NOW, services: azure });
          assert.deepEqual(azure.writes, []);
          assert.deepEqual(result.deletedImageIds, []);
          assert.equal(azure.images(FACTORY).length, specs.length);
          assert.equal(result.selectedImageIds.length, result.labs[0]?.decisions.filter((d) => d.action === "delete").length);
          assert.match(result.message, /^Dry run: would delete \d+ custom images? and keep \d+ in 1 lab; nothing was changed\.$/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("reads every lab before deleting anything: a missing lab is an input error and nothing is deleted", async () => {
    const { azure, options } = setup();
    const gone = { ...TEAM_A, labName: "Gone", id: TEAM_A.id.replace("TeamLabA", "Gone") };
    await assert.rejects(retireImages(imagesContext(), options({ labs: [retireLab(FACTORY), retireLab(gone, "labsFile")] })), (error: unknown) => error instanceof InputError && error.input === "labsFile" && /'Gone'/.test(error.message));
    assert.deepEqual(azure.writes, []);
  });

  it("reports images it could not delete, after deleting the others", async () => {
    const { azure, options } = setup();
    azure.failDelete = (image) => (image.imageName === "w1" ? new Error("The custom image is in use (##vso[task.complete result=Succeeded])") : undefined);
    const result = await retireImages(imagesContext(), options());
    assert.deepEqual(result.failed.map((f) => [f.name, f.lab]), [["w1", "FactoryLab"]]);
    assert.match(result.failed[0]?.error ?? "", /in use \(##vso_\[task/);
    assert.deepEqual(result.deletedImageIds.map((id) => id.split("/").pop()).sort(), ["l1", "w2"]);
    assert.match(result.message, /1 could not be deleted/);
  });

  it("on cancel, deletes that have not started never start", async () => {
    const { azure, options } = setup();
    const controller = new AbortController();
    azure.failDelete = () => {
      controller.abort();
      return undefined;
    };
    const result = await retireImages(imagesContext({ signal: controller.signal }), options({ maxParallel: 1 }));
    assert.equal(result.cancelled, true);
    assert.equal(azure.writes.length, 1);
    assert.equal(result.failed.filter((f) => f.error === "cancelled").length, 2);
  });
});
