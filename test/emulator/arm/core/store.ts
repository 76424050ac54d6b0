// The resource store: every resource by lower-cased id, in creation order, with its parent so that
// lists and cascading deletes need no knowledge of the provider.
import { idKey, parentId, parseResourceId } from "./ids";
import type { JsonObject } from "./json";

export interface StoredResource {
  /** The id exactly as the owning service returns it (DTL lower-cases its own ids). */
  id: string;
  /** Canonical type, e.g. Microsoft.DevTestLab/labs/virtualMachines. */
  type: string;
  /** What GET returns (expand-only parts are added by the provider's view). */
  body: JsonObject;
  /** Provider-private state: credentials, OS type of an image, blob names... never returned. */
  internal: JsonObject;
  parentKey?: string;
}

export class ResourceStore {
  private readonly byKey = new Map<string, StoredResource>();

  get(id: string): StoredResource | undefined {
    return this.byKey.get(idKey(id));
  }

  has(id: string): boolean {
    return this.byKey.has(idKey(id));
  }

  put(resource: StoredResource): StoredResource {
    const parsed = parseResourceId(resource.id);
    const parent = parsed ? parentId(parsed) : undefined;
    if (parent !== undefined) resource.parentKey = idKey(parent);
    this.byKey.set(idKey(resource.id), resource);
    return resource;
  }

  delete(id: string): StoredResource | undefined {
    const key = idKey(id);
    const found = this.byKey.get(key);
    this.byKey.delete(key);
    return found;
  }

  /** Deletes a resource and everything under its id (children, extension resources). */
  deleteTree(id: string): StoredResource[] {
    const key = idKey(id);
    const removed: StoredResource[] = [];
    for (const [k, r] of this.byKey) {
      if (k === key || k.startsWith(key + "/")) {
        removed.push(r);
        this.byKey.delete(k);
      }
    }
    return removed;
  }

  /** Direct children of a resource, optionally of one type (compared case-insensitively). */
  children(parent: string, type?: string): StoredResource[] {
    const key = idKey(parent);
    const t = type?.toLowerCase();
    return [...this.byKey.values()].filter((r) => r.parentKey === key && (t === undefined || r.type.toLowerCase() === t));
  }

  /** Every resource whose id lies under a prefix (a subscription or resource group id). */
  under(prefix: string): StoredResource[] {
    const key = idKey(prefix) + "/";
    return [...this.byKey.values()].filter((r) => idKey(r.id).startsWith(key));
  }

  ofType(type: string): StoredResource[] {
    const t = type.toLowerCase();
    return [...this.byKey.values()].filter((r) => r.type.toLowerCase() === t);
  }

  all(): StoredResource[] {
    return [...this.byKey.values()];
  }

  clear(): void {
    this.byKey.clear();
  }
}
