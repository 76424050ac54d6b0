// Test doubles for the image domain: an in-memory Azure behind the ImageServices interface that records every write,
// blobs whose copies finish after a few polls (or never), a clock that advances only when slept on, and a log.
import type { CustomImage, Lab } from "@azure/arm-devtestlabs";
import { RestError } from "@azure/core-rest-pipeline";
import type { AzureClients } from "../../../src/azure/clients";
import { customImageId, labId, type CustomImageRef, type LabRef } from "../../../src/azure/ids";
import type { CopyTargetBlob, DeletionCandidate } from "../../../src/images/blob-copy";
import { labConnections, type ImagesContext } from "../../../src/images/context";
import type { ImageServices, OperationWait, SnapshotRef } from "../../../src/images/services";
import type { LabClock } from "../../../src/lab/context";
import { CancelledError } from "../../../src/steps/cancelled";

export const SUB_1 = "20000000-0000-4000-8000-000000000001";
export const SUB_2 = "20000000-0000-4000-8000-000000000002";
export const lab = (subscriptionId: string, resourceGroup: string, labName: string): LabRef & { id: string } => ({ subscriptionId, resourceGroup, labName, id: labId({ subscriptionId, resourceGroup, labName }) });
export const FACTORY = lab(SUB_1, "factory-rg", "FactoryLab");
export const TEAM_A = lab(SUB_2, "teams-rg", "TeamLabA");
export const TEAM_B = lab(SUB_1, "east-rg", "TeamLabB");

export interface Write {
  op: "generateUploadUri" | "createImage" | "deleteImage" | "grantRead" | "revoke" | "startCopy" | "abortCopy" | "deleteBlob";
  target: string;
  detail?: unknown;
}

interface FakeBlob {
  content: string;
  copy?: { id: string; pollsLeft: number; status: "pending" | "success" | "failed" | "aborted" };
}

/** An in-memory Azure for the image tasks. Every write is recorded in `writes`, in order. */
export class FakeAzure implements ImageServices {
  readonly writes: Write[] = [];
  readonly labsById = new Map<string, { lab: Lab; images: Map<string, CustomImage> }>();
  /** Blobs by URL without query. */
  readonly storage = new Map<string, FakeBlob>();
  readonly openGrants = new Set<string>();
  /** How many status reads a copy stays pending. */
  copyPolls = 2;
  /** A copy that never finishes (for cancel and timeout tests). */
  hangCopies = false;
  /** Copies end failed. */
  failCopies = false;
  /** Decide whether creating an image fails (an Error) or succeeds (undefined). */
  failCreate: (image: CustomImageRef) => Error | undefined = () => undefined;
  failGrant: Error | undefined;
  /** Decide whether deleting an image fails. */
  failDelete: (image: CustomImageRef) => Error | undefined = () => undefined;
  /** Called when a copy starts (tests cancel here). */
  onCopyStart: () => void = () => undefined;
  /** The highest number of copies pending at once. */
  maxConcurrentCopies = 0;
  private sequence = 0;

  addLab(ref: LabRef & { id: string }, location = "westeurope"): void {
    this.labsById.set(ref.id.toLowerCase(), { lab: { id: ref.id, name: ref.labName, location }, images: new Map() });
  }

  addImage(ref: LabRef, image: CustomImage & { name: string }): CustomImage {
    const id = customImageId({ ...ref, imageName: image.name });
    const stored: CustomImage = { provisioningState: "Succeeded", uniqueIdentifier: `uid-${image.name}`, ...image, id };
    this.entry(ref).images.set(image.name.toLowerCase(), stored);
    return stored;
  }

  images(ref: LabRef): CustomImage[] {
    return [...this.entry(ref).images.values()];
  }

  entry(ref: LabRef): { lab: Lab; images: Map<string, CustomImage> } {
    const found = this.labsById.get(labId(ref).toLowerCase());
    if (!found) throw new Error(`no lab ${labId(ref)} in the fake`);
    return found;
  }

  get pendingCopies(): number {
    return [...this.storage.values()].filter((blob) => blob.copy?.status === "pending").length;
  }

  get stagedBlobs(): string[] {
    return [...this.storage.keys()].filter((url) => url.includes("/uploads/"));
  }

  labs: ImageServices["labs"] = {
    getLab: async (ref) => this.labsById.get(labId(ref).toLowerCase())?.lab,
    listImages: async (ref) => this.images(ref).map((image) => ({ ...image })),
    getImage: async (ref) => {
      const found = this.labsById.get(labId(ref).toLowerCase())?.images.get(ref.imageName.toLowerCase());
      return found ? { ...found } : undefined;
    },
    generateUploadUri: async (ref, blobName) => {
      this.writes.push({ op: "generateUploadUri", target: `${ref.labName}/${blobName}` });
      return `https://${ref.labName.toLowerCase()}.blob.test/uploads/${blobName}?sp=rcw&sig=UPLOAD-SECRET-${++this.sequence}`;
    },
    createImage: async (ref, body, wait) => {
      this.check(wait);
      this.writes.push({ op: "createImage", target: `${ref.labName}/${ref.imageName}`, detail: body });
      const failure = this.failCreate(ref);
      const source = body.vhd?.imageName ?? "";
      const stored: CustomImage = { ...body, name: ref.imageName, id: customImageId(ref), provisioningState: failure || !this.storage.has(source) ? "Failed" : "Succeeded", uniqueIdentifier: `uid-copy-${++this.sequence}` };
      this.entry(ref).images.set(ref.imageName.toLowerCase(), stored);
      if (failure) throw failure;
      if (stored.provisioningState === "Failed") throw new Error(`The source blob ${source} is not accessible.`);
      return { ...stored };
    },
    deleteImage: async (ref, wait) => {
      this.writes.push({ op: "deleteImage", target: `${ref.labName}/${ref.imageName}`, detail: { waitForCompletion: wait.waitForCompletion } });
      const failure = this.failDelete(ref);
      if (failure) throw failure;
      return this.entry(ref).images.delete(ref.imageName.toLowerCase()) ? (wait.waitForCompletion ? "deleted" : "started") : "absent";
    },
  };

  snapshots: ImageServices["snapshots"] = {
    grantRead: async (snapshot: SnapshotRef, durationSeconds: number, wait: OperationWait) => {
      this.check(wait);
      this.writes.push({ op: "grantRead", target: snapshot.name, detail: { durationSeconds } });
      if (this.failGrant) throw this.failGrant;
      this.openGrants.add(snapshot.id.toLowerCase());
      const url = `https://md-disk.blob.test/${snapshot.name}/abcd`;
      this.storage.set(url, { content: `disk of ${snapshot.name}` });
      return `${url}?sp=r&sig=READ-SECRET-${++this.sequence}`;
    },
    revoke: async (snapshot, wait) => {
      this.writes.push({ op: "revoke", target: snapshot.name, detail: { waitForCompletion: wait.waitForCompletion } });
      this.openGrants.delete(snapshot.id.toLowerCase());
    },
  };

  blobs: ImageServices["blobs"] = {
    copyTarget: (sasUrl) => this.copyTarget(sasUrl),
    deletionCandidates: (sasUrl): DeletionCandidate[] => [
      // As DevTest Labs hands it out, the upload SAS (sp=rcw) may not delete.
      { via: "the upload SAS", blob: () => ({ deleteIfExists: async () => Promise.reject(new RestError("This request is not authorized to perform this operation using this permission.", { statusCode: 403, code: "AuthorizationPermissionMismatch" })) }) },
      {
        via: "the connection's identity",
        blob: () => ({
          deleteIfExists: async () => {
            const key = bare(sasUrl);
            this.writes.push({ op: "deleteBlob", target: key });
            return { succeeded: this.storage.delete(key) };
          },
        }),
      },
    ],
  };

  private copyTarget(sasUrl: string): CopyTargetBlob {
    const key = bare(sasUrl);
    return {
      startCopyFromURL: async (source) => {
        this.writes.push({ op: "startCopy", target: key });
        if (!this.storage.has(bare(source))) throw new RestError("Copy source not found", { statusCode: 404, code: "CannotVerifyCopySource" });
        const blob: FakeBlob = { content: this.storage.get(bare(source))?.content ?? "", copy: { id: `copy-${++this.sequence}`, pollsLeft: this.copyPolls, status: "pending" } };
        this.storage.set(key, blob);
        this.maxConcurrentCopies = Math.max(this.maxConcurrentCopies, this.pendingCopies);
        this.onCopyStart();
        return { copyId: blob.copy?.id, copyStatus: "pending" };
      },
      getProperties: async () => {
        const blob = this.storage.get(key);
        if (!blob?.copy) throw new RestError("The specified blob does not exist.", { statusCode: 404, code: "BlobNotFound" });
        const { copy } = blob;
        if (copy.status === "pending" && !this.hangCopies && --copy.pollsLeft <= 0) copy.status = this.failCopies ? "failed" : "success";
        const done = copy.status === "success" ? 100 : 40;
        return { copyId: copy.id, copyStatus: copy.status, copyProgress: `${done}/100`, ...(copy.status === "failed" ? { copyStatusDescription: "500 InternalError: the source went away ##vso[task.complete result=Succeeded]" } : {}) };
      },
      abortCopyFromURL: async (copyId) => {
        this.writes.push({ op: "abortCopy", target: key, detail: copyId });
        const blob = this.storage.get(key);
        if (blob?.copy?.id === copyId && blob.copy.status === "pending") {
          blob.copy.status = "aborted";
          blob.content = "";
        }
      },
    };
  }

  private check(wait: OperationWait): void {
    if (wait.signal.aborted) throw new CancelledError(`${wait.what} was cancelled.`);
  }
}

function bare(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** A clock that moves only when slept on. */
export function fakeClock(): LabClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    async sleep(ms, signal) {
      if (signal.aborted) throw new CancelledError("The job was cancelled while waiting.");
      slept.push(ms);
      now += ms;
      await Promise.resolve();
      if (signal.aborted) throw new CancelledError("The job was cancelled while waiting.");
    },
  };
}

export interface RecordedLog {
  lines: string[];
  warnings: string[];
  progress: { percent: number | undefined; message: string }[];
}

/** An ImagesContext over fake connections (never used: the services are faked), with a recording log. */
export function imagesContext(options: { signal?: AbortSignal; clock?: LabClock } = {}): ImagesContext & { recorded: RecordedLog; secrets: string[] } {
  const recorded: RecordedLog = { lines: [], warnings: [], progress: [] };
  const secrets: string[] = [];
  const clients = (subscriptionId: string, id: string) => ({ connection: { id, subscriptionId } }) as unknown as AzureClients;
  return {
    connections: labConnections({ clients: clients(SUB_1, "primary"), input: "azureSubscription" }, { clients: clients("20000000-0000-4000-8000-000000000003", "partner"), input: "targetConnection" }),
    signal: options.signal ?? new AbortController().signal,
    log: {
      info: (message) => recorded.lines.push(message),
      warn: (message) => recorded.warnings.push(message),
      debug: (message) => recorded.lines.push(`debug: ${message}`),
      progress: (percent, message) => recorded.progress.push({ percent, message }),
    },
    registerSecret: (value) => {
      if (value) secrets.push(value);
    },
    pollIntervalMs: 1000,
    clock: options.clock ?? fakeClock(),
    recorded,
    secrets,
  };
}
