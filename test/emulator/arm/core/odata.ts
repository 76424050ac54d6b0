// The OData subset ARM and DTL lists accept: $filter (eq/ne/gt/ge/lt/le, and/or/not, parentheses, startswith,
// endswith, substringof, contains, tolower, toupper, bare boolean paths such as properties/allowClaim),
// $orderby and DTL's nested $expand=properties($expand=artifacts,...). Names compare case-insensitively,
// as the services do.
import { ArmError } from "./errors";
import { getCi, isObject, type Json, type JsonObject } from "./json";

type Token =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ident"; value: string }
  | { kind: "punct"; value: "(" | ")" | "," };

type Node =
  | { kind: "literal"; value: Json }
  | { kind: "path"; path: string[] }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "compare"; op: string; left: Node; right: Node }
  | { kind: "and" | "or"; left: Node; right: Node }
  | { kind: "not"; operand: Node };

function invalidFilter(filter: string, why: string): ArmError {
  return new ArmError(400, "InvalidFilterInQueryString", `Invalid $filter '${filter}' specified in the query string: ${why}.`);
}

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= filter.length) throw invalidFilter(filter, "unterminated string");
        if (filter[i] === "'" && filter[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (filter[i] === "'") {
          i++;
          break;
        } else value += filter[i++];
      }
      tokens.push({ kind: "string", value });
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if (/[-0-9]/.test(c) && /^-?\d/.test(filter.slice(i))) {
      const m = /^-?\d+(\.\d+)?/.exec(filter.slice(i));
      const text = m?.[0] ?? c;
      tokens.push({ kind: "number", value: Number(text) });
      i += text.length;
    } else {
      const m = /^[A-Za-z_@$][\w@$.\-/]*/.exec(filter.slice(i));
      if (!m) throw invalidFilter(filter, `unexpected character '${c}'`);
      tokens.push({ kind: "ident", value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

const COMPARISONS = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);

function parse(filter: string): Node {
  const tokens = tokenize(filter);
  let pos = 0;
  const peekIdent = (word: string): boolean => {
    const t = tokens[pos];
    return t?.kind === "ident" && t.value.toLowerCase() === word;
  };
  const expectPunct = (p: string): void => {
    const t = tokens[pos];
    if (t?.kind !== "punct" || t.value !== p) throw invalidFilter(filter, `expected '${p}'`);
    pos++;
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peekIdent("or")) {
      pos++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseUnary();
    while (peekIdent("and")) {
      pos++;
      left = { kind: "and", left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Node => {
    if (peekIdent("not")) {
      pos++;
      return { kind: "not", operand: parseUnary() };
    }
    const left = parseOperand();
    const t = tokens[pos];
    if (t?.kind === "ident" && COMPARISONS.has(t.value.toLowerCase())) {
      pos++;
      return { kind: "compare", op: t.value.toLowerCase(), left, right: parseOperand() };
    }
    return left;
  };
  const parseOperand = (): Node => {
    const t = tokens[pos];
    if (!t) throw invalidFilter(filter, "unexpected end");
    pos++;
    if (t.kind === "punct" && t.value === "(") {
      const inner = parseOr();
      expectPunct(")");
      return inner;
    }
    if (t.kind === "string" || t.kind === "number") return { kind: "literal", value: t.value };
    if (t.kind === "ident") {
      const lower = t.value.toLowerCase();
      if (lower === "true" || lower === "false") return { kind: "literal", value: lower === "true" };
      if (lower === "null") return { kind: "literal", value: null };
      const next = tokens[pos];
      if (next?.kind === "punct" && next.value === "(") {
        pos++;
        const args: Node[] = [];
        if (!(tokens[pos]?.kind === "punct" && (tokens[pos] as { value: string }).value === ")")) {
          args.push(parseOr());
          while (tokens[pos]?.kind === "punct" && (tokens[pos] as { value: string }).value === ",") {
            pos++;
            args.push(parseOr());
          }
        }
        expectPunct(")");
        return { kind: "call", name: lower, args };
      }
      return { kind: "path", path: t.value.split("/") };
    }
    throw invalidFilter(filter, "unexpected token");
  };
  const node = parseOr();
  if (pos !== tokens.length) throw invalidFilter(filter, "unexpected trailing input");
  return node;
}

/** How a filter path resolves against an item: by default a case-insensitive walk of the JSON. */
export type PathResolver = (path: string[], item: JsonObject) => Json | undefined;

export function walkPath(path: string[], item: JsonObject): Json | undefined {
  let cur: Json | undefined = item;
  for (const seg of path) {
    if (!isObject(cur)) return undefined;
    cur = getCi(cur, seg);
  }
  return cur;
}

function compare(op: string, a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    switch (op) {
      case "eq":
        return x === y;
      case "ne":
        return x !== y;
      case "gt":
        return x > y;
      case "ge":
        return x >= y;
      case "lt":
        return x < y;
      default:
        return x <= y;
    }
  }
  if (op === "eq") return (a ?? null) === (b ?? null);
  if (op === "ne") return (a ?? null) !== (b ?? null);
  if (typeof a !== "number" || typeof b !== "number") return false;
  return op === "gt" ? a > b : op === "ge" ? a >= b : op === "lt" ? a < b : a <= b;
}

function evaluate(node: Node, item: JsonObject, resolve: PathResolver): Json | undefined {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "path":
      return resolve(node.path, item);
    case "and":
      return truthy(evaluate(node.left, item, resolve)) && truthy(evaluate(node.right, item, resolve));
    case "or":
      return truthy(evaluate(node.left, item, resolve)) || truthy(evaluate(node.right, item, resolve));
    case "not":
      return !truthy(evaluate(node.operand, item, resolve));
    case "compare":
      return compare(node.op, evaluate(node.left, item, resolve), evaluate(node.right, item, resolve));
    case "call": {
      const args = node.args.map((a) => evaluate(a, item, resolve));
      const s = (v: Json | undefined): string => (typeof v === "string" ? v.toLowerCase() : "");
      switch (node.name) {
        case "startswith":
          return s(args[0]).startsWith(s(args[1]));
        case "endswith":
          return s(args[0]).endsWith(s(args[1]));
        case "substringof":
          return s(args[1]).includes(s(args[0]));
        case "contains":
          return s(args[0]).includes(s(args[1]));
        case "tolower":
          return typeof args[0] === "string" ? args[0].toLowerCase() : (args[0] ?? null);
        case "toupper":
          return typeof args[0] === "string" ? args[0].toUpperCase() : (args[0] ?? null);
        default:
          throw new ArmError(400, "InvalidFilterInQueryString", `The function '${node.name}' is not supported in $filter.`);
      }
    }
  }
}

function truthy(v: Json | undefined): boolean {
  return v === true || (typeof v === "string" && v.toLowerCase() === "true");
}

/** Compiles a $filter into a predicate over response items; undefined or empty filter keeps everything. */
export function compileFilter(filter: string | null | undefined, resolve: PathResolver = walkPath): (item: JsonObject) => boolean {
  if (!filter || !filter.trim()) return () => true;
  const node = parse(filter);
  return (item) => truthy(evaluate(node, item, resolve));
}

/** Sorts by a $orderby such as "name" or "properties/createdDate desc". */
export function applyOrderBy(items: JsonObject[], orderby: string | null | undefined): JsonObject[] {
  if (!orderby || !orderby.trim()) return items;
  const keys = orderby.split(",").map((part) => {
    const [path = "", dir = "asc"] = part.trim().split(/\s+/);
    return { path: path.split("/"), desc: dir.toLowerCase() === "desc" };
  });
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const x = walkPath(k.path, a);
      const y = walkPath(k.path, b);
      const xs = typeof x === "number" ? x : String(x ?? "").toLowerCase();
      const ys = typeof y === "number" ? y : String(y ?? "").toLowerCase();
      if (xs < ys) return k.desc ? 1 : -1;
      if (xs > ys) return k.desc ? -1 : 1;
    }
    return 0;
  });
}

/**
 * Names expanded by DTL's $expand=properties($expand=artifacts,computeVm,networkInterface), lower-cased.
 * A plain list ($expand=artifacts) is accepted too.
 */
export function expandSet(expand: string | null | undefined): Set<string> {
  const set = new Set<string>();
  if (!expand) return set;
  const inner = /\$expand=([^)]*)/i.exec(expand);
  const list = inner ? inner[1] ?? "" : expand;
  for (const part of list.split(/[,\s]+/)) {
    const name = part.replace(/^properties\//i, "").trim().toLowerCase();
    if (name && name !== "properties") set.add(name);
  }
  return set;
}
