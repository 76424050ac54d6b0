// Resource ids: parsing, building and comparing. ARM compares ids case-insensitively and the services
// return them in differing case (DTL lower-cases most of its ids), so every lookup goes through idKey.

export interface ParsedId {
  subscriptionId: string;
  resourceGroup?: string;
  /** Provider namespace of the (innermost) resource, e.g. Microsoft.DevTestLab. */
  namespace?: string;
  /** Type segments after the namespace, e.g. ["labs", "virtualmachines"]. */
  types: string[];
  names: string[];
  /** For an extension resource (…/providers/A/x/n/providers/B/y/m): the id of the resource it extends. */
  scopeId?: string;
  /** A segment left over after the last type/name pair: an action (POST) or a collection (GET). */
  trailing?: string;
}

export function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

export function idKey(id: string): string {
  return id.replace(/\/+$/, "").toLowerCase();
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && idKey(a) === idKey(b);
}

export function parseResourceId(path: string): ParsedId | undefined {
  const segs = splitPath(path);
  if (segs.length < 2 || segs[0]?.toLowerCase() !== "subscriptions") return undefined;
  const parsed: ParsedId = { subscriptionId: segs[1] ?? "", types: [], names: [] };
  let i = 2;
  if (segs[i]?.toLowerCase() === "resourcegroups") {
    if (segs[i + 1] === undefined) {
      parsed.trailing = segs[i];
      return parsed;
    }
    parsed.resourceGroup = segs[i + 1];
    i += 2;
  }
  while (i < segs.length) {
    const seg = segs[i] ?? "";
    if (seg.toLowerCase() === "providers" && i + 1 < segs.length) {
      if (parsed.namespace !== undefined) parsed.scopeId = "/" + segs.slice(0, i).join("/");
      parsed.namespace = segs[i + 1];
      parsed.types = [];
      parsed.names = [];
      i += 2;
      continue;
    }
    if (parsed.namespace === undefined || i + 1 >= segs.length) {
      parsed.trailing = seg;
      i += 1;
      if (i < segs.length) return undefined;
      break;
    }
    parsed.types.push(seg);
    parsed.names.push(segs[i + 1] ?? "");
    i += 2;
  }
  return parsed;
}

export function fullType(p: ParsedId): string {
  return [p.namespace ?? "", ...p.types].join("/");
}

export function fullName(p: ParsedId): string {
  return p.names.join("/");
}

export function subscriptionId(sub: string): string {
  return `/subscriptions/${sub}`;
}

export function resourceGroupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}

/** The id a resource's parent has: the enclosing resource, the extended resource, or the resource group. */
export function parentId(p: ParsedId): string | undefined {
  if (p.types.length > 1) {
    return buildId({ ...p, types: p.types.slice(0, -1), names: p.names.slice(0, -1), trailing: undefined });
  }
  if (p.scopeId) return p.scopeId;
  if (p.resourceGroup !== undefined && p.types.length === 1) return resourceGroupId(p.subscriptionId, p.resourceGroup);
  return undefined;
}

export function buildId(p: ParsedId): string {
  const parts: string[] = [];
  if (p.scopeId) parts.push(p.scopeId.replace(/\/+$/, ""));
  else {
    parts.push(`/subscriptions/${p.subscriptionId}`);
    if (p.resourceGroup !== undefined) parts.push(`resourceGroups/${p.resourceGroup}`);
  }
  if (p.namespace !== undefined) {
    parts.push(`providers/${p.namespace}`);
    p.types.forEach((t, i) => parts.push(`${t}/${p.names[i] ?? ""}`));
  }
  return parts.join("/");
}

/** "Microsoft.DevTestLab/labs/lab1/virtualMachines/vm1" as ARM's not-found message names a resource. */
export function typeAndNames(namespace: string, types: readonly string[], names: readonly string[]): string {
  const parts = [namespace];
  types.forEach((t, i) => parts.push(t, names[i] ?? ""));
  return parts.join("/");
}

export function lastSegment(id: string): string {
  const segs = splitPath(id);
  return segs[segs.length - 1] ?? "";
}
