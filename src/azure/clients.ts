// The SDK clients of one task run, built once from the service connection and cached per subscription.
//
// Versions: @azure/arm-devtestlabs 4.1.0 is the latest (api 2018-09-15). @azure/arm-resources is pinned to 6.1.0:
// 7.x moved deployments out to @azure/arm-resourcesdeployments and 8.x needs Node >= 22, while the tasks must run
// on Node 20 (the agent runs Node24 handlers on Node 20 unless told otherwise).
import { DevTestLabsClient } from "@azure/arm-devtestlabs";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { CommonClientOptions } from "@azure/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { InputError } from "../errors";
import { version } from "../../package.json";
import type { ResolvedCloud } from "./clouds";
import { SERVICE_CONNECTION_INPUT, planCredential, type AzureConnection } from "./connection";
import { credentialFromPlan } from "./credential";
import { neutralizeUntrustedText } from "./untrusted-text";

export const USER_AGENT = `dtl-image-factory/${version}`;
const DEFAULT_RETRIES = 5;

/** The options every ARM client of this run is built with; pass them to any other SDK client too. */
export type AzureClientPipelineOptions = CommonClientOptions & {
  /** The connection's ARM URL. The SDK's `$host` is ignored when `endpoint` is given; `endpoint` is what works. */
  endpoint: string;
  /** `<audience>/.default` from the connection, so other clouds and the emulator get the right token. */
  credentialScopes: string[];
};

export interface AzureClients {
  credential: TokenCredential;
  connection: AzureConnection;
  cloud: ResolvedCloud;
  /** DevTest Labs client for a subscription (default: the connection's). */
  devTestLabs(subscriptionId?: string): DevTestLabsClient;
  /** Resource Manager client (deployments, resource groups) for a subscription (default: the connection's). */
  resources(subscriptionId?: string): ResourceManagementClient;
  pipelineOptions: AzureClientPipelineOptions;
}

export interface AzureClientsOptions {
  /** User agent prefix. Default dtl-image-factory/<version>. */
  userAgent?: string;
  /** Retries per request for throttling (429/503 with Retry-After), 5xx, 408 and network errors. Default 5. */
  retries?: number;
  /** The service connection input, for errors. Default azureSubscription. */
  inputName?: string;
  /** Replaces the network layer of the credential and the clients (tests). */
  httpClient?: HttpClient;
}

export function createAzureClients(connection: AzureConnection, options: AzureClientsOptions = {}): AzureClients {
  const inputName = options.inputName ?? SERVICE_CONNECTION_INPUT;
  const defaultSubscription = connection.subscriptionId?.trim();
  if (!defaultSubscription) {
    throw new InputError(inputName, `the service connection '${neutralizeUntrustedText(connection.id, { maxLength: 80 })}' has no subscription id. Use a connection scoped to a subscription.`);
  }
  const plan = planCredential(connection, { inputName });
  const credential = credentialFromPlan(plan, { httpClient: options.httpClient });
  const retries = options.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retries must be a whole number >= 0, got ${retries}`);
  // core-rest-pipeline's default retry policy waits for Retry-After on 429/503 and backs off exponentially on
  // 5xx/408/network errors; only the count is ours to set.
  const pipelineOptions: AzureClientPipelineOptions = {
    endpoint: plan.cloud.armUrl,
    credentialScopes: [plan.cloud.scope],
    userAgentOptions: { userAgentPrefix: options.userAgent ?? USER_AGENT },
    retryOptions: { maxRetries: retries },
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
  };
  const devTestLabs = new Map<string, DevTestLabsClient>();
  const resources = new Map<string, ResourceManagementClient>();
  const cached = <T>(cache: Map<string, T>, subscriptionId: string | undefined, build: (id: string) => T): T => {
    const id = subscriptionId?.trim() || defaultSubscription;
    const key = id.toLowerCase();
    let client = cache.get(key);
    if (client === undefined) {
      client = build(id);
      cache.set(key, client);
    }
    return client;
  };
  return {
    credential,
    connection,
    cloud: plan.cloud,
    pipelineOptions,
    devTestLabs: (subscriptionId) => cached(devTestLabs, subscriptionId, (id) => new DevTestLabsClient(credential, id, pipelineOptions)),
    resources: (subscriptionId) => cached(resources, subscriptionId, (id) => new ResourceManagementClient(credential, id, pipelineOptions)),
  };
}
