// Binds the deployment's parameter values to the template's parameter definitions and validates them as
// ARM does: unknown names, missing values, types, allowedValues, min/max value and length. Default values
// are expressions evaluated on first use, so defaults may refer to other parameters in any order.
import { atSite, type EvalContext } from "./context";
import {
  ExpressionError,
  ExpressionSyntaxError,
  PARAMETER_FILE_LINK,
  TemplateError,
  expressionSyntaxFailed,
  inner,
  parameterDefaultInvalid,
  validationFailed,
} from "./errors";
import type { TemplateSource } from "./source";
import { member } from "./template-shape";
import { evaluateValue } from "./template-values";
import { deepEquals, isInteger, isObject, jtokenType, toJson, toText, type Json, type JsonObject } from "./values";

const TYPES = ["string", "securestring", "int", "bool", "object", "secureobject", "array"] as const;
type ParameterType = (typeof TYPES)[number];

interface Definition {
  name: string;
  type: ParameterType;
  body: JsonObject;
}

type Slot = { state: "unresolved" } | { state: "resolving" } | { state: "resolved"; value: Json };

const CONSTRAINT_LINK = "Please see https://aka.ms/arm-parameters for usage details.";

export class ParameterStore {
  private readonly definitions = new Map<string, Definition>();
  private readonly given = new Map<string, JsonObject>();
  private readonly slots = new Map<string, Slot>();

  constructor(
    template: JsonObject,
    given: Record<string, unknown>,
    private readonly source: TemplateSource,
    private readonly context: () => EvalContext,
  ) {
    for (const [name, body] of Object.entries(template)) {
      if (!isObject(body)) throw this.invalidDefinition(name, "the parameter definition must be a JSON object");
      const type = member(body, "type");
      const normalized = typeof type === "string" ? type.toLowerCase() : "";
      if (!(TYPES as readonly string[]).includes(normalized)) {
        throw this.invalidDefinition(name, `the type '${toText((type ?? null) as Json)}' is not valid. Allowed types are '${TYPES.join(", ")}'`);
      }
      this.definitions.set(name.toLowerCase(), { name, type: normalized as ParameterType, body });
      this.slots.set(name.toLowerCase(), { state: "unresolved" });
    }
    const unknown: string[] = [];
    for (const [name, entry] of Object.entries(given)) {
      if (!this.definitions.has(name.toLowerCase())) unknown.push(name);
      else if (isObject(entry)) this.given.set(name.toLowerCase(), toJson(entry) as JsonObject);
      else {
        throw new TemplateError({
          code: "InvalidRequestContent",
          message: `The request content was invalid and could not be deserialized: the value of parameter '${name}' must be an object with 'value' or 'reference'.`,
        });
      }
    }
    if (unknown.length > 0) {
      const supported = [...this.definitions.values()].map((d) => d.name).join(", ");
      throw validationFailed(
        `The template parameters '${unknown.join(", ")}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${supported}'. Please see https://aka.ms/arm-pass-parameter-values for usage details.`,
      );
    }
  }

  /** Binds every parameter (ARM validates all of them before anything else happens). */
  bindAll(): void {
    for (const key of this.definitions.keys()) this.get(key);
  }

  get(name: string): Json {
    const key = name.toLowerCase();
    const slot = this.slots.get(key);
    const definition = this.definitions.get(key);
    if (!slot || !definition) throw new ExpressionError(inner.parameterNotFound(name));
    if (slot.state === "resolved") return slot.value;
    if (slot.state === "resolving") throw new ExpressionError(`The template parameter '${definition.name}' refers to itself through its default value.`);
    this.slots.set(key, { state: "resolving" });
    try {
      const value = this.resolve(definition);
      this.slots.set(key, { state: "resolved", value });
      return value;
    } catch (error) {
      this.slots.set(key, { state: "unresolved" });
      throw error;
    }
  }

  /** Values for deployment().properties.parameters; secure values are not shown there. */
  publicValues(): JsonObject {
    const out: JsonObject = {};
    for (const definition of this.definitions.values()) {
      if (definition.type === "securestring" || definition.type === "secureobject") continue;
      out[definition.name] = { value: this.get(definition.name) };
    }
    return out;
  }

  private position(definition: Definition) {
    return this.source.position(["parameters", definition.name]);
  }

  private at(definition: Definition): string {
    const { line, column } = this.position(definition);
    return `at line '${line}' and column '${column}'`;
  }

  private invalidDefinition(name: string, reason: string): TemplateError {
    const { line, column } = this.source.position(["parameters", name]);
    return validationFailed(`The template parameter '${name}' at line '${line}' and column '${column}' is not valid: ${reason}. Please see https://aka.ms/arm-syntax-parameters for usage details.`);
  }

  private resolve(definition: Definition): Json {
    const value = this.supplied(definition) ?? this.defaultValue(definition);
    this.validate(definition, value);
    return value;
  }

  private supplied(definition: Definition): Json | undefined {
    const entry = this.given.get(definition.name.toLowerCase());
    if (!entry) return undefined;
    const reference = member(entry, "reference");
    if (reference !== undefined) return this.keyVaultValue(definition, reference);
    const value = member(entry, "value");
    if (value === undefined || value === null) {
      throw new TemplateError({
        code: "InvalidDeploymentParameterValue",
        message: `The value of deployment parameter '${definition.name}' is null. Please specify the value or use the parameter reference. See https://aka.ms/resource-manager-parameter-files for details.`,
      });
    }
    return value;
  }

  private keyVaultValue(definition: Definition, reference: Json): Json {
    const vaultId = isObject(reference) && isObject(member(reference, "keyVault")) ? member(member(reference, "keyVault") as JsonObject, "id") : undefined;
    const secretName = isObject(reference) ? member(reference, "secretName") : undefined;
    const secretVersion = isObject(reference) ? member(reference, "secretVersion") : undefined;
    if (typeof vaultId !== "string" || typeof secretName !== "string") {
      throw validationFailed(`The Key Vault reference of template parameter '${definition.name}' must have 'keyVault.id' and 'secretName'.`);
    }
    const { hooks } = this.context().state;
    const secret = hooks.keyVaultSecret?.(vaultId, secretName, typeof secretVersion === "string" ? secretVersion : undefined);
    if (secret === undefined) {
      throw new TemplateError({
        code: "KeyVaultParameterReferenceSecretRetrieveFailed",
        message: `The secret '${secretName}' of Key Vault '${vaultId}' referenced by template parameter '${definition.name}' could not be retrieved.`,
      });
    }
    return secret;
  }

  private defaultValue(definition: Definition): Json {
    const fallback = member(definition.body, "defaultValue");
    if (fallback === undefined) {
      throw validationFailed(
        `The value for the template parameter '${definition.name}' ${this.at(definition)} is not provided. Please see ${PARAMETER_FILE_LINK} for usage details.`,
        this.position(definition),
        `properties.template.parameters.${definition.name}`,
      );
    }
    try {
      return evaluateValue(fallback, atSite(this.context(), "parameterDefault"));
    } catch (error) {
      if (error instanceof ExpressionError) throw parameterDefaultInvalid(definition.name, this.position(definition), error.message);
      if (error instanceof ExpressionSyntaxError) throw expressionSyntaxFailed(error.message);
      throw error;
    }
  }

  private validate(definition: Definition, value: Json): void {
    const { name, type, body } = definition;
    const expected = EXPECTED[type];
    if (!expected.accepts(value)) {
      throw validationFailed(
        `The provided value for the template parameter '${name}' is not valid. Expected a value of type '${expected.label}', but received a value of type '${receivedLabel(value)}'. Please see ${PARAMETER_FILE_LINK} for usage details.`,
        this.position(definition),
        `parameters.${name}`,
      );
    }
    const allowed = member(body, "allowedValues");
    if (Array.isArray(allowed)) {
      const candidates = type === "array" ? (value as Json[]) : [value];
      const outside = candidates.find((candidate) => !allowed.some((option) => deepEquals(option, candidate)));
      if (outside !== undefined) {
        throw validationFailed(
          `The provided value '${toText(outside)}' for the template parameter '${name}' ${this.at(definition)} is not valid. The parameter value is not part of the allowed value(s): '${allowed.map((option) => toText(option)).join(",")}'.`,
          this.position(definition),
          `parameters.${name}`,
        );
      }
    }
    const problem = this.constraintProblem(body, value);
    if (problem) {
      throw validationFailed(`The provided value for the template parameter '${name}' ${this.at(definition)} is not valid. ${problem} ${CONSTRAINT_LINK}`, this.position(definition), `parameters.${name}`);
    }
  }

  private constraintProblem(body: JsonObject, value: Json): string | undefined {
    const minValue = member(body, "minValue");
    const maxValue = member(body, "maxValue");
    if (typeof value === "number") {
      if (isInteger(minValue) && value < minValue) return `Value should be greater than or equal to '${minValue}'.`;
      if (isInteger(maxValue) && value > maxValue) return `Value should be less than or equal to '${maxValue}'.`;
    }
    const minLength = member(body, "minLength");
    const maxLength = member(body, "maxLength");
    if (typeof value === "string" || Array.isArray(value)) {
      if (isInteger(minLength) && value.length < minLength) return `Length of the value should be greater than or equal to '${minLength}'.`;
      if (isInteger(maxLength) && value.length > maxLength) return `Length of the value should be less than or equal to '${maxLength}'.`;
    }
    return undefined;
  }
}

const EXPECTED: Record<ParameterType, { label: string; accepts: (value: Json) => boolean }> = {
  string: { label: "String", accepts: (v) => typeof v === "string" },
  securestring: { label: "String", accepts: (v) => typeof v === "string" },
  int: { label: "Int", accepts: (v) => isInteger(v) },
  bool: { label: "Bool", accepts: (v) => typeof v === "boolean" },
  object: { label: "Object", accepts: (v) => isObject(v) },
  secureobject: { label: "Object", accepts: (v) => isObject(v) },
  array: { label: "Array", accepts: (v) => Array.isArray(v) },
};

function receivedLabel(value: Json): string {
  const type = jtokenType(value);
  return type === "Integer" ? "Int" : type === "Boolean" ? "Bool" : type;
}

