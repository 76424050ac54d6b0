// Talks to a running emulator as a client would: signs in at its Entra token endpoint with the replay seed's
// service principal (client credentials), then sends ARM requests with that bearer token.
import type { Agent } from "node:https";
import { request } from "node:https";

export interface HttpResponse {
  status: number;
  /** Lower-case names, repeated values joined. */
  headers: Record<string, string>;
  body: string;
}

export function httpRequest(agent: Agent, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  const payload = body === undefined ? undefined : Buffer.from(body, "utf8");
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, agent, headers: { ...headers, ...(payload ? { "content-length": String(payload.length) } : {}) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        resolve({ status: response.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString("utf8") });
      });
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.setTimeout(60000, () => outgoing.destroy(new Error(`${method} ${url} timed out`)));
    outgoing.end(payload);
  });
}

export interface ArmSession {
  /** https://127.0.0.1:PORT (no trailing slash). */
  armBase: string;
  send(method: string, url: string, body?: string): Promise<HttpResponse>;
}

export interface SignIn {
  authorityHost: string;
  armUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export async function openArmSession(agent: Agent, signIn: SignIn): Promise<ArmSession> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: signIn.clientId,
    client_secret: signIn.clientSecret,
    scope: "https://management.azure.com/.default",
  }).toString();
  const tokenUrl = `${signIn.authorityHost.replace(/\/+$/, "")}/${signIn.tenantId}/oauth2/v2.0/token`;
  const reply = await httpRequest(agent, "POST", tokenUrl, form, { "content-type": "application/x-www-form-urlencoded" });
  if (reply.status !== 200) throw new Error(`sign-in at ${tokenUrl} answered ${reply.status}: ${reply.body.slice(0, 300)}`);
  const token = (JSON.parse(reply.body) as { access_token?: unknown }).access_token;
  if (typeof token !== "string") throw new Error(`sign-in at ${tokenUrl} returned no access_token`);
  const armBase = signIn.armUrl.replace(/\/+$/, "");
  return {
    armBase,
    send: (method, url, body) =>
      httpRequest(agent, method, url.startsWith("https://") ? url : `${armBase}${url}`, body, {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      }),
  };
}
