// Key pairs and X.509 certificates for the emulator: its CA, the HTTPS server, the token signers and the
// certificates of service principals. node-forge builds the certificate structure (node:crypto cannot create
// one); the keys and the signature come from node:crypto, because forge's pure-JS RSA is ~100 ms per signature.
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import forge from "node-forge";

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
  privateKeyPem: string;
}

export interface IssuedCertificate extends KeyPair {
  certificatePem: string;
  /** SHA-1 of the DER certificate, upper-case hex: what Entra calls the thumbprint. */
  thumbprintHex: string;
  /** base64url SHA-1: the JWT `x5t` header. */
  x5t: string;
  /** base64url SHA-256: the JWT `x5t#S256` header. */
  x5tS256: string;
  notBefore: Date;
  notAfter: Date;
}

export function newKeyPair(): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", { modulusLength: 2048, publicExponent: 0x10001 }, (error, publicKey, privateKey) => {
      if (error) {
        reject(error);
        return;
      }
      resolve({ publicKey, privateKey, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() });
    });
  });
}

export interface CertificateRequest {
  commonName: string;
  /** Signs the new certificate; self-signed when omitted. */
  issuer?: IssuedCertificate;
  isCertificateAuthority?: boolean;
  /** DNS names and IP addresses for a TLS server certificate. */
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
  /** A key pair made beforehand (so a caller can generate several in parallel); a new one otherwise. */
  keys?: KeyPair;
}

export async function issueCertificate(request: CertificateRequest): Promise<IssuedCertificate> {
  const keys = request.keys ?? (await newKeyPair());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: "spki", format: "pem" }).toString());
  // A positive serial in minimal DER: the first byte is 0x01–0x7F, so it needs no sign byte and has no leading
  // zero. (A "00" prefix went wrong when the random bytes began with 0x00: forge drops only one zero byte, and
  // OpenSSL refuses the certificate with "illegal padding" — about one certificate in 512.)
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  cert.serialNumber = serial.toString("hex");
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + (request.validDays ?? 30) * 24 * 60 * 60 * 1000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [{ name: "commonName", value: request.commonName }, { name: "organizationName", value: "Offline Azure emulator" }];
  cert.setSubject(subject);
  cert.setIssuer(request.issuer ? forge.pki.certificateFromPem(request.issuer.certificatePem).subject.attributes : subject);

  const extensions: object[] = [];
  if (request.isCertificateAuthority) {
    extensions.push({ name: "basicConstraints", cA: true, critical: true });
    extensions.push({ name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: "basicConstraints", cA: false });
    extensions.push({ name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({ name: "extKeyUsage", serverAuth: true, clientAuth: true });
  }
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(request.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: "subjectAltName", altNames });
  extensions.push({ name: "subjectKeyIdentifier" });
  cert.setExtensions(extensions);

  signNatively(cert, request.issuer ? request.issuer.privateKey : keys.privateKey);
  const certificatePem = forge.pki.certificateToPem(cert);
  return { ...keys, certificatePem, ...thumbprints(certificatePem), notBefore, notAfter };
}

const sha256WithRsaEncryption = "1.2.840.113549.1.1.11";

/** What forge's cert.sign does, with the RSA operation done by node:crypto. */
function signNatively(cert: forge.pki.Certificate, privateKey: KeyObject): void {
  cert.signatureOid = sha256WithRsaEncryption;
  cert.siginfo.algorithmOid = sha256WithRsaEncryption;
  // getTBSCertificate exists at run time but is missing from @types/node-forge.
  const tbs = (forge.pki as unknown as { getTBSCertificate(certificate: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  cert.tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), "binary");
  cert.signature = sign("sha256", der, privateKey).toString("binary");
}

/** A key pair from a PKCS#8 PEM (the key pool's cache). */
export function keyPairFromPem(privateKeyPem: string): KeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  return { privateKey, publicKey: createPublicKey(privateKey), privateKeyPem };
}

export function thumbprints(certificatePem: string): { thumbprintHex: string; x5t: string; x5tS256: string } {
  const der = new X509Certificate(certificatePem).raw;
  const sha1 = createHash("sha1").update(der).digest();
  return {
    thumbprintHex: sha1.toString("hex").toUpperCase(),
    x5t: sha1.toString("base64url"),
    x5tS256: createHash("sha256").update(der).digest("base64url"),
  };
}

/** The base64 DER body of a PEM certificate: the `x5c` entry of a JWK. */
export function certificateDerBase64(certificatePem: string): string {
  return new X509Certificate(certificatePem).raw.toString("base64");
}
