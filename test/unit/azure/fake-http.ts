// An in-memory HttpClient for the Azure SDK: answers like Entra ID, the Azure DevOps OIDC endpoint, the App Service
// managed identity endpoint and ARM, and records every request. No sockets.
import { generateKeyPairSync } from "node:crypto";
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import forge from "node-forge";

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  form: URLSearchParams;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Route handler: return a reply to answer, or undefined to fall through to the defaults. */
export type FakeRoute = (request: RecordedRequest) => FakeReply | undefined;

export class FakeAzure implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: FakeRoute[] = [];
  private tokenCount = 0;

  /** Routes added later win. */
  route(handler: FakeRoute): this {
    this.routes.unshift(handler);
    return this;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const body = typeof request.body === "string" ? request.body : request.body === undefined || request.body === null ? "" : "[binary]";
    const recorded: RecordedRequest = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers.toJSON({ preserveCase: false }),
      body,
      form: new URLSearchParams(body),
    };
    this.requests.push(recorded);
    if (request.abortSignal?.aborted) {
      const error = new Error("The operation was aborted.");
      error.name = "AbortError";
      throw error;
    }
    const reply = this.routes.map((route) => route(recorded)).find((candidate) => candidate !== undefined) ?? this.defaultReply(recorded);
    const headers = createHttpHeaders({ "content-type": "application/json", ...(reply.headers ?? {}) });
    return {
      status: reply.status,
      headers,
      request,
      bodyAsText: reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body),
    };
  }

  /** Requests whose path matches. */
  to(pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => pattern.test(request.url.pathname));
  }

  private defaultReply(request: RecordedRequest): FakeReply {
    const path = request.url.pathname;
    if (path.endsWith("/.well-known/openid-configuration")) {
      const authority = `${request.url.origin}${path.replace(/(\/v2\.0)?\/\.well-known\/openid-configuration$/, "")}`;
      const adfs = authority.toLowerCase().endsWith("/adfs");
      return {
        status: 200,
        body: {
          token_endpoint: adfs ? `${authority}/oauth2/token` : `${authority}/oauth2/v2.0/token`,
          authorization_endpoint: adfs ? `${authority}/oauth2/authorize` : `${authority}/oauth2/v2.0/authorize`,
          issuer: adfs ? authority : `${authority}/v2.0`,
          jwks_uri: `${authority}/discovery/keys`,
        },
      };
    }
    if (/\/oauth2\/(v2\.0\/)?token$/.test(path)) {
      this.tokenCount += 1;
      return { status: 200, body: { token_type: "Bearer", access_token: `access-token-${this.tokenCount}`, expires_in: 3600 } };
    }
    if (path.includes("/msi/")) {
      return { status: 200, body: { access_token: "managed-identity-token", expires_on: String(Math.floor(Date.now() / 1000) + 60), token_type: "Bearer", resource: request.url.searchParams.get("resource") } };
    }
    if (path.includes("/oidc/")) return { status: 200, body: { oidcToken: OIDC_TOKEN } };
    return { status: 404, body: { error: { code: "NotFound", message: `No route for ${request.method} ${path}` } } };
  }
}

export const OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYyJ9.federated-signature";

/** A self-signed certificate and its key. */
export function makeCertificate(commonName = "dtl-core-test"): { certPem: string; keyPem: string; pkcs8Pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const subject = [{ name: "commonName", value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** Decodes the header and payload of a JWT (no verification). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string; signed: string } {
  const [header = "", payload = "", signature = ""] = token.split(".");
  const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature, signed: `${header}.${payload}` };
}
