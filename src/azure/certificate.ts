// The service principal certificate of a connection: a PEM holding the certificate and its private key, in
// either order, sometimes with a chain. Checked and put in the order @azure/identity expects (the certificate
// whose key we hold first, then the rest, then the key as PKCS#8) before any network call.
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { InputError } from "../errors";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const KEY_LABELS = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);

export interface NormalizedCertificate {
  /** Certificate(s) then the private key, ready for ClientCertificateCredential. */
  pem: string;
  /** The private key alone (a secret to register with the agent). */
  privateKeyPem: string;
  /** SHA-1 thumbprint of the certificate, as Entra ID shows it. */
  thumbprint: string;
}

export function normalizeCertificatePem(text: string, inputName: string): NormalizedCertificate {
  const problem = (what: string) => new InputError(inputName, `the service connection's certificate ${what}`);
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? "", pem: canonicalBlock(match[1] ?? "", match[0]) }));
  if (blocks.length === 0) throw problem("is not PEM text (no -----BEGIN …----- block).");
  if (blocks.some((block) => block.label === "ENCRYPTED PRIVATE KEY") || /Proc-Type:\s*4,\s*ENCRYPTED/i.test(text)) {
    throw problem("has an encrypted private key; the connection has no password for it. Use a PEM with an unencrypted key.");
  }
  const certificates = blocks.filter((block) => block.label === "CERTIFICATE");
  const keys = blocks.filter((block) => KEY_LABELS.has(block.label));
  if (certificates.length === 0) throw problem("has no CERTIFICATE block; the PEM must hold the certificate and its private key.");
  if (keys.length === 0) throw problem("has no private key; the PEM must hold the certificate and its private key.");
  if (keys.length > 1) throw problem("has more than one private key.");

  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keys[0]?.pem ?? "", format: "pem" });
  } catch {
    throw problem("has a private key that cannot be read.");
  }
  const publicKeyDer = createPublicKey(key).export({ type: "spki", format: "der" });
  let parsed: { pem: string; x509: X509Certificate }[];
  try {
    parsed = certificates.map((block) => ({ pem: block.pem, x509: new X509Certificate(block.pem) }));
  } catch {
    throw problem("has a CERTIFICATE block that cannot be read.");
  }
  const ownIndex = parsed.findIndex(({ x509 }) => x509.publicKey.export({ type: "spki", format: "der" }).equals(publicKeyDer));
  const own = parsed[ownIndex];
  if (own === undefined) throw problem("and its private key do not belong together.");
  const others = parsed.filter((_, index) => index !== ownIndex);
  const privateKeyPem = key.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    pem: [own.pem, ...others.map((entry) => entry.pem), privateKeyPem.trim()].join("\n") + "\n",
    privateKeyPem,
    thumbprint: own.x509.fingerprint.replace(/:/g, ""),
  };
}

// Rebuilt from the base64 body: pasted PEMs come with CRLF, blank lines or everything on one line.
function canonicalBlock(label: string, block: string): string {
  const body = block
    .replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "")
    .replace(/\s+/g, "");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----`;
}
