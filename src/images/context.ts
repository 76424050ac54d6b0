// What the image tasks get: the SDK clients of one or two service connections (the second reaches labs in another
// tenant), the job's cancellation, a log, and a way to register secrets (the SAS URLs they handle).
import type { AzureClients } from "../azure/clients";
import type { LabRef } from "../azure/ids";
import type { LabClock, LabLog } from "../lab/context";

export interface LabConnection {
  clients: AzureClients;
  /** The task input that named this connection, for errors. */
  input: string;
}

export interface LabConnections {
  /** The main connection: the source lab, and every lab the second connection does not cover. */
  primary: LabConnection;
  /** A second connection, for labs in its subscription (another tenant, or a principal with access there). */
  secondary?: LabConnection;
  /** The connection for a target or retention lab. */
  forLab(lab: LabRef): LabConnection;
}

/** Routes labs in the second connection's subscription to it, all others to the first. */
export function labConnections(primary: LabConnection, secondary?: LabConnection): LabConnections {
  const secondarySubscription = secondary?.clients.connection.subscriptionId.trim().toLowerCase();
  return {
    primary,
    ...(secondary ? { secondary } : {}),
    forLab: (lab) => (secondary && lab.subscriptionId.toLowerCase() === secondarySubscription ? secondary : primary),
  };
}

export interface ImagesContext {
  connections: LabConnections;
  /** Aborted when the job is cancelled; every wait honours it. */
  signal: AbortSignal;
  log: LabLog;
  /** Registers a value (a SAS URL, its signature) with the agent so it is masked in every later line. */
  registerSecret(value: string | undefined): void;
  /** Poll interval for Azure operations and copy status (tests shorten it). */
  pollIntervalMs?: number;
  clock?: LabClock;
}
