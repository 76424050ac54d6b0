// Checks every expression of the template before anything is evaluated: syntax, and that each function
// exists in the library. Unsupported functions then fail with ARM's "template function is not valid"
// error wherever they are, even in an if() branch that evaluation would never take.
import { ExpressionSyntaxError, expressionSyntaxFailed, inner, outputInvalid, parameterDefaultInvalid, resourceInvalid, variableInvalid } from "./errors";
import { calls } from "./expression/ast";
import { classifyString, parseExpression } from "./expression/parser";
import { lookupFunction } from "./functions";
import { pathText, rawName } from "./resources";
import type { PathSegment, TemplateSource } from "./source";
import type { TemplateSections } from "./template-shape";
import { member } from "./template-shape";
import { isObject, type Json, type JsonObject } from "./values";

/** The parts of a resource ARM evaluates (comments and metadata are not). */
const RESOURCE_FIELDS = ["type", "name", "apiVersion", "location", "tags", "sku", "kind", "properties", "identity", "plan", "zones", "scope", "condition", "copy", "dependsOn"];

export function scanTemplate(sections: TemplateSections, source: TemplateSource): void {
  for (const [name, definition] of Object.entries(sections.parameters)) {
    if (!isObject(definition)) continue;
    check(member(definition, "defaultValue"), (message) => parameterDefaultInvalid(name, source.position(["parameters", name]), message));
  }
  for (const [name, value] of Object.entries(sections.variables)) {
    check(value, (message) => variableInvalid(name, message, source.position(["variables", name])));
  }
  scanResources(sections.resources, ["resources"], source);
  for (const [name, definition] of Object.entries(sections.outputs)) {
    check(definition, (message) => outputInvalid(name, message, source.position(["outputs", name])));
  }
}

function scanResources(resources: Json[], path: PathSegment[], source: TemplateSource): void {
  resources.forEach((resource, index) => {
    if (!isObject(resource)) return;
    const here = [...path, index];
    for (const field of RESOURCE_FIELDS) {
      const value = field === "properties" ? withoutInnerTemplate(resource) : member(resource, field);
      check(value, (message) => resourceInvalid(rawName(resource), source.position(here), message, pathText(here)));
    }
    const children = member(resource, "resources");
    if (Array.isArray(children)) scanResources(children, [...here, "resources"], source);
  });
}

/** A nested deployment with inner expression scope evaluates its template itself. */
function withoutInnerTemplate(resource: JsonObject): Json | undefined {
  const properties = member(resource, "properties");
  const type = member(resource, "type");
  if (!isObject(properties) || typeof type !== "string" || type.toLowerCase() !== "microsoft.resources/deployments") return properties;
  const options = member(properties, "expressionEvaluationOptions");
  const scope = isObject(options) ? member(options, "scope") : undefined;
  if (typeof scope !== "string" || scope.toLowerCase() !== "inner") return properties;
  const { template: _template, ...rest } = properties;
  return rest;
}

function check(value: Json | undefined, fail: (message: string) => Error): void {
  if (typeof value === "string") {
    const classified = classifyString(value);
    if (classified.kind === "literal") return;
    let expression;
    try {
      expression = parseExpression(classified.text);
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) throw expressionSyntaxFailed(error.message);
      throw error;
    }
    for (const call of calls(expression)) {
      if (call.namespace || !lookupFunction(call.name)) {
        throw fail(inner.functionNotValid(call.namespace ? `${call.namespace}.${call.name}` : call.name));
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) check(item, fail);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      check(key, fail);
      check(item, fail);
    }
  }
}
