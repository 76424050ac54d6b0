// The parameter declarations of an ARM template, read leniently (any extra keys) but with the type checked.
import { InputError } from "../errors";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import type { JsonValue, TemplateParameterDefinition, TemplateParameterDefinitions } from "./types";

export const PARAMETER_TYPES = ["string", "securestring", "int", "bool", "object", "secureobject", "array"] as const;

export function readTemplateParameters(template: JsonValue, inputName: string): TemplateParameterDefinitions {
  if (typeof template !== "object" || template === null || Array.isArray(template)) throw new InputError(inputName, "the template must be a JSON object.");
  const declared = template.parameters;
  const result = Object.create(null) as TemplateParameterDefinitions;
  if (declared === undefined || declared === null) return result;
  if (typeof declared !== "object" || Array.isArray(declared)) throw new InputError(inputName, "'parameters' in the template must be an object.");
  for (const [name, definition] of Object.entries(declared)) {
    const shown = neutralizeUntrustedText(name, { maxLength: 80 });
    if (typeof definition !== "object" || definition === null || Array.isArray(definition) || typeof definition.type !== "string") {
      throw new InputError(inputName, `template parameter '${shown}' has no "type".`);
    }
    if (!(PARAMETER_TYPES as readonly string[]).includes(definition.type.toLowerCase())) {
      throw new InputError(inputName, `template parameter '${shown}' has the type '${neutralizeUntrustedText(definition.type, { maxLength: 40 })}'; ARM knows ${PARAMETER_TYPES.join(", ")}.`);
    }
    const entry: TemplateParameterDefinition = { type: definition.type };
    if ("defaultValue" in definition) entry.defaultValue = definition.defaultValue;
    if (Array.isArray(definition.allowedValues)) entry.allowedValues = definition.allowedValues;
    for (const key of ["minValue", "maxValue", "minLength", "maxLength"] as const) {
      const limit = definition[key];
      if (typeof limit === "number") entry[key] = limit;
    }
    Object.defineProperty(result, name, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return result;
}
