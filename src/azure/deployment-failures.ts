// What failed inside an ARM deployment, for the error that reports it: the failed operations' status messages only
// (their requests hold passwords), made safe to log.
import { AzureOperationError } from "../errors";
import type { AzureClients } from "./clients";
import { neutralizeUntrustedText, type NeutralizeOptions } from "./untrusted-text";

export interface DeploymentRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** One line per failed operation (at most 10): the resource, the ARM code and message, and their details. */
export async function failedDeploymentOperations(clients: AzureClients, deployment: DeploymentRef, signal: AbortSignal): Promise<string[]> {
  const lines: string[] = [];
  try {
    const operations = clients.resources(deployment.subscriptionId).deploymentOperations.list(deployment.resourceGroup, deployment.name, { abortSignal: signal });
    for await (const operation of operations) {
      const properties = operation.properties;
      if ((properties?.provisioningState ?? "").toLowerCase() !== "failed") continue;
      const target = properties?.targetResource;
      const error = properties?.statusMessage?.error;
      const where = target?.resourceType ? `${target.resourceType} '${target.resourceName ?? ""}'` : "an operation";
      const inner = error?.details?.map((d) => [d.code, d.message].filter(Boolean).join(": ")).join("; ");
      lines.push(`${where}: ${[error?.code, error?.message].filter(Boolean).join(": ")}${inner ? ` (${inner})` : ""}`);
      if (lines.length >= 10) break;
    }
  } catch {
    // The details are a courtesy; the deployment's own error is reported either way.
  }
  return lines;
}

/** The error with the failed operations appended, each neutralised as `options` say (secrets masked). */
export function withFailedOperations(err: unknown, details: readonly string[], options: NeutralizeOptions): unknown {
  if (details.length === 0 || !(err instanceof AzureOperationError)) return err;
  const clean = details.map((d) => neutralizeUntrustedText(d, options));
  const detail = err.message.slice(err.message.indexOf(": ") + 2);
  return new AzureOperationError(err.operation, err.resource, `${detail}\nFailed operations:\n${clean.map((d) => `  ${d}`).join("\n")}`, err.code);
}
