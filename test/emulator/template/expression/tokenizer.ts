// Splits an expression into tokens. Token kind names are the ones ARM uses in its parse errors.
import { ExpressionSyntaxError } from "../errors";

export type TokenKind =
  | "Identifier"
  | "String"
  | "Integer"
  | "LeftParenthesis"
  | "RightParenthesis"
  | "LeftSquareBracket"
  | "RightSquareBracket"
  | "Comma"
  | "Dot"
  | "EndOfData";

export interface Token { kind: TokenKind; text: string; position: number }

const PUNCTUATION: Record<string, TokenKind> = {
  "(": "LeftParenthesis",
  ")": "RightParenthesis",
  "[": "LeftSquareBracket",
  "]": "RightSquareBracket",
  ",": "Comma",
  ".": "Dot",
};

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isIdentifierStart = (c: string | undefined) => c !== undefined && /[A-Za-z_$]/.test(c);
const isIdentifierPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    const punctuation = PUNCTUATION[c];
    if (punctuation) {
      tokens.push({ kind: punctuation, text: c, position: i });
      i++;
      continue;
    }
    if (c === "'") {
      // Strings are single-quoted; a doubled quote stands for one quote.
      const start = i;
      let value = "";
      i++;
      for (;;) {
        if (i >= expression.length) {
          throw new ExpressionSyntaxError(`The language expression '${expression}' is not valid: the string literal starting at position '${start}' is not terminated.`);
        }
        if (expression[i] === "'") {
          if (expression[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += expression[i];
        i++;
      }
      tokens.push({ kind: "String", text: value, position: start });
      continue;
    }
    if (isDigit(c) || (c === "-" && isDigit(expression[i + 1]))) {
      const start = i;
      i++;
      while (isDigit(expression[i])) i++;
      tokens.push({ kind: "Integer", text: expression.slice(start, i), position: start });
      continue;
    }
    if (isIdentifierStart(c)) {
      const start = i;
      while (isIdentifierPart(expression[i])) i++;
      tokens.push({ kind: "Identifier", text: expression.slice(start, i), position: start });
      continue;
    }
    throw new ExpressionSyntaxError(`The language expression '${expression}' is not valid: the string character '${c}' at position '${i}' is not expected.`);
  }
  tokens.push({ kind: "EndOfData", text: "", position: expression.length });
  return tokens;
}
