// Shapes of ARM parameters as deployments take them.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A Key Vault reference in a parameters file; ARM resolves it at deployment time, so it is kept as is. */
export interface KeyVaultReference {
  keyVault: { id: string };
  secretName: string;
  secretVersion?: string;
}

export type ArmParameterEntry = { value: JsonValue } | { reference: KeyVaultReference };

/** name → `{value}` or `{reference}`, the `parameters` of a deployment. Built without a prototype. */
export type ArmParameters = Record<string, ArmParameterEntry>;

/** A template's declaration of one parameter. */
export interface TemplateParameterDefinition {
  /** string, securestring, int, bool, object, secureobject, array (any casing). */
  type: string;
  defaultValue?: JsonValue;
  allowedValues?: JsonValue[];
  minValue?: number;
  maxValue?: number;
  minLength?: number;
  maxLength?: number;
}

export type TemplateParameterDefinitions = Record<string, TemplateParameterDefinition>;

export function isReferenceEntry(entry: ArmParameterEntry): entry is { reference: KeyVaultReference } {
  return "reference" in entry;
}

/** An object with no prototype, so a parameter named "__proto__" or "constructor" is just a name. */
export function emptyParameters(): ArmParameters {
  return Object.create(null) as ArmParameters;
}
