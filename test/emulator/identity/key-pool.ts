// RSA key generation is most of the emulator's start-up CPU (seven 2048-bit keys: CA, server, two token
// signers, a certificate per principal), and test suites start many emulators. The pool keeps the generated
// private keys in a file under the temp folder (mode 0600) and hands them out again, in the same order, to the
// next emulator; certificates are still made fresh at every start. EMULATOR_KEY_CACHE=0 turns it off.
// It is only for this test tool: a real service would never reuse keys this way.
import { readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyPairFromPem, newKeyPair, type KeyPair } from "./certificates";

export class KeyPool {
  private next = 0;
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly pems: string[],
  ) {}

  static async open(): Promise<KeyPool> {
    if (process.env.EMULATOR_KEY_CACHE === "0") return new KeyPool(undefined, []);
    const file = join(tmpdir(), `offline-azure-emulator-keys-${process.getuid?.() ?? "user"}.json`);
    let pems: string[] = [];
    try {
      const value: unknown = JSON.parse(await readFile(file, "utf8"));
      if (Array.isArray(value) && value.every((entry) => typeof entry === "string" && entry.includes("PRIVATE KEY"))) pems = value as string[];
    } catch {
      // No cache yet, or an unreadable one: start afresh.
    }
    return new KeyPool(file, pems);
  }

  /** The next key pair: from the cache when it has one, else newly generated (and cached by save()). */
  async take(): Promise<KeyPair> {
    const index = this.next++;
    const pem = this.pems[index];
    if (pem) {
      try {
        return keyPairFromPem(pem);
      } catch {
        // A damaged entry: replace it.
      }
    }
    const pair = await newKeyPair();
    this.pems[index] = pair.privateKeyPem;
    this.changed = true;
    return pair;
  }

  /** Writes new keys to the cache (atomically: another emulator may be starting at the same time). */
  async save(): Promise<void> {
    if (!this.file || !this.changed) return;
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.pems.filter((pem) => typeof pem === "string")), { mode: 0o600 });
    await rename(temporary, this.file);
    this.changed = false;
  }
}
