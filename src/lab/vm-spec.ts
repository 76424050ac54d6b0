// The lab VM a task creates from simple inputs, as the body of DTL's PUT. Pure: parsing the image reference and
// tags, and building the body, so every rule is checked (and tested) without Azure.
import type { ArtifactInstallProperties, LabVirtualMachine, LabVirtualMachineCreationParameter } from "@azure/arm-devtestlabs";
import type { OsType } from "../azure/names";
import { InputError } from "../errors";

export interface GalleryImage {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
}

/** The forms a gallery image input takes, for messages. */
export const GALLERY_IMAGE_FORM = "publisher:offer:sku[:version], e.g. MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest";

/** "publisher:offer:sku[:version]" (version defaults to latest), also with spaces around the colons. */
export function parseGalleryImage(text: string, inputName: string): GalleryImage {
  const parts = text.split(":").map((p) => p.trim());
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p === "")) {
    throw new InputError(inputName, `'${text}' is not a gallery image reference. Expected ${GALLERY_IMAGE_FORM}.`);
  }
  const bad = parts.find((p) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p));
  if (bad !== undefined) throw new InputError(inputName, `'${bad}' is not a valid publisher, offer, sku or version (letters, digits, '.', '_' and '-'). Expected ${GALLERY_IMAGE_FORM}.`);
  const [publisher = "", offer = "", sku = "", version = "latest"] = parts;
  return { publisher, offer, sku, version };
}

/** Tags as JSON ({"team": "qa"}) or one key=value per line. Azure allows 50 tags, names ≤ 512 and values ≤ 256 characters. */
export function parseTags(text: string | undefined, inputName: string): Record<string, string> {
  const tags: Record<string, string> = {};
  if (text === undefined || text.trim() === "") return tags;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new InputError(inputName, `is not valid JSON (${err instanceof Error ? err.message : String(err)}). Expected {"name": "value", …} or one name=value per line.`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InputError(inputName, 'expected a JSON object {"name": "value", …}.');
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw new InputError(inputName, `the tag '${k}' must have a text value.`);
      tags[k] = String(v);
    }
  } else {
    for (const [index, raw] of trimmed.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const eq = line.indexOf("=");
      if (eq <= 0) throw new InputError(inputName, `line ${index + 1} ('${line}') is not name=value.`);
      tags[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
  }
  const names = Object.keys(tags);
  if (names.length > 50) throw new InputError(inputName, `has ${names.length} tags; Azure allows at most 50.`);
  for (const name of names) {
    if (name.length > 512 || /[<>%&\\?/]/.test(name)) throw new InputError(inputName, `the tag name '${name}' is not allowed (at most 512 characters, none of < > % & \\ ? /).`);
    if ((tags[name] ?? "").length > 256) throw new InputError(inputName, `the value of tag '${name}' is longer than 256 characters.`);
  }
  return tags;
}

export type LabVmImage =
  | { kind: "galleryImage"; image: GalleryImage; osType: OsType }
  | { kind: "customImage"; customImageId: string; osType?: OsType }
  | { kind: "formula"; formulaId: string; osType?: OsType };

export interface LabVmSpec {
  image: LabVmImage;
  size?: string;
  userName?: string;
  password?: string;
  sshKey?: string;
  /** Artifact ids (resolved in the lab) and their parameters. */
  artifacts: ArtifactInstallProperties[];
  allowClaim: boolean;
  notes?: string;
  tags: Record<string, string>;
  labVirtualNetworkId?: string;
  labSubnetName?: string;
  disallowPublicIpAddress?: boolean;
  storageType?: string;
}

/** The tag every VM this extension creates carries, so leftovers can be recognised. */
export const CREATED_BY_TAG = { name: "CreatedBy", value: "dtl-image-factory" } as const;

/** Checks the credentials for the OS: Windows needs a password; Linux a password or an SSH public key. */
export function checkCredentials(spec: Pick<LabVmSpec, "userName" | "password" | "sshKey">, osType: OsType | undefined, inputs: { userName: string; password: string; sshKey: string }): void {
  if (spec.password && spec.sshKey) throw new InputError(inputs.sshKey, `give either '${inputs.password}' or '${inputs.sshKey}', not both.`);
  if (spec.sshKey && osType === "Windows") throw new InputError(inputs.sshKey, "a Windows VM signs in with a password; SSH keys are for Linux VMs.");
  if (spec.sshKey && !/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(spec.sshKey.trim())) {
    throw new InputError(inputs.sshKey, "is not an SSH public key: expected one line 'ssh-rsa AAAA…' (or ssh-ed25519, ecdsa-sha2-…).");
  }
  if (spec.password !== undefined && (spec.password.length < 8 || spec.password.length > 123)) {
    throw new InputError(inputs.password, "must be 8 to 123 characters long (Azure's rule for VM passwords).");
  }
}

/** What a formula contributes to a VM: its image, size, credentials, network, artifacts and disks. */
function fromFormula(formula: LabVirtualMachineCreationParameter | undefined): LabVirtualMachine {
  if (!formula) return {};
  const picked: LabVirtualMachine = {};
  if (formula.customImageId) picked.customImageId = formula.customImageId;
  if (formula.galleryImageReference) picked.galleryImageReference = formula.galleryImageReference;
  if (formula.size) picked.size = formula.size;
  if (formula.userName) picked.userName = formula.userName;
  if (formula.password) picked.password = formula.password;
  if (formula.sshKey) picked.sshKey = formula.sshKey;
  if (formula.isAuthenticationWithSshKey !== undefined) picked.isAuthenticationWithSshKey = formula.isAuthenticationWithSshKey;
  if (formula.labSubnetName) picked.labSubnetName = formula.labSubnetName;
  if (formula.labVirtualNetworkId) picked.labVirtualNetworkId = formula.labVirtualNetworkId;
  if (formula.disallowPublicIpAddress !== undefined) picked.disallowPublicIpAddress = formula.disallowPublicIpAddress;
  if (formula.artifacts) picked.artifacts = formula.artifacts;
  if (formula.notes) picked.notes = formula.notes;
  if (formula.allowClaim !== undefined) picked.allowClaim = formula.allowClaim;
  if (formula.storageType) picked.storageType = formula.storageType;
  if (formula.planId) picked.planId = formula.planId;
  if (formula.dataDiskParameters) picked.dataDiskParameters = formula.dataDiskParameters;
  if (formula.tags) picked.tags = formula.tags;
  return picked;
}

/** The PUT body for a lab VM; the formula's content (when creating from one) is the base the inputs override. */
export function buildLabVmBody(spec: LabVmSpec, options: { location?: string; formula?: LabVirtualMachineCreationParameter } = {}): LabVirtualMachine {
  const base = fromFormula(options.formula);
  const body: LabVirtualMachine = {
    ...base,
    ...(options.location ? { location: options.location } : {}),
    tags: { ...(base.tags ?? {}), ...spec.tags, [CREATED_BY_TAG.name]: CREATED_BY_TAG.value },
    allowClaim: spec.allowClaim,
  };
  if (spec.image.kind === "galleryImage") {
    const { publisher, offer, sku, version } = spec.image.image;
    body.galleryImageReference = { publisher, offer, sku, version, osType: spec.image.osType };
    delete body.customImageId;
  } else if (spec.image.kind === "customImage") {
    body.customImageId = spec.image.customImageId;
    delete body.galleryImageReference;
  }
  if (spec.size) body.size = spec.size;
  if (spec.userName) body.userName = spec.userName;
  if (spec.password) {
    body.password = spec.password;
    body.isAuthenticationWithSshKey = false;
    delete body.sshKey;
  } else if (spec.sshKey) {
    body.sshKey = spec.sshKey.trim();
    body.isAuthenticationWithSshKey = true;
    delete body.password;
  }
  const artifacts = [...(base.artifacts ?? []), ...spec.artifacts];
  if (artifacts.length > 0) body.artifacts = artifacts;
  if (spec.notes) body.notes = spec.notes;
  if (spec.labVirtualNetworkId) body.labVirtualNetworkId = spec.labVirtualNetworkId;
  if (spec.labSubnetName) body.labSubnetName = spec.labSubnetName;
  if (spec.disallowPublicIpAddress !== undefined) body.disallowPublicIpAddress = spec.disallowPublicIpAddress;
  if (spec.storageType) body.storageType = spec.storageType;
  return body;
}
