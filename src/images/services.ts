// Everything the image tasks ask of Azure, behind one interface: the orchestration in distribute.ts and retire.ts
// is tested against fakes of it, the real one below against the offline Azure.
//
// Compute SDK: @azure/arm-compute is pinned to 23.3.0, the newest line that still uses @azure/core-lro 2 (like the
// DevTest Labs and Resources clients, so poll.ts stops its pollers the same way) and declares Node >= 20. 24.x moved
// to core-lro 3 and 25.x declares Node >= 22, while the tasks must run on Node 20 too.
import type { CustomImage, Lab } from "@azure/arm-devtestlabs";
import { ComputeManagementClient } from "@azure/arm-compute";
import { BlobClient } from "@azure/storage-blob";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import { customImageId, labId, type CustomImageRef, type LabRef } from "../azure/ids";
import { formatDuration, runOperation, type LroStartOptions, type OperationPoller } from "../azure/poll";
import { isGoneError } from "../lab/operation";
import type { CopyTargetBlob, DeletionCandidate } from "./blob-copy";
import type { ImagesContext } from "./context";

export interface SnapshotRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  id: string;
}

/** How to wait for one Azure operation. */
export interface OperationWait {
  signal: AbortSignal;
  timeoutMs: number;
  /** What is happening, in words, for progress and errors. */
  what: string;
  resource: string;
}

export interface LabImageService {
  /** The lab, or undefined when it does not exist (or the connection cannot see it). */
  getLab(lab: LabRef, signal: AbortSignal): Promise<Lab | undefined>;
  listImages(lab: LabRef, signal: AbortSignal): Promise<CustomImage[]>;
  getImage(image: CustomImageRef, signal: AbortSignal): Promise<CustomImage | undefined>;
  /** A write (and read) SAS URL for a blob in the lab's uploads container. A secret. */
  generateUploadUri(lab: LabRef, blobName: string, signal: AbortSignal): Promise<string>;
  /** Creates (or updates) a custom image and waits for it. */
  createImage(image: CustomImageRef, body: CustomImage, wait: OperationWait): Promise<CustomImage | undefined>;
  /** Deletes a custom image; "absent" when it was already gone, "started" when not waited for. */
  deleteImage(image: CustomImageRef, wait: OperationWait & { waitForCompletion: boolean }): Promise<"deleted" | "absent" | "started">;
}

export interface SnapshotAccessService {
  /** A read SAS URL to the snapshot's VHD, valid for durationSeconds. A secret. */
  grantRead(snapshot: SnapshotRef, durationSeconds: number, wait: OperationWait): Promise<string>;
  /** Ends every SAS of the snapshot. */
  revoke(snapshot: SnapshotRef, wait: OperationWait & { waitForCompletion: boolean }): Promise<void>;
}

export interface BlobService {
  /** The blob behind a SAS URL, to copy into. */
  copyTarget(sasUrl: string): CopyTargetBlob;
  /** Ways to delete a staged blob, tried in order: its SAS, then the lab connection's identity. */
  deletionCandidates(sasUrl: string, lab: LabRef): DeletionCandidate[];
}

export interface ImageServices {
  labs: LabImageService;
  snapshots: SnapshotAccessService;
  blobs: BlobService;
}

/** The services over the Azure SDKs, routing each lab to its service connection. */
export function azureImageServices(ctx: ImagesContext): ImageServices {
  const { connections } = ctx;
  const dtl = (lab: LabRef) => connections.forLab(lab).clients.devTestLabs(lab.subscriptionId);
  const compute = new Map<string, ComputeManagementClient>();
  // Snapshots belong to the source lab, which is always read through the main connection.
  const computeFor = (subscriptionId: string): ComputeManagementClient => {
    const key = subscriptionId.toLowerCase();
    let client = compute.get(key);
    if (!client) {
      const { clients } = connections.primary;
      client = new ComputeManagementClient(clients.credential, subscriptionId, clients.pipelineOptions);
      compute.set(key, client);
    }
    return client;
  };
  const operation = <T>(wait: OperationWait, start: (lro: LroStartOptions) => Promise<OperationPoller<T>>): Promise<T> =>
    runOperation(start, {
      signal: wait.signal,
      timeoutMs: wait.timeoutMs,
      what: wait.what,
      resource: wait.resource,
      ...(ctx.pollIntervalMs !== undefined ? { pollIntervalMs: ctx.pollIntervalMs } : {}),
      onProgress: (elapsedMs) => ctx.log.debug(`${wait.what}: ${formatDuration(elapsedMs)} so far.`),
    });
  /** Sends the request that starts an operation and stops polling (a cancel leaves no time to wait). */
  const startOnly = async <T>(signal: AbortSignal, start: (lro: LroStartOptions) => Promise<OperationPoller<T>>): Promise<void> => {
    const poller = await start({ abortSignal: signal, updateIntervalInMs: ctx.pollIntervalMs ?? 5000 });
    poller.stopPolling();
  };

  const labs: LabImageService = {
    async getLab(lab, signal) {
      try {
        return await dtl(lab).labs.get(lab.resourceGroup, lab.labName, { abortSignal: signal });
      } catch (error) {
        if (isNotFoundError(error)) return undefined;
        throw toAzureOperationError(error, { operation: "Reading the lab", resource: labId(lab) });
      }
    },
    async listImages(lab, signal) {
      const images: CustomImage[] = [];
      try {
        for await (const image of dtl(lab).customImages.list(lab.resourceGroup, lab.labName, { abortSignal: signal })) images.push(image);
      } catch (error) {
        throw toAzureOperationError(error, { operation: "Listing the lab's custom images", resource: labId(lab) });
      }
      return images;
    },
    async getImage(image, signal) {
      try {
        return await dtl(image).customImages.get(image.resourceGroup, image.labName, image.imageName, { abortSignal: signal });
      } catch (error) {
        if (isNotFoundError(error)) return undefined;
        throw toAzureOperationError(error, { operation: "Reading the custom image", resource: customImageId(image) });
      }
    },
    async generateUploadUri(lab, blobName, signal) {
      let uploadUri: string | undefined;
      try {
        uploadUri = (await dtl(lab).labs.generateUploadUri(lab.resourceGroup, lab.labName, { blobName }, { abortSignal: signal })).uploadUri;
      } catch (error) {
        throw toAzureOperationError(error, { operation: "Asking the lab for an upload location", resource: labId(lab) });
      }
      if (!uploadUri) throw toAzureOperationError(new Error("The lab returned no upload URI."), { operation: "Asking the lab for an upload location", resource: labId(lab) });
      return uploadUri;
    },
    createImage(image, body, wait) {
      return operation(wait, (lro) => dtl(image).customImages.beginCreateOrUpdate(image.resourceGroup, image.labName, image.imageName, body, lro));
    },
    async deleteImage(image, wait) {
      const client = dtl(image);
      try {
        if (!wait.waitForCompletion) {
          await startOnly(wait.signal, (lro) => client.customImages.beginDelete(image.resourceGroup, image.labName, image.imageName, lro));
          return "started";
        }
        await operation(wait, (lro) => client.customImages.beginDelete(image.resourceGroup, image.labName, image.imageName, lro));
        return "deleted";
      } catch (error) {
        if (isNotFoundError(error) || isGoneError(error)) return "absent";
        throw toAzureOperationError(error, { operation: wait.what, resource: wait.resource });
      }
    },
  };

  const snapshots: SnapshotAccessService = {
    async grantRead(snapshot, durationSeconds, wait) {
      const result = await operation(wait, (lro) =>
        computeFor(snapshot.subscriptionId).snapshots.beginGrantAccess(snapshot.resourceGroup, snapshot.name, { access: "Read", durationInSeconds: durationSeconds }, lro),
      );
      const url = result?.accessSAS;
      if (!url) throw toAzureOperationError(new Error("Azure granted access but returned no SAS URL."), { operation: wait.what, resource: snapshot.id });
      return url;
    },
    async revoke(snapshot, wait) {
      const client = computeFor(snapshot.subscriptionId);
      try {
        if (!wait.waitForCompletion) {
          await startOnly(wait.signal, (lro) => client.snapshots.beginRevokeAccess(snapshot.resourceGroup, snapshot.name, lro));
          return;
        }
        await operation(wait, (lro) => client.snapshots.beginRevokeAccess(snapshot.resourceGroup, snapshot.name, lro));
      } catch (error) {
        // A snapshot that is gone has no access left to revoke.
        if (isNotFoundError(error)) return;
        throw toAzureOperationError(error, { operation: wait.what, resource: snapshot.id });
      }
    },
  };

  const storageOptions = { retryOptions: { maxTries: 4 } };
  const blobs: BlobService = {
    copyTarget: (sasUrl) => copyTargetOf(new BlobClient(sasUrl, undefined, storageOptions)),
    deletionCandidates: (sasUrl, lab) => [
      { via: "the lab's upload access", blob: () => new BlobClient(sasUrl, undefined, storageOptions) },
      // Without the SAS: Azure AD with the identity of the lab's connection (needs a blob data role there).
      { via: `the identity of the service connection '${connections.forLab(lab).input}'`, blob: () => new BlobClient(withoutQuery(sasUrl), connections.forLab(lab).clients.credential, storageOptions) },
    ],
  };

  return { labs, snapshots, blobs };
}

/** What of a SAS URL must be masked: the whole URL, and its signature as written and decoded. */
export function sasSecrets(url: string): string[] {
  const raw = /[?&]sig=([^&#]+)/i.exec(url)?.[1];
  if (raw === undefined) return [url];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A signature that is not valid percent-encoding is masked as written.
  }
  return [...new Set([url, raw, decoded])];
}

/** A blob URL without its SAS: what a custom image's vhd.imageName and log lines may show. */
export function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * A BlobClient as a copy target. Its Copy Blob call is reachable only through beginCopyFromURL, which sends it and
 * returns a poller; copyBlobFromUrl polls and aborts by itself (with the job's signal, interval and timeout), so the
 * poller is stopped at once and the copy id read from the blob's properties.
 */
function copyTargetOf(blob: BlobClient): CopyTargetBlob {
  return {
    async startCopyFromURL(copySource, options) {
      const poller = await blob.beginCopyFromURL(copySource, { abortSignal: options?.abortSignal });
      poller.stopPolling();
      const properties = await blob.getProperties({ abortSignal: options?.abortSignal });
      return { copyId: properties.copyId, copyStatus: properties.copyStatus };
    },
    getProperties: (options) => blob.getProperties({ abortSignal: options?.abortSignal }),
    abortCopyFromURL: (copyId, options) => blob.abortCopyFromURL(copyId, { abortSignal: options?.abortSignal }),
  };
}
