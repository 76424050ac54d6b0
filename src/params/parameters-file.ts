// ARM parameters files: the full form ({$schema, contentVersion, parameters}) or the bare `parameters` object.
// Each entry is {value} or a Key Vault {reference}; references are kept for ARM to resolve.
import { InputError } from "../errors";
import { parseResourceId } from "../azure/ids";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { parseJsonText } from "./json";
import { emptyParameters, type ArmParameters, type JsonValue, type KeyVaultReference } from "./types";

const ENTRY_KEYS = new Set(["value", "reference", "metadata"]);

export function parseParametersFile(text: string, inputName: string): ArmParameters {
  const document = parseJsonText(text, { inputName, what: "the parameters file" });
  if (!isPlainObject(document)) throw new InputError(inputName, "the parameters file must hold a JSON object.");
  const parameters = isFullForm(document) ? document.parameters : document;
  if (parameters === undefined || parameters === null) return emptyParameters();
  if (!isPlainObject(parameters)) throw new InputError(inputName, "'parameters' in the parameters file must be an object.");

  const result = emptyParameters();
  const seen = new Set<string>();
  for (const [name, entry] of Object.entries(parameters)) {
    const shown = neutralizeUntrustedText(name, { maxLength: 80 });
    const problem = (what: string) => new InputError(inputName, `parameter '${shown}' in the parameters file ${what}`);
    if (seen.has(name.toLowerCase())) throw problem("appears twice (parameter names are case-insensitive).");
    seen.add(name.toLowerCase());
    if (!isPlainObject(entry)) throw problem('must be an object: {"value": …} or a Key Vault {"reference": …}.');
    const unknown = Object.keys(entry).filter((key) => !ENTRY_KEYS.has(key));
    if (unknown.length > 0) throw problem(`has ${unknown.map((key) => `'${neutralizeUntrustedText(key, { maxLength: 40 })}'`).join(", ")}; an entry has "value" or "reference".`);
    const hasValue = "value" in entry;
    const hasReference = "reference" in entry;
    if (hasValue === hasReference) throw problem('must have exactly one of "value" and "reference".');
    if (hasValue) {
      Object.defineProperty(result, name, { value: { value: entry.value as JsonValue }, enumerable: true, writable: true, configurable: true });
    } else {
      const reference = parseReference(entry.reference, problem, inputName);
      Object.defineProperty(result, name, { value: { reference }, enumerable: true, writable: true, configurable: true });
    }
  }
  return result;
}

// The full form has $schema/contentVersion, or nothing but "parameters" (which is then not itself an entry).
function isFullForm(document: Record<string, JsonValue>): document is Record<string, JsonValue> & { parameters?: JsonValue } {
  if ("$schema" in document || "contentVersion" in document) return true;
  const keys = Object.keys(document);
  if (keys.length !== 1 || keys[0] !== "parameters") return false;
  const inner = document.parameters;
  return !(isPlainObject(inner) && ("value" in inner || "reference" in inner));
}

function parseReference(raw: JsonValue | undefined, problem: (what: string) => InputError, inputName: string): KeyVaultReference {
  const form = 'must be {"keyVault": {"id": "/subscriptions/…/providers/Microsoft.KeyVault/vaults/{vault}"}, "secretName": "…"}';
  if (!isPlainObject(raw) || !isPlainObject(raw.keyVault) || typeof raw.keyVault.id !== "string" || typeof raw.secretName !== "string" || raw.secretName.trim() === "") {
    throw problem(`has a Key Vault reference that ${form}.`);
  }
  const vault = parseResourceId(raw.keyVault.id, inputName);
  const isVault = vault.provider?.toLowerCase() === "microsoft.keyvault" && vault.types.length === 1 && vault.types[0]?.toLowerCase() === "vaults";
  if (!isVault) throw problem(`has a Key Vault reference whose keyVault.id is not a Key Vault id; it ${form}.`);
  if (raw.secretVersion !== undefined && typeof raw.secretVersion !== "string") throw problem("has a Key Vault reference whose secretVersion is not a string.");
  const reference: KeyVaultReference = { keyVault: { id: raw.keyVault.id }, secretName: raw.secretName };
  if (typeof raw.secretVersion === "string") reference.secretVersion = raw.secretVersion;
  return reference;
}

function isPlainObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
