// Every task.json against the official schema, plus the project's own rules for a task a user can trust.
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv-draft-04";

const root = join(__dirname, "..", "..");
const schema = JSON.parse(readFileSync(join(root, "test", "fixtures", "schemas", "tasks.schema.json"), "utf8"));
const taskDirs = readdirSync(join(root, "tasks")).filter((n) => existsSync(join(root, "tasks", n, "task.json")));

interface TaskInput { name: string; aliases?: string[]; type: string; label: string; helpMarkDown?: string; groupName?: string; visibleRule?: string; required?: boolean }
interface TaskJson {
  id: string; name: string; friendlyName: string; instanceNameFormat: string; execution: Record<string, unknown>;
  inputs?: TaskInput[]; groups?: { name: string }[]; dataSourceBindings?: { target: string; endpointId?: string; endpointUrl?: string }[];
  outputVariables?: { name: string }[];
}
const tasks = taskDirs.map((dir) => ({ dir, json: JSON.parse(readFileSync(join(root, "tasks", dir, "task.json"), "utf8")) as TaskJson }));

describe("task.json files", () => {
  it("there are tasks", () => assert.ok(tasks.length > 0));

  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const validate = ajv.compile(schema);
  for (const { dir, json } of tasks) {
    describe(dir, () => {
      it("validates against the official task.json schema", () => {
        const ok = validate(json);
        assert.ok(ok, JSON.stringify(validate.errors, null, 2));
      });
      it("is named after its folder and has an icon and an entry point", () => {
        assert.equal(json.name, dir);
        assert.ok(existsSync(join(root, "tasks", dir, "icon.png")), "icon.png");
        assert.ok(existsSync(join(root, "tasks", dir, "index.ts")), "index.ts");
      });
      it("runs on exactly the Node24 and Node20_1 handlers", () => {
        assert.deepEqual(Object.keys(json.execution).sort(), ["Node20_1", "Node24"]);
        for (const handler of Object.values(json.execution) as { target: string }[]) assert.equal(handler.target, "index.js");
      });
      it("has an instanceNameFormat and a friendlyName of at most 40 characters", () => {
        assert.ok(json.instanceNameFormat?.trim(), "instanceNameFormat");
        assert.ok(json.friendlyName.length <= 40, `friendlyName is ${json.friendlyName.length} characters`);
      });
      it("has help text on every input, and input names and aliases are unique", () => {
        const seen = new Set<string>();
        for (const input of json.inputs ?? []) {
          assert.ok(input.helpMarkDown && input.helpMarkDown.trim().length >= 10, `input ${input.name} has no help text`);
          for (const n of [input.name, ...(input.aliases ?? [])]) {
            assert.ok(!seen.has(n.toLowerCase()), `input name or alias ${n} is used twice`);
            seen.add(n.toLowerCase());
          }
        }
      });
      it("puts optional tuning inputs in groups and every groupName exists", () => {
        const groups = new Set((json.groups ?? []).map((g) => g.name));
        for (const input of json.inputs ?? []) {
          if (input.groupName) assert.ok(groups.has(input.groupName), `input ${input.name} names unknown group ${input.groupName}`);
        }
        const advanced = (json.inputs ?? []).filter((i) => /timeout|retry|wait|poll/i.test(i.name));
        for (const input of advanced) assert.ok(input.groupName, `advanced input ${input.name} is not in a group`);
      });
      it("builds picker URLs on the service connection's URL, never a fixed cloud", () => {
        for (const binding of json.dataSourceBindings ?? []) {
          assert.ok(!/management\.azure\.com/i.test(binding.endpointUrl ?? ""), `${binding.target} hard-codes a cloud`);
          if (binding.endpointUrl) assert.match(binding.endpointUrl, /^\{\{\{endpoint\.url\}\}\}/);
          assert.ok((json.inputs ?? []).some((i) => i.name === binding.target), `binding target ${binding.target} is not an input`);
          const connection = (json.inputs ?? []).find((i) => i.type.startsWith("connectedService:"));
          assert.equal(binding.endpointId, `$(${connection?.name})`);
        }
      });
    });
  }

  it("ids, names and friendly names are unique across tasks", () => {
    for (const key of ["id", "name", "friendlyName"] as const) {
      const values = tasks.map((t) => t.json[key].toLowerCase());
      assert.equal(new Set(values).size, values.length, `duplicate ${key}`);
    }
  });

  it("the extension manifest lists every task folder and only those", () => {
    const manifest = JSON.parse(readFileSync(join(root, "vss-extension.json"), "utf8")) as {
      files: { path: string }[]; contributions: { type: string; properties: { name: string } }[];
    };
    const expected = taskDirs.map((d) => `tasks/${d}`).sort();
    const files = manifest.files.map((f) => f.path).filter((p) => p.startsWith("tasks/")).sort();
    const contributed = manifest.contributions.filter((c) => c.type === "ms.vss-distributed-task.task").map((c) => c.properties.name).sort();
    assert.deepEqual(files, expected);
    assert.deepEqual(contributed, expected);
  });
});
