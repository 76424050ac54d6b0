// An authenticated ARM GET through @azure/core-rest-pipeline's real pipeline (bearer token policy, retries),
// shared by the child scripts of the host tests.
import { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest, type PipelineOptions } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";

export const armScope = "https://management.core.windows.net//.default";

export interface ArmGetResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export async function armGet(credential: TokenCredential, url: string, options: PipelineOptions = {}): Promise<ArmGetResult> {
  const pipeline = createPipelineFromOptions(options);
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: armScope }));
  const response = await pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url, method: "GET", headers: createHttpHeaders({ accept: "application/json" }) }));
  return { status: response.status, body: response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined, headers: response.headers.toJSON() };
}

/** Ids of the subscriptions the credential's identity can see (GET /subscriptions). */
export async function subscriptionIds(credential: TokenCredential, armUrl: string): Promise<string[]> {
  const result = await armGet(credential, `${armUrl}subscriptions?api-version=2022-12-01`);
  if (result.status !== 200) throw new Error(`GET /subscriptions answered ${result.status}: ${JSON.stringify(result.body)}`);
  const value = (result.body as { value: Array<{ subscriptionId: string }> }).value;
  return value.map((subscription) => subscription.subscriptionId).sort();
}
