// The emulator host's pure parts: RBAC action names, path patterns, seed validation, JWT signatures (RS256 and
// the PS256 MSAL uses for certificate assertions), fault rule validation.
import assert from "node:assert/strict";
import { constants, sign } from "node:crypto";
import { issueCertificate, newKeyPair } from "../identity/certificates";
import { decodeJwt, signJwt, verifyJwtSignature } from "../identity/jwt";
import { defaultSeedPath, loadSeed, validateSeed } from "../seed/load";
import { armAction } from "../server/arm-actions";
import { validateFault } from "../server/faults";
import { compilePathPattern, matchesIdOrName } from "../server/path-pattern";
import { RequestLog } from "../server/request-log";

describe("emulator host parts", () => {
  describe("armAction", () => {
    const lab = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l";
    const cases: Array<[string, string, string, string]> = [
      ["GET", lab, "Microsoft.DevTestLab/labs/read", lab],
      ["PUT", `${lab}/virtualmachines/v`, "Microsoft.DevTestLab/labs/virtualmachines/write", `${lab}/virtualmachines/v`],
      ["DELETE", `${lab}/customimages/i`, "Microsoft.DevTestLab/labs/customimages/delete", `${lab}/customimages/i`],
      ["POST", `${lab}/virtualmachines/v/applyArtifacts`, "Microsoft.DevTestLab/labs/virtualmachines/applyArtifacts/action", `${lab}/virtualmachines/v`],
      ["POST", `${lab}/generateUploadUri`, "Microsoft.DevTestLab/labs/generateUploadUri/action", lab],
      ["GET", `${lab}/virtualmachines`, "Microsoft.DevTestLab/labs/virtualmachines/read", lab],
      ["GET", "/subscriptions/s", "Microsoft.Resources/subscriptions/read", "/subscriptions/s"],
      ["GET", "/subscriptions/s/resourcegroups", "Microsoft.Resources/subscriptions/resourceGroups/read", "/subscriptions/s"],
      ["PUT", "/subscriptions/s/resourcegroups/rg", "Microsoft.Resources/subscriptions/resourceGroups/write", "/subscriptions/s/resourcegroups/rg"],
      ["PUT", "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Resources/deployments/d", "Microsoft.Resources/deployments/write", "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Resources/deployments/d"],
      ["GET", "/subscriptions/s/providers/Microsoft.DevTestLab/locations/westus/operations/o", "Microsoft.DevTestLab/locations/operations/read", "/subscriptions/s/providers/Microsoft.DevTestLab/locations/westus/operations/o"],
      ["GET", "/subscriptions/s/providers/Microsoft.DevTestLab/labs", "Microsoft.DevTestLab/labs/read", "/subscriptions/s"],
    ];
    for (const [method, path, action, scope] of cases) {
      it(`${method} ${path.replace(lab, "…/labs/l")} → ${action}`, () => {
        assert.deepEqual(armAction(method, path), { action, scope });
      });
    }
  });

  describe("path patterns", () => {
    it("globs: * within a segment, ** across, case-insensitive; ^ makes a regex", () => {
      assert.ok(compilePathPattern("/subscriptions/*").test("/SUBSCRIPTIONS/abc"));
      assert.ok(!compilePathPattern("/subscriptions/*").test("/subscriptions/abc/resourcegroups"));
      assert.ok(compilePathPattern("/subscriptions/**/virtualmachines/*").test("/subscriptions/s/resourceGroups/rg/providers/x/labs/l/virtualMachines/vm"));
      assert.ok(compilePathPattern("/a.b").test("/a.b") && !compilePathPattern("/a.b").test("/axb"), "dots are literal in globs");
      assert.ok(compilePathPattern("^/sub.*s$").test("/subs"));
      assert.throws(() => compilePathPattern("^(unclosed"), /Invalid regular expression/);
      assert.ok(matchesIdOrName(compilePathPattern("vm-*"), "/x/virtualmachines/vm-1"));
    });
  });

  describe("seed", () => {
    it("the default seed is whole", () => {
      const seed = loadSeed(defaultSeedPath);
      assert.deepEqual(validateSeed(seed), []);
      assert.equal(seed.tenants.length, 2);
      assert.equal(seed.labs.length, 4);
    });

    it("names broken references", () => {
      const problems = validateSeed({
        tenants: [{ id: "t", displayName: "T", defaultDomain: "t.example" }],
        subscriptions: [{ id: "s", tenantId: "t", displayName: "S" }],
        principals: [{ tenantId: "t", clientId: "c", objectId: "o", displayName: "p", subscriptions: ["nope"] }],
        managedIdentities: [{ tenantId: "x", clientId: "m", objectId: "o", subscriptions: [] }],
        labs: [{ subscriptionId: "gone", resourceGroup: "rg", name: "l", location: "westeurope" }],
      });
      assert.deepEqual(problems, [
        "principals[0].subscriptions names an unknown subscription nope",
        "managedIdentities[0].tenantId names no tenant",
        "managedIdentities[0].objectId is used twice",
        "labs[0].subscriptionId names no subscription",
      ]);
    });
  });

  describe("JWT", () => {
    it("verifies RS256 and PS256 and refuses another key or alg none", async () => {
      const { privateKey, publicKey } = await newKeyPair();
      const other = await newKeyPair();
      const rs256 = decodeJwt(signJwt({ sub: "x" }, privateKey));
      assert.equal(verifyJwtSignature(rs256, publicKey), true);
      assert.equal(verifyJwtSignature(rs256, other.publicKey), false);

      const header = Buffer.from(JSON.stringify({ alg: "PS256", typ: "JWT" })).toString("base64url");
      const payload = Buffer.from(JSON.stringify({ sub: "x" })).toString("base64url");
      const signature = sign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      assert.equal(verifyJwtSignature(decodeJwt(`${header}.${payload}.${signature.toString("base64url")}`), publicKey), true);

      const none = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
      assert.equal(verifyJwtSignature(decodeJwt(`${none}.${payload}.`), publicKey), false);
      assert.throws(() => decodeJwt("a.b"), /compact JWS/);
    });

    it("certificates carry the thumbprints Entra and MSAL use", async () => {
      const certificate = await issueCertificate({ commonName: "x" });
      assert.match(certificate.thumbprintHex, /^[0-9A-F]{40}$/);
      assert.equal(Buffer.from(certificate.x5t, "base64url").toString("hex").toUpperCase(), certificate.thumbprintHex);
      assert.equal(Buffer.from(certificate.x5tS256, "base64url").length, 32);
    });
  });

  describe("request log", () => {
    it("stays bounded, drops the oldest first and keeps counting", () => {
      const log = new RequestLog();
      const entry = { time: "", method: "GET", path: "/p", query: {}, status: 200, durationMs: 1, route: "arm", requestHeaders: {}, responseHeaders: {} };
      for (let i = 0; i < 25_000; i++) log.add(entry);
      const all = log.list();
      assert.ok(all.length <= 20_000 && all.length >= 18_000);
      assert.equal(all.at(-1)?.seq, 25_000);
      assert.equal(log.list({ since: 24_990 }).length, 10);
      log.add({ ...entry, responseBody: "x".repeat(300 * 1024) });
      assert.match((log.list({ since: 25_000, full: true })[0] as { responseBody?: string }).responseBody ?? "", /…\[\d+ more characters\]$/);
    });
  });

  describe("fault validation", () => {
    it("accepts each kind with its members and refuses the rest with a reason", () => {
      validateFault({ kind: "status", status: 429, retryAfter: 3, path: "/subscriptions/**", count: 2 });
      validateFault({ kind: "reset", method: "PUT", rate: 0.5 });
      validateFault({ kind: "latency", ms: 100 });
      validateFault({ kind: "lroFailure", code: "X", message: "y" });
      validateFault({ kind: "tokenExpiry", mode: "shortLifetime", lifetimeSeconds: 5, clientId: "c" });
      validateFault({ kind: "artifactFailure", vm: "*", artifact: "windows-sysprep" });
      assert.throws(() => validateFault({ kind: "explode" }), /"kind" must be one of/);
      assert.throws(() => validateFault({ kind: "latency" }), /needs "ms"/);
      assert.throws(() => validateFault({ kind: "artifactFailure" }), /needs "vm" or "artifact"/);
      assert.throws(() => validateFault({ kind: "status", status: 500, colour: "red" }), /Unknown fault member\(s\): colour/);
      assert.throws(() => validateFault({ kind: "status", status: 500, count: 1.5 }), /whole number/);
    });
  });
});
