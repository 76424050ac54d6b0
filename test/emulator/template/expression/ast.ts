// The syntax tree of a template language expression (the text between the outer brackets).

export type Expr = StringLiteral | NumberLiteral | Call | PropertyAccess | IndexAccess;

export interface StringLiteral { kind: "string"; value: string }
export interface NumberLiteral { kind: "number"; value: number }
/** f(args) or namespace.member(args) — the latter is a user-defined function. */
export interface Call { kind: "call"; name: string; namespace?: string; args: Expr[] }
/** target.name */
export interface PropertyAccess { kind: "property"; target: Expr; name: string }
/** target[index] */
export interface IndexAccess { kind: "index"; target: Expr; index: Expr }

/** Every call in the tree, outermost first. */
export function* calls(expr: Expr): Generator<Call> {
  switch (expr.kind) {
    case "call":
      yield expr;
      for (const arg of expr.args) yield* calls(arg);
      return;
    case "property":
      yield* calls(expr.target);
      return;
    case "index":
      yield* calls(expr.target);
      yield* calls(expr.index);
      return;
    default:
      return;
  }
}
