// ARM deployments in an environment's resource group: the one DevTest Labs made for the environment (its outputs),
// the ones the populate task makes, and exporting their templates.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeploymentExtended } from "@azure/arm-resources";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import { parseResourceGroupId, type ResourceGroupRef } from "../azure/ids";
import { AzureOperationError } from "../errors";
import type { LabContext } from "../lab";

/** How much of each failed operation an environment task's error quotes (the error lists up to ten). */
export const FAILED_OPERATION_LENGTH = 600;

/** The environment's resource group from its resourceGroupId. */
export function environmentResourceGroup(resourceGroupId: string | undefined, what: string): ResourceGroupRef {
  if (!resourceGroupId) {
    throw new AzureOperationError("Reading the environment", what, "Azure reports no resource group for it (resourceGroupId is empty); it may still be provisioning or have failed. Check it in the lab.");
  }
  return parseResourceGroupId(resourceGroupId, "resourceGroupId");
}

/**
 * The deployment DevTest Labs made in the environment's resource group: the one named after the environment when
 * there is one, otherwise the oldest (later ones were added by populate steps). Undefined when there is none.
 */
export async function findEnvironmentDeployment(ctx: LabContext, group: ResourceGroupRef, environmentName: string): Promise<DeploymentExtended | undefined> {
  const deployments = await listDeployments(ctx, group);
  const named = deployments.find((d) => d.name?.toLowerCase() === environmentName.toLowerCase());
  if (named) return named;
  return [...deployments].sort((a, b) => timeOf(a) - timeOf(b))[0];
}

export async function listDeployments(ctx: LabContext, group: ResourceGroupRef): Promise<DeploymentExtended[]> {
  const found: DeploymentExtended[] = [];
  try {
    for await (const deployment of ctx.clients.resources(group.subscriptionId).deployments.listByResourceGroup(group.resourceGroup, { abortSignal: ctx.signal })) found.push(deployment);
  } catch (err) {
    if (isNotFoundError(err)) return [];
    throw toAzureOperationError(err, { operation: "Listing the deployments of the environment's resource group", resource: group.resourceGroup });
  }
  return found;
}

function timeOf(deployment: DeploymentExtended): number {
  const stamp = deployment.properties?.timestamp;
  return stamp instanceof Date ? stamp.getTime() : Number.MAX_SAFE_INTEGER;
}

export interface ExportedTemplates {
  folder: string;
  /** Files written, relative to the folder. */
  files: string[];
}

/**
 * Writes the templates of the resource group's deployments to `folder`: the main one as azuredeploy.json, every
 * other one (linked templates ARM deployed as nested deployments, earlier populate steps) under linked/, and a
 * deployments.json that says which file is which deployment and where its template was linked from.
 */
export async function exportDeployedTemplates(ctx: LabContext, options: { group: ResourceGroupRef; mainDeployment: string; folder: string }): Promise<ExportedTemplates> {
  const { group, folder } = options;
  const client = ctx.clients.resources(group.subscriptionId);
  const deployments = await listDeployments(ctx, group);
  mkdirSync(join(folder, "linked"), { recursive: true });
  const files: string[] = [];
  const manifest: { name: string; file: string; templateLink?: string; provisioningState?: string; timestamp?: string }[] = [];
  const used = new Set<string>();
  const ordered = [...deployments].sort((a, b) => (a.name?.toLowerCase() === options.mainDeployment.toLowerCase() ? -1 : b.name?.toLowerCase() === options.mainDeployment.toLowerCase() ? 1 : timeOf(a) - timeOf(b)));
  for (const deployment of ordered) {
    const name = deployment.name ?? "";
    if (!name) continue;
    let template: unknown;
    try {
      template = (await client.deployments.exportTemplate(group.resourceGroup, name, { abortSignal: ctx.signal })).template;
    } catch (err) {
      if (isNotFoundError(err)) continue;
      throw toAzureOperationError(err, { operation: `Exporting the template of the deployment '${name}'`, resource: group.resourceGroup });
    }
    const main = name.toLowerCase() === options.mainDeployment.toLowerCase();
    const file = main ? "azuredeploy.json" : `linked/${uniqueFileName(name, used)}.json`;
    writeFileSync(join(folder, file), `${JSON.stringify(template ?? {}, null, 2)}\n`, "utf8");
    files.push(file);
    const link = deployment.properties?.templateLink?.uri;
    manifest.push({
      name,
      file,
      // A link's query string is its SAS: never written out.
      ...(link ? { templateLink: link.replace(/[?#].*$/, "") } : {}),
      ...(deployment.properties?.provisioningState ? { provisioningState: deployment.properties.provisioningState } : {}),
      ...(deployment.properties?.timestamp instanceof Date ? { timestamp: deployment.properties.timestamp.toISOString() } : {}),
    });
  }
  writeFileSync(join(folder, "deployments.json"), `${JSON.stringify({ resourceGroup: group.resourceGroup, deployments: manifest }, null, 2)}\n`, "utf8");
  files.push("deployments.json");
  return { folder, files };
}

/** A file name from a deployment name: safe characters only, unique (case-insensitively) among those used. */
export function uniqueFileName(name: string, used: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 100) || "deployment";
  let candidate = base;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}`;
  used.add(candidate.toLowerCase());
  return candidate;
}
