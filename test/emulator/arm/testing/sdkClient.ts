// An in-process HttpClient for the Azure SDKs: turns their requests into ArmRequests for handle() and the
// answers back into pipeline responses, so SDK pollers and deserialisers run against this layer alone.
import type { TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { ArmEmulator, CallerIdentity } from "../../core/contracts";
import { BASE, CALLER } from "./harness";

export function emulatorHttpClient(emulator: ArmEmulator, caller: CallerIdentity = CALLER): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const url = new URL(request.url);
      const path = url.pathname
        .split("/")
        .map((s) => decodeURIComponent(s))
        .join("/");
      const text = typeof request.body === "string" ? request.body : undefined;
      const res = await emulator.handle({
        method: request.method,
        path,
        query: url.searchParams,
        headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])),
        body: text ? (JSON.parse(text) as unknown) : undefined,
        caller,
        baseUrl: BASE,
      });
      const headers = createHttpHeaders(res.headers ?? {});
      if (res.body !== undefined) headers.set("content-type", "application/json; charset=utf-8");
      return { request, status: res.status, headers, ...(res.body !== undefined ? { bodyAsText: JSON.stringify(res.body) } : {}) };
    },
  };
}

export const fakeCredential: TokenCredential = {
  getToken: async () => ({ token: "emulator-test-token", expiresOnTimestamp: Date.now() + 3600_000 }),
};
