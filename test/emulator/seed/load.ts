// Reads a seed file and checks that it is whole (every reference points at something that exists), so a bad
// seed stops the emulator at start with a message instead of failing some request later.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { HostSeed } from "./types";

export const defaultSeedPath = join(__dirname, "default.json");

export function loadSeed(path: string = defaultSeedPath): HostSeed {
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Seed ${path} is not JSON: ${(error as Error).message}`);
  }
  const problems = validateSeed(value);
  if (problems.length > 0) throw new Error(`Seed ${path} is invalid:\n  ${problems.join("\n  ")}`);
  return value as HostSeed;
}

/** Returns the problems found; empty when the seed is usable. */
export function validateSeed(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ["the seed must be a JSON object"];
  for (const key of ["tenants", "subscriptions", "principals", "managedIdentities", "labs"]) {
    if (!Array.isArray(value[key])) problems.push(`"${key}" must be an array`);
  }
  if (problems.length > 0) return problems;
  const seed = value as unknown as HostSeed;

  const tenantIds = new Set<string>();
  seed.tenants.forEach((tenant, i) => {
    requireStrings(problems, `tenants[${i}]`, tenant, ["id", "displayName", "defaultDomain"]);
    tenantIds.add(lower(tenant.id));
  });
  const subscriptionIds = new Set<string>();
  seed.subscriptions.forEach((subscription, i) => {
    requireStrings(problems, `subscriptions[${i}]`, subscription, ["id", "tenantId", "displayName"]);
    if (!tenantIds.has(lower(subscription.tenantId))) problems.push(`subscriptions[${i}].tenantId names no tenant`);
    subscriptionIds.add(lower(subscription.id));
  });
  const checkSubscriptions = (where: string, list: unknown): void => {
    if (!Array.isArray(list)) {
      problems.push(`${where}.subscriptions must be an array`);
      return;
    }
    for (const id of list) if (typeof id !== "string" || !subscriptionIds.has(lower(id))) problems.push(`${where}.subscriptions names an unknown subscription ${String(id)}`);
  };
  const objectIds = new Set<string>();
  const clientIds = new Set<string>();
  const noteIdentity = (where: string, tenantId: string, clientId: string, objectId: string): void => {
    if (!tenantIds.has(lower(tenantId))) problems.push(`${where}.tenantId names no tenant`);
    if (objectIds.has(lower(objectId))) problems.push(`${where}.objectId is used twice`);
    const clientKey = `${lower(tenantId)}/${lower(clientId)}`;
    if (clientIds.has(clientKey)) problems.push(`${where}.clientId is used twice in its tenant`);
    objectIds.add(lower(objectId));
    clientIds.add(clientKey);
  };
  seed.principals.forEach((principal, i) => {
    const where = `principals[${i}]`;
    requireStrings(problems, where, principal, ["tenantId", "clientId", "objectId", "displayName"]);
    noteIdentity(where, principal.tenantId, principal.clientId, principal.objectId);
    checkSubscriptions(where, principal.subscriptions);
  });
  seed.managedIdentities.forEach((identity, i) => {
    const where = `managedIdentities[${i}]`;
    requireStrings(problems, where, identity, ["tenantId", "clientId", "objectId"]);
    noteIdentity(where, identity.tenantId, identity.clientId, identity.objectId);
    checkSubscriptions(where, identity.subscriptions);
  });
  seed.labs.forEach((lab, i) => {
    requireStrings(problems, `labs[${i}]`, lab, ["subscriptionId", "resourceGroup", "name", "location"]);
    if (!subscriptionIds.has(lower(lab.subscriptionId))) problems.push(`labs[${i}].subscriptionId names no subscription`);
  });
  if (seed.devOps !== undefined) {
    requireStrings(problems, "devOps", seed.devOps, ["organization", "organizationId", "project", "projectId"]);
    if (!Array.isArray(seed.devOps.serviceConnections)) problems.push(`devOps.serviceConnections must be an array`);
    else seed.devOps.serviceConnections.forEach((connection, i) => requireStrings(problems, `devOps.serviceConnections[${i}]`, connection, ["id", "name"]));
  }
  return problems;
}

function requireStrings(problems: string[], where: string, value: unknown, keys: string[]): void {
  if (!isObject(value)) {
    problems.push(`${where} must be an object`);
    return;
  }
  for (const key of keys) if (typeof value[key] !== "string" || value[key] === "") problems.push(`${where}.${key} must be a non-empty string`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lower(value: unknown): string {
  return typeof value === "string" ? value.toLowerCase() : "";
}
