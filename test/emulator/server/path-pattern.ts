// Path patterns of fault rules: a glob (`*` = within one segment, `**` = across segments, `?` = one character)
// or, when it starts with `^`, a regular expression. Both are case-insensitive, because ARM paths are.

export function compilePathPattern(pattern: string): RegExp {
  if (pattern.startsWith("^")) {
    try {
      return new RegExp(pattern, "i");
    } catch (error) {
      throw new Error(`Invalid regular expression ${pattern}: ${(error as Error).message}`);
    }
  }
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === "*" && pattern.charAt(i + 1) === "*") {
      source += ".*";
      i++;
    } else if (char === "*") {
      source += "[^/]*";
    } else if (char === "?") {
      source += "[^/]";
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`, "i");
}

/** Matches a resource id by the whole id or by its last segment (its name). */
export function matchesIdOrName(pattern: RegExp, id: string): boolean {
  if (pattern.test(id)) return true;
  const name = id.split("/").filter(Boolean).pop();
  return name !== undefined && pattern.test(name);
}
