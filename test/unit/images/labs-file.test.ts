import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../../src/errors";
import { imagePathMatches, labWantsImage, parseLabsFile } from "../../../src/images/labs-file";
import { readTargetLabs } from "../../../src/images/targets";

const SUB = "20000000-0000-4000-8000-000000000002";
const entry = (extra: Record<string, unknown> = {}) => ({ SubscriptionId: SUB, ResourceGroup: "teams-rg", LabName: "TeamLabA", ...extra });
const file = (...labs: unknown[]) => JSON.stringify({ Labs: labs });

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseLabsFile(text, { input: "labsFile", path: "Labs.json" }),
    (error: unknown) => error instanceof InputError && error.input === "labsFile" && pattern.test(error.message),
  );
}

describe("images: the labs file (Microsoft's Labs.json format)", () => {
  it("reads labs with their image paths, names in any case, a BOM, and the same lab twice merged", () => {
    const labs = parseLabsFile(
      `\uFEFF${JSON.stringify({ labs: [{ subscriptionid: SUB, resourcegroup: "teams-rg", labname: "TeamLabA", imagepaths: ["Win2016\\Datacenter.json"] }, entry({ ImagePaths: ["Linux"] }), entry({ LabName: "Other", ImagePaths: null })] })}`,
      { input: "labsFile" },
    );
    assert.deepEqual(labs, [
      { subscriptionId: SUB, resourceGroup: "teams-rg", labName: "TeamLabA", id: `/subscriptions/${SUB}/resourceGroups/teams-rg/providers/Microsoft.DevTestLab/labs/TeamLabA`, imagePaths: ["Win2016/Datacenter.json", "Linux"] },
      { subscriptionId: SUB, resourceGroup: "teams-rg", labName: "Other", id: `/subscriptions/${SUB}/resourceGroups/teams-rg/providers/Microsoft.DevTestLab/labs/Other` },
    ]);
  });

  it("a lab listed once without ImagePaths gets every image even when listed again with some", () => {
    const [lab] = parseLabsFile(file(entry(), entry({ ImagePaths: ["Win2016"] })), { input: "labsFile" });
    assert.equal(lab?.imagePaths, undefined);
  });

  it("rejects Microsoft's sample as it ships (placeholders) and every malformed entry, naming the input and the entry", () => {
    const sample = readFileSync(join(__dirname, "..", "..", "fixtures", "samples", "image-factory", "Configuration", "Labs.json"), "utf8");
    rejects(sample, /entry 1 of "Labs": SubscriptionId '<subscription ID that contains the lab>' is not a subscription id/);
    rejects("[1,2]", /must hold a JSON object/);
    rejects("{", /is not valid JSON/);
    rejects("{}", /has no "Labs" array/);
    rejects(file(), /lists no labs/);
    rejects(file("TeamLabA"), /entry 1 of "Labs" is not an object/);
    rejects(file(entry(), entry({ LabName: 7 })), /entry 2 of "Labs" has no "LabName"/);
    rejects(file(entry({ ResourceGroup: "bad rg." })), /ResourceGroup 'bad rg\.' is not a valid resource group name/);
    rejects(file(entry({ LabName: "x".repeat(51) })), /is not a valid lab name/);
    rejects(file(entry({ ImagePaths: "Win2016" })), /"ImagePaths" must be an array/);
    rejects(file(entry({ ImagePaths: [""] })), /ImagePaths\[0\] must be a non-empty path/);
    rejects(file(entry({ ImagePaths: ["a/../../etc"] })), /must not contain '\.\.'/);
    rejects(file(entry({ SubscriptionId: "##vso[task.complete result=Succeeded]" })), /'##vso_\[task\.complete/);
  });

  it("matches image paths by whole segments: a folder selects what is below it, never a sibling with a longer name", () => {
    const table: [string, string, boolean][] = [
      ["Win2016", "Win2016/Datacenter.json", true],
      ["Win2016", "Win2016R2/Datacenter.json", false],
      ["win2016/", "WIN2016/sub/Deep.json", true],
      ["Win2016/Datacenter.json", "Win2016/Datacenter.json", true],
      ["Win2016/Datacenter", "Win2016/Datacenter.json", true],
      ["Win2016/Data", "Win2016/Datacenter.json", false],
      ["Win2016\\Datacenter.json", "./Win2016/Datacenter.json", true],
      ["Win2016/Datacenter.json/x", "Win2016/Datacenter.json", false],
      ["", "Win2016/Datacenter.json", false],
      ["Datacenter.json", "Win2016/Datacenter.json", false],
    ];
    for (const [path, source, expected] of table) assert.equal(imagePathMatches(path, source), expected, `${path} vs ${source}`);
  });

  it("a lab without ImagePaths wants every image; with them, only images whose template path they name", () => {
    assert.equal(labWantsImage({}, undefined), true);
    assert.equal(labWantsImage({ imagePaths: ["Win2016"] }, undefined), false);
    assert.equal(labWantsImage({ imagePaths: ["Linux", "Win2016"] }, "Win2016/Datacenter.json"), true);
    assert.equal(labWantsImage({ imagePaths: [] }, "Win2016/Datacenter.json"), false);
  });

  it("combines listed lab ids and a labs file; a listed lab gets every image", () => {
    const listed = `/subscriptions/${SUB}/resourcegroups/teams-rg/providers/microsoft.devtestlab/labs/TeamLabA`;
    const targets = readTargetLabs({
      labIds: `${listed}\n# a comment\n/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.DevTestLab/labs/L2, ${listed}`,
      labsFile: { path: "Labs.json", text: file(entry({ ImagePaths: ["Win2016"] }), entry({ LabName: "FromFile" })) },
      names: { labIds: "targetLabs", labsFile: "labsFile" },
    });
    assert.deepEqual(
      targets.map((t) => [t.labName, t.input, t.imagePaths]),
      [
        ["TeamLabA", "targetLabs", undefined],
        ["L2", "targetLabs", undefined],
        ["FromFile", "labsFile", undefined],
      ],
    );
    assert.throws(() => readTargetLabs({ labIds: "TeamLabA", names: { labIds: "targetLabs", labsFile: "labsFile" } }), /Input 'targetLabs': 'TeamLabA' is not a lab resource id/);
    assert.deepEqual(readTargetLabs({ names: { labIds: "targetLabs", labsFile: "labsFile" } }), []);
  });
});
