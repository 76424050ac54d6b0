// LabImageRetire end to end against the offline Azure: retention per image family on real emulator state, dry runs
// that write nothing (checked in the request log), the last-image rule, and a labs file reaching a lab in another
// tenant through the second connection.
import { strict as assert } from "node:assert";
import { forEachNode, nodeRuntime } from "../harness";
import { PROTECT_TAG, provenanceTags } from "../../src/images/provenance";
import { assertSucceeded, jsonOutput, LABS, PARTNER_CLIENT, tempFile, useImagesEmulator, type LabKey } from "./images-support";

const DAY_MS = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
const idIn = (lab: LabKey, name: string) => `${LABS[lab].id}/customimages/${name}`.toLowerCase();

describe("LabImageRetire end to end: retention by provenance on the offline Azure", function () {
  this.timeout(300_000);
  const e2e = useImagesEmulator();

  const imagesIn = async (lab: LabKey): Promise<string[]> =>
    [...(await e2e.resources("Microsoft.DevTestLab/labs/customimages")).keys()].filter((id) => id.startsWith(`${LABS[lab].id.toLowerCase()}/`)).map((id) => id.split("/").pop() ?? "").sort();

  forEachNode((node) => {
    it("keeps the newest per family and young images, never foreign or protected ones; a dry run writes nothing; a re-run deletes nothing", async () => {
      const n = `n${node.major}`;
      const family = (days: number, name = `app-${n}`) => provenanceTags({ sourcePath: `${name}.json`, templateText: name, created: ago(days) });
      const vm = `retire-vm-${n}`;
      await e2e.captureImage({ lab: "teamEast", vm, image: `app-${n}-1`, tags: family(40) });
      await e2e.captureImage({ lab: "teamEast", vm, image: `app-${n}-2`, tags: family(20) });
      await e2e.captureImage({ lab: "teamEast", vm, image: `app-${n}-3`, tags: family(5) });
      await e2e.captureImage({ lab: "teamEast", vm, image: `app-${n}-4`, tags: family(1) });
      await e2e.captureImage({ lab: "teamEast", vm, image: `app-${n}-protected`, tags: { ...family(60), [PROTECT_TAG]: "" } });
      // Same name prefix, no provenance: a prefix-matching tool would delete it.
      await e2e.captureImage({ lab: "teamEast", vm, image: `app-${n}-0` });
      await e2e.captureImage({ lab: "teamEast", vm, image: `solo-${n}`, tags: family(100, `solo-${n}`) });
      const everything = [`app-${n}-0`, `app-${n}-1`, `app-${n}-2`, `app-${n}-3`, `app-${n}-4`, `app-${n}-protected`, `solo-${n}`];
      const inputs = { lab: LABS.teamEast.id, keepNewest: "2", maxAgeDays: "10", family: `*-${n}` };

      const beforeDry = await e2e.lastSeq();
      const dry = await e2e.run({ task: "LabImageRetire", node, inputs: { ...inputs, dryRun: "true" } });
      assertSucceeded(dry);
      assert.deepEqual(await e2e.writesSince(beforeDry), [], "a dry run writes nothing");
      assert.deepEqual(jsonOutput(dry, "deletedImageIds"), []);
      assert.deepEqual(jsonOutput(dry, "plannedImageIds").map((id) => id.toLowerCase()).sort(), [idIn("teamEast", `app-${n}-1`), idIn("teamEast", `app-${n}-2`)]);
      assert.match(dry.result.message ?? "", /Dry run: would delete 2 custom images/);
      const log = dry.stdoutLines.join("\n");
      assert.match(log, new RegExp(`would delete\\s+app-${n}-1 \\[app-${n}\\]`));
      assert.match(log, new RegExp(`keep\\s+app-${n}-0: not made by the image factory`));
      assert.match(log, new RegExp(`keep\\s+app-${n}-protected \\[app-${n}\\]: has the protect tag`));
      assert.deepEqual((await imagesIn("teamEast")).filter((name) => name.endsWith(n) || name.includes(`-${n}-`)), everything);

      const run = await e2e.run({ task: "LabImageRetire", node, inputs });
      assertSucceeded(run);
      assert.deepEqual(jsonOutput(run, "deletedImageIds").map((id) => id.toLowerCase()).sort(), [idIn("teamEast", `app-${n}-1`), idIn("teamEast", `app-${n}-2`)]);
      assert.deepEqual(
        (await imagesIn("teamEast")).filter((name) => name.endsWith(n) || name.includes(`-${n}-`)),
        everything.filter((name) => name !== `app-${n}-1` && name !== `app-${n}-2`),
      );
      assert.equal((await e2e.resources("Microsoft.Compute/snapshots")).has(`/subscriptions/${LABS.teamEast.subscriptionId}/resourcegroups/${LABS.teamEast.resourceGroup}/providers/microsoft.compute/snapshots/app-${n}-1`), false, "the image's snapshot went with it");

      const beforeRerun = await e2e.lastSeq();
      const rerun = await e2e.run({ task: "LabImageRetire", node, inputs });
      assertSucceeded(rerun);
      assert.deepEqual(jsonOutput(rerun, "deletedImageIds"), []);
      assert.deepEqual(await e2e.writesSince(beforeRerun), []);

      // Age alone would take the family's only image; it stays unless the last image may go.
      const beforeSolo = await e2e.lastSeq();
      const solo = await e2e.run({ task: "LabImageRetire", node, inputs: { lab: LABS.teamEast.id, maxAgeDays: "30", family: `solo-${n}` } });
      assertSucceeded(solo);
      assert.deepEqual(jsonOutput(solo, "plannedImageIds"), []);
      assert.match(solo.stdoutLines.join("\n"), new RegExp(`keep\\s+solo-${n} \\[solo-${n}\\]: the only image of its family`));
      assert.deepEqual(await e2e.writesSince(beforeSolo), []);
      const last = await e2e.run({ task: "LabImageRetire", node, inputs: { lab: LABS.teamEast.id, maxAgeDays: "30", family: `solo-${n}`, deleteLastImage: "true" } });
      assertSucceeded(last);
      assert.deepEqual(jsonOutput(last, "deletedImageIds").map((id) => id.toLowerCase()), [idIn("teamEast", `solo-${n}`)]);
    });
  });

  it("retires in every lab of a labs file, reaching the partner's lab through the second connection", async () => {
    const node = nodeRuntime(20);
    const tags = (days: number) => provenanceTags({ sourcePath: "Shared/Base.json", templateText: "base", created: ago(days) });
    for (const lab of ["teamA", "partner"] as const) {
      for (const [index, days] of [3, 2, 1].entries()) await e2e.captureImage({ lab, vm: `files-vm-${lab}`, image: `base-${index}`, tags: tags(days) });
    }
    const labsFile = tempFile(
      "Labs.json",
      JSON.stringify({
        Labs: [
          { SubscriptionId: LABS.teamA.subscriptionId, ResourceGroup: LABS.teamA.resourceGroup, LabName: LABS.teamA.labName, ImagePaths: ["Shared"] },
          { SubscriptionId: LABS.partner.subscriptionId, ResourceGroup: LABS.partner.resourceGroup, LabName: LABS.partner.labName },
        ],
      }),
    );
    const before = await e2e.lastSeq();
    const run = await e2e.run({ task: "LabImageRetire", node, withPartner: true, inputs: { labsFile, keepNewest: "1", family: "shared/base" } });
    assertSucceeded(run);
    assert.deepEqual(
      jsonOutput(run, "deletedImageIds").map((id) => id.toLowerCase()).sort(),
      [idIn("teamA", "base-0"), idIn("teamA", "base-1"), idIn("partner", "base-0"), idIn("partner", "base-1")].sort(),
    );
    assert.deepEqual(await imagesIn("teamA"), ["base-2"]);
    assert.deepEqual(await imagesIn("partner"), ["base-2"]);
    const deletes = (await e2e.writesSince(before)).filter((w) => w.method === "DELETE");
    assert.deepEqual(deletes.filter((w) => w.path.toLowerCase().includes("/partnerlab/")).map((w) => w.clientId), [PARTNER_CLIENT, PARTNER_CLIENT]);
    const summary = run.summaries.map((s) => s.content ?? "").join("\n").replace(/\\(.)/g, "$1");
    assert.match(summary, /Lab PartnerLab \| deleted 2 \(base-[01], base-[01]\), kept 1/);
  });
});
