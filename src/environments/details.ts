// What the tasks report about an environment.
import type { DtlEnvironment } from "@azure/arm-devtestlabs";
import type { EnvironmentRef } from "../azure/ids";

export interface EnvironmentDetails {
  id: string;
  name: string;
  labName: string;
  /** The owner's object id (a lab user). */
  userId: string;
  resourceGroupId?: string;
  resourceGroupName?: string;
  provisioningState?: string;
  createdByUser?: string;
}

export function environmentDetails(environment: DtlEnvironment | undefined, ref: EnvironmentRef & { id: string }): EnvironmentDetails {
  const resourceGroupId = environment?.resourceGroupId || undefined;
  return {
    id: ref.id,
    name: environment?.name ?? ref.environmentName,
    labName: ref.labName,
    userId: ref.userId,
    resourceGroupId,
    resourceGroupName: resourceGroupId ? /\/resourcegroups\/([^/]+)/i.exec(resourceGroupId)?.[1] : undefined,
    provisioningState: environment?.provisioningState,
    createdByUser: environment?.createdByUser,
  };
}
