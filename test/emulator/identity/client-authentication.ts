// How a client proves who it is at the token endpoint: a secret, a certificate-signed assertion, or a federated
// assertion (an Azure DevOps OIDC token). Each check fails the way Entra fails it.
import type { AadError } from "./aad-errors";
import { aad } from "./aad-errors";
import type { Directory, Principal } from "./directory";
import { audienceClaim, decodeJwt, JwtFormatError, numericClaim, stringClaim, verifyJwtSignature, type DecodedJwt } from "./jwt";
import type { SigningKey } from "./signing-key";

export const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface ClientProofContext {
  directory: Directory;
  baseUrl: string;
  /** Signs Azure DevOps OIDC tokens: the key a federated assertion must verify against. */
  oidcKey: SigningKey;
  /** URLs a certificate assertion's `aud` may name (the tenant's token endpoints). */
  tokenEndpoints: string[];
}

export interface ClientProof {
  clientSecret?: string;
  clientAssertion?: string;
  clientAssertionType?: string;
}

/** Returns how the client authenticated ("1" secret, "2" assertion) or the Entra error. */
export function authenticateClient(context: ClientProofContext, principal: Principal, proof: ClientProof): { appidacr: "1" | "2" } | AadError {
  if (proof.clientSecret !== undefined) {
    if (!principal.clientSecret || proof.clientSecret !== principal.clientSecret) return aad.invalidSecret(principal.clientId);
    return { appidacr: "1" };
  }
  if (proof.clientAssertion === undefined) return aad.missingCredential();
  if (proof.clientAssertionType !== jwtBearerAssertionType) return aad.badAssertionType(proof.clientAssertionType ?? "");
  let assertion: DecodedJwt;
  try {
    assertion = decodeJwt(proof.clientAssertion);
  } catch (error) {
    if (error instanceof JwtFormatError) return aad.malformedAssertion();
    throw error;
  }
  // A certificate assertion is issued by the application itself; anything else must be a federated token.
  const failure = stringClaim(assertion.payload, "iss")?.toLowerCase() === principal.clientId.toLowerCase()
    ? checkCertificateAssertion(context, principal, assertion)
    : checkFederatedAssertion(context, principal, assertion);
  return failure ?? { appidacr: "2" };
}

function checkCertificateAssertion(context: ClientProofContext, principal: Principal, assertion: DecodedJwt): AadError | undefined {
  const certificate = principal.certificate;
  const x5tS256 = stringClaim(assertion.header, "x5t#S256");
  const x5t = stringClaim(assertion.header, "x5t");
  const presented = x5tS256 ?? x5t;
  if (presented === undefined) return aad.malformedAssertion();
  const matches = x5tS256 !== undefined ? x5tS256 === certificate.x5tS256 : x5t === certificate.x5t;
  if (!matches) return aad.certificateNotRegistered(principal.clientId, Buffer.from(presented, "base64url").toString("hex").toUpperCase());
  if (!verifyJwtSignature(assertion, certificate.publicKey)) return aad.badAssertionSignature(certificate.thumbprintHex);
  const audiences = audienceClaim(assertion.payload);
  const accepted = new Set(context.tokenEndpoints.map((url) => url.toLowerCase()));
  if (!audiences.some((audience) => accepted.has(audience.toLowerCase()))) return aad.assertionAudience(audiences.join(","));
  if (stringClaim(assertion.payload, "sub")?.toLowerCase() !== principal.clientId.toLowerCase()) return aad.malformedAssertion();
  return checkLifetime(assertion);
}

function checkFederatedAssertion(context: ClientProofContext, principal: Principal, assertion: DecodedJwt): AadError | undefined {
  const issuer = stringClaim(assertion.payload, "iss") ?? "";
  const subject = stringClaim(assertion.payload, "sub") ?? "";
  const audiences = audienceClaim(assertion.payload);
  const credentials = context.directory.federatedCredentials(context.baseUrl, principal);
  // Matching is case-sensitive, as Entra's is.
  const byIssuer = credentials.filter((credential) => credential.issuer === issuer);
  if (byIssuer.length === 0) return aad.noFederatedRecord(issuer, subject, audiences.join(","));
  if (!byIssuer.some((credential) => audiences.includes(credential.audience))) return aad.federatedAudience(audiences.join(","));
  if (!byIssuer.some((credential) => credential.subject === subject)) return aad.noFederatedRecord(issuer, subject, audiences.join(","));
  if (!verifyJwtSignature(assertion, context.oidcKey.publicKey) || assertion.header.kid !== context.oidcKey.kid) return aad.federatedSignature(issuer);
  return checkLifetime(assertion);
}

function checkLifetime(assertion: DecodedJwt): AadError | undefined {
  const now = Date.now();
  const exp = numericClaim(assertion.payload, "exp");
  const nbf = numericClaim(assertion.payload, "nbf");
  const skewMs = 5 * 60 * 1000;
  const expired = exp === undefined || exp * 1000 <= now;
  const notYet = nbf !== undefined && nbf * 1000 > now + skewMs;
  if (expired || notYet) return aad.assertionExpired(new Date(now), nbf === undefined ? undefined : new Date(nbf * 1000), exp === undefined ? undefined : new Date(exp * 1000));
  return undefined;
}
