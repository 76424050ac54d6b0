// LabImageDistribute end to end against the offline Azure with Azurite: one image from FactoryLab to a lab in the
// second subscription (TeamLabA), a lab in another region (TeamLabEast) and a lab in the second tenant through a
// second service connection (PartnerLab); re-runs; a labs file with ImagePaths; a copy that fails midway; a cancel.
import { strict as assert } from "node:assert";
import { nodeRuntime, forEachNode, startTask, type TaskRunResult } from "../harness";
import { PROTECT_TAG, PROVENANCE_TAGS, provenanceTags } from "../../src/images/provenance";
import { assertSucceeded, FACTORY_CLIENT, jsonOutput, LABS, PARTNER_CLIENT, tempFile, useImagesEmulator, type ImagesE2e, type LabKey } from "./images-support";

const TARGETS: LabKey[] = ["teamA", "teamEast", "partner"];
const targetIds = (keys: readonly LabKey[] = TARGETS) => keys.map((key) => LABS[key].id).join("\n");
const imageIdIn = (lab: LabKey, name: string) => `${LABS[lab].id}/customimages/${name}`.toLowerCase();

/** Nothing a distribution stages may remain: no blob in any lab's uploads container, no snapshot with an open SAS. */
async function assertNothingLeft(e2e: ImagesE2e): Promise<void> {
  assert.deepEqual(await e2e.blobs("uploads"), [], "no staged VHD remains in any lab's uploads container");
  const snapshots = await e2e.resources("Microsoft.Compute/snapshots");
  const open = [...snapshots].filter(([, body]) => (body["properties"] as Record<string, unknown> | undefined)?.["diskState"] === "ActiveSAS").map(([id]) => id);
  assert.deepEqual(open, [], "no snapshot keeps a read SAS");
}

/** The uploaded summaries as text, markdown escapes removed. */
function summaryText(run: TaskRunResult): string {
  return run.summaries.map((s) => s.content ?? "").join("\n").replace(/\\(.)/g, "$1");
}

/** No SAS signature in any line the log shows (the only place one may appear is the command that registers it). */
function assertNoSasInLog(run: TaskRunResult): void {
  for (const line of run.lines) {
    if (line.command?.name === "task.setsecret") continue;
    assert.doesNotMatch(line.text, /[?&]sig=(?!\*\*\*)[^&\s]+/i, `a SAS signature in: ${line.text.slice(0, 200)}`);
  }
}

describe("LabImageDistribute end to end: keyless copies across subscriptions, regions and tenants", function () {
  this.timeout(300_000);
  const e2e = useImagesEmulator();

  forEachNode((node) => {
    it("copies one image to three labs with the same name, description, OS type and provenance; leaves nothing staged; a second run creates nothing", async () => {
      const name = `golden-n${node.major}`;
      const provenance = provenanceTags({ sourcePath: "Win2016/Datacenter.json", templateText: '{"resources": []}', buildId: `10${node.major}`, commit: "0123456789abcdef", created: new Date("2026-11-01T10:00:00Z") });
      const source = await e2e.captureImage({ lab: "factory", vm: `src-n${node.major}`, image: name, description: `Golden image (Node ${node.major})`, tags: { ...provenance, team: "qa" } });
      const before = await e2e.lastSeq();

      const run = await e2e.run({ task: "LabImageDistribute", node, withPartner: true, debug: true, inputs: { images: source.id ?? "", targetLabs: targetIds() } });
      assertSucceeded(run);
      assertNoSasInLog(run);
      const expected = TARGETS.map((lab) => imageIdIn(lab, name)).sort();
      assert.deepEqual(jsonOutput(run, "createdImageIds").map((id) => id.toLowerCase()).sort(), expected);
      assert.deepEqual(jsonOutput(run, "targetImageIds").map((id) => id.toLowerCase()).sort(), expected);
      assert.match(run.result.message ?? "", /Created 3 image copies/);

      // The three images, as Azure holds them.
      const images = await e2e.resources("Microsoft.DevTestLab/labs/customimages");
      for (const lab of TARGETS) {
        const body = images.get(imageIdIn(lab, name));
        assert.ok(body, `${LABS[lab].labName} has ${name}`);
        const properties = body["properties"] as Record<string, unknown>;
        const tags = body["tags"] as Record<string, string>;
        assert.equal(properties["provisioningState"], "Succeeded");
        assert.equal(properties["description"], `Golden image (Node ${node.major})`);
        assert.deepEqual(properties["vhd"] && { osType: (properties["vhd"] as Record<string, unknown>)["osType"], sysPrep: (properties["vhd"] as Record<string, unknown>)["sysPrep"] }, { osType: "Linux", sysPrep: true });
        assert.equal(String(body["location"]).toLowerCase(), LABS[lab].location, "created in the lab's region");
        for (const [tag, value] of Object.entries(provenance)) assert.equal(tags[tag], value, `${LABS[lab].labName}: tag ${tag}`);
        assert.equal(tags[PROVENANCE_TAGS.origin], source.uniqueIdentifier, "the copy names the image it came from");
        assert.equal(tags["team"], undefined, "only provenance tags are copied");
      }

      // Who wrote what: the partner's lab only through the second connection; one grant and one revoke.
      const writes = await e2e.writesSince(before);
      const puts = writes.filter((w) => w.method === "PUT" && /\/customimages\//i.test(w.path));
      assert.equal(puts.length, 3);
      assert.deepEqual(puts.filter((w) => w.path.toLowerCase().includes("/partnerlab/")).map((w) => w.clientId), [PARTNER_CLIENT]);
      assert.ok(puts.filter((w) => !w.path.toLowerCase().includes("/partnerlab/")).every((w) => w.clientId === FACTORY_CLIENT));
      assert.equal(writes.filter((w) => /\/beginGetAccess$/i.test(w.path)).length, 1, "read access granted once for the three copies");
      assert.equal(writes.filter((w) => /\/endGetAccess$/i.test(w.path)).length, 1, "and revoked once");
      assert.equal(writes.filter((w) => /\/generateUploadUri$/i.test(w.path)).length, 3);
      await assertNothingLeft(e2e);

      assert.match(summaryText(run), new RegExp(`${name} → TeamLabEast \\| Created \\|`));
      assert.match(run.progress.map((p) => p.text).join("\n"), /3 of 3 copies finished/);

      const again = await e2e.lastSeq();
      const rerun = await e2e.run({ task: "LabImageDistribute", node, withPartner: true, inputs: { images: source.id ?? "", targetLabs: targetIds() } });
      assertSucceeded(rerun);
      assert.deepEqual(jsonOutput(rerun, "createdImageIds"), []);
      assert.deepEqual(jsonOutput(rerun, "targetImageIds").map((id) => id.toLowerCase()).sort(), expected);
      assert.match(rerun.result.message ?? "", /Created 0 image copies, 3 already present/);
      assert.deepEqual(await e2e.writesSince(again), [], "a second run writes nothing");
    });
  });

  it("with a labs file, sends each lab only the images its ImagePaths name (whole path segments, not string prefixes)", async () => {
    const node = nodeRuntime(20);
    const win2016 = await e2e.captureImage({ lab: "factory", vm: "paths-vm", image: "paths-win2016", os: "Windows", tags: provenanceTags({ sourcePath: "Win2016/Datacenter.json", templateText: "a", created: new Date("2026-10-01T00:00:00Z") }) });
    const win2016r2 = await e2e.captureImage({ lab: "factory", vm: "paths-vm", image: "paths-win2016r2", os: "Windows", tags: provenanceTags({ sourcePath: "Win2016R2/Datacenter.json", templateText: "b", created: new Date("2026-10-01T00:00:00Z") }) });
    const labsFile = tempFile(
      "Labs.json",
      JSON.stringify({
        Labs: [
          { SubscriptionId: LABS.teamA.subscriptionId, ResourceGroup: LABS.teamA.resourceGroup, LabName: LABS.teamA.labName, ImagePaths: ["Win2016"] },
          { subscriptionId: LABS.teamEast.subscriptionId, resourceGroup: LABS.teamEast.resourceGroup, labName: LABS.teamEast.labName, imagePaths: ["Win2016R2/Datacenter"] },
        ],
      }),
    );
    const run = await e2e.run({ task: "LabImageDistribute", node, inputs: { images: `${win2016.id ?? ""}\n${win2016r2.id ?? ""}`, labsFile } });
    assertSucceeded(run);
    assert.deepEqual(jsonOutput(run, "createdImageIds").map((id) => id.toLowerCase()).sort(), [imageIdIn("teamEast", "paths-win2016r2"), imageIdIn("teamA", "paths-win2016")].sort());
    const images = await e2e.resources("Microsoft.DevTestLab/labs/customimages");
    assert.ok(!images.has(imageIdIn("teamA", "paths-win2016r2")), "Win2016 does not select Win2016R2");
    assert.ok(!images.has(imageIdIn("teamEast", "paths-win2016")));
    const vhd = (images.get(imageIdIn("teamA", "paths-win2016"))?.["properties"] as Record<string, Record<string, unknown>>)["vhd"];
    assert.equal(vhd?.["osType"], "Windows");
    assert.match(summaryText(run), /paths-win2016r2 → TeamLabA \| Skipped \(not in the lab's ImagePaths\)/);
    await assertNothingLeft(e2e);
  });

  it("chooses images by name pattern and tag, only the newest of each family, and never copies the protect tag", async () => {
    const node = nodeRuntime(20);
    const family = (created: string) => provenanceTags({ sourcePath: "Ubuntu/Jammy.json", templateText: created, created: new Date(created) });
    await e2e.captureImage({ lab: "factory", vm: "pattern-vm", image: "jammy-001", tags: family("2026-09-01T00:00:00Z") });
    await e2e.captureImage({ lab: "factory", vm: "pattern-vm", image: "jammy-002", tags: { ...family("2026-10-01T00:00:00Z"), [PROTECT_TAG]: "true" } });
    await e2e.captureImage({ lab: "factory", vm: "pattern-vm", image: "jammy-untagged" });
    const run = await e2e.run({
      task: "LabImageDistribute",
      node,
      inputs: { sourceLab: "FactoryLab", imageNamePattern: "jammy-*", imageTagFilter: `${PROVENANCE_TAGS.family}=ubuntu/*`, newestPerFamily: "true", targetLabs: LABS.teamA.id },
    });
    assertSucceeded(run);
    assert.deepEqual(jsonOutput(run, "createdImageIds").map((id) => id.toLowerCase()), [imageIdIn("teamA", "jammy-002")]);
    const tags = (await e2e.resources("Microsoft.DevTestLab/labs/customimages")).get(imageIdIn("teamA", "jammy-002"))?.["tags"] as Record<string, string>;
    assert.equal(tags[PROTECT_TAG], undefined, "protection is a decision of each lab");
    await assertNothingLeft(e2e);
  });

  it("a copy that fails midway leaves nothing behind in that lab, the others complete, and a re-run finishes the job", async () => {
    const node = nodeRuntime(24);
    // No provenance tags: the copies are recognised by the origin tag the first copy carries.
    const source = await e2e.captureImage({ lab: "factory", vm: "fault-vm", image: "fault-img", description: "Fails once" });
    const fault = await e2e.emulator.admin.addFault({ kind: "lroFailure", method: "PUT", path: "/subscriptions/*/resourceGroups/teams-east-rg/providers/Microsoft.DevTestLab/labs/TeamLabEast/customimages/fault-img", count: 1, code: "InternalServerError", message: "The disk could not be imported (injected fault)." });
    try {
      const failed = await e2e.run({ task: "LabImageDistribute", node, withPartner: true, inputs: { images: source.id ?? "", targetLabs: targetIds() } });
      assert.equal(failed.result.result, "Failed", failed.stdoutLines.slice(-30).join("\n"));
      assert.match(failed.result.message ?? "", /TeamLabEast/);
      assert.match(failed.result.message ?? "", /could not be imported/);
      assert.match(failed.result.message ?? "", /re-run/i);
      assert.deepEqual(jsonOutput(failed, "createdImageIds").map((id) => id.toLowerCase()).sort(), [imageIdIn("teamA", "fault-img"), imageIdIn("partner", "fault-img")].sort());
      const images = await e2e.resources("Microsoft.DevTestLab/labs/customimages");
      assert.ok(!images.has(imageIdIn("teamEast", "fault-img")), "the failed image was removed");
      await assertNothingLeft(e2e);
      assert.equal((await e2e.emulator.admin.faults()).find((f) => f.id === fault.id)?.hits, 1);
    } finally {
      await e2e.emulator.admin.deleteFault(fault.id);
    }

    const before = await e2e.lastSeq();
    const rerun = await e2e.run({ task: "LabImageDistribute", node, withPartner: true, inputs: { images: source.id ?? "", targetLabs: targetIds() } });
    assertSucceeded(rerun);
    assert.deepEqual(jsonOutput(rerun, "createdImageIds").map((id) => id.toLowerCase()), [imageIdIn("teamEast", "fault-img")]);
    assert.match(rerun.result.message ?? "", /Created 1 image copy, 2 already present/);
    const puts = (await e2e.writesSince(before)).filter((w) => w.method === "PUT");
    assert.deepEqual(puts.map((w) => w.path.toLowerCase()), [imageIdIn("teamEast", "fault-img")], "only the missing copy is made");
    await assertNothingLeft(e2e);
  });

  it("replaces a copy an earlier run left failed instead of blocking the name", async () => {
    const node = nodeRuntime(20);
    const source = await e2e.captureImage({ lab: "factory", vm: "stale-vm", image: "stale-img", tags: provenanceTags({ sourcePath: "Stale/Image.json", templateText: "s", created: new Date("2026-11-02T00:00:00Z") }) });
    // An image of that name and provenance in Failed state: what a killed run could leave (the VHD is missing).
    const teamA = e2e.dtl(LABS.teamA.subscriptionId);
    const tags = { ...Object.fromEntries(Object.entries(source.tags ?? {}).filter(([k]) => k.startsWith("ImageFactory."))), [PROVENANCE_TAGS.origin]: source.uniqueIdentifier ?? "" };
    await teamA.customImages
      .beginCreateOrUpdateAndWait(LABS.teamA.resourceGroup, LABS.teamA.labName, "stale-img", { location: LABS.teamA.location, tags, vhd: { imageName: "missing.vhd", osType: "Linux", sysPrep: true } }, { updateIntervalInMs: 20 })
      .catch(() => undefined);
    const stale = (await e2e.resources("Microsoft.DevTestLab/labs/customimages")).get(imageIdIn("teamA", "stale-img"));
    assert.equal((stale?.["properties"] as Record<string, unknown>)["provisioningState"], "Failed", "arranged a failed copy");

    const run = await e2e.run({ task: "LabImageDistribute", node, inputs: { images: source.id ?? "", targetLabs: LABS.teamA.id } });
    assertSucceeded(run);
    assert.match(summaryText(run), /stale-img → TeamLabA \| Created \(replaced a failed copy\)/);
    const now = (await e2e.resources("Microsoft.DevTestLab/labs/customimages")).get(imageIdIn("teamA", "stale-img"));
    assert.equal((now?.["properties"] as Record<string, unknown>)["provisioningState"], "Succeeded");
    await assertNothingLeft(e2e);
  });

  it("refuses to overwrite an image of the same name that is not a copy of the source, and writes nothing for it", async () => {
    const node = nodeRuntime(20);
    const source = await e2e.captureImage({ lab: "factory", vm: "clash-vm", image: "clash-img", tags: provenanceTags({ sourcePath: "Clash/A.json", templateText: "a", created: new Date("2026-11-03T00:00:00Z") }) });
    await e2e.captureImage({ lab: "teamA", vm: "clash-vm-a", image: "clash-img", description: "the team's own image" });
    const before = await e2e.lastSeq();
    const run = await e2e.run({ task: "LabImageDistribute", node, inputs: { images: source.id ?? "", targetLabs: LABS.teamA.id } });
    assert.equal(run.result.result, "Failed");
    assert.match(run.result.message ?? "", /already has a custom image named 'clash-img' that is not a copy/);
    assert.deepEqual(await e2e.writesSince(before), []);
    const mine = (await e2e.resources("Microsoft.DevTestLab/labs/customimages")).get(imageIdIn("teamA", "clash-img"));
    assert.equal((mine?.["properties"] as Record<string, unknown>)["description"], "the team's own image", "untouched");
  });

  it("a cancel while the image is being created removes the staged VHD, the incomplete image and the read access", async () => {
    const node = nodeRuntime(20);
    const source = await e2e.captureImage({ lab: "factory", vm: "cancel-vm", image: "cancel-img" });
    // Slow status polls of DevTest Labs operations keep the task waiting on the image it is creating.
    const slow = await e2e.emulator.admin.addFault({ kind: "latency", method: "GET", path: "/subscriptions/**/providers/Microsoft.DevTestLab/locations/**", ms: 3000 });
    try {
      const factory = e2e.factory();
      const handle = startTask({
        task: "LabImageDistribute",
        node,
        inputs: { azureSubscription: factory.id, images: source.id ?? "", targetLabs: LABS.teamA.id, pollIntervalSeconds: "1" },
        endpoints: [factory],
        env: factory.env,
        timeoutMs: 60_000,
      });
      await handle.waitForCommand((command) => command.name === "task.setprogress" && /creating the custom image/.test(command.data));
      handle.cancel();
      const run = await handle.result;
      assert.equal(run.result.result, "Canceled", run.stdoutLines.slice(-30).join("\n"));
      assert.deepEqual(run.signalsSent.map((s) => s.signal), ["SIGINT"], "it stopped within the agent's grace period");
    } finally {
      await e2e.emulator.admin.deleteFault(slow.id);
    }
    // The deletes it started finish in the background.
    for (let attempt = 0; attempt < 50 && (await e2e.resources("Microsoft.DevTestLab/labs/customimages")).has(imageIdIn("teamA", "cancel-img")); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(!(await e2e.resources("Microsoft.DevTestLab/labs/customimages")).has(imageIdIn("teamA", "cancel-img")), "the incomplete image is gone");
    await assertNothingLeft(e2e);
  });
});
