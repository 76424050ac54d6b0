// Decides, for each logged request, whether an official swagger covers it and which one. Traffic that no
// official ARM swagger describes is skipped and listed by group; everything else is validated, and ARM traffic
// whose api-version we hold no spec for is a violation (the emulator would be serving an API we cannot check).
import type { TrafficEntry } from "./entry";
import { providerOfPath } from "./oav-adapter";
import { noProviderBucket, type SpecCatalog } from "./spec-catalog";

export type Coverage =
  | { kind: "skip"; group: string; reason: string }
  | { kind: "validate"; provider: string; apiVersion: string; specFiles: string[]; validateAs?: { apiVersion: string; reason: string } }
  | { kind: "no-spec"; provider: string; apiVersion: string; known: string[] };

/**
 * api-versions our clients send that the spec snapshot in test/fixtures/specs predates. The request is
 * validated against the named older swagger of the same API instead, and the report says so.
 */
export interface ApiVersionSubstitute {
  /** As oav files it: a provider namespace, or "microsoft.unknown" for paths without one (resource groups). */
  provider: string;
  apiVersion: string;
  validateAs: string;
  reason: string;
}

const armResourcesReason =
  "@azure/arm-resources 6.1.0 sends api-version 2025-03-01; the spec snapshot (2024-07-08) has no swagger for it, " +
  "so resource groups and deployments are checked against 2024-03-01, the newest one it holds";

const azureCliResourcesReason =
  "azure-cli (as recorded, and so the replay test) uses Resources api-version 2019-07-01; the snapshot's oldest Resources swagger is 2021-04-01";
const dtlPreviewReason =
  "DTL hands out operation URLs (and azure-cli calls hibernate) with api-version 2018-10-15-preview, for which no swagger was ever published; " +
  "its operations are those of 2018-09-15";

const armComputeReason = (sent: string, held: string, family: string): string =>
  `@azure/arm-compute 23.3.0 sends ${family} api-version ${sent}; the spec snapshot (2024-07-08) predates it, so it is checked against ${held}, the newest it holds`;

export const apiVersionSubstitutes: readonly ApiVersionSubstitute[] = [
  { provider: "microsoft.compute", apiVersion: "2025-01-02", validateAs: "2023-10-02", reason: armComputeReason("2025-01-02", "2023-10-02", "disks/snapshots (DiskRP)") },
  { provider: "microsoft.compute", apiVersion: "2025-04-01", validateAs: "2024-03-01", reason: armComputeReason("2025-04-01", "2024-03-01", "images/virtual machines (ComputeRP)") },
  { provider: "microsoft.compute", apiVersion: "2025-03-03", validateAs: "2023-07-03", reason: armComputeReason("2025-03-03", "2023-07-03", "galleries (GalleryRP)") },
  { provider: "microsoft.resources", apiVersion: "2025-03-01", validateAs: "2024-03-01", reason: armResourcesReason },
  { provider: noProviderBucket, apiVersion: "2025-03-01", validateAs: "2024-03-01", reason: armResourcesReason },
  { provider: "microsoft.resources", apiVersion: "2019-07-01", validateAs: "2021-04-01", reason: azureCliResourcesReason },
  { provider: noProviderBucket, apiVersion: "2019-07-01", validateAs: "2021-04-01", reason: azureCliResourcesReason },
  { provider: "microsoft.devtestlab", apiVersion: "2018-10-15-preview", validateAs: "2018-09-15", reason: dtlPreviewReason },
];

const routeReasons: Record<string, string> = {
  token: "Entra ID token endpoint: not an ARM API, no swagger",
  discovery: "Entra ID OpenID discovery: not an ARM API, no swagger",
  oidc: "Azure DevOps OIDC token endpoint: no swagger",
  managedIdentity: "managed identity endpoint: no swagger",
  metadata: "cloud metadata endpoint (/metadata/endpoints): no swagger",
  entra: "Entra ID (login host): not an ARM API, no swagger",
  graph: "Microsoft Graph: out of scope, no ARM swagger",
  blob: "Blob storage data plane (Azurite): not an ARM API",
};

export function classify(entry: TrafficEntry, catalog: SpecCatalog, substitutes: readonly ApiVersionSubstitute[] = apiVersionSubstitutes): Coverage {
  if (entry.status === 0) return skip("fault: connection reset", "no response to validate: a fault rule reset the connection");
  if (entry.route !== undefined && entry.route !== "arm") {
    return skip(`route ${entry.route}`, routeReasons[entry.route] ?? "not ARM traffic, no swagger");
  }
  const path = entry.path;
  if (/^\/_emulator(\/|$)/.test(path)) return skip("emulator admin API", "the emulator's own admin API");
  if (/^\/(tenants|subscriptions)\/?$/i.test(path) || /^\/subscriptions\/[^/]+(\/locations)?\/?$/i.test(path)) {
    return skip(
      "subscriptions and tenants listing",
      "Microsoft.Resources subscriptions API: its swagger (subscriptions.json) is not part of test/fixtures/specs",
    );
  }
  const apiVersion = queryValue(entry.query, "api-version");
  if (apiVersion === undefined) return skip("no api-version", "a request without api-version matches no versioned API (ARM answers 400)");

  const provider = (providerOfPath(path) ?? noProviderBucket).toLowerCase();
  const known = catalog.apiVersions(provider);
  if (known.length === 0) return skip(`provider ${provider}`, `no official swagger for ${provider} in test/fixtures/specs (out of scope)`);
  // Checked before oav, which would otherwise match e.g. /subscriptions/{s}/operationresults/{id} (a resource
  // group delete's Location) to the generic /{resourceId} operation and judge it as a resource read.
  const monitor = monitorSegment(path);
  if (monitor !== undefined && !catalog.hasItemPath(provider, monitor)) return skip(monitorSkip.group, monitorSkip.reason);
  const files = catalog.files(provider, apiVersion);
  if (files.length > 0) return { kind: "validate", provider, apiVersion: apiVersion.toLowerCase(), specFiles: files };
  const substitute = substitutes.find((s) => s.provider === provider && s.apiVersion === apiVersion.toLowerCase());
  if (substitute !== undefined) {
    const substituteFiles = catalog.files(provider, substitute.validateAs);
    if (substituteFiles.length > 0) {
      return {
        kind: "validate",
        provider,
        apiVersion: apiVersion.toLowerCase(),
        specFiles: substituteFiles,
        validateAs: { apiVersion: substitute.validateAs, reason: substitute.reason },
      };
    }
  }
  return { kind: "no-spec", provider, apiVersion: apiVersion.toLowerCase(), known };
}

/**
 * ARM's async-operation monitors (…/operationStatuses/{id}, …/operationResults/{id}, Compute's DiskOperations)
 * are URLs the service hands out in Azure-AsyncOperation/Location; most swaggers do not describe them. DTL's
 * …/locations/{l}/operations/{id} is described (Operations_Get) and so is validated: this only applies when oav
 * finds no operation for the path.
 */
export function isOperationMonitorPath(path: string): boolean {
  return monitorSegment(path) !== undefined;
}

function monitorSegment(path: string): string | undefined {
  return /\/(operations|operationStatuses|operationResults|asyncOperations|DiskOperations)\/[^/]+\/?$/i.exec(path)?.[1];
}

export const monitorSkip = {
  group: "async-operation monitor URL",
  reason: "ARM long-running-operation status URL that the provider's swagger does not describe",
};

function skip(group: string, reason: string): Coverage {
  return { kind: "skip", group, reason };
}

function queryValue(query: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(query)) if (key.toLowerCase() === name) return value;
  return undefined;
}
