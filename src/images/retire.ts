// Retiring old custom images: in each lab, the images retention.ts selects are deleted (with bounded parallelism);
// in dry-run mode they are only listed. Reading the labs and their images comes before any delete, so a lab that
// does not exist fails the task before anything is deleted anywhere.
import type { CustomImage } from "@azure/arm-devtestlabs";
import { customImageId, type CustomImageRef, type LabRef } from "../azure/ids";
import { neutralizeUntrustedText } from "../azure/untrusted-text";
import { isCancellation } from "../steps/cancelled";
import type { ImagesContext } from "./context";
import { readTargetLab } from "./lab-access";
import { createLimiter } from "./parallel";
import { selectForRetirement, type RetentionDecision, type RetentionPolicy } from "./retention";
import { azureImageServices, type ImageServices } from "./services";

export interface RetireLab extends LabRef {
  id: string;
  /** The input that named it, for errors. */
  input: string;
}

export interface RetireOptions {
  labs: readonly RetireLab[];
  policy: Omit<RetentionPolicy, "now">;
  dryRun: boolean;
  maxParallel: number;
  /** For one delete. */
  timeoutMs: number;
  /** Default: now. */
  now?: Date;
  services?: ImageServices;
}

export interface RetiredImage {
  id: string;
  name: string;
  lab: string;
  family?: string;
  explanation: string;
}

export interface LabRetirement {
  lab: RetireLab;
  decisions: RetentionDecision[];
  deleted: RetiredImage[];
  failed: (RetiredImage & { error: string })[];
}

export interface RetireResult {
  labs: LabRetirement[];
  /** What the policy selected (in a dry run: what would be deleted). */
  selectedImageIds: string[];
  deletedImageIds: string[];
  failed: (RetiredImage & { error: string })[];
  dryRun: boolean;
  cancelled: boolean;
  message: string;
}

export async function retireImages(ctx: ImagesContext, options: RetireOptions): Promise<RetireResult> {
  const services = options.services ?? azureImageServices(ctx);
  const now = options.now ?? new Date();
  const policy: RetentionPolicy = { ...options.policy, now };

  // Read every lab first: a missing lab is an input error before anything is deleted.
  const plans: { lab: RetireLab; images: CustomImage[] }[] = [];
  for (const lab of options.labs) {
    await readTargetLab(ctx, services, lab);
    plans.push({ lab, images: await services.labs.listImages(lab, ctx.signal) });
  }

  const results: LabRetirement[] = plans.map(({ lab, images }) => {
    const decisions = selectForRetirement(
      images.map((image) => ({
        id: image.id ?? customImageId({ ...lab, imageName: image.name ?? "" }),
        name: image.name ?? "",
        ...(image.tags ? { tags: image.tags } : {}),
        ...(image.creationDate ? { creationDate: image.creationDate } : {}),
        ...(image.provisioningState ? { provisioningState: image.provisioningState } : {}),
      })),
      policy,
    );
    logDecisions(ctx, lab, decisions, options.dryRun);
    return { lab, decisions, deleted: [], failed: [] };
  });

  const selected = results.flatMap((result) => result.decisions.filter((d) => d.action === "delete").map((decision) => ({ result, decision })));
  if (!options.dryRun && selected.length > 0) {
    const limiter = createLimiter(options.maxParallel, ctx.signal);
    await Promise.all(
      selected.map(({ result, decision }) => {
        const retired = retiredImage(result.lab, decision);
        const ref: CustomImageRef = { ...result.lab, imageName: decision.image.name };
        return limiter
          .run(async () => {
            ctx.log.info(`Deleting custom image '${decision.image.name}' in lab '${result.lab.labName}': ${decision.explanation}.`);
            const outcome = await services.labs.deleteImage(ref, {
              signal: ctx.signal,
              timeoutMs: options.timeoutMs,
              waitForCompletion: true,
              what: `Deleting custom image '${decision.image.name}' in lab '${result.lab.labName}'`,
              resource: decision.image.id,
            });
            // Gone already (deleted meanwhile) counts as retired.
            result.deleted.push(retired);
            if (outcome === "absent") ctx.log.info(`Custom image '${decision.image.name}' in lab '${result.lab.labName}' was already gone.`);
          })
          .catch((error: unknown) => {
            result.failed.push({ ...retired, error: isCancellation(error) ? "cancelled" : neutralizeUntrustedText(error instanceof Error ? error.message : String(error), { maxLength: 1500 }) });
          });
      }),
    );
  }

  const deleted = results.flatMap((r) => r.deleted);
  const failed = results.flatMap((r) => r.failed);
  const cancelled = ctx.signal.aborted;
  const kept = results.reduce((sum, r) => sum + r.decisions.filter((d) => d.action === "keep").length, 0);
  const labsText = `${results.length} lab${results.length === 1 ? "" : "s"}`;
  const message = options.dryRun
    ? `Dry run: would delete ${selected.length} custom image${selected.length === 1 ? "" : "s"} and keep ${kept} in ${labsText}; nothing was changed.`
    : cancelled
      ? `Cancelled: deleted ${deleted.length} of ${selected.length} selected custom images in ${labsText}.`
      : `Deleted ${deleted.length} custom image${deleted.length === 1 ? "" : "s"}, kept ${kept}${failed.length > 0 ? `, ${failed.length} could not be deleted` : ""} in ${labsText}.`;
  return {
    labs: results,
    selectedImageIds: selected.map(({ decision }) => decision.image.id),
    deletedImageIds: deleted.map((image) => image.id),
    failed,
    dryRun: options.dryRun,
    cancelled,
    message,
  };
}

function retiredImage(lab: RetireLab, decision: RetentionDecision): RetiredImage {
  return { id: decision.image.id, name: decision.image.name, lab: lab.labName, ...(decision.family !== undefined ? { family: decision.family } : {}), explanation: decision.explanation };
}

function logDecisions(ctx: ImagesContext, lab: RetireLab, decisions: readonly RetentionDecision[], dryRun: boolean): void {
  const deleting = decisions.filter((d) => d.action === "delete");
  ctx.log.info(`Lab '${lab.labName}': ${decisions.length} custom image${decisions.length === 1 ? "" : "s"}, ${deleting.length} to ${dryRun ? "delete (dry run: nothing is deleted)" : "delete"}.`);
  for (const decision of decisions) {
    const verb = decision.action === "delete" ? (dryRun ? "would delete" : "delete") : "keep";
    const family = decision.family ? ` [${decision.family}]` : "";
    ctx.log.info(`  ${verb.padEnd(12)} ${decision.image.name}${family}: ${decision.explanation}`);
  }
}
