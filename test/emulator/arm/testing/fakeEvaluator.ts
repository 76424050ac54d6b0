// A deliberately tiny stand-in for the ARM template evaluator, so this layer's deployment code can be
// tested on hand-written templates independently of test/emulator/template. Understands whole-string
// expressions only: [parameters('p')], [resourceGroup().location], [resourceId('type', 'a', 'b')],
// [reference('id'[, 'api'[, 'Full']]).a.b] (outputs only) — anything else is InvalidTemplate.
import type { EvaluatedResource, EvaluatedTemplate, TemplateErrorShape, TemplateEvaluationHooks, TemplateScope } from "../../core/contracts";

class FakeTemplateError extends Error {
  constructor(readonly error: TemplateErrorShape) {
    super(error.message);
  }
}

type Value = unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function fakeEvaluateTemplate(template: unknown, parameters: Record<string, unknown>, scope: TemplateScope, hooks: TemplateEvaluationHooks): EvaluatedTemplate {
  if (!isRecord(template) || !Array.isArray(template["resources"])) {
    throw new FakeTemplateError({ code: "InvalidTemplate", message: "Deployment template validation failed: 'The template resources are missing.'" });
  }
  const defs = isRecord(template["parameters"]) ? template["parameters"] : {};
  const values: Record<string, Value> = {};
  for (const [name, def] of Object.entries(defs)) {
    const given = parameters[name];
    if (isRecord(given) && "value" in given) values[name] = given["value"];
    else if (isRecord(def) && "defaultValue" in def) values[name] = def["defaultValue"];
    else {
      throw new FakeTemplateError({
        code: "InvalidTemplate",
        message: `Deployment template validation failed: 'The value for the template parameter '${name}' at line '1' and column '1' is not provided.'`,
      });
    }
  }
  const rgPrefix = `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroupName}`;
  const resourceId = (type: string, names: string[]) => {
    const [ns = "", ...types] = type.split("/");
    return `${rgPrefix}/providers/${ns}/${types.map((t, i) => `${t}/${names[i] ?? ""}`).join("/")}`;
  };
  const literal = (s: string) => s.trim().replace(/^'|'$/g, "");

  const evalString = (s: string, runtime?: (id: string) => unknown): Value => {
    if (!s.startsWith("[") || s.startsWith("[[")) return s;
    const expr = s.slice(1, -1).trim();
    let m = /^parameters\('([^']+)'\)$/.exec(expr);
    if (m) return values[m[1] ?? ""];
    if (expr === "resourceGroup().location") return scope.resourceGroupLocation;
    m = /^resourceId\((.*)\)$/.exec(expr);
    if (m) {
      const args = (m[1] ?? "").split(",").map(literal);
      return resourceId(args[0] ?? "", args.slice(1));
    }
    m = /^reference\(([^)]*)\)((?:\.\w+)*)$/.exec(expr);
    if (m) {
      const args = (m[1] ?? "").split(",").map(literal);
      const full = (args[2] ?? "").toLowerCase() === "full";
      let cur: unknown = runtime ? runtime(args[0] ?? "") : hooks.reference(args[0] ?? "", args[1], full);
      if (runtime && !full && isRecord(cur)) cur = cur["properties"];
      for (const seg of (m[2] ?? "").split(".").filter(Boolean)) cur = isRecord(cur) ? cur[seg] : undefined;
      return cur;
    }
    throw new FakeTemplateError({ code: "InvalidTemplate", message: `Deployment template validation failed: 'The template function in '${expr}' is not valid.'` });
  };
  const evalDeep = (v: Value, runtime?: (id: string) => unknown): Value => {
    if (typeof v === "string") return evalString(v, runtime);
    if (Array.isArray(v)) return v.map((x) => evalDeep(x, runtime));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evalDeep(x, runtime)]));
    return v;
  };

  const resources: EvaluatedResource[] = (template["resources"] as unknown[]).filter(isRecord).map((r) => {
    const type = String(r["type"]);
    const name = String(evalDeep(r["name"]));
    const id = resourceId(type, name.split("/"));
    const dependsOn = Array.isArray(r["dependsOn"]) ? r["dependsOn"].map((d) => String(evalDeep(d))) : [];
    const out: EvaluatedResource = { id, type, name, apiVersion: String(r["apiVersion"] ?? ""), dependsOn };
    if (r["location"] !== undefined) out.location = String(evalDeep(r["location"]));
    if (isRecord(r["tags"])) out.tags = evalDeep(r["tags"]) as Record<string, string>;
    if (r["properties"] !== undefined) out.properties = evalDeep(r["properties"]);
    if (r["sku"] !== undefined) out.sku = evalDeep(r["sku"]);
    return out;
  });
  return {
    resources,
    outputs: (runtime) => {
      const outputs = isRecord(template["outputs"]) ? template["outputs"] : {};
      return Object.fromEntries(
        Object.entries(outputs)
          .filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]))
          .map(([k, o]) => [k, { type: String(o["type"] ?? "string"), value: evalDeep(o["value"], runtime) }]),
      );
    },
  };
}
