// DevTest Labs naming rules, checked before any call so a bad name fails at once with the rule, instead of
// minutes into a deployment. Sources (checked 2026-11):
// - labs: 1–50 letters, digits, "_" and "-" (ARM template reference for Microsoft.DevTestLab/labs).
// - lab VMs: letters, digits and "-", start and end with a letter or digit, not all digits; the name is also the
//   computer name, so 15 characters for Windows and 64 for Linux (Azure naming rules for DevTestLab/labs/
//   virtualmachines; Terraform's provider uses the same pattern).
// - custom images and environments: the DTL service's own rule for lab entities, as its error message quotes it:
//   ^[^_\W][\w-._]{0,79}(?<![-.])$ — 1–80 characters, start with a letter or digit, end with neither "-" nor ".".
// - resource groups: 1–90, letters, digits, "_", "-", ".", "(" and ")", not ending with ".".
// - deployments: 1–64, ^[-\w._()]+$ (Microsoft.Resources/deployments).
import { InputError } from "../errors";
import { neutralizeUntrustedText } from "./untrusted-text";

export type OsType = "Windows" | "Linux";
export type NamedThing = "lab" | "labVm" | "customImage" | "environment" | "resourceGroup" | "deployment";

export interface NameRule {
  /** What the name names, for messages. */
  what: string;
  maxLength: number;
  /** The rule in words, shown when a name breaks it. */
  rule: string;
  check(name: string): boolean;
}

const DTL_ENTITY = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const VM_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export const LAB_VM_MAX_LENGTH: Readonly<Record<OsType, number>> = { Windows: 15, Linux: 64 };

export const NAME_RULES: Readonly<Record<NamedThing, NameRule>> = {
  lab: {
    what: "lab name",
    maxLength: 50,
    rule: "1–50 characters: letters, digits, underscores and hyphens",
    check: (name) => /^[A-Za-z0-9_-]+$/.test(name),
  },
  labVm: {
    what: "lab VM name",
    maxLength: LAB_VM_MAX_LENGTH.Linux,
    rule: "letters, digits and hyphens; it must start and end with a letter or digit and cannot be all digits; at most 15 characters for Windows and 64 for Linux",
    check: (name) => VM_NAME.test(name) && !/^[0-9]+$/.test(name),
  },
  customImage: {
    what: "custom image name",
    maxLength: 80,
    rule: "1–80 characters: letters, digits, underscores, hyphens and periods; it must start with a letter or digit and cannot end with a hyphen or period",
    check: (name) => DTL_ENTITY.test(name) && !/[-.]$/.test(name),
  },
  environment: {
    what: "environment name",
    maxLength: 80,
    rule: "1–80 characters: letters, digits, underscores, hyphens and periods; it must start with a letter or digit and cannot end with a hyphen or period",
    check: (name) => DTL_ENTITY.test(name) && !/[-.]$/.test(name),
  },
  resourceGroup: {
    what: "resource group name",
    maxLength: 90,
    rule: "1–90 characters: letters, digits, underscores, hyphens, periods and parentheses; it cannot end with a period",
    check: (name) => /^[-\w.()]+$/.test(name) && !name.endsWith("."),
  },
  deployment: {
    what: "deployment name",
    maxLength: 64,
    rule: "1–64 characters: letters, digits, underscores, hyphens, periods and parentheses",
    check: (name) => /^[-\w.()]+$/.test(name),
  },
};

export interface NameCheckOptions {
  /** The task input the name came from, for the error. */
  input: string;
}

/** Throws an InputError naming the input and stating the rule unless `name` is a valid name of this kind. */
export function validateName(kind: NamedThing, name: string, options: NameCheckOptions & { maxLength?: number }): string {
  const rule = NAME_RULES[kind];
  const maxLength = options.maxLength ?? rule.maxLength;
  const shown = neutralizeUntrustedText(name, { maxLength: 120 });
  // "An environment name", "A lab VM name".
  const article = /^[aeiou]/i.test(rule.what) ? "An" : "A";
  if (name.length === 0) throw new InputError(options.input, `the ${rule.what} is empty. ${article} ${rule.what} has ${rule.rule}.`);
  if (name.length > maxLength) {
    throw new InputError(options.input, `the ${rule.what} '${shown}' has ${name.length} characters; at most ${maxLength} are allowed. ${article} ${rule.what} has ${rule.rule}.`);
  }
  if (!rule.check(name)) throw new InputError(options.input, `'${shown}' is not a valid ${rule.what}. ${article} ${rule.what} has ${rule.rule}.`);
  return name;
}

export function validateLabName(name: string, options: NameCheckOptions): string {
  return validateName("lab", name, options);
}

/**
 * A lab VM name. Pass the OS when known: Windows names are limited to 15 characters (the computer name).
 * Without it only the Linux limit can be checked.
 */
export function validateLabVmName(name: string, options: NameCheckOptions & { osType?: OsType }): string {
  return validateName("labVm", name, { ...options, maxLength: options.osType ? LAB_VM_MAX_LENGTH[options.osType] : undefined });
}

export function validateCustomImageName(name: string, options: NameCheckOptions): string {
  return validateName("customImage", name, options);
}

export function validateEnvironmentName(name: string, options: NameCheckOptions): string {
  return validateName("environment", name, options);
}

export function validateResourceGroupName(name: string, options: NameCheckOptions): string {
  return validateName("resourceGroup", name, options);
}

export function validateDeploymentName(name: string, options: NameCheckOptions): string {
  return validateName("deployment", name, options);
}

/** Parses an OS type input case-insensitively ("windows", "Linux"). */
export function parseOsType(value: string, options: NameCheckOptions): OsType {
  const normalized = value.trim().toLowerCase();
  if (normalized === "windows") return "Windows";
  if (normalized === "linux") return "Linux";
  throw new InputError(options.input, `'${neutralizeUntrustedText(value, { maxLength: 60 })}' is not an OS type. Use Windows or Linux.`);
}
