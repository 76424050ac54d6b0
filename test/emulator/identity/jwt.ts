// Compact JWS (JWT) encode, decode and signature check. Only what Entra and Azure DevOps use: RS256 to sign,
// RS256 and PS256 to verify (MSAL signs certificate assertions with PS256 when it knows the SHA-256 thumbprint).
import { constants, sign, verify, type KeyObject } from "node:crypto";

export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtClaims;
  payload: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

export class JwtFormatError extends Error {}

export function signJwt(payload: JwtClaims, privateKey: KeyObject, headerExtras: JwtClaims = {}): string {
  const header = { typ: "JWT", alg: "RS256", ...headerExtras };
  const signingInput = `${encodePart(header)}.${encodePart(payload)}`;
  const signature = sign("sha256", Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** Splits and parses a JWT without checking anything; throws JwtFormatError when it is not one. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new JwtFormatError("The token is not a compact JWS.");
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  return {
    header: parseObject(headerPart),
    payload: parseObject(payloadPart),
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, "base64url"),
  };
}

export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  try {
    switch (jwt.header.alg) {
      case "RS256":
        return verify("sha256", data, publicKey, jwt.signature);
      case "PS256":
        return verify("sha256", data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

export function numericClaim(claims: JwtClaims, name: string): number | undefined {
  const value = claims[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function stringClaim(claims: JwtClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === "string" ? value : undefined;
}

/** `aud` may be a string or an array of strings. */
export function audienceClaim(claims: JwtClaims): string[] {
  const value = claims.aud;
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === "string");
  return [];
}

function encodePart(value: JwtClaims): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function parseObject(part: string): JwtClaims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new JwtFormatError("A JWT part is not base64url JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new JwtFormatError("A JWT part is not a JSON object.");
  return value as JwtClaims;
}
