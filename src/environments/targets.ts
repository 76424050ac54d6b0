// Finding the environment, repository and template a task names: resource ids, or names looked up in the lab.
// Environments belong to a lab user; a lookup by name searches every user's (@all), so a pipeline can act on an
// environment another identity created.
import type { ArmTemplate as DtlArmTemplate, ArtifactSource, DtlEnvironment } from "@azure/arm-devtestlabs";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import {
  armTemplateId,
  artifactSourceId,
  environmentId,
  parseArmTemplateId,
  parseArtifactSourceId,
  parseEnvironmentId,
  type ArmTemplateRef,
  type ArtifactSourceRef,
  type EnvironmentRef,
  type LabRef,
} from "../azure/ids";
import { validateEnvironmentName } from "../azure/names";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { InputError } from "../errors";
import { checkLabText, isResourceIdText, resolveLab, type LabContext, type ResolvedLab } from "../lab";

export interface EnvironmentTargetInputs {
  /** An environment resource id; or, with `lab`, an environment name (the pickers of Microsoft's tasks gave ids). */
  environmentId?: string;
  lab?: string;
  environmentName?: string;
  /** Input names, for errors. */
  names: { environmentId: string; lab: string; environmentName: string };
}

/** The environment a target names, checked without calling Azure: an id, or a lab and a name. */
export type CheckedEnvironmentTarget = { kind: "id"; ref: EnvironmentRef } | { kind: "name"; lab: string; name: string; nameInput: string };

/** Checks, without calling Azure, that an environment is named by id, or by lab and name. */
export function checkEnvironmentTarget(target: EnvironmentTargetInputs): CheckedEnvironmentTarget {
  const { names } = target;
  const id = target.environmentId?.trim();
  if (id && isResourceIdText(id)) return { kind: "id", ref: parseEnvironmentId(id, names.environmentId) };
  // A value without a leading slash in the id input is a name typed into the editable picker.
  const name = target.environmentName?.trim() || id;
  const nameInput = target.environmentName?.trim() ? names.environmentName : names.environmentId;
  if (!name || !target.lab?.trim()) {
    throw new InputError(
      names.environmentId,
      `is required unless both '${names.lab}' and '${names.environmentName}' are given: give the environment's resource id (e.g. $(environmentResourceId) from the create step), or the lab and the environment name.`,
    );
  }
  checkLabText(target.lab, names.lab);
  validateEnvironmentName(name, { input: nameInput });
  return { kind: "name", lab: target.lab.trim(), name, nameInput };
}

export interface FoundEnvironment extends EnvironmentRef {
  id: string;
  /** As Azure returned it; undefined when it does not exist. */
  environment?: DtlEnvironment;
}

/**
 * The environment a checked target names. By id: read at that user's path (404 → `environment` undefined). By lab
 * and name: every user's environments in the lab are searched; none is `environment` undefined under the caller's
 * own path (@me), several with that name is an input error (the id says which).
 */
export async function findEnvironment(ctx: LabContext, target: CheckedEnvironmentTarget, names: EnvironmentTargetInputs["names"]): Promise<FoundEnvironment> {
  if (target.kind === "id") {
    const ref = target.ref;
    const client = ctx.clients.devTestLabs(ref.subscriptionId);
    try {
      const environment = await client.environments.get(ref.resourceGroup, ref.labName, ref.userId, ref.environmentName, { abortSignal: ctx.signal });
      return { ...ref, ...refFromAzure(environment, ref), environment };
    } catch (err) {
      if (isNotFoundError(err)) return { ...ref, id: environmentId(ref) };
      throw toAzureOperationError(err, { operation: "Reading the environment", resource: environmentId(ref) });
    }
  }
  const lab = await resolveLab(ctx, { lab: target.lab, inputName: names.lab });
  const matches: DtlEnvironment[] = [];
  try {
    const all = ctx.clients.devTestLabs(lab.subscriptionId).environments.list(lab.resourceGroup, lab.labName, "@all", { abortSignal: ctx.signal });
    for await (const environment of all) {
      if (environment.name?.toLowerCase() === target.name.toLowerCase()) matches.push(environment);
    }
  } catch (err) {
    throw toAzureOperationError(err, { operation: "Listing the lab's environments", resource: lab.id });
  }
  if (matches.length > 1) {
    const owners = matches.map((m) => neutralizeUntrustedText(m.createdByUser ?? ownerOf(m.id) ?? "?", { maxLength: 80 })).join(", ");
    throw new InputError(
      target.nameInput,
      `${matches.length} environments are named '${target.name}' in the lab '${lab.labName}' (owned by ${owners}). Give the environment's resource id in '${names.environmentId}' instead.`,
    );
  }
  const found = matches[0];
  const base: EnvironmentRef = { subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, labName: lab.labName, userId: "@me", environmentName: target.name };
  if (!found) return { ...base, id: environmentId(base) };
  return { ...base, ...refFromAzure(found, base), environment: found };
}

/** The ref and id Azure gives (the owner's object id instead of @me), falling back to what was asked for. */
export function refFromAzure(environment: DtlEnvironment, asked: EnvironmentRef): EnvironmentRef & { id: string } {
  if (environment.id) {
    try {
      const ref = parseEnvironmentId(environment.id, "environmentId");
      return { ...ref, id: environmentId(ref) };
    } catch {
      // An id in an unexpected form: keep the one asked for.
    }
  }
  return { ...asked, id: environmentId(asked) };
}

function ownerOf(id: string | undefined): string | undefined {
  return id ? /\/users\/([^/]+)\/environments\//i.exec(id)?.[1] : undefined;
}

// ---------------------------------------------------------------- repository and template

export interface TemplateSourceInputs {
  /** The repository (artifact source): resource id, name or display name. Optional when `template` is an id. */
  repository?: string;
  /** The ARM template: resource id, name or display name. */
  template?: string;
  names: { repository: string; template: string };
}

export type CheckedTemplateSource =
  | { kind: "id"; ref: ArmTemplateRef }
  | { kind: "name"; repository: { kind: "id"; ref: ArtifactSourceRef } | { kind: "name"; name: string }; template: string };

/** Checks, without calling Azure, that a template is named by its id, or by a repository and a template name. */
export function checkTemplateSource(source: TemplateSourceInputs): CheckedTemplateSource {
  const { names } = source;
  const template = source.template?.trim();
  if (!template) throw new InputError(names.template, "is required: give the environment template's resource id or name (pick it from the repository).");
  if (isResourceIdText(template)) return { kind: "id", ref: parseArmTemplateId(template, names.template) };
  const repository = source.repository?.trim();
  if (!repository) {
    throw new InputError(names.repository, `is required when '${names.template}' is a name: give the repository (artifact source) id or name, or give the template's resource id.`);
  }
  if (isResourceIdText(repository)) return { kind: "name", repository: { kind: "id", ref: parseArtifactSourceId(repository, names.repository) }, template };
  return { kind: "name", repository: { kind: "name", name: repository }, template };
}

export interface ResolvedTemplate extends ArmTemplateRef {
  id: string;
  displayName: string;
  /** The template itself (azuredeploy.json as the repository holds it). */
  contents: Record<string, unknown>;
}

/** Finds the template in the lab's repositories and reads its contents. A missing one is an input error. */
export async function resolveTemplate(ctx: LabContext, options: { lab: ResolvedLab; source: CheckedTemplateSource; names: TemplateSourceInputs["names"] }): Promise<ResolvedTemplate> {
  const { lab, source, names } = options;
  const client = ctx.clients.devTestLabs(lab.subscriptionId);
  let ref: ArmTemplateRef;
  if (source.kind === "id") {
    ref = source.ref;
    if (!sameLab(ref, lab)) {
      throw new InputError(names.template, `the template belongs to the lab '${ref.labName}' (resource group '${ref.resourceGroup}'), not to the lab '${lab.labName}'. Pick a template of the environment's lab.`);
    }
  } else {
    const repository = await resolveRepository(ctx, lab, source.repository, names.repository);
    ref = { ...lab, artifactSourceName: repository, templateName: await templateNameIn(ctx, lab, repository, source.template, names.template) };
  }
  let template: DtlArmTemplate;
  try {
    template = await client.armTemplates.get(ref.resourceGroup, ref.labName, ref.artifactSourceName, ref.templateName, { abortSignal: ctx.signal });
  } catch (err) {
    if (isNotFoundError(err)) {
      throw new InputError(names.template, `the repository '${ref.artifactSourceName}' of the lab '${ref.labName}' has no template '${neutralizeUntrustedText(ref.templateName, { maxLength: 100 })}'. Check the name, or that the repository has synced.`);
    }
    throw toAzureOperationError(err, { operation: "Reading the environment template", resource: armTemplateId(ref) });
  }
  const contents = template.contents;
  if (!contents || typeof contents !== "object" || Array.isArray(contents)) {
    throw new InputError(names.template, `the template '${ref.templateName}' in the repository '${ref.artifactSourceName}' has no contents (azuredeploy.json). Check the repository's template folder.`);
  }
  return { ...ref, id: template.id ?? armTemplateId(ref), displayName: template.displayName ?? ref.templateName, contents };
}

function sameLab(a: LabRef, b: LabRef): boolean {
  return a.subscriptionId.toLowerCase() === b.subscriptionId.toLowerCase() && a.resourceGroup.toLowerCase() === b.resourceGroup.toLowerCase() && a.labName.toLowerCase() === b.labName.toLowerCase();
}

/** The artifact source's name, found by id, name or display name (the picker shows display names). */
async function resolveRepository(ctx: LabContext, lab: ResolvedLab, repository: Extract<CheckedTemplateSource, { kind: "name" }>["repository"], inputName: string): Promise<string> {
  if (repository.kind === "id") {
    if (!sameLab(repository.ref, lab)) {
      throw new InputError(inputName, `the repository belongs to the lab '${repository.ref.labName}', not to the lab '${lab.labName}'. Pick a repository of that lab.`);
    }
    return repository.ref.artifactSourceName;
  }
  const wanted = repository.name.toLowerCase();
  const sources: ArtifactSource[] = [];
  try {
    for await (const source of ctx.clients.devTestLabs(lab.subscriptionId).artifactSources.list(lab.resourceGroup, lab.labName, { abortSignal: ctx.signal })) sources.push(source);
  } catch (err) {
    throw toAzureOperationError(err, { operation: "Listing the lab's repositories", resource: lab.id });
  }
  const byName = sources.find((s) => s.name?.toLowerCase() === wanted);
  const byDisplayName = sources.filter((s) => s.displayName?.toLowerCase() === wanted);
  const found = byName ?? (byDisplayName.length === 1 ? byDisplayName[0] : undefined);
  if (found?.name) return found.name;
  const known = sources.map((s) => `'${neutralizeUntrustedText(s.displayName ?? s.name ?? "", { maxLength: 60 })}'`).join(", ") || "none";
  if (byDisplayName.length > 1) throw new InputError(inputName, `${byDisplayName.length} repositories of the lab '${lab.labName}' are shown as '${repository.name}'. Give the repository's resource id instead.`);
  throw new InputError(inputName, `the lab '${lab.labName}' has no repository '${neutralizeUntrustedText(repository.name, { maxLength: 100 })}'. Its repositories: ${known}.`);
}

/** The template's name in a repository, found by name or display name. */
async function templateNameIn(ctx: LabContext, lab: ResolvedLab, repository: string, template: string, inputName: string): Promise<string> {
  const wanted = template.toLowerCase();
  const templates: DtlArmTemplate[] = [];
  try {
    for await (const item of ctx.clients.devTestLabs(lab.subscriptionId).armTemplates.list(lab.resourceGroup, lab.labName, repository, { abortSignal: ctx.signal })) templates.push(item);
  } catch (err) {
    if (isNotFoundError(err)) throw new InputError(inputName, `the repository '${repository}' of the lab '${lab.labName}' holds no environment templates.`);
    throw toAzureOperationError(err, { operation: "Listing the repository's templates", resource: artifactSourceId({ ...lab, artifactSourceName: repository }) });
  }
  const byName = templates.find((t) => t.name?.toLowerCase() === wanted);
  const byDisplayName = templates.filter((t) => t.displayName?.toLowerCase() === wanted);
  const found = byName ?? (byDisplayName.length === 1 ? byDisplayName[0] : undefined);
  if (found?.name) return found.name;
  const known = templates.map((t) => `'${neutralizeUntrustedText(t.name ?? "", { maxLength: 60 })}'`).join(", ") || "none";
  throw new InputError(inputName, `the repository '${repository}' of the lab '${lab.labName}' has no template '${neutralizeUntrustedText(template, { maxLength: 100 })}'. Its templates: ${known}.`);
}

/** "environment 'web' in lab 'FactoryLab'", for messages. */
export function describeEnvironment(ref: Pick<EnvironmentRef, "environmentName" | "labName">): string {
  return `environment '${ref.environmentName}' in lab '${ref.labName}'`;
}
