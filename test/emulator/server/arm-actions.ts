// The RBAC action and scope ARM names in an AuthorizationFailed message, derived from method and path:
// GET …/labs/l → Microsoft.DevTestLab/labs/read over …/labs/l; POST …/virtualmachines/v/start →
// Microsoft.DevTestLab/labs/virtualmachines/start/action; GET …/labs/l/virtualmachines (a list) →
// Microsoft.DevTestLab/labs/virtualmachines/read over …/labs/l.

export interface ArmAction {
  action: string;
  scope: string;
}

export function armAction(method: string, path: string): ArmAction {
  const segments = path.split("/").filter(Boolean);
  // segments[0] = "subscriptions", segments[1] = id.
  let type = "Microsoft.Resources/subscriptions";
  let scopeLength = 2;
  let i = 2;
  let trailing: string | undefined;
  if (segments[i]?.toLowerCase() === "resourcegroups") {
    if (segments[i + 1] === undefined) {
      trailing = "resourceGroups";
    } else {
      type = "Microsoft.Resources/subscriptions/resourceGroups";
      scopeLength = i + 2;
    }
    i += 2;
  }
  if (trailing === undefined && segments[i]?.toLowerCase() === "providers" && segments[i + 1] !== undefined) {
    type = segments[i + 1] ?? type;
    i += 2;
    while (i < segments.length) {
      const typeSegment = segments[i] ?? "";
      const name = segments[i + 1];
      if (name === undefined) {
        trailing = typeSegment;
        break;
      }
      type = `${type}/${typeSegment}`;
      scopeLength = i + 2;
      i += 2;
    }
  } else if (trailing === undefined && i < segments.length) {
    trailing = segments[i];
  }

  const scope = `/${segments.slice(0, scopeLength).join("/")}`;
  const verb = method.toUpperCase();
  if (verb === "POST") return { action: trailing ? `${type}/${trailing}/action` : `${type}/action`, scope };
  const suffix = verb === "DELETE" ? "delete" : verb === "PUT" || verb === "PATCH" ? "write" : "read";
  return { action: trailing ? `${type}/${trailing}/${suffix}` : `${type}/${suffix}`, scope };
}
