// Creating a lab VM, from an ARM template (a resource-group deployment) or from simple inputs (a direct PUT), then
// waiting for its artifacts. Both share the same frame:
//  - a VM of that name that exists already and succeeded is kept as it is (a re-run after success changes nothing);
//    one that failed is replaced when failed VMs may be deleted;
//  - retryable failures are retried with exponential backoff, optionally deleting the failed VM and deployment
//    first and optionally naming each attempt <name>-<n>;
//  - everything this run created is deleted when the run finally fails or is cancelled (unless kept on request).
import type { LabVirtualMachine, LabVirtualMachineCreationParameter } from "@azure/arm-devtestlabs";
import type { DeploymentExtended } from "@azure/arm-resources";
import { failedDeploymentOperations, withFailedOperations } from "../azure/deployment-failures";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import { labVmId, parseLabVmId, sameResourceId, type LabVmRef } from "../azure/ids";
import { validateDeploymentName, validateLabVmName, type OsType } from "../azure/names";
import { formatDuration } from "../azure/poll";
import { AzureOperationError } from "../errors";
import { CancelledError, isCancellation, runSteps, type Step } from "../steps";
import { describeArtifactResults, evaluateArtifacts, type ArtifactResult } from "./artifacts";
import { clockOf, Deadline, type LabContext } from "./context";
import { describeVm, type ResolvedLab } from "./lab";
import { isGoneError, requestDelete, runLabOperation } from "./operation";
import { isRetryableFailure, retryDelayMs, vmNameForAttempt, type RetryPolicy } from "./retry";
import { withVmName, type PreparedTemplateDeployment } from "./template";
import { deleteLabVm } from "./vm-delete";
import { buildLabVmBody, CREATED_BY_TAG, type LabVmSpec } from "./vm-spec";
import { findLabVm, labVmDetails, waitForArtifacts, type LabVmDetails } from "./vm-wait";

export interface CreateLabVmOptions {
  lab: ResolvedLab;
  /** Bounds each attempt's wait for Azure to create the VM. */
  timeoutMs: number;
  /** Bounds each attempt's wait for the artifacts after the VM exists. */
  artifactWaitMs: number;
  failOnArtifactError: boolean;
  retry: RetryPolicy;
  /** Keep a VM (and deployment) that failed, for troubleshooting, instead of deleting it when the task fails. */
  keepFailedVm: boolean;
  /** The OS when known: Windows names are limited to 15 characters. */
  osType?: OsType;
  /** The input the VM name came from, for name errors. */
  vmNameInput: string;
  /** Secret values (passwords, keys) that must never appear in an error. */
  secrets?: readonly string[];
}

export interface CreateLabVmFromTemplateOptions extends CreateLabVmOptions {
  deployment: PreparedTemplateDeployment;
  /** The template file's name, for messages. */
  templateName: string;
}

export interface CreateLabVmFromInputsOptions extends CreateLabVmOptions {
  vmName: string;
  spec: LabVmSpec;
  /** The formula's VM content, when creating from a formula (read beforehand). */
  formula?: LabVirtualMachineCreationParameter;
}

export interface CreateLabVmResult {
  vm: LabVmDetails;
  attempts: number;
  /** The VM existed already (succeeded); nothing was created. */
  reused: boolean;
  artifactResults: ArtifactResult[];
  /** Artifacts failed but the task was told not to fail for it. */
  withIssues: boolean;
  message: string;
}

interface DeploymentRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  finished: boolean;
}

interface CreateState {
  /** VMs this run sent a create for (cleanup deletes them on failure). */
  createdVms: (LabVmRef & { id: string })[];
  /** Deployments this run started. */
  deployments: DeploymentRef[];
  reused: boolean;
  attempts: number;
  final?: { ref: LabVmRef & { id: string }; vm: LabVirtualMachine; artifactResults: ArtifactResult[]; artifactFailures: number };
}

/** One attempt: create the VM named `vmName` and resolve with its id once Azure reports it created. */
type CreateAttempt = (vmName: string, attempt: number, state: CreateState) => Promise<LabVmRef & { id: string }>;

function vmRef(lab: ResolvedLab, vmName: string): LabVmRef & { id: string } {
  const ref: LabVmRef = { subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, labName: lab.labName, vmName };
  return { ...ref, id: labVmId(ref) };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function createLabVm(ctx: LabContext, options: CreateLabVmOptions, baseName: string, createAttempt: CreateAttempt): Promise<CreateLabVmResult> {
  const { lab, retry } = options;
  const totalAttempts = 1 + retry.retries;
  validateLabVmName(baseName, { input: options.vmNameInput, osType: options.osType });
  const state: CreateState = { createdVms: [], deployments: [], reused: false, attempts: 0 };
  const base = vmRef(lab, baseName);

  const createStep: Step<CreateState> = {
    name: `Create the ${describeVm(base)}`,
    run: async (s) => {
      const existing = await findLabVm(ctx, base);
      if (existing) {
        const provisioning = (existing.provisioningState ?? "").toLowerCase();
        const earlier = evaluateArtifacts(existing);
        const artifactsFailed = earlier.final && earlier.failed.length > 0 && options.failOnArtifactError;
        if (provisioning === "succeeded" && artifactsFailed && retry.deleteFailedVm) {
          // An earlier run left a VM whose artifacts failed: replace it, or re-runs would fail on it forever.
          ctx.log.info(`The ${describeVm(base)} exists from an earlier run whose artifacts failed (${describeArtifactResults(earlier.failed).join("; ")}); deleting it first.`);
          await deleteLabVm(ctx, { vm: base, timeoutMs: options.timeoutMs, waitForCompletion: true });
        } else if (provisioning === "succeeded") {
          ctx.log.info(`The ${describeVm(base)} already exists and is ready; it is left as it is.`);
          s.reused = true;
          const { vm, evaluation } = await waitForArtifacts(ctx, { vm: base, timeoutMs: options.artifactWaitMs, failOnArtifactError: options.failOnArtifactError });
          s.final = { ref: base, vm, artifactResults: evaluation.results, artifactFailures: evaluation.failed.length };
          return;
        } else if (provisioning === "failed" && retry.deleteFailedVm) {
          ctx.log.info(`The ${describeVm(base)} exists from an earlier run that failed; deleting it first.`);
          await deleteLabVm(ctx, { vm: base, timeoutMs: options.timeoutMs, waitForCompletion: true });
        } else if (provisioning === "failed") {
          throw new AzureOperationError(`Creating the ${describeVm(base)}`, base.id, "a VM of that name exists from an earlier run and is in the Failed state. Delete it, or allow deleting failed VMs before a retry.", "Conflict");
        } else {
          throw new AzureOperationError(`Creating the ${describeVm(base)}`, base.id, `a VM of that name exists and is ${existing.provisioningState ?? "in an unknown state"} (another run may be creating or deleting it). Wait for it to finish, or choose another name.`, "Conflict");
        }
      }

      for (let attempt = 1; ; attempt++) {
        s.attempts = attempt;
        const name = vmNameForAttempt(baseName, attempt, { append: retry.appendAttemptToVmName, osType: options.osType });
        if (name !== baseName) validateLabVmName(name, { input: options.vmNameInput, osType: options.osType });
        if (totalAttempts > 1) ctx.log.info(`Attempt ${attempt} of ${totalAttempts}: creating the ${describeVm(vmRef(lab, name))}.`);
        let created: (LabVmRef & { id: string }) | undefined;
        try {
          created = await createAttempt(name, attempt, s);
          const { vm, evaluation } = await waitForArtifacts(ctx, { vm: created, timeoutMs: options.artifactWaitMs, failOnArtifactError: options.failOnArtifactError });
          s.final = { ref: created, vm, artifactResults: evaluation.results, artifactFailures: evaluation.failed.length };
          return;
        } catch (err) {
          if (isCancellation(err) || ctx.signal.aborted) throw err;
          if (attempt >= totalAttempts || !isRetryableFailure(err)) {
            if (attempt > 1) ctx.log.info(`Giving up after ${attempt} attempt(s).`);
            throw err;
          }
          const delay = retryDelayMs(retry, attempt + 1);
          ctx.log.warn(`Attempt ${attempt} of ${totalAttempts} failed: ${errorText(err)}`);
          const failed = created ?? vmRef(lab, name);
          if (retry.deleteFailedVm) {
            const result = await deleteLabVm(ctx, { vm: failed, timeoutMs: options.timeoutMs, waitForCompletion: true });
            ctx.log.info(result.message);
            s.createdVms = s.createdVms.filter((v) => !sameResourceId(v.id, failed.id));
          }
          if (retry.deleteFailedDeployment) {
            for (const deployment of s.deployments.filter((d) => d.finished)) await deleteDeployment(ctx, deployment, { wait: true });
            s.deployments = s.deployments.filter((d) => !d.finished);
          }
          ctx.log.info(`Retrying in ${formatDuration(delay)}.`);
          try {
            await clockOf(ctx).sleep(delay, ctx.signal);
          } catch (sleepError) {
            throw new CancelledError("The job was cancelled while waiting to retry the VM creation.", { cause: sleepError });
          }
        }
      }
    },
    cleanup: async (s, outcome, signal) => {
      const cleanupCtx: LabContext = { ...ctx, signal };
      if (options.keepFailedVm && !outcome.cancelled) {
        for (const vm of s.createdVms) ctx.log.warn(`Kept the failed ${describeVm(vm)} for troubleshooting (${vm.id}). Delete it when done.`);
        return;
      }
      // A deployment still running would go on creating the VM after it was deleted: cancel it first.
      for (const deployment of s.deployments.filter((d) => !d.finished)) await cancelDeployment(cleanupCtx, deployment);
      await Promise.all(
        s.createdVms.map(async (vm) => {
          const result = await deleteLabVm(cleanupCtx, { vm, timeoutMs: 10 * 60_000, waitForCompletion: !outcome.cancelled });
          ctx.log.info(result.deleted ? `Clean-up: ${result.message}` : `Clean-up: the ${describeVm(vm)} was not created.`);
        }),
      );
      for (const deployment of s.deployments) await deleteDeployment(cleanupCtx, deployment, { wait: !outcome.cancelled });
    },
  };

  await runSteps([createStep], state, { signal: ctx.signal, log: ctx.log });
  const final = state.final;
  if (!final) throw new Error("The lab VM creation ended without a result.");
  const details = labVmDetails(final.vm, final.ref);
  const artifactsNote = final.artifactResults.length > 0 ? `; ${final.artifactResults.length - final.artifactFailures} of ${final.artifactResults.length} artifact(s) installed` : "";
  const message = state.reused
    ? `The ${describeVm(final.ref)} already existed; nothing changed${artifactsNote}.`
    : `Created the ${describeVm(final.ref)}${state.attempts > 1 ? ` on attempt ${state.attempts}` : ""}${artifactsNote}.`;
  return {
    vm: details,
    attempts: state.attempts,
    reused: state.reused,
    artifactResults: final.artifactResults,
    withIssues: final.artifactFailures > 0,
    message,
  };
}

// ---------------------------------------------------------------- from inputs

export async function createLabVmFromInputs(ctx: LabContext, options: CreateLabVmFromInputsOptions): Promise<CreateLabVmResult> {
  const { lab } = options;
  const client = ctx.clients.devTestLabs(lab.subscriptionId);
  return createLabVm(ctx, options, options.vmName, async (name, _attempt, state) => {
    const ref = vmRef(lab, name);
    const body = buildLabVmBody(options.spec, { location: lab.location, formula: options.formula });
    state.createdVms.push(ref);
    const created = await runLabOperation(ctx, { what: `Creating the ${describeVm(ref)}`, resource: ref.id, timeoutMs: options.timeoutMs, secrets: options.secrets }, (lro) =>
      client.virtualMachines.beginCreateOrUpdate(lab.resourceGroup, lab.labName, name, body, lro),
    );
    const provisioning = created?.provisioningState;
    if (provisioning && provisioning.toLowerCase() !== "succeeded") {
      throw new AzureOperationError(`Creating the ${describeVm(ref)}`, ref.id, `Azure reports its provisioning state as ${provisioning}.`, "VmProvisioningFailed");
    }
    ctx.log.info(`The ${describeVm(ref)} exists.`);
    return ref;
  });
}

// ---------------------------------------------------------------- from an ARM template

/** A deployment name unique to this attempt: "<vm>-<utc time>-<random>", at most 64 characters. */
export function deploymentNameFor(vmName: string, now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "").replace("T", "-");
  const suffix = Math.floor(random() * 0x10000).toString(16).padStart(4, "0");
  return `${vmName.slice(0, 40)}-${stamp}-${suffix}`;
}

/** The lab VM a finished deployment created: from its output resources, its outputs, or the expected name. */
export function createdVmIdOf(deployment: DeploymentExtended | undefined, lab: ResolvedLab, expectedName: string): LabVmRef & { id: string } {
  const candidates: string[] = [];
  for (const resource of deployment?.properties?.outputResources ?? []) if (resource.id) candidates.push(resource.id);
  for (const output of Object.values(deployment?.properties?.outputs ?? {})) {
    const value = (output as { value?: unknown } | undefined)?.value;
    if (typeof value === "string") candidates.push(value);
  }
  for (const candidate of candidates) {
    if (!/\/providers\/microsoft\.devtestlab\/labs\/[^/]+\/virtualmachines\/[^/]+\/?$/i.test(candidate)) continue;
    try {
      const ref = parseLabVmId(candidate, "template");
      if (ref.labName.toLowerCase() === lab.labName.toLowerCase() && ref.resourceGroup.toLowerCase() === lab.resourceGroup.toLowerCase()) return { ...ref, id: labVmId(ref) };
    } catch {
      // Not a lab VM id after all; try the next.
    }
  }
  return vmRef(lab, expectedName);
}

async function cancelDeployment(ctx: LabContext, deployment: DeploymentRef): Promise<void> {
  try {
    await ctx.clients.resources(deployment.subscriptionId).deployments.cancel(deployment.resourceGroup, deployment.name, { abortSignal: ctx.signal });
    ctx.log.info(`Clean-up: cancelled the deployment '${deployment.name}'.`);
  } catch {
    // Only a running deployment can be cancelled; one that already ended answers 409, which is fine here.
  }
}

async function deleteDeployment(ctx: LabContext, deployment: DeploymentRef, options: { wait: boolean }): Promise<void> {
  const client = ctx.clients.resources(deployment.subscriptionId);
  try {
    if (options.wait) {
      await runLabOperation(ctx, { what: `Deleting the deployment '${deployment.name}'`, resource: `deployment '${deployment.name}' in resource group '${deployment.resourceGroup}'`, timeoutMs: 10 * 60_000 }, (lro) =>
        client.deployments.beginDelete(deployment.resourceGroup, deployment.name, lro),
      );
    } else {
      const id = `/subscriptions/${deployment.subscriptionId}/resourceGroups/${deployment.resourceGroup}/providers/Microsoft.Resources/deployments/${deployment.name}`;
      await requestDelete(ctx, { client, resourceId: id, what: `Deleting the deployment '${deployment.name}'` });
    }
    ctx.log.info(`Deleted the deployment '${deployment.name}'.`);
  } catch (err) {
    if (isNotFoundError(err) || isGoneError(err)) return;
    throw toAzureOperationError(err, { operation: "Deleting the deployment", resource: deployment.name });
  }
}

export async function createLabVmFromTemplate(ctx: LabContext, options: CreateLabVmFromTemplateOptions): Promise<CreateLabVmResult> {
  const { lab } = options;
  const resources = ctx.clients.resources(lab.subscriptionId);
  const secrets = [...(options.secrets ?? []), ...options.deployment.secretValues];
  return createLabVm(ctx, { ...options, secrets }, options.deployment.vmName, async (name, _attempt, state) => {
    const prepared = withVmName(options.deployment, name);
    const deploymentName = validateDeploymentName(deploymentNameFor(name), { input: options.vmNameInput });
    const deployment: DeploymentRef = { subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, name: deploymentName, finished: false };
    const expected = vmRef(lab, name);
    state.deployments.push(deployment);
    state.createdVms.push(expected);
    ctx.log.info(`Deploying ${options.templateName} to resource group '${lab.resourceGroup}' as '${deploymentName}'.`);
    const started = performance.now();
    const deadline = new Deadline(options.timeoutMs, clockOf(ctx));
    let result: DeploymentExtended;
    try {
      result = await runLabOperation(
        ctx,
        { what: `Deploying ${options.templateName} for the ${describeVm(expected)}`, resource: `deployment '${deploymentName}' in resource group '${lab.resourceGroup}'`, timeoutMs: deadline.remainingMs(), secrets },
        (lro) =>
          resources.deployments.beginCreateOrUpdate(
            lab.resourceGroup,
            deploymentName,
            { properties: { mode: "Incremental", template: prepared.template, parameters: prepared.parameters }, tags: { [CREATED_BY_TAG.name]: CREATED_BY_TAG.value } },
            lro,
          ),
      );
    } catch (err) {
      if (isCancellation(err) || ctx.signal.aborted) throw err;
      deployment.finished = true;
      throw withFailedOperations(err, await failedDeploymentOperations(ctx.clients, deployment, ctx.signal), { secrets });
    }
    deployment.finished = true;
    const created = createdVmIdOf(result, lab, name);
    if (!sameResourceId(created.id, expected.id)) {
      // The template named the VM differently than expected: track the VM it really created.
      state.createdVms = state.createdVms.filter((v) => !sameResourceId(v.id, expected.id));
      state.createdVms.push(created);
    }
    ctx.log.info(`The deployment '${deploymentName}' succeeded in ${formatDuration(performance.now() - started)}.`);
    return created;
  });
}
