// A token signing key with its certificate, published as a JWK the way Entra's discovery keys are.
import type { KeyObject } from "node:crypto";
import { certificateDerBase64, issueCertificate, type KeyPair } from "./certificates";
import { signJwt, type JwtClaims } from "./jwt";

export interface Jwk {
  kty: "RSA";
  use: "sig";
  kid: string;
  x5t: string;
  n: string;
  e: string;
  x5c: string[];
  issuer?: string;
}

export class SigningKey {
  private constructor(
    readonly kid: string,
    readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    private readonly certificatePem: string,
  ) {}

  static async create(commonName: string, keys?: KeyPair): Promise<SigningKey> {
    const issued = await issueCertificate({ commonName, validDays: 365, keys });
    // Entra uses the x5t (base64url SHA-1 of the certificate) as the kid; so do we.
    return new SigningKey(issued.x5t, issued.privateKey, issued.publicKey, issued.certificatePem);
  }

  sign(payload: JwtClaims): string {
    return signJwt(payload, this.privateKey, { kid: this.kid, x5t: this.kid });
  }

  jwk(issuer?: string): Jwk {
    const exported = this.publicKey.export({ format: "jwk" });
    return {
      kty: "RSA",
      use: "sig",
      kid: this.kid,
      x5t: this.kid,
      n: String(exported.n),
      e: String(exported.e),
      x5c: [certificateDerBase64(this.certificatePem)],
      ...(issuer ? { issuer } : {}),
    };
  }
}
