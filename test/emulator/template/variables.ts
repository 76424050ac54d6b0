// Template variables: evaluated on first use (variables may refer to each other in any order), including
// the variable-level copy ("copy": [{name, count, input}]) and property-level copy inside variable values.
import { atSite, withCopy, type EvalContext } from "./context";
import { ExpressionError, ExpressionSyntaxError, expressionSyntaxFailed, inner, variableInvalid } from "./errors";
import type { TemplateSource } from "./source";
import { evaluateValue, loopCount } from "./template-values";
import { getProperty, isObject, type Json, type JsonObject } from "./values";

interface VariableDefinition {
  name: string;
  /** Path in the template, for error positions. */
  path: (string | number)[];
  evaluate(ctx: EvalContext): Json;
}

type Slot = { state: "unresolved" } | { state: "resolving" } | { state: "resolved"; value: Json };

export class VariableStore {
  private readonly definitions = new Map<string, VariableDefinition>();
  private readonly slots = new Map<string, Slot>();

  constructor(
    variables: JsonObject,
    private readonly source: TemplateSource,
    private readonly context: () => EvalContext,
  ) {
    for (const [name, value] of Object.entries(variables)) {
      if (name.toLowerCase() === "copy" && Array.isArray(value)) {
        value.forEach((loop, index) => this.addLoop(loop, index));
        continue;
      }
      this.add({ name, path: ["variables", name], evaluate: (ctx) => evaluateValue(value, ctx, { propertyCopy: true }) });
    }
  }

  /** Evaluates every variable, so a broken one fails the deployment even when nothing uses it (as in ARM). */
  evaluateAll(): void {
    for (const definition of this.definitions.values()) this.get(definition.name);
  }

  get(name: string): Json {
    const key = name.toLowerCase();
    const definition = this.definitions.get(key);
    const slot = this.slots.get(key);
    if (!definition || !slot) throw new ExpressionError(inner.variableNotFound(name));
    if (slot.state === "resolved") return slot.value;
    if (slot.state === "resolving") throw new ExpressionError(`The template variable '${definition.name}' refers to itself.`);
    this.slots.set(key, { state: "resolving" });
    try {
      const value = definition.evaluate(atSite({ ...this.context(), copy: [] }, "variable"));
      this.slots.set(key, { state: "resolved", value });
      return value;
    } catch (error) {
      this.slots.set(key, { state: "unresolved" });
      if (error instanceof ExpressionError) throw new VariableFailure(definition.name, error.message, this.source.position(definition.path));
      throw error;
    }
  }

  private add(definition: VariableDefinition): void {
    this.definitions.set(definition.name.toLowerCase(), definition);
    this.slots.set(definition.name.toLowerCase(), { state: "unresolved" });
  }

  private addLoop(loop: Json, index: number): void {
    const path = ["variables", "copy", index];
    const name = isObject(loop) ? getProperty(loop, "name") : undefined;
    const count = isObject(loop) ? getProperty(loop, "count") : undefined;
    const input = isObject(loop) ? getProperty(loop, "input") : undefined;
    if (!isObject(loop) || typeof name !== "string" || count === undefined || input === undefined) {
      this.add({ name: `copy[${index}]`, path, evaluate: () => { throw new ExpressionError("A variable copy loop needs 'name', 'count' and 'input'."); } });
      return;
    }
    this.add({
      name,
      path,
      evaluate: (ctx) => {
        const items: Json[] = [];
        const total = loopCount(count, ctx);
        for (let i = 0; i < total; i++) items.push(evaluateValue(input, withCopy(ctx, { name, index: i, kind: "variable" }), { propertyCopy: true }));
        return items;
      },
    });
  }
}

/**
 * A variable that failed, carried through other expressions that used it: ARM reports the variable, not
 * the resource or output that happened to ask for it first.
 */
export class VariableFailure extends Error {
  constructor(
    readonly variableName: string,
    readonly innerMessage: string,
    readonly position: { line: number; column: number },
  ) {
    super(innerMessage);
    this.name = "VariableFailure";
  }

  toTemplateError() {
    return variableInvalid(this.variableName, this.innerMessage, this.position);
  }
}

/** Maps the errors of variable evaluation to ARM's top-level errors. */
export function variableError(error: unknown): unknown {
  if (error instanceof VariableFailure) return error.toTemplateError();
  if (error instanceof ExpressionSyntaxError) return expressionSyntaxFailed(error.message);
  return error;
}
