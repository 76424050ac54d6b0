// The runtimes the tasks must run on.
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findNode24, nodeRuntime, nodeRuntimes } from "./runtimes";

describe("harness: Node runtimes", () => {
  it("lists Node 20 and Node 24 with their binaries and versions", function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip();
    const runtimes = nodeRuntimes();
    assert.deepEqual(runtimes.map((r) => [r.label, r.major]), [["Node 20", 20], ["Node 24", 24]]);
    for (const runtime of runtimes) {
      assert.ok(existsSync(runtime.path), runtime.path);
      assert.match(runtime.version, new RegExp(`^${runtime.major}\\.\\d+\\.\\d+$`));
    }
    assert.equal(nodeRuntime(24).path, runtimes[1]?.path);
    assert.throws(() => nodeRuntime(18), /Node 18 is not one of the harness runtimes/);
  });

  it("tells the user to run npm ci when Node 24 is missing", () => {
    assert.throws(() => findNode24(join(__dirname, "no-such-node")), /Node 24 is missing .*run `npm ci`/);
    assert.throws(() => findNode24(process.execPath), /is Node 20\.\d+\.\d+, not 24: run `npm ci` again/);
  });
});
