// ARM's front door and Entra's endpoints, driven by plain HTTPS from the test process: 401s for missing, invalid,
// wrong-audience and expired tokens (with ARM's challenge header), 403 and permissions, platform endpoints,
// ARM response headers, bad request content, discovery documents, token endpoint errors, the request log, reset.
import assert from "node:assert/strict";
import { startEmulator, type RunningEmulator } from "../client";
import { armError, raw, secretToken, tokenRequest } from "./support/raw";

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("emulator ARM front door and Entra endpoints", function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let token: string;
  let limited: { clientId: string; clientSecret: string; objectId: string };

  before(async () => {
    emulator = await startEmulator();
    token = (await secretToken(emulator)).access_token;
    const principal = emulator.identities.principals.find((entry) => entry.tenantId === emulator.ready.tenantId && entry.clientId !== emulator.ready.clientId);
    assert.ok(principal?.clientSecret);
    limited = { clientId: principal.clientId, clientSecret: principal.clientSecret, objectId: principal.objectId };
  });

  after(async () => {
    await emulator?.stop();
  });

  afterEach(async () => {
    await emulator.admin.clearFaults();
  });

  describe("authentication", () => {
    it("answers a request without Authorization with 401 AuthenticationFailed and ARM's Bearer challenge", async () => {
      const reply = await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01");
      assert.equal(reply.status, 401);
      assert.deepEqual(armError(reply), { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." });
      assert.match(String(reply.headers["www-authenticate"]), /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header\."$/);
      assert.match(String(reply.headers["x-ms-request-id"]), guid);
    });

    it("answers a non-Bearer header, a tampered token and a token from another signer with 401", async () => {
      assert.equal(armError(await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { headers: { authorization: "Basic dXNlcjpwYXNz" } })).code, "AuthenticationFailedInvalidHeader");
      const [header, payload] = token.split(".");
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), oid: "00000000-0000-0000-0000-000000000000" })).toString("base64url");
      const tampered = await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: `${header}.${forged}.${token.split(".")[2]}` });
      assert.equal(tampered.status, 401);
      assert.deepEqual(armError(tampered), { code: "InvalidAuthenticationToken", message: "The access token is invalid." });
      assert.equal(armError(await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: "not.a.jwt" })).code, "InvalidAuthenticationToken");
    });

    it("accepts tokens for management.azure.com, management.core.windows.net and the emulator's own URL", async () => {
      for (const scope of ["https://management.azure.com/.default", "https://management.core.windows.net//.default", `${emulator.ready.armUrl}.default`, `${emulator.ready.armUrl}/.default`]) {
        const reply = await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: (await secretToken(emulator, { scope })).access_token });
        assert.equal(reply.status, 200, scope);
      }
    });

    it("answers a token for another audience with 401 InvalidAuthenticationTokenAudience", async () => {
      const storageToken = (await secretToken(emulator, { scope: "https://storage.azure.com/.default" })).access_token;
      const reply = await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: storageToken });
      assert.equal(reply.status, 401);
      const error = armError(reply);
      assert.equal(error.code, "InvalidAuthenticationTokenAudience");
      assert.match(error.message, /^The access token has been obtained for wrong audience or resource 'https:\/\/storage\.azure\.com'\. It should exactly match with one of the allowed audiences 'https:\/\/management\.core\.windows\.net\/','https:\/\/management\.core\.windows\.net','https:\/\/management\.azure\.com\/','https:\/\/management\.azure\.com'/);
    });

    it("tokenExpiry shortLifetime: issues short tokens that ARM then rejects with ExpiredAuthenticationToken", async () => {
      await emulator.admin.addFault({ kind: "tokenExpiry", mode: "shortLifetime", lifetimeSeconds: 1, clientId: emulator.ready.clientId });
      const short = await secretToken(emulator);
      assert.equal(short.expires_in, 1);
      assert.equal((await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: short.access_token })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const reply = await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: short.access_token });
      assert.equal(reply.status, 401);
      const error = armError(reply);
      assert.equal(error.code, "ExpiredAuthenticationToken");
      assert.match(error.message, /^The access token expiry UTC time '\d+\/\d+\/\d{4} \d+:\d{2}:\d{2} [AP]M' is earlier than current UTC time '\d+\/\d+\/\d{4} \d+:\d{2}:\d{2} [AP]M'\.$/);
      assert.match(String(reply.headers["www-authenticate"]), /error_description="The access token has expired\."/);
      await emulator.admin.clearFaults();
      assert.equal((await secretToken(emulator)).expires_in, 3600);
    });

    it("tokenExpiry expireNow: tokens issued before the rule are expired, new ones work", async () => {
      const before = (await secretToken(emulator)).access_token;
      const other = (await secretToken(emulator, limited)).access_token;
      await emulator.admin.addFault({ kind: "tokenExpiry", clientId: emulator.ready.clientId });
      assert.equal(armError(await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: before })).code, "ExpiredAuthenticationToken");
      assert.equal((await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: other })).status, 200, "other principals are not affected");
      const after = (await secretToken(emulator)).access_token;
      assert.equal((await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: after })).status, 200);
    });
  });

  describe("authorisation and permissions", () => {
    it("403 for a subscription outside the principal's reach; PUT permissions grants it; reset takes it back", async () => {
      const teamSubscription = emulator.ready.subscriptionIds[1] ?? "";
      const path = `/subscriptions/${teamSubscription}/resourceGroups/teams-rg/providers/Microsoft.DevTestLab/labs/TeamLabA/virtualmachines/vm1/start?api-version=2018-09-15`;
      const limitedToken = (await secretToken(emulator, limited)).access_token;
      const denied = await raw(emulator, "POST", path, { token: limitedToken });
      assert.equal(denied.status, 403);
      assert.equal(
        armError(denied).message,
        `The client '${limited.objectId}' with object id '${limited.objectId}' does not have authorization to perform action 'Microsoft.DevTestLab/labs/virtualmachines/start/action' over scope '/subscriptions/${teamSubscription}/resourceGroups/teams-rg/providers/Microsoft.DevTestLab/labs/TeamLabA/virtualmachines/vm1' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );

      await emulator.admin.setPermissions({ clientId: limited.clientId, subscriptions: emulator.ready.subscriptionIds });
      assert.deepEqual(await emulator.admin.permissions(), { [limited.objectId]: emulator.ready.subscriptionIds });
      assert.notEqual((await raw(emulator, "POST", path, { token: limitedToken })).status, 403);
      const listed = await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: limitedToken });
      assert.equal((listed.body as { value: unknown[] }).value.length, 2);

      await emulator.admin.reset();
      assert.equal((await raw(emulator, "POST", path, { token: limitedToken })).status, 403);
      assert.deepEqual(await emulator.admin.permissions(), {});
    });

    it("404 SubscriptionNotFound for a subscription nobody has", async () => {
      const reply = await raw(emulator, "GET", "/subscriptions/99999999-0000-4000-8000-000000000000/resourcegroups?api-version=2021-04-01", { token });
      assert.equal(reply.status, 404);
      assert.deepEqual(armError(reply), { code: "SubscriptionNotFound", message: "The subscription '99999999-0000-4000-8000-000000000000' could not be found." });
    });
  });

  describe("platform endpoints and ARM's manners", () => {
    it("GET /subscriptions/{id}, /tenants, /providers", async () => {
      const [subscriptionId] = emulator.ready.subscriptionIds;
      const subscription = await raw(emulator, "GET", `/subscriptions/${subscriptionId}?api-version=2022-12-01`, { token });
      assert.equal(subscription.status, 200);
      assert.deepEqual({ ...(subscription.body as object), subscriptionPolicies: undefined }, {
        id: `/subscriptions/${subscriptionId}`, authorizationSource: "RoleBased", managedByTenants: [], subscriptionId, tenantId: emulator.ready.tenantId, displayName: "Contoso Factory", state: "Enabled", subscriptionPolicies: undefined,
      });
      const tenants = (await raw(emulator, "GET", "/tenants?api-version=2022-12-01", { token })).body as { value: Array<{ tenantId: string }> };
      assert.deepEqual(tenants.value.map((tenant) => tenant.tenantId), [emulator.ready.tenantId]);
      const providers = (await raw(emulator, "GET", "/providers?api-version=2021-04-01", { token })).body as { value: Array<{ namespace: string }> };
      assert.ok(providers.value.some((provider) => provider.namespace === "Microsoft.DevTestLab"));
    });

    it("GET /metadata/endpoints in the array form (2022-09-01) and the Azure Stack object form (2015-01-01), without a token", async () => {
      const modern = await raw(emulator, "GET", "/metadata/endpoints?api-version=2022-09-01");
      const [cloud] = modern.body as Array<{ resourceManager: string; authentication: { loginEndpoint: string; audiences: string[] } }>;
      assert.equal(cloud?.resourceManager, emulator.ready.armUrl);
      assert.equal(cloud?.authentication.loginEndpoint, emulator.ready.authorityHost);
      assert.ok(cloud?.authentication.audiences.includes("https://management.core.windows.net/"));
      const stack = (await raw(emulator, "GET", "/metadata/endpoints?api-version=2015-01-01")).body as { authentication: { loginEndpoint: string } };
      assert.equal(stack.authentication.loginEndpoint, `${emulator.ready.authorityHost}/`);
    });

    it("puts ARM's headers on replies: request id, echoed correlation id, remaining reads and writes", async () => {
      const subscription = emulator.ready.subscriptionIds[0];
      const first = await raw(emulator, "GET", `/subscriptions/${subscription}?api-version=2022-12-01`, { token, headers: { "x-ms-correlation-request-id": "11111111-2222-4333-8444-555555555555" } });
      const second = await raw(emulator, "GET", `/subscriptions/${subscription}?api-version=2022-12-01`, { token });
      assert.match(String(first.headers["x-ms-request-id"]), guid);
      assert.notEqual(first.headers["x-ms-request-id"], second.headers["x-ms-request-id"]);
      assert.equal(first.headers["x-ms-correlation-request-id"], "11111111-2222-4333-8444-555555555555");
      assert.equal(Number(second.headers["x-ms-ratelimit-remaining-subscription-reads"]), Number(first.headers["x-ms-ratelimit-remaining-subscription-reads"]) - 1);
      const write = await raw(emulator, "PUT", `/subscriptions/${subscription}/resourcegroups/rg-headers?api-version=2021-04-01`, { token, body: { location: "westeurope" } });
      assert.match(String(write.headers["x-ms-ratelimit-remaining-subscription-writes"]), /^\d+$/);
    });

    it("400 InvalidRequestContent for a malformed JSON body, 400 MissingApiVersionParameter without api-version", async () => {
      const subscription = emulator.ready.subscriptionIds[0];
      const malformed = await raw(emulator, "PUT", `/subscriptions/${subscription}/resourcegroups/rg1?api-version=2021-04-01`, { token, body: "{\"location\": ", headers: { "content-type": "application/json" } });
      assert.equal(malformed.status, 400);
      assert.equal(armError(malformed).code, "InvalidRequestContent");
      assert.match(armError(malformed).message, /^The request content was invalid and could not be deserialized: '.+'\.$/);
      const noVersion = await raw(emulator, "GET", `/subscriptions/${subscription}`, { token });
      assert.deepEqual(armError(noVersion), { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." });
    });
  });

  describe("Entra endpoints", () => {
    it("serves OpenID configuration on the emulator's origin and keys that verify its tokens", async () => {
      const { tenantId, authorityHost } = emulator.ready;
      const configuration = (await raw(emulator, "GET", `/${tenantId}/v2.0/.well-known/openid-configuration`)).body as Record<string, string>;
      for (const key of ["authorization_endpoint", "token_endpoint", "jwks_uri", "issuer"]) assert.ok(configuration[key]?.startsWith(`${authorityHost}/`), key);
      assert.equal(configuration.issuer, `${authorityHost}/${tenantId}/v2.0`);
      const byDomain = (await raw(emulator, "GET", "/contosofactory.onmicrosoft.com/v2.0/.well-known/openid-configuration")).body as Record<string, string>;
      assert.equal(byDomain.issuer, configuration.issuer);
      const keys = (await raw(emulator, "GET", `/${tenantId}/discovery/v2.0/keys`)).body as { keys: Array<{ kid: string; kty: string; n: string; e: string }> };
      const kid = (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;
      assert.ok(keys.keys.some((key) => key.kid === kid && key.kty === "RSA"));
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
      assert.equal(claims.aud, "https://management.azure.com");
      assert.equal(claims.tid, tenantId);
      assert.equal(claims.appid, emulator.ready.clientId);
      for (const claim of ["iss", "oid", "iat", "nbf", "exp"]) assert.ok(claims[claim] !== undefined, claim);
    });

    it("serves AD FS discovery and MSAL instance discovery", async () => {
      const adfs = (await raw(emulator, "GET", "/adfs/.well-known/openid-configuration")).body as Record<string, string>;
      assert.equal(adfs.issuer, `${emulator.ready.authorityHost}/adfs`);
      assert.ok(adfs.token_endpoint?.startsWith(`${emulator.ready.authorityHost}/adfs/oauth2/token`));
      const adfsToken = await raw(emulator, "POST", "/adfs/oauth2/token", {
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: emulator.ready.clientId, client_secret: emulator.ready.clientSecret, resource: "https://management.core.windows.net/" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      assert.equal(adfsToken.status, 200);
      assert.equal((adfsToken.body as { resource: string }).resource, "https://management.core.windows.net/");
      const instance = (await raw(emulator, "GET", `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${emulator.ready.authorityHost}/${emulator.ready.tenantId}/oauth2/v2.0/authorize`)}`)).body as { tenant_discovery_endpoint: string };
      assert.equal(instance.tenant_discovery_endpoint, `${emulator.ready.authorityHost}/${emulator.ready.tenantId}/v2.0/.well-known/openid-configuration`);
    });

    it("answers bad token requests in Entra's error shape", async () => {
      const base = { grant_type: "client_credentials", client_id: emulator.ready.clientId, client_secret: emulator.ready.clientSecret };
      const noScope = await tokenRequest(emulator, base);
      assert.equal(noScope.status, 400);
      const body = noScope.body as Record<string, unknown>;
      assert.equal(body.error, "invalid_request");
      assert.match(String(body.error_description), /^AADSTS900144: The request body must contain the following parameter: 'scope'\. Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
      assert.deepEqual(body.error_codes, [900144]);
      for (const key of ["timestamp", "trace_id", "correlation_id", "error_uri"]) assert.ok(body[key], key);
      const delegatedScope = await tokenRequest(emulator, { ...base, scope: "https://management.azure.com/user_impersonation" });
      assert.deepEqual((delegatedScope.body as { error_codes: number[] }).error_codes, [1002012]);
      assert.equal(((await tokenRequest(emulator, { ...base, grant_type: "password", scope: "https://management.azure.com/.default" })).body as { error: string }).error, "unsupported_grant_type");
      const wrongSecret = await tokenRequest(emulator, { ...base, client_secret: "nope", scope: "https://management.azure.com/.default" });
      assert.equal(wrongSecret.status, 401);
      assert.equal((wrongSecret.body as { error: string }).error, "invalid_client");
    });

    it("the managed identity endpoint wants X-IDENTITY-HEADER", async () => {
      const { identityEndpoint, identityHeader, authorityHost } = emulator.ready;
      const path = `${identityEndpoint.slice(authorityHost.length)}?api-version=2019-08-01&resource=${encodeURIComponent("https://management.azure.com/")}`;
      assert.equal((await raw(emulator, "GET", path)).status, 401);
      const reply = await raw(emulator, "GET", path, { headers: { "x-identity-header": identityHeader } });
      assert.equal(reply.status, 200);
      const body = reply.body as { access_token: string; expires_on: string; resource: string; token_type: string; client_id: string };
      assert.equal(body.client_id, emulator.ready.managedIdentityClientId);
      assert.match(body.expires_on, /^\d+$/);
      assert.equal((await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token: body.access_token })).status, 200);
    });
  });

  describe("request log and reset", () => {
    it("logs every non-admin request, reads new entries with since, full entries with headers and bodies", async () => {
      const { lastSeq } = await emulator.admin.requests();
      await raw(emulator, "GET", `/subscriptions?api-version=2022-12-01&probe=log`, { token });
      await emulator.admin.state();
      const { value } = await emulator.admin.requests({ since: lastSeq });
      assert.equal(value.length, 1, "admin calls are not logged");
      const [entry] = value;
      assert.equal(entry?.method, "GET");
      assert.equal(entry?.path, "/subscriptions");
      assert.deepEqual(entry?.query, { "api-version": "2022-12-01", probe: "log" });
      assert.equal(entry?.status, 200);
      assert.equal(entry?.route, "arm");
      assert.equal(entry?.caller?.clientId, emulator.ready.clientId);
      assert.ok(typeof entry?.durationMs === "number" && !Number.isNaN(Date.parse(entry.time)));
      assert.equal(entry?.seq, lastSeq + 1);

      const full = await emulator.admin.requests({ since: lastSeq, full: true });
      assert.match(String(full.value[0]?.requestHeaders.authorization), /^Bearer /);
      assert.ok(full.value[0]?.responseBody?.includes("\"value\""));
      assert.equal(full.value[0]?.responseHeaders["content-type"], "application/json; charset=utf-8");
    });

    it("reset clears the log (sequence numbers keep counting) and the fault rules", async () => {
      await emulator.admin.addFault({ kind: "latency", ms: 1, path: "/nothing" });
      const before = (await emulator.admin.requests()).lastSeq;
      await emulator.admin.reset();
      assert.deepEqual((await emulator.admin.requests()).value, []);
      assert.deepEqual(await emulator.admin.faults(), []);
      await raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", { token });
      assert.equal((await emulator.admin.requests()).value[0]?.seq, before + 1);
    });

    it("state lists identities (secrets, certificates, federation), faults and permissions", async () => {
      const state = await emulator.admin.state();
      assert.equal(state.identities.tenants.length, 2);
      const factory = state.identities.principals.find((principal) => principal.clientId === emulator.ready.clientId);
      assert.match(factory?.certificateWithKeyPem ?? "", /BEGIN CERTIFICATE[\s\S]+BEGIN PRIVATE KEY/);
      assert.ok(factory?.federatedCredentials.some((credential) => credential.serviceConnectionId === emulator.ready.serviceConnectionId && credential.subject === "sc://contoso/ImageFactory/factory-wif"));
      assert.equal(state.identities.managedIdentities.length, 2);
      assert.ok(Array.isArray(state.faults));
      assert.equal(state.timeScale, 0);
    });

    it("rejects a malformed fault rule with 400 and says why", async () => {
      await assert.rejects(emulator.admin.addFault({ kind: "status", status: 200 }), /400.+between 400 and 599/);
      await assert.rejects(emulator.admin.addFault({ kind: "status", status: 500, rate: 2 }), /rate/);
    });
  });
});
