// The shape of a template function in the library.
import type { EvalContext } from "../context";
import type { Json } from "../values";

export interface CallContext {
  /** The name as the template wrote it (ARM's messages echo it). */
  name: string;
  ctx: EvalContext;
}

interface FunctionBase {
  /** ARM's spelling, used for registration (case-insensitive) and messages. */
  name: string;
  minArgs: number;
  maxArgs: number;
}

export interface EagerFunction extends FunctionBase {
  lazy?: false;
  evaluate(args: Json[], call: CallContext): Json;
}

/** Receives its arguments unevaluated: if() evaluates only the branch it takes, as ARM does. */
export interface LazyFunction extends FunctionBase {
  lazy: true;
  evaluate(args: (() => Json)[], call: CallContext): Json;
}

export type TemplateFunction = EagerFunction | LazyFunction;

export const VARIADIC = Number.POSITIVE_INFINITY;
