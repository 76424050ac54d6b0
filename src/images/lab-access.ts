// Reading a target lab before anything is written to it. A lab that is missing, or that the connection routed to it
// may not read (another tenant, a subscription it has no role in), is an input error naming the input that listed
// the lab, with what to do: check the id, or give the second connection for that subscription.
import type { Lab } from "@azure/arm-devtestlabs";
import type { LabRef } from "../azure/ids";
import { AzureOperationError, InputError } from "../errors";
import type { ImagesContext } from "./context";
import type { ImageServices } from "./services";

const REFUSALS = new Set(["AuthorizationFailed", "InvalidAuthenticationTokenTenant", "InvalidAuthenticationToken", "SubscriptionNotFound"]);

export async function readTargetLab(ctx: ImagesContext, services: ImageServices, target: LabRef & { id: string; input: string }): Promise<Lab> {
  const connection = ctx.connections.forLab(target).input;
  let lab: Lab | undefined;
  try {
    lab = await services.labs.getLab(target, ctx.signal);
  } catch (error) {
    const refused = error instanceof AzureOperationError && ((error.code !== undefined && REFUSALS.has(error.code)) || /\(HTTP 40[13]\)/.test(error.message));
    if (refused && !ctx.signal.aborted) {
      const other = connection === "azureSubscription" ? "give a second service connection (targetConnection) for that subscription" : "check that this connection is for that subscription";
      throw new InputError(target.input, `the service connection '${connection}' may not read the lab '${target.labName}' (${target.id}): ${error.message} If the lab is in another tenant or a subscription this connection cannot reach, ${other}.`);
    }
    throw error;
  }
  if (!lab) {
    throw new InputError(target.input, `the lab '${target.labName}' (${target.id}) does not exist, or the service connection '${connection}' cannot see it. Check the id, or give a second service connection for labs in another tenant.`);
  }
  return lab;
}
