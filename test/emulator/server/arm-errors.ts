// ARM's error replies for what the front door decides: authentication (401 with ARM's Bearer challenge),
// authorisation (403), unknown subscription, bad request content, and injected faults.
import { json, type Reply } from "./http";

export function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  return json(status, { error: { code, message } }, headers);
}

/** ARM's Bearer challenge, pointing at the emulator's authority. */
function challenge(authorityHost: string, description: string, tenantId?: string): Record<string, string> {
  const uri = tenantId ? `${authorityHost}/${tenantId}` : `${authorityHost}/`;
  return { "www-authenticate": `Bearer authorization_uri="${uri}", error="invalid_token", error_description="${description}"` };
}

export const armAuthErrors = {
  missingHeader: (authorityHost: string): Reply =>
    armError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", challenge(authorityHost, "The authentication failed because of missing 'Authorization' header.")),
  invalidHeader: (authorityHost: string): Reply =>
    armError(401, "AuthenticationFailedInvalidHeader", "Authentication failed. The 'Authorization' header is provided in an invalid format.", challenge(authorityHost, "The authentication failed because of invalid 'Authorization' header.")),
  invalidToken: (authorityHost: string): Reply =>
    armError(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge(authorityHost, "The access token is invalid.")),
  wrongAudience: (authorityHost: string, audience: string, allowed: string[]): Reply =>
    armError(
      401,
      "InvalidAuthenticationTokenAudience",
      `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences ${allowed.map((entry) => `'${entry}'`).join(",")}.`,
      challenge(authorityHost, "The access token has been obtained from wrong audience or resource."),
    ),
  expired: (authorityHost: string, expiry: Date, now: Date): Reply =>
    armError(
      401,
      "ExpiredAuthenticationToken",
      `The access token expiry UTC time '${dotNetTime(expiry)}' is earlier than current UTC time '${dotNetTime(now)}'.`,
      challenge(authorityHost, "The access token has expired."),
    ),
  wrongTenant: (authorityHost: string, tokenIssuer: string, subscriptionTenantIssuer: string, subscriptionTenantId: string): Reply =>
    armError(
      401,
      "InvalidAuthenticationTokenTenant",
      `The access token is from the wrong issuer '${tokenIssuer}'. It must match the tenant '${subscriptionTenantIssuer}' associated with this subscription. Please use the authority (URL) '${authorityHost}/${subscriptionTenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
      challenge(authorityHost, "The access token is from the wrong issuer.", subscriptionTenantId),
    ),
};

export function authorizationFailed(objectId: string, action: string, scope: string): Reply {
  return armError(
    403,
    "AuthorizationFailed",
    `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

export function subscriptionNotFound(subscriptionId: string): Reply {
  return armError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
}

export function missingApiVersion(): Reply {
  return armError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
}

export function invalidRequestContent(detail: string): Reply {
  return armError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: '${detail}'.`);
}

/** The body ARM gives for an injected status fault: its usual code for that status unless the rule names one. */
export function injectedFault(status: number, code: string | undefined, message: string | undefined, retryAfter: number | undefined): Reply {
  const defaults: Record<number, [string, string]> = {
    400: ["BadRequest", "The request is invalid (injected fault)."],
    404: ["ResourceNotFound", "The resource was not found (injected fault)."],
    409: ["Conflict", "The request conflicts with the current state of the resource (injected fault)."],
    429: ["TooManyRequests", "The request is being throttled as the limit has been reached for operation type (injected fault). Please try again after the time in the Retry-After header."],
    500: ["InternalServerError", "Encountered internal server error (injected fault)."],
    502: ["BadGateway", "The gateway did not receive a valid response (injected fault)."],
    503: ["ServiceUnavailable", "The service is temporarily unavailable (injected fault)."],
    504: ["GatewayTimeout", "The gateway did not receive a response within the specified time period (injected fault)."],
  };
  const [defaultCode, defaultMessage] = defaults[status] ?? [`Http${status}`, `Injected fault with status ${status}.`];
  const seconds = retryAfter ?? (status === 429 ? 1 : undefined);
  return armError(status, code ?? defaultCode, message ?? defaultMessage, seconds !== undefined ? { "retry-after": String(seconds) } : {});
}

/** .NET's invariant "G" format, as ARM prints times: 9/9/2024 8:56:21 AM. */
function dotNetTime(date: Date): string {
  const hours = date.getUTCHours();
  const pad = (value: number): string => String(value).padStart(2, "0");
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${hours % 12 === 0 ? 12 : hours % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? "AM" : "PM"}`;
}
