// Azure resource ids, parsed and built in one place. The service returns ids partly lower-cased
// (`resourcegroups`, `microsoft.devtestlab`), so keywords, namespaces and types match case-insensitively and
// ids compare case-insensitively; names keep the casing they were given.
import { InputError } from "../errors";
import { neutralizeUntrustedText } from "./untrusted-text";

export interface ResourceId {
  subscriptionId: string;
  /** Absent for a subscription id. */
  resourceGroup?: string;
  /** Resource provider namespace as written, e.g. "Microsoft.DevTestLab". Absent for a subscription or group id. */
  provider?: string;
  /** Resource types from the outermost in, e.g. ["labs", "virtualmachines"]. */
  types: string[];
  /** The name for each type, same length as types. */
  names: string[];
}

export interface ResourceGroupRef {
  subscriptionId: string;
  resourceGroup: string;
}
export interface LabRef extends ResourceGroupRef {
  labName: string;
}
export interface LabVmRef extends LabRef {
  vmName: string;
}
export interface CustomImageRef extends LabRef {
  imageName: string;
}
export interface EnvironmentRef extends LabRef {
  /** The lab user (object id) who owns the environment. */
  userId: string;
  environmentName: string;
}
export interface ArtifactSourceRef extends LabRef {
  artifactSourceName: string;
}
export interface ArmTemplateRef extends ArtifactSourceRef {
  templateName: string;
}
export interface ArtifactRef extends ArtifactSourceRef {
  artifactName: string;
}

const DTL = "Microsoft.DevTestLab";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RG_PREFIX = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
const LAB_FORM = `${RG_PREFIX}/providers/${DTL}/labs/{labName}`;

/** The expected forms, shown in errors. */
export const RESOURCE_ID_FORMS = {
  resource: `${RG_PREFIX}/providers/{namespace}/{type}/{name}`,
  resourceGroup: RG_PREFIX,
  lab: LAB_FORM,
  labVm: `${LAB_FORM}/virtualmachines/{vmName}`,
  customImage: `${LAB_FORM}/customimages/{imageName}`,
  environment: `${LAB_FORM}/users/{userId}/environments/{environmentName}`,
  artifactSource: `${LAB_FORM}/artifactsources/{artifactSourceName}`,
  armTemplate: `${LAB_FORM}/artifactsources/{artifactSourceName}/armtemplates/{templateName}`,
  artifact: `${LAB_FORM}/artifactsources/{artifactSourceName}/artifacts/{artifactName}`,
} as const;

/** Parses any ARM id: subscription, resource group, or provider resource with nested child types. */
export function parseResourceId(id: string, inputName = "resourceId"): ResourceId {
  return parseOrThrow(id, inputName, RESOURCE_ID_FORMS.resource);
}

/** Builds an id from its parts; the inverse of parseResourceId. */
export function formatResourceId(parts: ResourceId): string {
  let id = `/subscriptions/${parts.subscriptionId}`;
  if (parts.resourceGroup === undefined) return id;
  id += `/resourceGroups/${parts.resourceGroup}`;
  if (parts.provider === undefined) return id;
  id += `/providers/${parts.provider}`;
  parts.types.forEach((type, index) => {
    id += `/${type}/${parts.names[index] ?? ""}`;
  });
  return id;
}

/** Same resource? Case-insensitive, ignoring surrounding blanks and a trailing slash. */
export function sameResourceId(a: string, b: string): boolean {
  return normalizeForCompare(a) === normalizeForCompare(b);
}

export function resourceGroupId(ref: ResourceGroupRef): string {
  return formatResourceId({ subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, types: [], names: [] });
}
export function parseResourceGroupId(id: string, inputName: string): ResourceGroupRef {
  const parsed = parseOrThrow(id, inputName, RESOURCE_ID_FORMS.resourceGroup);
  if (parsed.resourceGroup === undefined || parsed.provider !== undefined) throw malformed(id, inputName, RESOURCE_ID_FORMS.resourceGroup, "it is not a resource group id");
  return { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup };
}

export function labId(ref: LabRef): string {
  return dtlId(ref, ["labs"], [ref.labName]);
}
export function parseLabId(id: string, inputName: string): LabRef {
  const { lab } = parseDtl(id, inputName, ["labs"], RESOURCE_ID_FORMS.lab);
  return lab;
}

export function labVmId(ref: LabVmRef): string {
  return dtlId(ref, ["labs", "virtualmachines"], [ref.labName, ref.vmName]);
}
export function parseLabVmId(id: string, inputName: string): LabVmRef {
  const { lab, names } = parseDtl(id, inputName, ["labs", "virtualmachines"], RESOURCE_ID_FORMS.labVm);
  return { ...lab, vmName: names[1] ?? "" };
}

export function customImageId(ref: CustomImageRef): string {
  return dtlId(ref, ["labs", "customimages"], [ref.labName, ref.imageName]);
}
export function parseCustomImageId(id: string, inputName: string): CustomImageRef {
  const { lab, names } = parseDtl(id, inputName, ["labs", "customimages"], RESOURCE_ID_FORMS.customImage);
  return { ...lab, imageName: names[1] ?? "" };
}

export function environmentId(ref: EnvironmentRef): string {
  return dtlId(ref, ["labs", "users", "environments"], [ref.labName, ref.userId, ref.environmentName]);
}
export function parseEnvironmentId(id: string, inputName: string): EnvironmentRef {
  const { lab, names } = parseDtl(id, inputName, ["labs", "users", "environments"], RESOURCE_ID_FORMS.environment);
  return { ...lab, userId: names[1] ?? "", environmentName: names[2] ?? "" };
}

export function artifactSourceId(ref: ArtifactSourceRef): string {
  return dtlId(ref, ["labs", "artifactsources"], [ref.labName, ref.artifactSourceName]);
}
export function parseArtifactSourceId(id: string, inputName: string): ArtifactSourceRef {
  const { lab, names } = parseDtl(id, inputName, ["labs", "artifactsources"], RESOURCE_ID_FORMS.artifactSource);
  return { ...lab, artifactSourceName: names[1] ?? "" };
}

export function armTemplateId(ref: ArmTemplateRef): string {
  return dtlId(ref, ["labs", "artifactsources", "armtemplates"], [ref.labName, ref.artifactSourceName, ref.templateName]);
}
export function parseArmTemplateId(id: string, inputName: string): ArmTemplateRef {
  const { lab, names } = parseDtl(id, inputName, ["labs", "artifactsources", "armtemplates"], RESOURCE_ID_FORMS.armTemplate);
  return { ...lab, artifactSourceName: names[1] ?? "", templateName: names[2] ?? "" };
}

export function artifactId(ref: ArtifactRef): string {
  return dtlId(ref, ["labs", "artifactsources", "artifacts"], [ref.labName, ref.artifactSourceName, ref.artifactName]);
}
export function parseArtifactId(id: string, inputName: string): ArtifactRef {
  const { lab, names } = parseDtl(id, inputName, ["labs", "artifactsources", "artifacts"], RESOURCE_ID_FORMS.artifact);
  return { ...lab, artifactSourceName: names[1] ?? "", artifactName: names[2] ?? "" };
}

// ---------------------------------------------------------------- internals

function dtlId(ref: ResourceGroupRef, types: string[], names: string[]): string {
  return formatResourceId({ subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, provider: DTL, types, names });
}

function parseDtl(id: string, inputName: string, types: string[], form: string): { lab: LabRef; names: string[] } {
  const parsed = parseOrThrow(id, inputName, form);
  const matches =
    parsed.resourceGroup !== undefined &&
    parsed.provider?.toLowerCase() === DTL.toLowerCase() &&
    parsed.types.length === types.length &&
    parsed.types.every((type, index) => type.toLowerCase() === types[index]);
  if (!matches || parsed.resourceGroup === undefined) {
    const what = parsed.provider ? `it names a ${parsed.provider}/${parsed.types.join("/")} resource` : "it does not name a DevTest Labs resource";
    throw malformed(id, inputName, form, what);
  }
  return {
    lab: { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, labName: parsed.names[0] ?? "" },
    names: parsed.names,
  };
}

function parseOrThrow(id: string, inputName: string, form: string): ResourceId {
  const result = tryParse(id);
  if (typeof result === "string") throw malformed(id, inputName, form, result);
  return result;
}

/** The parsed id, or why it is malformed. */
function tryParse(raw: string): ResourceId | string {
  const id = raw.trim().replace(/\/+$/, "");
  if (id === "") return "it is empty";
  if (/[?#]/.test(id)) return "it contains '?' or '#' (an id has no query string; copy the id, not a URL)";
  const segments = (id.startsWith("/") ? id.slice(1) : id).split("/");
  if (segments.some((segment) => segment.trim() === "")) return "it has an empty segment ('//')";
  const [subscriptionsKeyword, subscriptionId, groupsKeyword, resourceGroup, providersKeyword, provider, ...rest] = segments;
  if (subscriptionsKeyword?.toLowerCase() !== "subscriptions" || subscriptionId === undefined) return "it does not start with /subscriptions/{subscriptionId}";
  if (!GUID.test(subscriptionId)) return `'${subscriptionId}' is not a subscription id (a GUID)`;
  if (groupsKeyword === undefined) return { subscriptionId, types: [], names: [] };
  if (groupsKeyword.toLowerCase() !== "resourcegroups" || resourceGroup === undefined) return "'resourceGroups/{resourceGroup}' must follow the subscription";
  if (providersKeyword === undefined) return { subscriptionId, resourceGroup, types: [], names: [] };
  if (providersKeyword.toLowerCase() !== "providers" || provider === undefined) return "'providers/{namespace}' must follow the resource group";
  if (rest.length === 0 || rest.length % 2 !== 0) return "every resource type must be followed by a name";
  const types: string[] = [];
  const names: string[] = [];
  for (let index = 0; index < rest.length; index += 2) {
    const type = rest[index] ?? "";
    if (type.toLowerCase() === "providers") return "extension resources (a second 'providers' segment) are not supported here";
    types.push(type);
    names.push(rest[index + 1] ?? "");
  }
  return { subscriptionId, resourceGroup, provider, types, names };
}

function malformed(id: string, inputName: string, form: string, why: string): InputError {
  const shown = neutralizeUntrustedText(id, { maxLength: 300 });
  return new InputError(inputName, `'${shown}' is not a valid id: ${why}. Expected ${form}`);
}

function normalizeForCompare(id: string): string {
  const trimmed = id.trim().replace(/\/+$/, "");
  return (trimmed.startsWith("/") ? trimmed : `/${trimmed}`).toLowerCase();
}
