// Which official swagger files describe a request: an index of test/fixtures/specs by provider namespace and
// api-version, built the way oav files operations (the last `/providers/{Namespace}/` of the path template, or
// oav's "microsoft.unknown" bucket for paths without one: resource groups, subscriptions, tags…).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { providerOfPath } from "./oav-adapter";

/** The folder that holds `specification/` (oav reports spec locations relative to it). */
export const defaultSpecRoot = resolve(__dirname, "../fixtures/specs/azure-rest-api-specs");

/** oav's bucket for operations whose path names no provider namespace. */
export const noProviderBucket = "microsoft.unknown";

export interface SpecCatalog {
  root: string;
  /** Swagger files for this provider (any case) and api-version; empty when none. */
  files(provider: string, apiVersion: string): string[];
  /** The api-versions we hold a spec for, for a provider; empty when the provider has none at all. */
  apiVersions(provider: string): string[];
  /** Whether any swagger of the provider has a path ending in `/{segment}/{parameter}` (e.g. DTL's operations/{name}). */
  hasItemPath(provider: string, segment: string): boolean;
}

export function loadSpecCatalog(root: string = defaultSpecRoot): SpecCatalog {
  const index = new Map<string, Map<string, Set<string>>>();
  const itemSegments = new Map<string, Set<string>>();
  for (const file of swaggerFiles(join(root, "specification"))) {
    const spec = JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, "")) as { info?: { version?: unknown }; paths?: unknown };
    const version = typeof spec.info?.version === "string" ? spec.info.version.toLowerCase() : undefined;
    if (version === undefined || typeof spec.paths !== "object" || spec.paths === null) continue;
    for (const template of Object.keys(spec.paths)) {
      const provider = (providerOfPath(template) ?? noProviderBucket).toLowerCase();
      let versions = index.get(provider);
      if (versions === undefined) index.set(provider, (versions = new Map()));
      let files = versions.get(version);
      if (files === undefined) versions.set(version, (files = new Set()));
      files.add(file);
      const item = /\/([^/{}]+)\/\{[^/]+\}$/.exec(template)?.[1];
      if (item !== undefined) {
        let segments = itemSegments.get(provider);
        if (segments === undefined) itemSegments.set(provider, (segments = new Set()));
        segments.add(item.toLowerCase());
      }
    }
  }
  return {
    root,
    files: (provider, apiVersion) => [...(index.get(provider.toLowerCase())?.get(apiVersion.toLowerCase()) ?? [])],
    apiVersions: (provider) => [...(index.get(provider.toLowerCase())?.keys() ?? [])].sort(),
    hasItemPath: (provider, segment) => itemSegments.get(provider.toLowerCase())?.has(segment.toLowerCase()) ?? false,
  };
}

/** Every swagger document under resource-manager, leaving out examples and shared type libraries. */
function swaggerFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === "examples" || name === "common-types") continue;
      found.push(...swaggerFiles(path));
    } else if (name.endsWith(".json") && path.includes("/resource-manager/")) {
      found.push(path);
    }
  }
  return found;
}
