// Reads the sections of a template (property names are case-insensitive in ARM) and rejects shapes the
// evaluator does not handle with an ARM-style error instead of a crash.
import { validationFailed, TemplateError } from "./errors";
import { getProperty, isObject, type Json, type JsonObject } from "./values";

export interface TemplateSections {
  root: JsonObject;
  parameters: JsonObject;
  variables: JsonObject;
  resources: Json[];
  outputs: JsonObject;
}

export function readSections(template: Json): TemplateSections {
  if (!isObject(template)) {
    throw new TemplateError({ code: "InvalidTemplate", message: "Unable to parse template content. The template must be a JSON object." });
  }
  const languageVersion = getProperty(template, "languageVersion");
  if (languageVersion !== undefined) {
    // Symbolic-name templates (languageVersion 2.0, resources as an object) are beyond the emulator.
    throw validationFailed(`The template language version '${String(languageVersion)}' is not supported. Please see https://aka.ms/arm-syntax for usage details.`);
  }
  const section = (name: string, kind: "object" | "array"): Json | undefined => {
    const value = getProperty(template, name);
    if (value === undefined || value === null) return undefined;
    if (kind === "object" ? !isObject(value) : !Array.isArray(value)) {
      throw validationFailed(`The template property '${name}' is not valid: expected a JSON ${kind}. Please see https://aka.ms/arm-syntax for usage details.`);
    }
    return value;
  };
  return {
    root: template,
    parameters: (section("parameters", "object") as JsonObject | undefined) ?? {},
    variables: (section("variables", "object") as JsonObject | undefined) ?? {},
    resources: (section("resources", "array") as Json[] | undefined) ?? [],
    outputs: (section("outputs", "object") as JsonObject | undefined) ?? {},
  };
}

/** Case-insensitive member of a template object (resource, parameter definition, output). */
export function member(obj: JsonObject, name: string): Json | undefined {
  return getProperty(obj, name);
}
