import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import { buildLabVmBody, checkCredentials, parseGalleryImage, parseTags, type LabVmSpec } from "../../../src/lab/vm-spec";

const names = { userName: "userName", password: "password", sshKey: "sshKey" };

function assertInputError(fn: () => unknown, input: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof InputError && err.input === input && pattern.test(err.message));
}

describe("lab/vm-spec", () => {
  it("parses publisher:offer:sku[:version]", () => {
    assert.deepEqual(parseGalleryImage("MicrosoftWindowsServer:WindowsServer:2022-datacenter", "galleryImage"), { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter", version: "latest" });
    assert.equal(parseGalleryImage(" Canonical : ubuntu-24_04-lts : server : 24.04.202401 ", "galleryImage").version, "24.04.202401");
  });
  for (const bad of ["WindowsServer", "a:b", "a:b:c:d:e", "a::c", "a:b:c d"]) {
    it(`rejects the gallery image ${JSON.stringify(bad)}`, () => assertInputError(() => parseGalleryImage(bad, "galleryImage"), "galleryImage", /publisher|not a gallery image/));
  }

  it("parses tags as lines or JSON", () => {
    assert.deepEqual(parseTags("team=qa\n# comment\ncost center = 42\n", "tags"), { team: "qa", "cost center": "42" });
    assert.deepEqual(parseTags('{"team": "qa", "n": 1}', "tags"), { team: "qa", n: "1" });
    assert.deepEqual(parseTags(undefined, "tags"), {});
  });
  it("rejects malformed tags", () => {
    assertInputError(() => parseTags("team", "tags"), "tags", /not name=value/);
    assertInputError(() => parseTags('{"a": {"b": 1}}', "tags"), "tags", /text value/);
    assertInputError(() => parseTags("{bad json", "tags"), "tags", /not valid JSON/);
    assertInputError(() => parseTags("a/b=1", "tags"), "tags", /not allowed/);
  });

  it("checks credentials for the OS", () => {
    assertInputError(() => checkCredentials({ password: "longenough1", sshKey: "ssh-rsa AAAA" }, "Linux", names), "sshKey", /not both/);
    assertInputError(() => checkCredentials({ sshKey: "ssh-rsa AAAAB3" }, "Windows", names), "sshKey", /Windows/);
    assertInputError(() => checkCredentials({ sshKey: "not a key" }, "Linux", names), "sshKey", /not an SSH public key/);
    assertInputError(() => checkCredentials({ password: "short" }, "Windows", names), "password", /8 to 123/);
    checkCredentials({ sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host" }, "Linux", names);
  });

  const spec: LabVmSpec = {
    image: { kind: "galleryImage", image: { publisher: "p", offer: "o", sku: "s", version: "latest" }, osType: "Linux" },
    size: "Standard_D2s_v3",
    userName: "admin",
    sshKey: "ssh-rsa AAAAB3 me",
    artifacts: [{ artifactId: "/a", parameters: [] }],
    allowClaim: true,
    notes: "n",
    tags: { team: "qa" },
  };
  it("builds the PUT body for a gallery image with an SSH key, tagged as ours", () => {
    const body = buildLabVmBody(spec, { location: "westeurope" });
    assert.deepEqual(body.galleryImageReference, { publisher: "p", offer: "o", sku: "s", version: "latest", osType: "Linux" });
    assert.equal(body.isAuthenticationWithSshKey, true);
    assert.equal(body.password, undefined);
    assert.equal(body.location, "westeurope");
    assert.deepEqual(body.tags, { team: "qa", CreatedBy: "dtl-image-factory" });
    assert.equal(body.allowClaim, true);
  });
  it("takes a formula's content as the base and lets the inputs override it", () => {
    const body = buildLabVmBody(
      { ...spec, image: { kind: "formula", formulaId: "f" }, size: undefined, sshKey: undefined, password: "fromInput1" },
      { formula: { size: "Standard_B2s", customImageId: "/ci", artifacts: [{ artifactId: "/f" }], password: "formulaPw", name: "ignored", location: "x" } },
    );
    assert.equal(body.size, "Standard_B2s");
    assert.equal(body.customImageId, "/ci");
    assert.equal(body.password, "fromInput1");
    assert.deepEqual(body.artifacts?.map((a) => a.artifactId), ["/f", "/a"]);
    assert.equal((body as { name?: string }).name, undefined);
  });
});
