// A route table over path segments. Literal segments compare case-insensitively (ARM paths are
// case-insensitive); {param} captures one decoded segment. When several routes match, the one with the
// most literal segments wins, so specific routes (…/virtualmachines/{vm}/start) beat general ones.
import type { ArmRequest, ArmResponse } from "../../core/contracts";
import type { Operation } from "./lro";
import { splitPath } from "./ids";

export interface HandlerResult extends ArmResponse {
  /** The long-running operation this request started, for callers inside the emulator (deployments). */
  operation?: Operation;
}

export interface RouteContext {
  req: ArmRequest;
  params: Record<string, string>;
}

export type Handler = (rc: RouteContext) => Promise<HandlerResult>;

interface Route {
  method: string;
  segments: string[];
  literals: number;
  handler: Handler;
}

export type RouteMatch =
  | { kind: "match"; handler: Handler; params: Record<string, string> }
  | { kind: "wrongMethod" }
  | { kind: "none" };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    const segments = splitPath(pattern);
    this.routes.push({
      method: method.toUpperCase(),
      segments,
      literals: segments.filter((s) => !s.startsWith("{")).length,
      handler,
    });
  }

  match(method: string, path: string): RouteMatch {
    const segs = splitPath(path);
    let best: { route: Route; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segs);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== method.toUpperCase()) continue;
      if (!best || route.literals > best.route.literals) best = { route, params };
    }
    if (best) return { kind: "match", handler: best.route.handler, params: best.params };
    return pathMatched ? { kind: "wrongMethod" } : { kind: "none" };
  }
}

function matchSegments(pattern: string[], segs: string[]): Record<string, string> | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? "";
    const s = segs[i] ?? "";
    if (p.startsWith("{") && p.endsWith("}")) params[p.slice(1, -1)] = s;
    else if (p.toLowerCase() !== s.toLowerCase()) return undefined;
  }
  return params;
}
