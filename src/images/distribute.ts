// Distributing custom images to other labs without storage account keys:
//
//   source image ──(read SAS: snapshot grant, or the source lab's upload SAS for a VHD image)──┐
//   target lab  ──(generateUploadUri: write SAS in its uploads container)───────────────────────┴─► server-side copy
//   target lab  ──(custom image from that VHD: same name, description, OS type, provenance tags)
//   then the staged blob is deleted and the snapshot's access revoked — after success, failure and cancel alike.
//
// Every copy (image × lab) is a list of steps with cleanups (src/steps); the read access of a source image is shared
// by its copies and revoked once the last of them has finished. Copies run with bounded parallelism and one failure
// does not stop the others; a re-run skips every lab that already has the image (same provenance) and replaces a
// copy that an earlier run left failed, so it converges.
import type { CustomImage } from "@azure/arm-devtestlabs";
import { createHash } from "node:crypto";
import { customImageId, labId, parseResourceId, sameResourceId, type CustomImageRef, type LabRef } from "../azure/ids";
import type { OsType } from "../azure/names";
import { formatDuration } from "../azure/poll";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { AzureOperationError, InputError } from "../errors";
import { monotonicClock, type LabClock } from "../lab/context";
import type { ResolvedLab } from "../lab/lab";
import { CREATED_BY_TAG } from "../lab/vm-spec";
import { cleanupFailuresOf, isCancellation, runSteps, type Step } from "../steps";
import { CancelledError } from "../steps/cancelled";
import { copyBlobFromUrl, deleteStagedBlob } from "./blob-copy";
import type { ImagesContext } from "./context";
import { readTargetLab } from "./lab-access";
import { labWantsImage } from "./labs-file";
import { createLimiter, type Limiter } from "./parallel";
import { familyOf, imageTime, pickProvenanceTags, PROVENANCE_TAGS, provenanceFingerprint, readProvenance, tagValue } from "./provenance";
import { matchesPatterns, selectionNeedsLab, type ImageSelection } from "./selection";
import { azureImageServices, sasSecrets, withoutQuery, type ImageServices, type SnapshotRef } from "./services";

/** A lab to distribute to. */
export interface DistributionTarget extends LabRef {
  id: string;
  /** From a labs file: which templates' images the lab wants (undefined = all). */
  imagePaths?: string[];
  /** The input that named it, for errors. */
  input: string;
  /** Read from Azure before copying: the region new images are created in. */
  location?: string;
}

export interface DistributeInputNames {
  images: string;
  namePattern: string;
  tagFilter: string;
}

export interface DistributeOptions {
  selection: ImageSelection;
  /** The lab the images are in; required when the selection names images or chooses them by pattern. */
  sourceLab?: ResolvedLab;
  targets: readonly DistributionTarget[];
  /** Send each image only to the labs whose labs-file ImagePaths include its template (default true). */
  useImagePaths?: boolean;
  /** Of the images chosen, only the newest of each family. */
  newestPerFamily?: boolean;
  maxParallel: number;
  /** For one copy (image × lab): staging, copying and creating the image. */
  timeoutMs: number;
  inputs: DistributeInputNames;
  /** Replaces the Azure services (tests). */
  services?: ImageServices;
}

/** What is known of a source image once it has been read. */
export interface SourceImage {
  ref: CustomImageRef;
  id: string;
  name: string;
  labId: string;
  description?: string;
  osType: OsType;
  /** Sysprepped / deprovisioned: the VHD is generalized. */
  generalized: boolean;
  /** The tags every copy gets: provenance, origin, created-by. */
  copyTags: Record<string, string>;
  fingerprint: string;
  sourcePath?: string;
  access: { kind: "snapshot"; snapshot: SnapshotRef } | { kind: "vhd"; lab: LabRef; blobName: string; uri: string };
}

export type PairAction =
  | { kind: "copy" }
  /** A copy of this image that an earlier run left failed: deleted, then copied again. */
  | { kind: "replace"; existing: string }
  | { kind: "present"; existing: string; existingId: string }
  | { kind: "notWanted" }
  | { kind: "sourceLab" }
  | { kind: "conflict"; reason: string };

export type PairStatus = "created" | "present" | "skipped" | "failed";

export interface PairOutcome {
  image: string;
  sourceId: string;
  lab: string;
  labId: string;
  status: PairStatus;
  /** The image in the target lab (created or already there). */
  imageId?: string;
  detail: string;
  warnings: string[];
}

export interface DistributeResult {
  outcomes: PairOutcome[];
  createdImageIds: string[];
  /** Created or already present: every target image of this distribution. */
  targetImageIds: string[];
  failed: PairOutcome[];
  warnings: string[];
  cancelled: boolean;
  message: string;
}

/** The name of the staged VHD in a target lab's uploads container: stable per image, so a re-run overwrites it. */
export function stagingBlobName(source: Pick<SourceImage, "name" | "fingerprint">): string {
  return `imagefactory-${source.name}-${createHash("sha256").update(source.fingerprint).digest("hex").slice(0, 12)}.vhd`;
}

/** Read access must outlast every copy of the image: the copies run in rounds of maxParallel, each within the timeout. */
export function accessDurationSeconds(copies: number, maxParallel: number, timeoutMs: number): number {
  const rounds = Math.max(1, Math.ceil(copies / Math.max(1, maxParallel)));
  const seconds = Math.ceil((rounds * timeoutMs) / 1000) + 15 * 60;
  return Math.min(Math.max(seconds, 3600), 24 * 3600);
}

/** What to do with one image for one lab, from the lab's current images. Pure. */
export function planPair(
  source: Pick<SourceImage, "name" | "labId" | "fingerprint" | "sourcePath">,
  target: Pick<DistributionTarget, "id" | "imagePaths">,
  targetImages: readonly Pick<CustomImage, "id" | "name" | "tags" | "provisioningState">[],
  options: { useImagePaths: boolean },
): PairAction {
  if (sameResourceId(target.id, source.labId)) return { kind: "sourceLab" };
  if (options.useImagePaths && !labWantsImage(target, source.sourcePath)) return { kind: "notWanted" };
  const succeeded = (image: Pick<CustomImage, "provisioningState">) => (image.provisioningState ?? "Succeeded").toLowerCase() === "succeeded";
  const same = targetImages.filter((image) => provenanceFingerprint(image.tags) === source.fingerprint);
  const present = same.find((image) => succeeded(image) && image.name?.toLowerCase() === source.name.toLowerCase()) ?? same.find(succeeded);
  if (present) return { kind: "present", existing: present.name ?? source.name, existingId: present.id ?? "" };
  const namesake = targetImages.find((image) => image.name?.toLowerCase() === source.name.toLowerCase());
  if (!namesake) return { kind: "copy" };
  const state = namesake.provisioningState ?? "Succeeded";
  if (provenanceFingerprint(namesake.tags) === source.fingerprint) {
    if (state.toLowerCase() === "failed") return { kind: "replace", existing: namesake.name ?? source.name };
    return { kind: "conflict", reason: `its copy of '${source.name}' is in the state ${state} (another run may be distributing it). Re-run when that has finished.` };
  }
  return {
    kind: "conflict",
    reason: `it already has a custom image named '${neutralizeUntrustedText(namesake.name ?? source.name, { maxLength: 80 })}' that is not a copy of this image (different or no provenance tags). Rename or delete that image, then re-run.`,
  };
}

/** Reads the selected source images and checks each can be copied. Reads only. */
export async function resolveSourceImages(ctx: ImagesContext, services: ImageServices, options: Pick<DistributeOptions, "selection" | "sourceLab" | "inputs" | "newestPerFamily">): Promise<SourceImage[]> {
  const { selection, inputs, sourceLab } = options;
  if (selectionNeedsLab(selection) && !sourceLab) throw new Error("resolveSourceImages: a source lab is needed for names and patterns.");
  const found = new Map<string, { ref: CustomImageRef; image: CustomImage }>();
  const add = (ref: CustomImageRef, image: CustomImage) => {
    const id = customImageId(ref).toLowerCase();
    if (!found.has(id)) found.set(id, { ref, image });
  };
  for (const ref of selection.ids) {
    const image = await services.labs.getImage(ref, ctx.signal);
    if (!image) throw new InputError(inputs.images, `the custom image '${ref.imageName}' does not exist in the lab '${ref.labName}' (${ref.id}). Check the id, and that the service connection's principal can read that lab.`);
    add(ref, image);
  }
  if (sourceLab) {
    for (const name of selection.names) {
      const ref: CustomImageRef = { subscriptionId: sourceLab.subscriptionId, resourceGroup: sourceLab.resourceGroup, labName: sourceLab.labName, imageName: name };
      const image = await services.labs.getImage(ref, ctx.signal);
      if (!image) throw new InputError(inputs.images, `there is no custom image named '${name}' in the lab '${sourceLab.labName}'. Check the name, or give the image's resource id.`);
      add(ref, image);
    }
    if (selection.namePattern || selection.tag) {
      const all = await services.labs.listImages(sourceLab, ctx.signal);
      const matching = all.filter((image) => matchesPatterns({ name: image.name, tags: image.tags }, selection));
      if (matching.length === 0) {
        const input = selection.namePattern ? inputs.namePattern : inputs.tagFilter;
        const what = [selection.namePattern ? `the name pattern '${selection.namePattern.text}'` : "", selection.tag ? `the tag filter '${selection.tag.name}${selection.tag.valuePattern ? `=${selection.tag.valuePattern.text}` : ""}'` : ""].filter(Boolean).join(" and ");
        throw new InputError(input, `no custom image in the lab '${sourceLab.labName}' matches ${what} (the lab has ${all.length} custom image${all.length === 1 ? "" : "s"}). Check the pattern.`);
      }
      for (const image of matching) add({ subscriptionId: sourceLab.subscriptionId, resourceGroup: sourceLab.resourceGroup, labName: sourceLab.labName, imageName: image.name ?? "" }, image);
    }
  }
  let chosen = [...found.values()];
  if (options.newestPerFamily) chosen = newestOfEachFamily(chosen);
  return chosen.map(({ ref, image }) => describeSource(ref, image, inputs.images));
}

/** Of images that share a family, only the newest; images without a family stay. */
export function newestOfEachFamily<T extends { image: Pick<CustomImage, "tags" | "creationDate" | "name"> }>(items: readonly T[]): T[] {
  const newest = new Map<string, T>();
  const result: T[] = [];
  for (const item of items) {
    const family = familyOf(item.image.tags);
    if (family === undefined) {
      result.push(item);
      continue;
    }
    const current = newest.get(family);
    const time = imageTime(item.image.tags, item.image.creationDate)?.getTime() ?? Number.POSITIVE_INFINITY;
    const currentTime = current ? (imageTime(current.image.tags, current.image.creationDate)?.getTime() ?? Number.POSITIVE_INFINITY) : Number.NEGATIVE_INFINITY;
    if (!current || time > currentTime || (time === currentTime && (item.image.name ?? "") > (current.image.name ?? ""))) newest.set(family, item);
  }
  return [...result, ...newest.values()];
}

/** Checks that an image can be copied and works out how (OS type, generalization, where its disk is). */
export function describeSource(ref: CustomImageRef, image: CustomImage, input: string): SourceImage {
  const id = customImageId(ref);
  const name = image.name ?? ref.imageName;
  const where = `the custom image '${name}' in the lab '${ref.labName}'`;
  const state = image.provisioningState ?? "Succeeded";
  if (state.toLowerCase() !== "succeeded") {
    throw new AzureOperationError("Reading the source image", id, `${where} is in the state ${state}, not Succeeded. Wait until it has been created (or delete a failed one), then re-run.`, "SourceImageNotReady");
  }
  const windowsState = image.vm?.windowsOsInfo?.windowsOsState;
  const linuxState = image.vm?.linuxOsInfo?.linuxOsState;
  const vhdOs = image.vhd?.osType?.toLowerCase();
  const osType: OsType | undefined = image.vm?.windowsOsInfo ? "Windows" : image.vm?.linuxOsInfo ? "Linux" : vhdOs === "windows" ? "Windows" : vhdOs === "linux" ? "Linux" : undefined;
  if (!osType) throw new InputError(input, `${where} records no OS type (neither a VM's OS state nor a VHD's OS type), so a copy cannot be created from it.`);
  const generalized = image.vhd ? image.vhd.sysPrep === true : /^(SysprepApplied|SysprepRequested|DeprovisionApplied|DeprovisionRequested)$/i.test(windowsState ?? linuxState ?? "");

  let access: SourceImage["access"];
  if (image.managedSnapshotId) {
    const parsed = parseResourceId(image.managedSnapshotId, input);
    const isSnapshot = parsed.provider?.toLowerCase() === "microsoft.compute" && parsed.types.length === 1 && parsed.types[0]?.toLowerCase() === "snapshots";
    if (!isSnapshot || parsed.resourceGroup === undefined) {
      throw new AzureOperationError("Reading the source image", id, `${where} names '${neutralizeUntrustedText(image.managedSnapshotId, { maxLength: 300 })}' as its snapshot, which is not a Microsoft.Compute snapshot id.`, "UnsupportedSourceImage");
    }
    access = { kind: "snapshot", snapshot: { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, name: parsed.names[0] ?? "", id: image.managedSnapshotId } };
  } else if (image.vhd?.imageName) {
    access = { kind: "vhd", lab: ref, ...uploadsBlobOf(image.vhd.imageName) };
  } else {
    throw new AzureOperationError("Reading the source image", id, `${where} has neither a managed snapshot nor a VHD to copy from (an image from a Marketplace plan cannot be distributed). Capture the image from a VM instead.`, "UnsupportedSourceImage");
  }

  const provenance = readProvenance(image.tags);
  const origin = tagValue(image.tags, PROVENANCE_TAGS.origin)?.trim() || image.uniqueIdentifier || id.toLowerCase();
  const copyTags: Record<string, string> = { ...pickProvenanceTags(image.tags), [PROVENANCE_TAGS.origin]: origin, [CREATED_BY_TAG.name]: CREATED_BY_TAG.value };
  const fingerprint = provenanceFingerprint(copyTags);
  if (fingerprint === undefined) throw new Error("describeSource: a copy always has an origin.");
  return {
    ref,
    id,
    name,
    labId: labId(ref),
    ...(image.description ? { description: image.description } : {}),
    osType,
    generalized,
    copyTags,
    fingerprint,
    ...(provenance?.sourcePath ? { sourcePath: provenance.sourcePath } : {}),
    access,
  };
}

/** The blob name inside the lab's uploads container of a VHD image's imageName (a URL, or a bare blob name). */
export function uploadsBlobOf(imageName: string): { blobName: string; uri: string } {
  if (!/^https?:\/\//i.test(imageName)) return { blobName: imageName.replace(/^\/+/, ""), uri: imageName };
  const url = new URL(imageName);
  const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  // The blob follows the container: "uploads" on Azure, "uploads-<hash>" in the offline Azure's path-style URLs.
  const container = segments.findIndex((segment) => /^uploads(?:-|$)/i.test(segment));
  const blobName = (container >= 0 ? segments.slice(container + 1) : segments.slice(-1)).join("/");
  return { blobName, uri: `${url.origin}${url.pathname}` };
}

// ------------------------------------------------------------------------------------------------ running

interface PlannedPair {
  source: SourceImage;
  target: DistributionTarget;
  action: PairAction;
}

/** Distributes the selected images to the target labs. Input errors and reads come before the first write. */
export async function distributeImages(ctx: ImagesContext, options: DistributeOptions): Promise<DistributeResult> {
  const services = options.services ?? azureImageServices(ctx);
  const sources = await resolveSourceImages(ctx, services, options);
  const pairs: PlannedPair[] = [];
  for (const target of options.targets) {
    const lab = await readTargetLab(ctx, services, target);
    const images = await services.labs.listImages(target, ctx.signal);
    const located: DistributionTarget = { ...target, ...(lab.location ? { location: lab.location } : {}) };
    for (const source of sources) pairs.push({ source, target: located, action: planPair(source, located, images, { useImagePaths: options.useImagePaths ?? true }) });
  }
  return runDistribution(ctx, services, pairs, options);
}

async function runDistribution(ctx: ImagesContext, services: ImageServices, pairs: PlannedPair[], options: DistributeOptions): Promise<DistributeResult> {
  const outcomes = new Map<PlannedPair, PairOutcome>();
  const outcome = (pair: PlannedPair, status: PairStatus, detail: string, extra: Partial<PairOutcome> = {}): PairOutcome => {
    const value: PairOutcome = { image: pair.source.name, sourceId: pair.source.id, lab: pair.target.labName, labId: pair.target.id, status, detail, warnings: [], ...extra };
    outcomes.set(pair, value);
    return value;
  };
  const work = new Map<SourceImage, PlannedPair[]>();
  for (const pair of pairs) {
    const { action, target } = pair;
    if (action.kind === "present") outcome(pair, "present", `already there as '${action.existing}' (same provenance)`, { imageId: customImageId({ ...target, imageName: action.existing }) });
    else if (action.kind === "notWanted") outcome(pair, "skipped", "not in the lab's ImagePaths");
    else if (action.kind === "sourceLab") outcome(pair, "skipped", "the image's own lab");
    else if (action.kind === "conflict") outcome(pair, "failed", action.reason);
    else work.set(pair.source, [...(work.get(pair.source) ?? []), pair]);
  }
  const copies = [...work.values()].reduce((sum, list) => sum + list.length, 0);
  const planned = (status: PairStatus) => [...outcomes.values()].filter((o) => o.status === status).length;
  const conflicts = planned("failed");
  ctx.log.info(
    `${pairs.length} image × lab pair${pairs.length === 1 ? "" : "s"}: ${copies} to copy, ${planned("present")} already present, ${planned("skipped")} skipped${conflicts > 0 ? `, ${conflicts} in conflict` : ""}.`,
  );

  const progress = new DistributionProgress(copies, ctx);
  const limiter = createLimiter(options.maxParallel, ctx.signal);
  await Promise.all(
    [...work.entries()].map(([source, sourcePairs]) =>
      distributeOneImage(ctx, services, source, sourcePairs, { limiter, progress, options }).then((results) => {
        for (const [pair, result] of results) outcomes.set(pair, result);
      }),
    ),
  );

  const ordered = pairs.map((pair) => outcomes.get(pair)).filter((o): o is PairOutcome => o !== undefined);
  const created = ordered.filter((o) => o.status === "created");
  const failed = ordered.filter((o) => o.status === "failed");
  const warnings = ordered.flatMap((o) => o.warnings);
  const cancelled = ctx.signal.aborted;
  const present = ordered.filter((o) => o.status === "present").length;
  const message = cancelled
    ? `Cancelled: created ${created.length} of ${copies} image copies before the cancel; what the unfinished copies staged was removed.`
    : `Created ${created.length} image cop${created.length === 1 ? "y" : "ies"}, ${present} already present, ${ordered.filter((o) => o.status === "skipped").length} skipped, ${failed.length} failed (${sourcesText(pairs)} to ${labsText(pairs)}).`;
  return {
    outcomes: ordered,
    createdImageIds: created.map((o) => o.imageId ?? ""),
    targetImageIds: ordered.filter((o) => (o.status === "created" || o.status === "present") && o.imageId).map((o) => o.imageId ?? ""),
    failed,
    warnings,
    cancelled,
    message,
  };
}

function sourcesText(pairs: readonly PlannedPair[]): string {
  const count = new Set(pairs.map((p) => p.source.id.toLowerCase())).size;
  return `${count} image${count === 1 ? "" : "s"}`;
}
function labsText(pairs: readonly PlannedPair[]): string {
  const count = new Set(pairs.map((p) => p.target.id.toLowerCase())).size;
  return `${count} lab${count === 1 ? "" : "s"}`;
}

/** Read access to one source image's disk, shared by its copies: granted on first use, revoked at the end. */
class SourceReadAccess {
  private url: Promise<string> | undefined;
  private requested = false;

  constructor(
    private readonly ctx: ImagesContext,
    private readonly services: ImageServices,
    private readonly source: SourceImage,
    private readonly durationSeconds: number,
    private readonly timeoutMs: number,
  ) {}

  /** The read SAS URL; the first caller asks Azure for it. */
  get(signal: AbortSignal): Promise<string> {
    if (!this.url) {
      const { access } = this.source;
      this.requested = true;
      const granted =
        access.kind === "snapshot"
          ? this.services.snapshots.grantRead(access.snapshot, this.durationSeconds, { signal, timeoutMs: this.timeoutMs, what: `Granting read access to the disk of image '${this.source.name}'`, resource: access.snapshot.id })
          : this.services.labs.generateUploadUri(access.lab, access.blobName, signal);
      this.url = granted.then((url) => {
        for (const secret of sasSecrets(url)) this.ctx.registerSecret(secret);
        if (access.kind === "vhd" && /^https?:/i.test(access.uri) && withoutQuery(url).toLowerCase() !== access.uri.toLowerCase()) {
          throw new AzureOperationError("Reading the source image's VHD", this.source.id, `its VHD is not in the lab's uploads container, so it cannot be read without storage account keys. Distribute an image captured from a VM instead.`, "UnsupportedSourceImage");
        }
        return url;
      });
      // A failed grant is not cached: the next copy may try again.
      this.url.catch(() => {
        this.url = undefined;
      });
    }
    return this.url;
  }

  /** Ends the snapshot's access if this run asked for it (a lab's upload SAS cannot be revoked; it expires). */
  async revoke(cancelled: boolean, signal: AbortSignal): Promise<void> {
    const { access } = this.source;
    if (!this.requested || access.kind !== "snapshot") return;
    await this.services.snapshots.revoke(access.snapshot, {
      signal,
      timeoutMs: this.timeoutMs,
      waitForCompletion: !cancelled,
      what: `Revoking read access to the disk of image '${this.source.name}'`,
      resource: access.snapshot.id,
    });
    this.ctx.log.info(`Revoked read access to the disk of image '${this.source.name}'.`);
  }
}

interface RunShared {
  limiter: Limiter;
  progress: DistributionProgress;
  options: DistributeOptions;
}

async function distributeOneImage(ctx: ImagesContext, services: ImageServices, source: SourceImage, pairs: PlannedPair[], shared: RunShared): Promise<Map<PlannedPair, PairOutcome>> {
  const { options } = shared;
  const access = new SourceReadAccess(ctx, services, source, accessDurationSeconds(pairs.length, options.maxParallel, options.timeoutMs), Math.min(options.timeoutMs, 30 * 60_000));
  const results = new Map<PlannedPair, PairOutcome>();
  const steps: Step<undefined>[] = [
    {
      name: `Read access to the disk of image '${source.name}'`,
      run: async () => undefined,
      cleanup: (_state, outcome, signal) => access.revoke(outcome.cancelled, signal),
      always: true,
    },
    {
      name: `Copy image '${source.name}' to ${pairs.length} lab${pairs.length === 1 ? "" : "s"}`,
      run: async () => {
        await Promise.all(
          pairs.map((pair) =>
            shared.limiter
              .run(() => copyToLab(ctx, services, pair, access, shared))
              .catch((error: unknown) => failedOutcome(pair, error))
              .then((result) => {
                results.set(pair, result);
              }),
          ),
        );
        // Cancelled: let the runner clean up as after a cancel (quickly).
        if (ctx.signal.aborted) throw new CancelledError(`The job was cancelled while copying image '${source.name}'.`);
      },
    },
  ];
  try {
    const report = await runSteps(steps, undefined, { signal: ctx.signal, log: ctx.log });
    attachCleanupWarnings(report.cleanupFailures, pairs, results);
  } catch (error) {
    attachCleanupWarnings(cleanupFailuresOf(error), pairs, results);
    if (!isCancellation(error)) throw error;
  }
  return results;
}

/** A revoke that failed concerns every copy of the image. */
function attachCleanupWarnings(failures: readonly { step: string; error: unknown }[], pairs: PlannedPair[], results: Map<PlannedPair, PairOutcome>): void {
  for (const failure of failures) {
    const text = `${failure.step}: cleanup failed: ${errorText(failure.error)}`;
    const first = pairs.map((pair) => results.get(pair)).find((o) => o !== undefined);
    first?.warnings.push(text);
  }
}

function failedOutcome(pair: PlannedPair, error: unknown): PairOutcome {
  const cancelled = isCancellation(error);
  return {
    image: pair.source.name,
    sourceId: pair.source.id,
    lab: pair.target.labName,
    labId: pair.target.id,
    status: "failed",
    detail: cancelled ? "cancelled" : errorText(error),
    warnings: cleanupFailuresOf(error).map((failure) => `${failure.step}: cleanup failed: ${errorText(failure.error)}`),
  };
}

function errorText(error: unknown): string {
  return neutralizeUntrustedText(error instanceof Error ? error.message : String(error), { maxLength: 1500 });
}

interface CopyState {
  uploadUrl?: string;
  imageRequested: boolean;
  created?: CustomImage;
}

/** One image to one lab: stage, copy, create; cleanups remove the staged blob always and a failed image on failure. */
async function copyToLab(ctx: ImagesContext, services: ImageServices, pair: PlannedPair, access: SourceReadAccess, shared: RunShared): Promise<PairOutcome> {
  const { source, target, action } = pair;
  const clock: LabClock = ctx.clock ?? monotonicClock;
  const started = clock.now();
  const timeoutMs = shared.options.timeoutMs;
  const remaining = () => Math.max(1, timeoutMs - (clock.now() - started));
  const image: CustomImageRef = { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, labName: target.labName, imageName: source.name };
  const imageId = customImageId(image);
  const label = `'${source.name}' → lab '${target.labName}'`;
  const key = `${source.id}|${target.id}`.toLowerCase();
  const blobName = stagingBlobName(source);
  const state: CopyState = { imageRequested: false };
  const report = (fraction: number, text: string) => shared.progress.update(key, fraction, `${label}: ${text}`);

  const steps: Step<CopyState>[] = [];
  if (action.kind === "replace") {
    steps.push({
      name: `Remove the failed copy of ${label} that an earlier run left`,
      run: async (_s, signal) => {
        await services.labs.deleteImage(image, { signal, timeoutMs: remaining(), waitForCompletion: true, what: `Deleting the failed custom image '${source.name}' in lab '${target.labName}'`, resource: imageId });
      },
    });
  }
  steps.push(
    {
      name: `Stage a VHD for ${label}`,
      run: async (s, signal) => {
        report(0.02, "staging");
        s.uploadUrl = await services.labs.generateUploadUri(target, blobName, signal);
        for (const secret of sasSecrets(s.uploadUrl)) ctx.registerSecret(secret);
      },
      cleanup: async (s, outcome, signal) => {
        if (!s.uploadUrl) return;
        const removal = await deleteStagedBlob({
          candidates: services.blobs.deletionCandidates(s.uploadUrl, target),
          signal,
          what: `Deleting the staged VHD '${blobName}' in lab '${target.labName}'`,
          resource: withoutQuery(s.uploadUrl),
          secrets: [s.uploadUrl],
        });
        if (removal.result === "deleted") {
          const text = `Deleted the staged VHD '${blobName}' in lab '${target.labName}' (with ${removal.via}).`;
          if (outcome.failed) ctx.log.info(text);
          else ctx.log.debug(text);
        }
      },
      always: true,
    },
    {
      name: `Copy the disk of ${label}`,
      run: async (s, signal) => {
        const sourceUrl = await access.get(signal);
        report(0.05, "copying");
        const copyStarted = clock.now();
        await copyBlobFromUrl({
          target: services.blobs.copyTarget(s.uploadUrl ?? ""),
          sourceUrl,
          signal,
          timeoutMs: remaining(),
          ...(ctx.pollIntervalMs !== undefined ? { pollIntervalMs: ctx.pollIntervalMs } : {}),
          clock,
          what: `Copying the disk of ${label}`,
          resource: target.id,
          secrets: [sourceUrl, s.uploadUrl ?? ""],
          onProgress: (p) => report(0.05 + 0.8 * ((p.percent ?? 0) / 100), `copying${p.percent !== undefined ? ` ${Math.floor(p.percent)}%` : ""}`),
        });
        ctx.log.info(`Copied the disk of ${label} in ${formatDuration(clock.now() - copyStarted)}.`);
      },
    },
    {
      name: `Create custom image ${label}`,
      run: async (s, signal) => {
        report(0.9, "creating the custom image");
        const body: CustomImage = {
          ...(target.location ? { location: target.location } : {}),
          tags: source.copyTags,
          vhd: { imageName: withoutQuery(s.uploadUrl ?? ""), sysPrep: source.generalized, osType: source.osType },
          ...(source.description ? { description: source.description } : {}),
        };
        s.imageRequested = true;
        s.created = await services.labs.createImage(image, body, { signal, timeoutMs: remaining(), what: `Creating custom image '${source.name}' in lab '${target.labName}'`, resource: imageId });
        const stateText = s.created?.provisioningState;
        if (stateText && stateText.toLowerCase() !== "succeeded") {
          throw new AzureOperationError(`Creating custom image '${source.name}' in lab '${target.labName}'`, imageId, `Azure reports its provisioning state as ${stateText}.`, "ProvisioningFailed");
        }
      },
      cleanup: async (s, outcome, signal) => {
        if (!s.imageRequested) return;
        const result = await services.labs.deleteImage(image, {
          signal,
          timeoutMs: 10 * 60_000,
          waitForCompletion: !outcome.cancelled,
          what: `Deleting the incomplete custom image '${source.name}' in lab '${target.labName}'`,
          resource: imageId,
        });
        if (result !== "absent") ctx.log.info(`Removed the incomplete custom image ${label}.`);
      },
    },
  );

  try {
    const run = await runSteps(steps, state, { signal: ctx.signal, log: ctx.log });
    shared.progress.update(key, 1, `${label}: created`);
    return {
      image: source.name,
      sourceId: source.id,
      lab: target.labName,
      labId: target.id,
      status: "created",
      imageId: state.created?.id ?? imageId,
      detail: action.kind === "replace" ? "replaced a failed copy" : "",
      warnings: run.cleanupFailures.map((failure) => `${failure.step}: cleanup failed: ${errorText(failure.error)}`),
    };
  } catch (error) {
    shared.progress.update(key, 1, `${label}: ${isCancellation(error) ? "cancelled" : "failed"}`);
    throw error;
  }
}

/** Progress over every copy: each one's fraction done, as one percentage. */
class DistributionProgress {
  private readonly fractions = new Map<string, number>();

  constructor(
    private readonly total: number,
    private readonly ctx: ImagesContext,
  ) {}

  update(key: string, fraction: number, text: string): void {
    this.fractions.set(key, Math.max(this.fractions.get(key) ?? 0, Math.min(1, fraction)));
    const done = [...this.fractions.values()].reduce((sum, value) => sum + value, 0);
    const finished = [...this.fractions.values()].filter((value) => value >= 1).length;
    const percent = this.total === 0 ? 100 : (100 * done) / this.total;
    this.ctx.log.progress(percent, `${text} (${finished} of ${this.total} copies finished)`);
  }
}
