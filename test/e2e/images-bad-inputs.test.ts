// A table of bad inputs for LabImageDistribute and LabImageRetire: each fails the task with a message that starts with
// the input's name (and its alias, when it has one), and the emulator's request log shows no ARM write for the run.
import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeRuntime } from "../harness";
import { assertFailsNamingInput, badInputTitle, type BadInput as BadInputOf } from "./bad-input-support";
import { LABS, tempFile, useImagesEmulator } from "./images-support";

type BadInput = BadInputOf<"LabImageDistribute" | "LabImageRetire">;

const FACTORY = LABS.factory.id;
const SOURCE = "bad-input-source";
const SOURCE_ID = `${FACTORY}/customimages/${SOURCE}`;
const MISSING_LAB = `/subscriptions/${LABS.teamA.subscriptionId}/resourceGroups/teams-rg/providers/Microsoft.DevTestLab/labs/NoSuchLab`;
const microsoftSample = join(__dirname, "..", "fixtures", "samples", "image-factory", "Configuration", "Labs.json");
const labsFileWith = (entry: Record<string, unknown>) => tempFile("Labs.json", JSON.stringify({ Labs: [entry] }));
const teamA = { SubscriptionId: LABS.teamA.subscriptionId, ResourceGroup: LABS.teamA.resourceGroup, LabName: LABS.teamA.labName };

describe("image tasks end to end: bad inputs fail before any Azure write", function () {
  this.timeout(300_000);
  const e2e = useImagesEmulator();
  const node = nodeRuntime(20);

  before(async function () {
    this.timeout(60_000);
    await e2e.captureImage({ lab: "factory", vm: "bad-input-vm", image: SOURCE });
  });

  const distribute = (extra: Record<string, string> = {}): Record<string, string> => ({ images: SOURCE_ID, targetLabs: LABS.teamA.id, ...extra });
  const retire = (extra: Record<string, string> = {}): Record<string, string> => ({ lab: FACTORY, keepNewest: "2", ...extra });

  const table = (): BadInput[] => [
    // LabImageDistribute: which images
    { task: "LabImageDistribute", inputs: { targetLabs: LABS.teamA.id }, input: "images", says: /is required unless 'imageNamePattern' or 'imageTagFilter'/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l/customimages/i" }), input: "images", says: /not a subscription id/ },
    { task: "LabImageDistribute", inputs: distribute({ images: `${FACTORY}/virtualmachines/vm1` }), input: "images", says: /virtualmachines/ },
    { task: "LabImageDistribute", inputs: distribute({ images: `${SOURCE_ID}?api-version=2018-09-15` }), input: "images", says: /query string/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "bad name!", sourceLab: "FactoryLab" }), input: "images", says: /custom image name/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "image-", sourceLab: "FactoryLab" }), input: "images" },
    { task: "LabImageDistribute", inputs: distribute({ images: `${FACTORY}/customimages/no-such-image` }), input: "images", says: /does not exist/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "no-such-image", sourceLab: "FactoryLab" }), input: "images", says: /no custom image named 'no-such-image'/ },
    { task: "LabImageDistribute", inputs: distribute({ images: SOURCE }), input: "sourceLab", says: /is required when images are given by name/ },
    { task: "LabImageDistribute", inputs: distribute({ images: SOURCE, sourceLab: "bad lab!" }), input: "sourceLab", says: /lab name/ },
    { task: "LabImageDistribute", inputs: distribute({ images: SOURCE, sourceLab: "/subscriptions/x/resourceGroups/rg" }), input: "sourceLab" },
    { task: "LabImageDistribute", inputs: distribute({ images: SOURCE, sourceLab: "NoSuchLab" }), input: "sourceLab", says: /no lab named 'NoSuchLab'/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "", sourceLab: "FactoryLab", imageNamePattern: "win/*" }), input: "imageNamePattern", says: /not a name pattern/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "", sourceLab: "FactoryLab", imageNamePattern: `${"x".repeat(81)}*` }), input: "imageNamePattern" },
    { task: "LabImageDistribute", inputs: distribute({ images: "", sourceLab: "FactoryLab", imageNamePattern: "nothing-matches-*" }), input: "imageNamePattern", says: /no custom image in the lab 'FactoryLab' matches/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "", sourceLab: "FactoryLab", imageTagFilter: "=win2016" }), input: "imageTagFilter", says: /not a tag filter/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "", sourceLab: "FactoryLab", imageTagFilter: "ImageFactory.Family=" }), input: "imageTagFilter", says: /needs a value/ },
    { task: "LabImageDistribute", inputs: distribute({ images: "", sourceLab: "FactoryLab", imageTagFilter: "NoSuchTag" }), input: "imageTagFilter", says: /matches the tag filter/ },
    { task: "LabImageDistribute", inputs: distribute({ newestPerFamily: "maybe" }), input: "newestPerFamily", says: /true or false/ },
    // LabImageDistribute: where to
    { task: "LabImageDistribute", inputs: { images: SOURCE_ID }, input: "targetLabs", says: /is required unless 'labsFile' is given/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "TeamLabA" }), input: "targetLabs", says: /not a lab resource id/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: `${LABS.teamA.id}/virtualmachines/vm` }), input: "targetLabs", says: /virtualmachines/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: `${LABS.teamA.id}, /subscriptions/00000000-0000-0000-0000-00000000000g/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/x` }), input: "targetLabs" },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: MISSING_LAB }), input: "targetLabs", says: /'NoSuchLab'.*does not exist/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: LABS.partner.id }), input: "targetLabs", says: /may not read the lab 'PartnerLab'.*give a second service connection \(targetConnection\)/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: "/no/such/folder/Labs.json" }), input: "labsFile", says: /does not exist/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: mkdtempSync(join(tmpdir(), "labs-folder-")) }), input: "labsFile", says: /is a folder/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: microsoftSample }), input: "labsFile", says: /SubscriptionId '<subscription ID that contains the lab>' is not a subscription id/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: tempFile("Labs.json", "{ \"Labs\": [ ") }), input: "labsFile", says: /not valid JSON/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: tempFile("Labs.json", '{"Labs": {}}') }), input: "labsFile", says: /no "Labs" array/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: tempFile("Labs.json", '{"Labs": []}') }), input: "labsFile", says: /lists no labs/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: labsFileWith({ ...teamA, LabName: "Team Lab A" }) }), input: "labsFile", says: /LabName 'Team Lab A' is not a valid lab name/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: labsFileWith({ ...teamA, ResourceGroup: "" }) }), input: "labsFile", says: /has no "ResourceGroup"/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: labsFileWith({ ...teamA, ImagePaths: "Win2016" }) }), input: "labsFile", says: /"ImagePaths" must be an array/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: labsFileWith({ ...teamA, ImagePaths: ["../Win2016"] }) }), input: "labsFile", says: /must not contain '\.\.'/ },
    { task: "LabImageDistribute", inputs: distribute({ targetLabs: "", labsFile: labsFileWith({ ...teamA, LabName: "NoSuchLab" }) }), input: "labsFile", says: /'NoSuchLab'.*does not exist/ },
    { task: "LabImageDistribute", inputs: distribute({ useImagePaths: "perhaps" }), input: "useImagePaths" },
    { task: "LabImageDistribute", inputs: distribute({ targetConnection: "7a0c5d2e-0000-4000-8000-00000000dead" }), input: "targetConnection", says: /not an Azure Resource Manager service connection/ },
    // LabImageDistribute: tuning
    { task: "LabImageDistribute", inputs: distribute({ maxParallel: "0" }), input: "maxParallel", says: /from 1 to 16/ },
    { task: "LabImageDistribute", inputs: distribute({ maxParallel: "many" }), input: "maxParallel" },
    { task: "LabImageDistribute", inputs: distribute({ timeoutMinutes: "0" }), input: "timeoutMinutes" },
    { task: "LabImageDistribute", inputs: distribute({ pollIntervalSeconds: "999" }), input: "pollIntervalSeconds" },
    // LabImageRetire
    { task: "LabImageRetire", inputs: { keepNewest: "2" }, input: "lab", says: /is required unless 'labsFile' is given/ },
    { task: "LabImageRetire", inputs: { lab: FACTORY }, input: "keepNewest", says: /is required unless 'maxAgeDays' is given/ },
    { task: "LabImageRetire", inputs: retire({ keepNewest: "-1" }), input: "keepNewest", says: /from 0 to 1000/ },
    { task: "LabImageRetire", inputs: retire({ keepNewest: "two" }), input: "keepNewest" },
    { task: "LabImageRetire", inputs: retire({ keepNewest: "1001" }), input: "keepNewest" },
    { task: "LabImageRetire", inputs: retire({ keepNewest: "", maxAgeDays: "1.5" }), input: "maxAgeDays" },
    { task: "LabImageRetire", inputs: retire({ maxAgeDays: "99999999" }), input: "maxAgeDays", says: /from 0 to 36500/ },
    { task: "LabImageRetire", inputs: retire({ lab: "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l" }), input: "lab", says: /not a subscription id/ },
    { task: "LabImageRetire", inputs: retire({ lab: "bad lab!" }), input: "lab", says: /lab name/ },
    { task: "LabImageRetire", inputs: retire({ lab: "NoSuchLab" }), input: "lab", says: /no lab named 'NoSuchLab'/ },
    { task: "LabImageRetire", inputs: retire({ lab: MISSING_LAB }), input: "lab", says: /does not exist/ },
    { task: "LabImageRetire", inputs: retire({ lab: "", labsFile: tempFile("Labs.json", "not json") }), input: "labsFile", says: /not valid JSON/ },
    { task: "LabImageRetire", inputs: retire({ lab: "", labsFile: microsoftSample }), input: "labsFile", says: /not a subscription id/ },
    { task: "LabImageRetire", inputs: retire({ lab: "", labsFile: labsFileWith({ ...teamA, LabName: "NoSuchLab" }) }), input: "labsFile", says: /does not exist/ },
    { task: "LabImageRetire", inputs: retire({ lab: "", labsFile: labsFileWith({ SubscriptionId: LABS.partner.subscriptionId, ResourceGroup: LABS.partner.resourceGroup, LabName: LABS.partner.labName }) }), input: "labsFile", says: /may not read the lab 'PartnerLab'/ },
    { task: "LabImageRetire", inputs: retire({ dryRun: "sometimes" }), input: "dryRun" },
    { task: "LabImageRetire", inputs: retire({ deleteLastImage: "x" }), input: "deleteLastImage" },
    { task: "LabImageRetire", inputs: retire({ family: "x".repeat(300) }), input: "family", says: /at most 256/ },
    { task: "LabImageRetire", inputs: retire({ maxParallel: "17" }), input: "maxParallel" },
    { task: "LabImageRetire", inputs: retire({ timeoutMinutes: "2000" }), input: "timeoutMinutes" },
    { task: "LabImageRetire", inputs: retire({ pollIntervalSeconds: "0" }), input: "pollIntervalSeconds" },
    { task: "LabImageRetire", inputs: retire({ targetConnection: "7a0c5d2e-0000-4000-8000-00000000beef" }), input: "targetConnection" },
  ];

  const cases = table();
  it("has at least 30 cases, across both tasks", () => {
    assert.ok(cases.length >= 30, `${cases.length} cases`);
    assert.ok(cases.filter((c) => c.task === "LabImageRetire").length >= 10);
  });

  for (const item of cases) {
    const shown = JSON.stringify(item.inputs).replace(new RegExp(FACTORY, "g"), "<factory>").replace(/\/tmp\/[^"]+/g, "<file>");
    it(badInputTitle(item, shown), () => assertFailsNamingInput(e2e, item, () => e2e.run({ task: item.task, node, inputs: item.inputs, debug: true })));
  }
});
