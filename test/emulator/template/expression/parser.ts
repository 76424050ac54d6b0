// Recursive-descent parser for template language expressions, and the rules for which JSON strings are
// expressions at all ("[...]"; "[[" escapes a literal "[").
import { ExpressionSyntaxError } from "../errors";
import type { Call, Expr } from "./ast";
import { tokenize, type Token, type TokenKind } from "./tokenizer";

/** What a JSON string in a template stands for. */
export type TemplateString = { kind: "literal"; value: string } | { kind: "expression"; text: string };

export function classifyString(value: string): TemplateString {
  if (value.length >= 2 && value.startsWith("[") && value.endsWith("]")) {
    if (value.startsWith("[[")) return { kind: "literal", value: value.slice(1) };
    return { kind: "expression", text: value.slice(1, -1) };
  }
  return { kind: "literal", value };
}

// Templates repeat the same expressions (copy loops, nested resources); parsing each text once keeps evaluation fast.
const cache = new Map<string, Expr>();
const CACHE_LIMIT = 5000;

export function parseExpression(text: string): Expr {
  const cached = cache.get(text);
  if (cached) return cached;
  const parsed = new Parser(text).parseAll();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  parseAll(): Expr {
    const expr = this.expression();
    this.expect("EndOfData");
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "EndOfData") this.index++;
    return token;
  }

  private expect(kind: TokenKind): Token {
    const token = this.peek();
    if (token.kind !== kind) {
      throw new ExpressionSyntaxError(`Unable to parse language expression '${this.text}': expected token '${kind}' and actual '${token.kind}'.`);
    }
    return this.next();
  }

  private expression(): Expr {
    let expr = this.primary();
    // Property and index access may follow any value: f().a['b'][0]
    for (;;) {
      const token = this.peek();
      if (token.kind === "Dot") {
        this.next();
        expr = { kind: "property", target: expr, name: this.expect("Identifier").text };
      } else if (token.kind === "LeftSquareBracket") {
        this.next();
        const index = this.expression();
        this.expect("RightSquareBracket");
        expr = { kind: "index", target: expr, index };
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const token = this.peek();
    if (token.kind === "String") {
      this.next();
      return { kind: "string", value: token.text };
    }
    if (token.kind === "Integer") {
      this.next();
      return { kind: "number", value: Number(token.text) };
    }
    const name = this.expect("Identifier").text;
    if (this.peek().kind === "Dot") {
      // namespace.member(...) is a call of a user-defined function.
      this.next();
      const member = this.expect("Identifier").text;
      return { ...this.callArguments(member), namespace: name };
    }
    return this.callArguments(name);
  }

  private callArguments(name: string): Call {
    this.expect("LeftParenthesis");
    const args: Expr[] = [];
    if (this.peek().kind !== "RightParenthesis") {
      for (;;) {
        args.push(this.expression());
        if (this.peek().kind !== "Comma") break;
        this.next();
      }
    }
    this.expect("RightParenthesis");
    return { kind: "call", name, args };
  }
}
