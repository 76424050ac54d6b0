// Resource ids and types: composing ids from a type and names, splitting them back, comparing them.

export interface ParsedType {
  namespace: string;
  /** Type segments after the namespace: Microsoft.DevTestLab/labs/virtualmachines → [labs, virtualmachines]. */
  types: string[];
}

export function parseType(type: string): ParsedType | undefined {
  const [namespace, ...types] = type.split("/");
  if (!namespace || types.length === 0 || types.some((segment) => segment === "")) return undefined;
  return { namespace, types };
}

/** Names as segments: "lab/vm" counts as two, like ARM's resourceId() accepts. */
export function nameSegments(names: string[]): string[] {
  return names.flatMap((name) => name.split("/"));
}

/** {prefix}/providers/{namespace}/{type1}/{name1}/{type2}/{name2}… */
export function composeId(prefix: string, type: ParsedType, names: string[]): string {
  const parts = type.types.map((segment, i) => `${segment}/${names[i] ?? ""}`);
  return `${prefix}/providers/${type.namespace}/${parts.join("/")}`;
}

export function resourceGroupPrefix(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** "Microsoft.Network/virtualNetworks/vnet" for an id, as ARM names resources in ResourceNotFound messages. */
export function typeAndNameOf(id: string): string {
  const providers = id.toLowerCase().lastIndexOf("/providers/");
  return providers < 0 ? id : id.slice(providers + "/providers/".length);
}

export function resourceGroupOf(id: string): string {
  const match = /\/resourceGroups\/([^/]+)/i.exec(id);
  return match?.[1] ?? "";
}
