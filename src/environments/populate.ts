// Populating an environment: deploying a template into its resource group (incremental: what is there stays). When
// the template links other files through `_artifactsLocation`, its folder is staged in the lab's storage first
// (staging.ts) and removed afterwards whatever happens; a deployment still running when the run fails or is
// cancelled is cancelled. The main template goes inline (not as a templateLink), so its SAS never appears in the
// deployment's history: templates must find their linked files through `_artifactsLocation`, the convention DevTest
// Labs and the quickstart templates use, not through deployment().properties.templateLink.
import { readFileSync } from "node:fs";
import type { DeploymentExtended } from "@azure/arm-resources";
import { failedDeploymentOperations, withFailedOperations } from "../azure/deployment-failures";
import type { ResourceGroupRef } from "../azure/ids";
import { formatDuration } from "../azure/poll";
import { AzureOperationError } from "../errors";
import type { LabContext } from "../lab";
import { runLabOperation } from "../lab/operation";
import type { JsonValue } from "../params";
import { isCancellation, runSteps, type Step } from "../steps";
import { CREATED_BY_TAG } from "./create";
import { environmentResourceGroup, FAILED_OPERATION_LENGTH } from "./deployments";
import { environmentDetails, type EnvironmentDetails } from "./details";
import { ARTIFACTS_LOCATION, ARTIFACTS_LOCATION_SAS_TOKEN, type PreparedParameters } from "./parameters";
import { artifactsLocationFor, sasValidity, stagingContainerName, type StagedFile, type StagingStore } from "./staging";
import { describeEnvironment, type FoundEnvironment } from "./targets";

export interface PopulateStaging {
  files: StagedFile[];
  /** Opens the lab's storage (called when the staging step runs, not before). */
  openStore(): Promise<StagingStore>;
  /** The template's text, to tell how it combines `_artifactsLocation`. */
  templateText: string;
  /** Names the container (tests fix it). */
  containerName?: string;
}

export interface PopulateEnvironmentOptions {
  environment: FoundEnvironment;
  template: Record<string, unknown>;
  /** The template file's name, for messages. */
  templateName: string;
  /** Merges the parameters with values the task sets (the staging location and SAS); see parameters.ts. */
  prepareParameters(set: Record<string, JsonValue>): PreparedParameters;
  /** Undefined: nothing is staged. */
  staging?: PopulateStaging;
  deploymentName: string;
  timeoutMs: number;
  /** Values (passwords) that must never appear in an error. */
  secrets: readonly string[];
  /** Registers a value with the agent as a secret (the SAS, at once). */
  registerSecret(value: string): void;
}

export interface PopulateEnvironmentResult {
  environment: EnvironmentDetails;
  group: ResourceGroupRef;
  deployment: DeploymentExtended;
  stagedFiles: number;
  /** The staged files could not all be removed (said in the message). */
  withIssues: boolean;
  message: string;
}

interface PopulateState {
  group: ResourceGroupRef;
  store?: StagingStore;
  container?: string;
  /** Blobs written so far (cleanup removes exactly these, then the container). */
  uploaded: string[];
  containerCreated: boolean;
  set: Record<string, JsonValue>;
  secrets: string[];
  deploymentStarted: boolean;
  deploymentFinished: boolean;
  deployment?: DeploymentExtended;
}

const UPLOAD_CONCURRENCY = 8;

export async function populateEnvironment(ctx: LabContext, options: PopulateEnvironmentOptions): Promise<PopulateEnvironmentResult> {
  const { environment } = options;
  const what = describeEnvironment(environment);
  if (!environment.environment) throw new AzureOperationError(`Populating the ${what}`, environment.id, "it does not exist. Create it first, or check the id.", "NotFound");
  const provisioning = (environment.environment.provisioningState ?? "").toLowerCase();
  if (provisioning === "creating" || provisioning === "deleting") {
    throw new AzureOperationError(`Populating the ${what}`, environment.id, `it is ${environment.environment.provisioningState}. Wait until it has finished, then run this task again.`, "Conflict");
  }
  const group = environmentResourceGroup(environment.environment.resourceGroupId, environment.id);
  const state: PopulateState = { group, uploaded: [], containerCreated: false, set: {}, secrets: [...options.secrets], deploymentStarted: false, deploymentFinished: false };
  const steps: Step<PopulateState>[] = [];

  const staging = options.staging;
  if (staging) {
    steps.push({
      name: `Stage ${staging.files.length} file(s) of the template's folder in the lab's storage`,
      always: true,
      run: async (s, signal) => {
        const store = await staging.openStore();
        const container = staging.containerName ?? stagingContainerName();
        s.store = store;
        s.container = container;
        // Marked before the request: a create that is cancelled or times out in flight may still have made it.
        s.containerCreated = true;
        try {
          await store.createContainer(container, signal);
        } catch (err) {
          // Only a container that was there before this run is not ours to remove.
          if (err instanceof AzureOperationError && err.code === "ContainerAlreadyExists") s.containerCreated = false;
          throw err;
        }
        await forEachLimited(staging.files, UPLOAD_CONCURRENCY, async (file) => {
          // Recorded before the upload: a cancelled upload may still have written the blob.
          s.uploaded.push(file.relativePath);
          await store.upload(container, file.relativePath, readFileSync(file.absolutePath), signal);
        });
        const sas = await store.readOnlySas(container, sasValidity(new Date(), options.timeoutMs), signal);
        const token = `?${sas}`;
        // Registered before anything could print it.
        options.registerSecret(token);
        options.registerSecret(sas);
        s.secrets.push(token, sas);
        s.set = { [ARTIFACTS_LOCATION]: artifactsLocationFor(store.containerUrl(container), staging.templateText), [ARTIFACTS_LOCATION_SAS_TOKEN]: token };
        ctx.log.info(`Staged ${staging.files.length} file(s) in the container '${container}' of the storage account '${store.accountName}' (read-only SAS, HTTPS only, until ${sasValidity(new Date(), options.timeoutMs).expiresOn.toISOString()}).`);
      },
      cleanup: async (s, outcome, signal) => {
        const store = s.store;
        const container = s.container;
        if (!store || !container) return;
        if (outcome.cancelled && s.containerCreated) {
          // The agent kills the task seconds after a cancel: one request removes the container with every blob in
          // it (and what the SAS could read), where deleting up to hundreds of blobs one by one may not finish.
          await store.deleteContainer(container, signal);
          ctx.log.info(`Removed the staging container '${container}' and the ${s.uploaded.length} file(s) staged in it.`);
          return;
        }
        const failures: string[] = [];
        await forEachLimited([...s.uploaded], UPLOAD_CONCURRENCY, async (blob) => {
          try {
            await store.deleteBlob(container, blob, signal);
          } catch (err) {
            failures.push(`${blob}: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
        if (failures.length > 0) throw new Error(`${failures.length} staged file(s) in the container '${container}' could not be removed (${failures.slice(0, 3).join("; ")}). Delete the container by hand.`);
        if (s.containerCreated) await store.deleteContainer(container, signal);
        ctx.log.info(`Removed the ${s.uploaded.length} staged file(s) and the container '${container}'.`);
      },
    });
  }

  steps.push({
    name: `Deploy ${options.templateName} into the ${what} (resource group '${group.resourceGroup}')`,
    run: async (s) => {
      const prepared = options.prepareParameters(s.set);
      const secrets = [...s.secrets, ...prepared.secretValues];
      for (const warning of prepared.warnings) ctx.log.warn(warning);
      const resources = ctx.clients.resources(group.subscriptionId);
      const started = performance.now();
      s.deploymentStarted = true;
      let deployment: DeploymentExtended;
      try {
        deployment = await runLabOperation(
          ctx,
          { what: `Deploying ${options.templateName} into the ${what}`, resource: `deployment '${options.deploymentName}' in resource group '${group.resourceGroup}'`, timeoutMs: options.timeoutMs, secrets },
          (lro) =>
            resources.deployments.beginCreateOrUpdate(
              group.resourceGroup,
              options.deploymentName,
              { properties: { mode: "Incremental", template: options.template, parameters: prepared.parameters }, tags: { [CREATED_BY_TAG.name]: CREATED_BY_TAG.value } },
              lro,
            ),
        );
      } catch (err) {
        if (isCancellation(err) || ctx.signal.aborted) throw err;
        s.deploymentFinished = true;
        throw withFailedOperations(err, await failedDeploymentOperations(ctx.clients, { ...group, name: options.deploymentName }, ctx.signal), { secrets, maxLength: FAILED_OPERATION_LENGTH });
      }
      s.deploymentFinished = true;
      s.deployment = deployment;
      const state = deployment.properties?.provisioningState;
      if (state && state.toLowerCase() !== "succeeded") {
        throw withFailedOperations(
          new AzureOperationError(`Deploying ${options.templateName} into the ${what}`, options.deploymentName, `the deployment ended ${state}.`, "DeploymentFailed"),
          await failedDeploymentOperations(ctx.clients, { ...group, name: options.deploymentName }, ctx.signal),
          { secrets, maxLength: FAILED_OPERATION_LENGTH },
        );
      }
      ctx.log.info(`The deployment '${options.deploymentName}' succeeded in ${formatDuration(performance.now() - started)}.`);
    },
    cleanup: async (s, outcome, signal) => {
      if (!outcome.failed || !s.deploymentStarted || s.deploymentFinished) return;
      // Still running (cancel or timeout): stop it, so it does not go on with files that are about to be removed.
      try {
        await ctx.clients.resources(group.subscriptionId).deployments.cancel(group.resourceGroup, options.deploymentName, { abortSignal: signal });
        ctx.log.info(`Clean-up: cancelled the deployment '${options.deploymentName}'.`);
      } catch {
        // Only a running deployment can be cancelled; one that ended meanwhile answers 409, which is fine.
        ctx.log.info(`Clean-up: the deployment '${options.deploymentName}' could not be cancelled (it had already ended, or Azure did not answer in time).`);
      }
    },
  });

  const report = await runSteps(steps, state, { signal: ctx.signal, log: ctx.log });
  const deployment = state.deployment;
  if (!deployment) throw new Error("The deployment ended without a result.");
  const details = environmentDetails(environment.environment, environment);
  const leftovers = report.cleanupFailures.length > 0;
  const stagedNote = !staging ? "" : leftovers ? `; the staged files could not all be removed from the container '${state.container ?? "?"}' (see the warning)` : `; the ${staging.files.length} staged file(s) were removed`;
  return {
    environment: details,
    group,
    deployment,
    stagedFiles: staging?.files.length ?? 0,
    withIssues: leftovers,
    message: `Deployed ${options.templateName} into the ${what} as '${options.deploymentName}'${stagedNote}.`,
  };
}

/** Runs `work` for every item with at most `limit` at a time; the first error stops new work and is thrown. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** "populate-20261121-085712-a3f0": unique per run, at most 64 characters. */
export function populateDeploymentName(now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "").replace("T", "-");
  return `populate-${stamp}-${Math.floor(random() * 0x10000).toString(16).padStart(4, "0")}`;
}
