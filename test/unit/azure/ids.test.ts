// Resource ids: build/parse round trips, the lower-cased forms the service returns, and malformed input.
import { strict as assert } from "node:assert";
import { InputError } from "../../../src/errors";
import {
  armTemplateId,
  artifactId,
  artifactSourceId,
  customImageId,
  environmentId,
  formatResourceId,
  labId,
  labVmId,
  parseArmTemplateId,
  parseArtifactId,
  parseArtifactSourceId,
  parseCustomImageId,
  parseEnvironmentId,
  parseLabId,
  parseLabVmId,
  parseResourceGroupId,
  parseResourceId,
  resourceGroupId,
  sameResourceId,
} from "../../../src/azure/ids";

const SUB = "11111111-2222-3333-4444-555555555555";
const LAB = { subscriptionId: SUB, resourceGroup: "Factory-RG", labName: "FactoryLab" };
const PREFIX = `/subscriptions/${SUB}/resourceGroups/Factory-RG/providers/Microsoft.DevTestLab/labs/FactoryLab`;

describe("azure/ids", () => {
  describe("build and parse round trips", () => {
    const cases = [
      { name: "lab", id: labId(LAB), expected: PREFIX, parse: (id: string) => parseLabId(id, "labId"), ref: LAB },
      { name: "lab VM", id: labVmId({ ...LAB, vmName: "web01" }), expected: `${PREFIX}/virtualmachines/web01`, parse: (id: string) => parseLabVmId(id, "labVmId"), ref: { ...LAB, vmName: "web01" } },
      {
        name: "custom image",
        id: customImageId({ ...LAB, imageName: "Win2019-Base" }),
        expected: `${PREFIX}/customimages/Win2019-Base`,
        parse: (id: string) => parseCustomImageId(id, "customImageId"),
        ref: { ...LAB, imageName: "Win2019-Base" },
      },
      {
        name: "environment",
        id: environmentId({ ...LAB, userId: "6d5e4f3a-0000-1111-2222-333344445555", environmentName: "qa-env" }),
        expected: `${PREFIX}/users/6d5e4f3a-0000-1111-2222-333344445555/environments/qa-env`,
        parse: (id: string) => parseEnvironmentId(id, "environmentId"),
        ref: { ...LAB, userId: "6d5e4f3a-0000-1111-2222-333344445555", environmentName: "qa-env" },
      },
      {
        name: "artifact source (name with a blank, as the public repo has)",
        id: artifactSourceId({ ...LAB, artifactSourceName: "public repo" }),
        expected: `${PREFIX}/artifactsources/public repo`,
        parse: (id: string) => parseArtifactSourceId(id, "repositoryId"),
        ref: { ...LAB, artifactSourceName: "public repo" },
      },
      {
        name: "ARM template",
        id: armTemplateId({ ...LAB, artifactSourceName: "envs", templateName: "WebApp" }),
        expected: `${PREFIX}/artifactsources/envs/armtemplates/WebApp`,
        parse: (id: string) => parseArmTemplateId(id, "templateId"),
        ref: { ...LAB, artifactSourceName: "envs", templateName: "WebApp" },
      },
      {
        name: "artifact",
        id: artifactId({ ...LAB, artifactSourceName: "public repo", artifactName: "windows-sysprep" }),
        expected: `${PREFIX}/artifactsources/public repo/artifacts/windows-sysprep`,
        parse: (id: string) => parseArtifactId(id, "artifacts"),
        ref: { ...LAB, artifactSourceName: "public repo", artifactName: "windows-sysprep" },
      },
    ];
    for (const { name, id, expected, parse, ref } of cases) {
      it(`${name}: builds the canonical id and parses it back`, () => {
        assert.equal(id, expected);
        assert.deepEqual(parse(id), ref);
      });
      it(`${name}: parses the lower-cased form the service returns`, () => {
        const lowered = id.replace("/resourceGroups/", "/resourcegroups/").replace("Microsoft.DevTestLab", "microsoft.devtestlab");
        assert.deepEqual(parse(lowered), ref);
        assert.ok(sameResourceId(lowered, id));
      });
      it(`${name}: parses an id with blanks around and a trailing slash`, () => {
        assert.deepEqual(parse(`  ${id}/ \n`), ref);
      });
    }

    it("resource group ids", () => {
      const id = resourceGroupId({ subscriptionId: SUB, resourceGroup: "rg" });
      assert.equal(id, `/subscriptions/${SUB}/resourceGroups/rg`);
      assert.deepEqual(parseResourceGroupId(id.toLowerCase().replace(SUB, SUB), "environmentResourceGroupId"), { subscriptionId: SUB, resourceGroup: "rg" });
    });
  });

  describe("parseResourceId", () => {
    it("parses nested types and keeps names' casing", () => {
      const parsed = parseResourceId(`/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/RG/PROVIDERS/Microsoft.Compute/galleries/G1/images/Img/versions/1.0.0`);
      assert.deepEqual(parsed, { subscriptionId: SUB, resourceGroup: "RG", provider: "Microsoft.Compute", types: ["galleries", "images", "versions"], names: ["G1", "Img", "1.0.0"] });
      assert.equal(formatResourceId(parsed), `/subscriptions/${SUB}/resourceGroups/RG/providers/Microsoft.Compute/galleries/G1/images/Img/versions/1.0.0`);
    });

    it("parses subscription ids and accepts a missing leading slash", () => {
      assert.deepEqual(parseResourceId(`subscriptions/${SUB}`), { subscriptionId: SUB, types: [], names: [] });
    });
  });

  describe("sameResourceId", () => {
    it("compares case-insensitively, ignoring blanks and trailing slashes", () => {
      assert.ok(sameResourceId(`${PREFIX}/virtualmachines/web01`, ` ${PREFIX.toLowerCase()}/VIRTUALMACHINES/WEB01/ `));
      assert.ok(!sameResourceId(`${PREFIX}/virtualmachines/web01`, `${PREFIX}/virtualmachines/web02`));
    });
  });

  describe("malformed ids fail with the input name and the expected form", () => {
    const bad: { name: string; id: string; parse: (id: string) => unknown; why: RegExp; form: RegExp }[] = [
      { name: "empty", id: "", parse: (id) => parseLabVmId(id, "labVmId"), why: /it is empty/, form: /virtualmachines\/\{vmName\}/ },
      { name: "a bare name", id: "web01", parse: (id) => parseLabVmId(id, "labVmId"), why: /does not start with \/subscriptions/, form: /virtualmachines/ },
      { name: "a subscription that is not a GUID", id: `/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.DevTestLab/labs/l`, parse: (id) => parseLabId(id, "labId"), why: /not a subscription id/, form: /labs\/\{labName\}/ },
      { name: "a VM id where a lab id is expected", id: `${PREFIX}/virtualmachines/web01`, parse: (id) => parseLabId(id, "labId"), why: /Microsoft\.DevTestLab\/labs\/virtualmachines/, form: /labs\/\{labName\}$/ },
      { name: "a lab id where a VM id is expected", id: PREFIX, parse: (id) => parseLabVmId(id, "labVmId"), why: /names a Microsoft\.DevTestLab\/labs resource/, form: /virtualmachines/ },
      { name: "a compute VM id where a lab VM id is expected", id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web01`, parse: (id) => parseLabVmId(id, "labVmId"), why: /Microsoft\.Compute\/virtualMachines/, form: /virtualmachines/ },
      { name: "a type without a name", id: `${PREFIX}/virtualmachines`, parse: (id) => parseLabVmId(id, "labVmId"), why: /followed by a name/, form: /virtualmachines/ },
      { name: "a double slash", id: `${PREFIX}//virtualmachines/web01`, parse: (id) => parseLabVmId(id, "labVmId"), why: /empty segment/, form: /virtualmachines/ },
      { name: "a portal URL with a query", id: `${PREFIX}/virtualmachines/web01?api-version=2018-09-15`, parse: (id) => parseLabVmId(id, "labVmId"), why: /query string/, form: /virtualmachines/ },
      { name: "resourceGroups misspelt", id: `/subscriptions/${SUB}/resourceGroup/rg/providers/Microsoft.DevTestLab/labs/l`, parse: (id) => parseLabId(id, "labId"), why: /resourceGroups\/\{resourceGroup\}' must follow/, form: /labs/ },
      { name: "providers missing", id: `/subscriptions/${SUB}/resourceGroups/rg/Microsoft.DevTestLab/labs/l`, parse: (id) => parseLabId(id, "labId"), why: /providers\/\{namespace\}' must follow/, form: /labs/ },
      { name: "a custom image id given as an environment id", id: `${PREFIX}/customimages/img`, parse: (id) => parseEnvironmentId(id, "environmentId"), why: /customimages/, form: /users\/\{userId\}\/environments/ },
      { name: "an extension resource", id: `${PREFIX}/providers/Microsoft.Insights/diagnosticSettings/x`, parse: (id) => parseResourceId(id, "resourceId"), why: /extension resources/, form: /providers/ },
      { name: "a logging command", id: "##vso[task.setvariable variable=x]y", parse: (id) => parseLabId(id, "labId"), why: /##vso_\[/, form: /labs/ },
    ];
    for (const { name, id, parse, why, form } of bad) {
      it(name, () => {
        assert.throws(
          () => parse(id),
          (error: unknown) => {
            assert.ok(error instanceof InputError);
            assert.match(error.message, why);
            assert.match(error.message, form);
            assert.ok(!error.message.includes("##vso["), "input echoed safely");
            return true;
          },
        );
      });
    }

    it("names the caller's input", () => {
      assert.throws(() => parseLabVmId("nope", "LabVmId"), (error: unknown) => error instanceof InputError && error.input === "LabVmId");
    });
  });
});
