// Artifact sources of a lab and what they hold. Every lab gets Microsoft's two repositories as DTL adds
// them ("Public Repo" with artifacts, "Public Environment Repo" with ARM templates); here their content is
// the samples folder (ArmOptions.samplesDir): artifacts/*/Artifactfile.json and environments/*/azuredeploy.json.
// Artifact and template ids keep ARM casing (…/artifactSources/{src}/armTemplates/{name}) as recorded;
// artifact source ids are lower-cased like DTL's other ids.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ArmContext } from "../core/context";
import { requireObjectBody } from "../core/context";
import { errors } from "../core/errors";
import { parseResourceId, splitPath } from "../core/ids";
import { clone, getCi, getObjectCi, isObject, type Json, type JsonObject } from "../core/json";
import { applyOrderBy, compileFilter } from "../core/odata";
import { page } from "../core/paging";
import type { StoredResource } from "../core/store";
import { DTL_TYPES, LAB, dtlBody, dtlId, newUniqueIdentifier, notFound, now, props, requireLab, requireParentLab, type LabRequest } from "./common";

export const PUBLIC_REPO = "Public Repo";
export const PUBLIC_ENVIRONMENT_REPO = "Public Environment Repo";

export interface SampleArtifact {
  name: string;
  definition: JsonObject;
}
export interface SampleTemplate {
  name: string;
  contents: JsonObject;
  metadata: JsonObject;
  parameterFiles: { fileName: string; parametersValueInfo: JsonObject }[];
}
export interface Samples {
  artifacts: SampleArtifact[];
  templates: SampleTemplate[];
}

function readJson(path: string): JsonObject {
  // ARM and DTL accept files that start with a UTF-8 byte-order mark
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  const parsed: unknown = JSON.parse(text);
  return isObject(parsed) ? parsed : {};
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function loadSamples(samplesDir: string): Samples {
  const artifacts: SampleArtifact[] = [];
  for (const name of subfolders(join(samplesDir, "artifacts"))) {
    const file = join(samplesDir, "artifacts", name, "Artifactfile.json");
    if (existsSync(file)) artifacts.push({ name, definition: readJson(file) });
  }
  const templates: SampleTemplate[] = [];
  for (const name of subfolders(join(samplesDir, "environments"))) {
    const dir = join(samplesDir, "environments", name);
    const file = join(dir, "azuredeploy.json");
    if (!existsSync(file)) continue;
    const meta = join(dir, "metadata.json");
    const parameterFiles = readdirSync(dir)
      .filter((f) => /^azuredeploy\..*parameters\.json$/i.test(f))
      .sort()
      .map((fileName) => {
        const content = readJson(join(dir, fileName));
        const params = getObjectCi(content, "parameters") ?? {};
        return { fileName, parametersValueInfo: params };
      });
    templates.push({ name, contents: readJson(file), metadata: existsSync(meta) ? readJson(meta) : {}, parameterFiles });
  }
  return { artifacts, templates };
}

// ------------------------------------------------------------------ seeding

/** Stores one of Microsoft's public repositories (both are folders of github.com/Azure/azure-devtestlab). */
function addPublicRepository(ctx: ArmContext, lab: StoredResource, name: string, displayName: string, folder: JsonObject, createdDate: string): void {
  const p = parseResourceId(lab.id);
  const id = dtlId(p?.subscriptionId ?? "", p?.resourceGroup ?? "", ["labs", "artifactsources"], [String(lab.body["name"]), name]);
  const properties: JsonObject = {
    displayName,
    uri: "https://github.com/Azure/azure-devtestlab.git",
    sourceType: "GitHub",
    ...folder,
    branchRef: "master",
    status: "Enabled",
    createdDate,
    provisioningState: "Succeeded",
    uniqueIdentifier: "00000000-0000-0000-0000-000000000000",
  };
  ctx.store.put({ id, type: DTL_TYPES.artifactSource, body: dtlBody(id, name, DTL_TYPES.artifactSource, properties), internal: {} });
}

function artifactId(lab: StoredResource, source: string, name: string, kind: "artifacts" | "armTemplates"): string {
  const p = parseResourceId(lab.id);
  const rgName = p?.resourceGroup ?? "";
  return `/subscriptions/${p?.subscriptionId ?? ""}/resourceGroups/${rgName}/providers/Microsoft.DevTestLab/labs/${String(lab.body["name"])}/artifactSources/${source}/${kind}/${name}`;
}

/** Adds the public artifact and environment repositories (with the samples) to a lab. */
export function addPublicRepositories(ctx: ArmContext, lab: StoredResource, samples: Samples): void {
  if (!parseResourceId(lab.id)?.resourceGroup) return;
  const created = now();
  addPublicRepository(ctx, lab, PUBLIC_REPO, "Public Artifact Repo", { folderPath: "/Artifacts" }, created);
  for (const a of samples.artifacts) {
    const id = artifactId(lab, PUBLIC_REPO, a.name, "artifacts");
    const d = a.definition;
    const properties: JsonObject = {
      title: getCi(d, "title") ?? a.name,
      description: getCi(d, "description") ?? "",
      publisher: getCi(d, "publisher") ?? "",
      filePath: `/Artifacts/${a.name}`,
      targetOsType: getCi(d, "targetOsType") ?? "Windows",
      parameters: clone(getObjectCi(d, "parameters") ?? {}),
      createdDate: created,
    };
    const icon = getCi(d, "iconUri");
    if (typeof icon === "string" && icon) properties["icon"] = icon;
    ctx.store.put({
      id,
      type: DTL_TYPES.artifact,
      body: { properties, id, name: a.name, type: DTL_TYPES.artifact },
      internal: { definition: clone(d) },
    });
  }
  addPublicRepository(ctx, lab, PUBLIC_ENVIRONMENT_REPO, "Public Environment Repo", { armTemplateFolderPath: "/Environments" }, created);
  for (const t of samples.templates) {
    const id = artifactId(lab, PUBLIC_ENVIRONMENT_REPO, t.name, "armTemplates");
    const properties: JsonObject = {
      displayName: getCi(t.metadata, "itemDisplayName") ?? t.name,
      description: getCi(t.metadata, "description") ?? "",
      publisher: getCi(t.metadata, "githubUsername") ?? "",
      contents: clone(t.contents),
      parametersValueFilesInfo: t.parameterFiles.map((f) => ({ fileName: f.fileName, parametersValueInfo: clone(f.parametersValueInfo) })),
      enabled: true,
    };
    ctx.store.put({ id, type: DTL_TYPES.armTemplate, body: { id, properties, name: t.name, type: DTL_TYPES.armTemplate }, internal: {} });
  }
}

// ------------------------------------------------------------------ lookups used by VMs and environments

/** Resolves an artifact id (full, or relative to the lab: /artifactsources/{src}/artifacts/{name}). */
export function findArtifact(ctx: ArmContext, lab: StoredResource, artifactIdText: string): StoredResource | undefined {
  const segs = splitPath(artifactIdText);
  const i = segs.findIndex((s) => s.toLowerCase() === "artifactsources");
  if (i < 0 || segs[i + 2]?.toLowerCase() !== "artifacts") return undefined;
  const source = segs[i + 1] ?? "";
  const name = segs[i + 3] ?? "";
  return ctx.store.get(artifactId(lab, source, name, "artifacts"));
}

/** The full artifact id for one given relative to the lab. */
export function fullArtifactId(lab: StoredResource, artifactIdText: string): string {
  if (artifactIdText.toLowerCase().startsWith("/subscriptions/")) return artifactIdText;
  const segs = splitPath(artifactIdText);
  const i = segs.findIndex((s) => s.toLowerCase() === "artifactsources");
  if (i < 0) return artifactIdText;
  return artifactId(lab, segs[i + 1] ?? "", segs[i + 3] ?? "", "artifacts");
}

export function findArmTemplate(ctx: ArmContext, lab: StoredResource, armTemplateId: string): StoredResource | undefined {
  const segs = splitPath(armTemplateId);
  const i = segs.findIndex((s) => s.toLowerCase() === "artifactsources");
  if (i < 0 || segs[i + 2]?.toLowerCase() !== "armtemplates") return undefined;
  return ctx.store.get(artifactId(lab, segs[i + 1] ?? "", segs[i + 3] ?? "", "armTemplates"));
}

// ------------------------------------------------------------------ routes

/**
 * DTL connects to a private repository when it is added and refuses credentials it cannot validate (recorded:
 * a GitHub source with the token "token" fails with IncorrectClientCredential). Offline we cannot reach the
 * repository, so a token must at least have the form of a personal access token: GitHub's (40 hex, ghp_…,
 * github_pat_…) or Azure DevOps' (52 or more characters).
 */
function checkRepositoryCredentials(sent: JsonObject): void {
  const token = getCi(sent, "securityToken");
  if (token === undefined || token === null || token === "") return;
  const t = String(token);
  const plausible = /^[0-9a-f]{40}$/i.test(t) || /^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}$/.test(t) || /^github_pat_\w{40,}$/.test(t) || /^[A-Za-z0-9]{52,}$/.test(t);
  if (!plausible) throw errors.badRequest("IncorrectClientCredential", "The credentials could not be validated successfully.");
}

function listOf(ctx: ArmContext, items: StoredResource[], req: Parameters<typeof page>[0]) {
  const views = items.map((r) => ctx.view(r));
  const filtered = views.filter(compileFilter(req.query.get("$filter")));
  return page(req, applyOrderBy(filtered, req.query.get("$orderby")), ctx.pageSize);
}

function sourceOf(ctx: ArmContext, l: LabRequest, name: string): StoredResource {
  const s = ctx.store.get(dtlId(l.sub, l.rg, ["labs", "artifactsources"], [l.labName, name]));
  if (!s) throw notFound(l, ["artifactSources"], [name]);
  return s;
}

export function registerRepositoryRoutes(ctx: ArmContext): void {
  const r = ctx.router;
  const SRC = `${LAB}/artifactsources`;

  r.add("GET", SRC, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    return listOf(ctx, ctx.store.children(l.lab.id, DTL_TYPES.artifactSource), req);
  });
  r.add("GET", `${SRC}/{name}`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    return { status: 200, body: ctx.view(sourceOf(ctx, l, params["name"] ?? "")) };
  });
  r.add("PUT", `${SRC}/{name}`, async ({ req, params }) => {
    const l = requireParentLab(ctx, req, params);
    const name = params["name"] ?? "";
    const body = requireObjectBody(req);
    const id = dtlId(l.sub, l.rg, ["labs", "artifactsources"], [l.labName, name]);
    const existing = ctx.store.get(id);
    const sent = getObjectCi(body, "properties") ?? {};
    const { securityToken: _token, ...visible } = sent;
    checkRepositoryCredentials(sent);
    const properties: JsonObject = {
      ...(existing ? props(existing) : {}),
      ...clone(visible),
      status: (getCi(sent, "status") as Json | undefined) ?? "Enabled",
      createdDate: existing ? (props(existing)["createdDate"] ?? now()) : now(),
      provisioningState: "Succeeded",
      uniqueIdentifier: existing ? (props(existing)["uniqueIdentifier"] ?? newUniqueIdentifier()) : newUniqueIdentifier(),
    };
    const stored = ctx.store.put({
      id: existing?.id ?? id,
      type: DTL_TYPES.artifactSource,
      body: dtlBody(existing?.id ?? id, existing ? String(existing.body["name"]) : name, DTL_TYPES.artifactSource, properties, undefined, getCi(body, "tags")),
      internal: {},
    });
    return { status: existing ? 200 : 201, body: ctx.view(stored) };
  });
  r.add("PATCH", `${SRC}/{name}`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const s = sourceOf(ctx, l, params["name"] ?? "");
    const tags = getCi(requireObjectBody(req), "tags");
    if (isObject(tags)) s.body["tags"] = tags;
    return { status: 200, body: ctx.view(s) };
  });
  r.add("DELETE", `${SRC}/{name}`, async ({ req, params }) => {
    const l = requireLab(ctx, req, params);
    const s = ctx.store.get(dtlId(l.sub, l.rg, ["labs", "artifactsources"], [l.labName, params["name"] ?? ""]));
    if (!s) return { status: 204 };
    // ids compare case-insensitively, so the artifacts and templates (ARM-cased ids) go with their source
    await ctx.deleteTree(s.id);
    return { status: 200 };
  });

  for (const [segment, type] of [
    ["artifacts", DTL_TYPES.artifact],
    ["armtemplates", DTL_TYPES.armTemplate],
  ] as const) {
    const kind = segment === "artifacts" ? "artifacts" : "armTemplates";
    r.add("GET", `${SRC}/{source}/${segment}`, async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const s = sourceOf(ctx, l, params["source"] ?? "");
      return listOf(ctx, ctx.store.children(s.id, type), req);
    });
    r.add("GET", `${SRC}/{source}/${segment}/{name}`, async ({ req, params }) => {
      const l = requireLab(ctx, req, params);
      const s = sourceOf(ctx, l, params["source"] ?? "");
      const found = ctx.store.get(artifactId(l.lab, String(s.body["name"]), params["name"] ?? "", kind));
      if (!found) throw notFound(l, ["artifactSources", kind], [String(s.body["name"]), params["name"] ?? ""]);
      return { status: 200, body: ctx.view(found) };
    });
  }
}
