import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import { globToRegex, listEntries, matchesPatterns, parseImageSelection, parseTagFilter, selectionNeedsLab } from "../../../src/images/selection";

const names = { images: "images", namePattern: "imageNamePattern", tagFilter: "imageTagFilter" };
const LAB = "/subscriptions/20000000-0000-4000-8000-000000000001/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab";

function rejects(run: () => unknown, input: string, pattern?: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof InputError && error.input === input && (pattern === undefined || pattern.test(error.message)));
}

describe("images: choosing source images", () => {
  it("globs match whole names, ignore case and escape regex characters", () => {
    assert.equal(globToRegex("win-*").test("WIN-2022"), true);
    assert.equal(globToRegex("win-*").test("xwin-2022"), false);
    assert.equal(globToRegex("a?c").test("abc"), true);
    assert.equal(globToRegex("a.c").test("abc"), false);
    assert.equal(globToRegex("win2016/*").test("win2016/datacenter"), true);
    assert.equal(globToRegex("(x)+").test("(x)+"), true);
  });

  it("splits list inputs on lines, commas and semicolons, skipping blanks and comments", () => {
    assert.deepEqual(listEntries(" a ,b;c\r\n\n# comment\n d "), ["a", "b", "c", "d"]);
    assert.deepEqual(listEntries(undefined), []);
  });

  it("parses ids and names (each once), a name pattern and a tag filter", () => {
    const selection = parseImageSelection({ images: `${LAB}/customimages/img1\n${LAB.toLowerCase()}/CustomImages/img1\nimg2, img2`, namePattern: "win-*", tagFilter: "team=q?", names });
    assert.deepEqual(selection.ids.map((i) => i.imageName), ["img1"]);
    assert.equal(selection.ids[0]?.id, `${LAB}/customimages/img1`);
    assert.deepEqual(selection.names, ["img2"]);
    assert.equal(selection.namePattern?.text, "win-*");
    assert.equal(selection.tag?.name, "team");
    assert.equal(selectionNeedsLab(selection), true);
    assert.equal(selectionNeedsLab(parseImageSelection({ images: `${LAB}/customimages/img1`, names })), false);
  });

  it("rejects what cannot name an image, naming the input", () => {
    rejects(() => parseImageSelection({ names }), "images", /is required unless/);
    rejects(() => parseImageSelection({ images: "bad name", names }), "images");
    rejects(() => parseImageSelection({ images: `${LAB}/virtualmachines/vm`, names }), "images", /virtualmachines/);
    rejects(() => parseImageSelection({ images: `${LAB}/customimages/bad-`, names }), "images");
    rejects(() => parseImageSelection({ namePattern: "a/b", names }), "imageNamePattern");
    rejects(() => parseImageSelection({ namePattern: "##vso[x]", names }), "imageNamePattern", /##vso_\[/);
    rejects(() => parseTagFilter("=x", "imageTagFilter"), "imageTagFilter");
    rejects(() => parseTagFilter("a/b=x", "imageTagFilter"), "imageTagFilter");
    rejects(() => parseTagFilter("name=", "imageTagFilter"), "imageTagFilter", /needs a value/);
    rejects(() => parseTagFilter(`name=${"v".repeat(257)}`, "imageTagFilter"), "imageTagFilter");
  });

  it("matches images by name pattern and tag (both when both are given)", () => {
    const selection = { namePattern: { text: "win-*", regex: globToRegex("win-*") }, tag: parseTagFilter("ImageFactory.Family=win/*", "t") };
    assert.equal(matchesPatterns({ name: "win-1", tags: { "imagefactory.family": "win/dc" } }, selection), true);
    assert.equal(matchesPatterns({ name: "win-1", tags: { "imagefactory.family": "linux/x" } }, selection), false);
    assert.equal(matchesPatterns({ name: "lin-1", tags: { "imagefactory.family": "win/dc" } }, selection), false);
    assert.equal(matchesPatterns({ name: "x", tags: { team: "" } }, { tag: parseTagFilter("team", "t") }), true, "a tag that exists with any value");
    assert.equal(matchesPatterns({ name: "x" }, {}), false, "no pattern selects nothing");
  });
});
