// Access tokens: RS256 JWTs with the claims ARM reads (aud, iss, tid, oid, appid, iat, nbf, exp), issued by the
// token endpoints and the managed identity endpoint, checked by the ARM front door.
import { randomBytes, randomUUID } from "node:crypto";
import type { Identity } from "./directory";
import { decodeJwt, JwtFormatError, numericClaim, stringClaim, verifyJwtSignature } from "./jwt";
import type { SigningKey } from "./signing-key";

export const defaultTokenLifetimeSeconds = 3600;

export interface AccessTokenRequest {
  identity: Identity;
  audience: string;
  issuer: string;
  lifetimeSeconds: number;
  /** How the client proved itself: "0" managed identity, "1" secret, "2" certificate or federated assertion. */
  appidacr: "0" | "1" | "2";
}

export interface IssuedAccessToken {
  accessToken: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresOn: number;
}

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Issue time in milliseconds (iat * 1000 for tokens without the emulator's claim). */
  issuedAtMs: number;
}

export type TokenCheck =
  | { kind: "valid"; claims: AccessTokenClaims }
  | { kind: "malformed" }
  | { kind: "badSignature" };

export class AccessTokens {
  constructor(private readonly key: SigningKey) {}

  issue(request: AccessTokenRequest): IssuedAccessToken {
    const nowMs = Date.now();
    const now = Math.floor(nowMs / 1000);
    const expiresOn = now + request.lifetimeSeconds;
    const { identity } = request;
    const accessToken = this.key.sign({
      aud: request.audience,
      iss: request.issuer,
      iat: now,
      nbf: now,
      exp: expiresOn,
      aio: randomBytes(24).toString("base64url"),
      appid: identity.clientId,
      appidacr: request.appidacr,
      idp: request.issuer,
      idtyp: "app",
      oid: identity.objectId,
      rh: randomBytes(12).toString("base64url"),
      sub: identity.objectId,
      tid: identity.tenantId,
      uti: randomUUID().replace(/-/g, ""),
      ver: "1.0",
      // iat has whole seconds; the tokenExpiry fault needs to know whether a token predates a rule exactly.
      emulator_iat_ms: nowMs,
      ...(identity.kind === "managedIdentity" ? { xms_mirid: `/subscriptions/managed/identities/${identity.clientId}` } : {}),
    });
    return { accessToken, issuedAt: now, expiresOn };
  }

  /** Signature and shape only: audience, expiry and tenant are the caller's policy. */
  check(token: string): TokenCheck {
    let decoded;
    try {
      decoded = decodeJwt(token);
    } catch (error) {
      if (error instanceof JwtFormatError) return { kind: "malformed" };
      throw error;
    }
    if (decoded.header.kid !== this.key.kid || !verifyJwtSignature(decoded, this.key.publicKey)) return { kind: "badSignature" };
    const claims = decoded.payload;
    const aud = stringClaim(claims, "aud");
    const iss = stringClaim(claims, "iss");
    const tid = stringClaim(claims, "tid");
    const oid = stringClaim(claims, "oid");
    const appid = stringClaim(claims, "appid");
    const iat = numericClaim(claims, "iat");
    const nbf = numericClaim(claims, "nbf");
    const exp = numericClaim(claims, "exp");
    if (aud === undefined || iss === undefined || tid === undefined || oid === undefined || appid === undefined || iat === undefined || nbf === undefined || exp === undefined) {
      return { kind: "malformed" };
    }
    const issuedAtMs = numericClaim(claims, "emulator_iat_ms") ?? iat * 1000;
    return { kind: "valid", claims: { aud, iss, tid, oid, appid, iat, nbf, exp, issuedAtMs } };
  }
}
