// The certificate PEM of a service connection: either order, chains, and the errors for what cannot work.
import { strict as assert } from "node:assert";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { InputError } from "../../../src/errors";
import { normalizeCertificatePem } from "../../../src/azure/certificate";
import { makeCertificate } from "./fake-http";

const own = makeCertificate("service-principal");
const other = makeCertificate("some-ca");

function firstBlockLabel(pem: string): string | undefined {
  return /-----BEGIN ([A-Z ]+)-----/.exec(pem)?.[1];
}

describe("azure/certificate: normalizeCertificatePem", () => {
  for (const [name, pem] of [
    ["certificate then key", `${own.certPem}${own.keyPem}`],
    ["key then certificate", `${own.keyPem}${own.certPem}`],
    ["PKCS#8 key first", `${own.pkcs8Pem}\n${own.certPem}`],
    ["Windows line endings", `${own.keyPem}${own.certPem}`.replace(/\n/g, "\r\n")],
    ["a chain with another certificate first", `${other.certPem}${own.keyPem}${own.certPem}`],
  ] as const) {
    it(`accepts ${name}, putting the matching certificate first and the key (PKCS#8) last`, () => {
      const result = normalizeCertificatePem(pem, "azureSubscription");
      assert.equal(firstBlockLabel(result.pem), "CERTIFICATE");
      const firstCert = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(result.pem)?.[0] ?? "";
      assert.equal(new X509Certificate(firstCert).fingerprint, new X509Certificate(own.certPem).fingerprint);
      assert.match(result.pem, /-----BEGIN PRIVATE KEY-----[\s\S]*-----END PRIVATE KEY-----\n$/);
      assert.equal(result.thumbprint, new X509Certificate(own.certPem).fingerprint.replace(/:/g, ""));
      assert.ok(createPrivateKey(result.privateKeyPem));
    });
  }

  const legacyEncrypted = own.keyPem.replace("-----BEGIN RSA PRIVATE KEY-----\n", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n");
  const encrypted = createPrivateKey(own.keyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString();
  for (const [name, pem, pattern] of [
    ["text that is not PEM", "not a certificate", /not PEM text/],
    ["a certificate without a key", own.certPem, /no private key/],
    ["a key without a certificate", own.keyPem, /no CERTIFICATE block/],
    ["an encrypted key", `${own.certPem}${encrypted}`, /encrypted private key/],
    ["an encrypted key in the legacy PEM form", `${own.certPem}${legacyEncrypted}`, /encrypted private key/],
    ["a key of another certificate", `${other.certPem}${own.keyPem}`, /do not belong together/],
    ["two keys", `${own.certPem}${own.keyPem}${other.keyPem}`, /more than one private key/],
    ["a damaged key", `${own.certPem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`, /cannot be read/],
  ] as const) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => normalizeCertificatePem(pem, "azureSubscription"),
        (error: unknown) => error instanceof InputError && error.input === "azureSubscription" && pattern.test(error.message) && !error.message.includes("MII"),
      );
    });
  }
});
