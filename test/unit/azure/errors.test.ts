// Azure errors become readable AzureOperationErrors whose text cannot inject logging commands, never carries a
// request body (Microsoft's tasks logged request bodies with the VM password), and keeps secrets out.
import { strict as assert } from "node:assert";
import { RestError, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { AzureOperationError, InputError } from "../../../src/errors";
import { describeAzureError, isNotFoundError, toAzureOperationError } from "../../../src/azure/errors";
import { neutralizeUntrustedText } from "../../../src/azure/untrusted-text";
import { CancelledError } from "../../../src/steps/cancelled";

const PASSWORD = "Vm-P@ssw0rd!2026";
const CONTEXT = { operation: "Creating VM 'web01'", resource: "lab 'factory'" };

function restError(status: number, body: unknown, requestBody = JSON.stringify({ properties: { password: PASSWORD } })): RestError {
  const request = createPipelineRequest({ url: "https://management.azure.com/subscriptions/x", method: "PUT", body: requestBody });
  const bodyAsText = typeof body === "string" ? body : JSON.stringify(body);
  return new RestError(`raw ${bodyAsText}`, { statusCode: status, request, response: { status, headers: createHttpHeaders(), request, bodyAsText } });
}

describe("azure/errors", () => {
  it("takes the ARM code and message, and never the request body", () => {
    const error = toAzureOperationError(restError(400, { error: { code: "InvalidParameter", message: "The value of size is invalid." } }), CONTEXT);
    assert.ok(error instanceof AzureOperationError);
    assert.equal(error.code, "InvalidParameter");
    assert.equal(error.message, "Creating VM 'web01' failed on lab 'factory': The value of size is invalid. (HTTP 400)");
    assert.ok(!error.message.includes(PASSWORD));
  });

  it("flattens DeploymentFailed details, including messages that are JSON error bodies themselves", () => {
    const body = {
      error: {
        code: "DeploymentFailed",
        message: "At least one resource deployment operation failed.",
        details: [
          { code: "Conflict", message: JSON.stringify({ status: "Failed", error: { code: "ResourceDeploymentFailure", message: "The resource operation completed with terminal provisioning state 'Failed'.", details: [{ code: "VMNameTooLong", message: "Name too long." }] } }) },
          { code: "BadRequest", message: "Size not available", target: "properties.size" },
        ],
      },
    };
    const error = toAzureOperationError(restError(400, body), CONTEXT);
    assert.ok(error instanceof AzureOperationError);
    assert.equal(error.code, "DeploymentFailed");
    assert.match(error.message, /At least one resource deployment operation failed\. Details: Conflict: ResourceDeploymentFailure: The resource operation completed.*; VMNameTooLong: Name too long\.; BadRequest: Size not available \(target properties\.size\)/);
  });

  it("adds what to do for 401, 403 and 404", () => {
    assert.match(toAzureOperationError(restError(401, { error: { code: "InvalidAuthenticationToken", message: "expired" } }), CONTEXT).message, /Check the service connection/);
    assert.match(toAzureOperationError(restError(403, { error: { code: "AuthorizationFailed", message: "no" } }), CONTEXT).message, /lacks permission/);
    assert.match(toAzureOperationError(restError(404, { error: { code: "ResourceNotFound", message: "gone" } }), CONTEXT).message, /Check the id or name/);
  });

  it("neutralises logging commands, line breaks and control characters from Azure", () => {
    const evil = "Bad size\r\n##vso[task.setvariable variable=secret;issecret=false]leak\n##[error]fake\u0007\u001b[31m";
    const error = toAzureOperationError(restError(400, { error: { code: "Bad##vso[x]", message: evil } }), CONTEXT);
    assert.ok(!/##vso\[/i.test(error.message));
    assert.ok(!error.message.includes("##["));
    assert.ok(!["\r", "\n", "\u0007", "\u001b"].some((character) => error.message.includes(character)));
    assert.match(error.message, /Bad size ##vso_\[task\.setvariable variable=secret;issecret=false\]leak ##_\[error\]fake\[31m/);
    assert.equal((error as AzureOperationError).code, "Bad##vso_[x]");
  });

  it("keeps known secrets out even when Azure echoes them", () => {
    const error = toAzureOperationError(restError(400, { error: { code: "InvalidPassword", message: `The password '${PASSWORD}' is too simple` } }), { ...CONTEXT, secrets: [PASSWORD] });
    assert.ok(!error.message.includes(PASSWORD));
    assert.match(error.message, /The password '\*\*\*' is too simple/);
  });

  it("describes a reply that is not JSON (a proxy's page) without crashing", () => {
    const error = toAzureOperationError(restError(502, "<html><body>Bad gateway</body></html>"), CONTEXT);
    assert.match(error.message, /Bad gateway.*\(HTTP 502\)/);
  });

  it("describes a network error", () => {
    const network = new RestError("connect ECONNREFUSED 127.0.0.1:8443", { code: "ECONNREFUSED" });
    const error = toAzureOperationError(network, CONTEXT);
    assert.ok(error instanceof AzureOperationError);
    assert.equal(error.code, "ECONNREFUSED");
    assert.match(error.message, /ECONNREFUSED 127\.0\.0\.1:8443/);
  });

  it("reads core-lro's failed-operation error", () => {
    assert.deepEqual(describeAzureError(new Error("The long-running operation has failed. ArtifactFailed. Artifact 'x' failed")), {
      code: "ArtifactFailed",
      message: "Artifact 'x' failed",
      details: [],
    });
    assert.equal(describeAzureError(new Error("The long-running operation has failed")).code, undefined);
  });

  it("explains a sign-in failure", () => {
    const auth = new Error("AADSTS7000215: Invalid client secret provided.");
    auth.name = "AuthenticationError";
    const error = toAzureOperationError(auth, CONTEXT);
    assert.ok(error instanceof AzureOperationError && error.code === "AuthenticationFailed");
    assert.match(error.message, /Signing in with the service connection failed: AADSTS7000215/);
    assert.match(error.message, /Check the service connection/);
  });

  it("passes our own errors and cancellations through", () => {
    const input = new InputError("labId", "bad");
    const cancelled = new CancelledError("cancelled");
    const operation = new AzureOperationError("a", "b", "c");
    assert.equal(toAzureOperationError(input, CONTEXT), input);
    assert.equal(toAzureOperationError(cancelled, CONTEXT), cancelled);
    assert.equal(toAzureOperationError(operation, CONTEXT), operation);
  });

  it("recognises 'not found' for idempotent deletes", () => {
    assert.ok(isNotFoundError(restError(404, { error: { code: "NotFound", message: "x" } })));
    assert.ok(!isNotFoundError(restError(409, { error: { code: "Conflict", message: "x" } })));
  });

  it("does not take a subscription that does not exist for a resource already deleted (a typo must not pass)", () => {
    const error = restError(404, { error: { code: "SubscriptionNotFound", message: "The subscription '2000' could not be found." } });
    assert.ok(!isNotFoundError(error));
  });
});

describe("azure/untrusted-text: neutralizeUntrustedText", () => {
  const cases: [string, string, string][] = [
    ["a plain message", "VM created", "VM created"],
    ["##vso commands in any case", "x ##VSO[task.complete result=Succeeded]done", "x ##VSO_[task.complete result=Succeeded]done"],
    ["##[ formatting", "##[group]x", "##_[group]x"],
    ["a command rebuilt by removing a control character", "##v\u0000so[task.setsecret]", "##vso_[task.setsecret]"],
    ["CR, LF and Unicode line separators", "a\r\nb\nc\rd\u2028e\u0085f", "a b c d e f"],
    ["tabs", "a\tb", "a b"],
    ["a SAS signature", "https://a.blob.core.windows.net/c/b?sv=2024&sig=abc%2Fdef%3D&se=1", "https://a.blob.core.windows.net/c/b?sv=2024&sig=***&se=1"],
    ["a bearer token", "Authorization: Bearer eyJ0eXAi.abc.def", "Authorization: Bearer ***"],
    ["a SAS signature in an XML storage error", "<Url>https://a/c/b?sv=1&amp;sig=abc%2Bdef&amp;se=2</Url>", "<Url>https://a/c/b?sv=1&amp;sig=***&amp;se=2</Url>"],
    ["a SAS signature in a JSON-escaped URL", '{"u":"https://a/c?sv=1\\u0026sig=abcdef\\u0026se=2"}', '{"u":"https://a/c?sv=1\\u0026sig=***\\u0026se=2"}'],
    ["a SAS signature in a URL-encoded URL", "copy source https%3A%2F%2Fa%2Fc%3Fsv%3D1%26sig%3Dabc%252Bdef%26se%3D2 failed", "copy source https%3A%2F%2Fa%2Fc%3Fsv%3D1%26sig%3D***%26se%3D2 failed"],
    ["a SAS signature right after the '?' of an encoded URL", "https%3A%2F%2Fa%2Fc%3Fsig%3Dabcdef", "https%3A%2F%2Fa%2Fc%3Fsig%3D***"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(neutralizeUntrustedText(input), expected));
  }

  it("replaces secrets, even multi-line ones, before anything else", () => {
    const key = "-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----";
    assert.equal(neutralizeUntrustedText(`key: ${key} end`, { secrets: [key, ""] }), "key: *** end");
  });

  it("replaces secrets also as Azure quotes them inside JSON or a URL", () => {
    const password = 'Pa"ss\\w 0rd&';
    const echoed = `parameters {"adminPassword":${JSON.stringify(password)}} at https://x/?p=${encodeURIComponent(password)} or ${encodeURIComponent(password).replace(/%20/g, "+")}`;
    const result = neutralizeUntrustedText(echoed, { secrets: [password] });
    assert.equal(result, 'parameters {"adminPassword":"***"} at https://x/?p=*** or ***');
  });

  it("keeps the SAS signature out of a storage RestError whose message quotes the request URL", () => {
    const url = "https://lab.blob.core.windows.net/uploads/img.vhd?sv=2024-08-04&sr=b&sp=rw&sig=U2VjcmV0U2lnbmF0dXJl%2Bx%3D";
    const xmlUrl = url.replace(/&/g, "&amp;");
    const error = new RestError(`<?xml version="1.0"?><Error><Code>AuthorizationFailure</Code><Message>Denied ${xmlUrl}</Message></Error>`, { statusCode: 403, code: "AuthorizationFailure" });
    const message = toAzureOperationError(error, CONTEXT).message;
    assert.doesNotMatch(message, /U2VjcmV0U2lnbmF0dXJl/);
    assert.match(message, /sig=\*\*\*/);
  });

  it("cuts very long text", () => {
    const result = neutralizeUntrustedText("x".repeat(10_000), { maxLength: 100 });
    assert.equal(result, `${"x".repeat(100)}… (truncated)`);
  });
});
