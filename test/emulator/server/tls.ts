// The emulator's own small PKI: a CA generated at every start, and a server certificate for 127.0.0.1 and
// localhost signed by it, written as PEM files into the run's temp folder. Clients trust the CA through
// NODE_EXTRA_CA_CERTS=<ca.pem> (or an https.Agent's `ca`); Azurite serves HTTPS with the same server certificate.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { issueCertificate, newKeyPair, type IssuedCertificate, type KeyPair } from "../identity/certificates";

export interface TlsMaterial {
  ca: IssuedCertificate;
  server: IssuedCertificate;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

/** `takeKey` supplies key pairs (the emulator's key pool); fresh ones by default. */
export async function createTlsMaterial(folder: string, takeKey: () => Promise<KeyPair> = newKeyPair): Promise<TlsMaterial> {
  // Both keys at once: key generation is most of the cost, and Azurite waits for these files.
  const [caKeys, serverKeys] = await Promise.all([takeKey(), takeKey()]);
  const ca = await issueCertificate({ commonName: "Offline Azure Emulator CA", isCertificateAuthority: true, validDays: 30, keys: caKeys });
  const server = await issueCertificate({ commonName: "127.0.0.1", issuer: ca, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validDays: 30, keys: serverKeys });
  const caCertPath = join(folder, "ca.pem");
  const serverCertPath = join(folder, "server.pem");
  const serverKeyPath = join(folder, "server-key.pem");
  await Promise.all([
    writeFile(caCertPath, ca.certificatePem),
    // The chain, so clients that only trust the CA can build the path.
    writeFile(serverCertPath, `${server.certificatePem.trim()}\n${ca.certificatePem.trim()}\n`),
    writeFile(serverKeyPath, server.privateKeyPem, { mode: 0o600 }),
  ]);
  return { ca, server, caCertPath, serverCertPath, serverKeyPath };
}
