// Plain HTTPS calls from the mocha process to a running emulator (trusting its CA through an https.Agent): token
// requests with a form body and ARM calls with a bearer token, answers parsed.
import type { RunningEmulator } from "../../client";
import { send } from "../../client";

export interface RawReply {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export async function raw(emulator: RunningEmulator, method: string, pathAndQuery: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<RawReply> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  const reply = await send(emulator.httpsAgent, method, `${emulator.ready.authorityHost}${pathAndQuery}`, options.body, headers);
  let body: unknown = reply.text;
  try {
    body = reply.text ? JSON.parse(reply.text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: reply.status, body, headers: reply.headers };
}

export interface TokenReply {
  access_token: string;
  expires_in: number;
  token_type: string;
}

/** Client credentials with a secret at the v2 token endpoint; throws unless Entra answered 200. */
export async function secretToken(emulator: RunningEmulator, options: { clientId?: string; clientSecret?: string; scope?: string; tenant?: string } = {}): Promise<TokenReply> {
  const reply = await tokenRequest(emulator, {
    grant_type: "client_credentials",
    client_id: options.clientId ?? emulator.ready.clientId,
    client_secret: options.clientSecret ?? emulator.ready.clientSecret,
    scope: options.scope ?? "https://management.azure.com/.default",
  }, options.tenant);
  if (reply.status !== 200) throw new Error(`token request answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body as TokenReply;
}

export function tokenRequest(emulator: RunningEmulator, form: Record<string, string>, tenant = emulator.ready.tenantId): Promise<RawReply> {
  return raw(emulator, "POST", `/${tenant}/oauth2/v2.0/token`, { body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
}

export function armError(reply: RawReply): { code: string; message: string } {
  const error = (reply.body as { error?: { code: string; message: string } } | undefined)?.error;
  if (!error) throw new Error(`not an ARM error body: ${JSON.stringify(reply.body)}`);
  return error;
}
