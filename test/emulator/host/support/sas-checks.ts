// Child script of storage.test.ts: uses SAS URLs made by the emulator's storage backend with the real
// @azure/storage-blob (trusting the emulator's CA through NODE_EXTRA_CA_CERTS): upload, download, server-side
// copies (sync and async) from one SAS URL to another, and the refusals a wrong or expired SAS gets.
import { readFileSync } from "node:fs";
import { BlockBlobClient } from "@azure/storage-blob";
import type { Outcome } from "./credential-checks";

export interface SasCheckInput {
  /** Write SAS of the upload container (as Labs_GenerateUploadUri hands out). */
  uploadContainerSas: string;
  /** Read SAS of the uploaded blob, computed before it exists. */
  uploadedBlobReadSas: string;
  /** Write SAS of the two copy targets, in another lab's container. */
  syncCopyTargetSas: string;
  asyncCopyTargetSas: string;
  /** Read-only SAS of a blob, used for a write that must be refused. */
  readOnlySas: string;
  expiredSas: string;
  blobName: string;
  content: string;
}

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const failure = error as { name?: string; message?: string; statusCode?: number; code?: string };
    return { ok: false, error: { name: failure.name ?? "Error", message: failure.message ?? String(error), statusCode: failure.statusCode, code: failure.code } };
  }
}

async function main(): Promise<void> {
  const inputPath = process.env.CHECK_INPUT;
  if (!inputPath) throw new Error("CHECK_INPUT is required");
  const input = JSON.parse(readFileSync(inputPath, "utf8")) as SasCheckInput;
  const results: Record<string, Outcome> = {};

  // In order: each step needs the one before.
  results.upload = await outcome(async () => {
    const container = new URL(input.uploadContainerSas);
    container.pathname = `${container.pathname}/${input.blobName}`;
    await new BlockBlobClient(container.toString()).upload(input.content, Buffer.byteLength(input.content));
    return "uploaded";
  });
  results.download = await outcome(async () => (await new BlockBlobClient(input.uploadedBlobReadSas).downloadToBuffer()).toString("utf8"));
  results.syncCopy = await outcome(async () => {
    const target = new BlockBlobClient(input.syncCopyTargetSas);
    const copy = await target.syncCopyFromURL(input.uploadedBlobReadSas);
    return { copyStatus: copy.copyStatus, content: (await target.downloadToBuffer()).toString("utf8") };
  });
  results.asyncCopy = await outcome(async () => {
    const target = new BlockBlobClient(input.asyncCopyTargetSas);
    const poller = await target.beginCopyFromURL(input.uploadedBlobReadSas, { intervalInMs: 100 });
    const copy = await poller.pollUntilDone();
    return { copyStatus: copy.copyStatus, content: (await target.downloadToBuffer()).toString("utf8") };
  });
  results.writeWithReadOnlySas = await outcome(() => new BlockBlobClient(input.readOnlySas).upload("x", 1));
  results.readWithExpiredSas = await outcome(() => new BlockBlobClient(input.expiredSas).downloadToBuffer());
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
