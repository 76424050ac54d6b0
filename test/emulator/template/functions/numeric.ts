// Integer functions. ARM's integers are 64-bit and div/mod truncate toward zero like C#.
import { type Json } from "../values";
import { arr, checkedInt, fail, int } from "./args";
import { VARIADIC, type TemplateFunction } from "./types";

function binary(name: string, op: (a: number, b: number, fn: string) => number): TemplateFunction {
  return { name, minArgs: 2, maxArgs: 2, evaluate: ([a, b], call) => checkedInt(call.name, op(int(call.name, a as Json), int(call.name, b as Json), call.name)) };
}

/** min/max accept integers or one array of integers. */
function extreme(name: string, pick: (values: number[]) => number): TemplateFunction {
  return {
    name,
    minArgs: 1,
    maxArgs: VARIADIC,
    evaluate: (args, call) => {
      const values = args.length === 1 && Array.isArray(args[0]) ? arr(call.name, args[0]) : args;
      if (values.length === 0) return fail(call.name, "the array cannot be empty.");
      return pick(values.map((value) => int(call.name, value)));
    },
  };
}

export const numericFunctions: TemplateFunction[] = [
  binary("add", (a, b) => a + b),
  binary("sub", (a, b) => a - b),
  binary("mul", (a, b) => a * b),
  binary("div", (a, b, fn) => (b === 0 ? fail(fn, "the divisor cannot be zero.") : Math.trunc(a / b))),
  binary("mod", (a, b, fn) => (b === 0 ? fail(fn, "the divisor cannot be zero.") : a % b)),
  extreme("min", (values) => Math.min(...values)),
  extreme("max", (values) => Math.max(...values)),
  {
    name: "int",
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([value], { name }) => {
      if (typeof value === "number") return Math.trunc(value);
      if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return checkedInt(name, Number(value));
      return fail(name, `the value '${JSON.stringify(value)}' cannot be converted to an integer.`);
    },
  },
];
