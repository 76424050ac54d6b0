// What every Azure task shell does first: read the service connection (registering its secrets) and build the SDK
// clients, and read the common wait inputs. No network call happens here.
import { createAzureClients, type AzureClients } from "../azure/clients";
import { SERVICE_CONNECTION_INPUT } from "../azure/connection";
import { readAzureConnection } from "./connection";
import type { TaskContext } from "./run";

export function connectToAzure(ctx: TaskContext, inputName: string = SERVICE_CONNECTION_INPUT): AzureClients {
  const connection = readAzureConnection({ inputs: ctx.inputs, inputName, registerSecret: ctx.registerSecret });
  return createAzureClients(connection, { inputName });
}

/** The clients of a service connection, with the input that named it (errors name the input). */
export interface NamedAzureConnection {
  clients: AzureClients;
  input: string;
}

export const TARGET_CONNECTION_INPUT = "targetConnection";

/**
 * The image tasks' connections: the service connection, and the second one ('targetConnection') when given, for
 * labs the first cannot reach (another tenant).
 */
export function connectToAzureAndTarget(ctx: TaskContext): { primary: NamedAzureConnection; secondary?: NamedAzureConnection } {
  const primary = { clients: connectToAzure(ctx), input: SERVICE_CONNECTION_INPUT };
  if (!ctx.inputs.optionalString(TARGET_CONNECTION_INPUT)) return { primary };
  return { primary, secondary: { clients: connectToAzure(ctx, TARGET_CONNECTION_INPUT), input: TARGET_CONNECTION_INPUT } };
}

/** A timeout input in whole minutes (1 to 1440), as milliseconds. */
export function timeoutMsInput(ctx: TaskContext, name: string, defaultMinutes: number): number {
  return ctx.inputs.wholeNumber(name, { min: 1, max: 1440, defaultValue: defaultMinutes, unit: "minutes" }) * 60_000;
}

/** A poll interval input in whole seconds (1 to 300), as milliseconds; undefined keeps the defaults. */
export function pollIntervalMsInput(ctx: TaskContext, name = "pollIntervalSeconds"): number | undefined {
  const raw = ctx.inputs.optionalString(name);
  if (raw === undefined) return undefined;
  return ctx.inputs.wholeNumber(name, { min: 1, max: 300, unit: "seconds" }) * 1000;
}
