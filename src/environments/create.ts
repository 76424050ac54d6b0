// Creating a DevTest Labs environment from a repository template, in the caller's name (@me). DevTest Labs makes the
// environment's resource group and deploys the template into it; the environment is ready when that deployment is.
//  - An environment of that name that exists and succeeded is kept (a re-run after success changes nothing) unless
//    the task is told to fail or to replace it; one that failed is replaced (a re-run after failure converges).
//  - An environment this run started is deleted when the run fails or is cancelled, unless kept on request, so a
//    failed run does not block the name.
import type { ArmTemplateParameterProperties, DtlEnvironment } from "@azure/arm-devtestlabs";
import type { DeploymentExtended } from "@azure/arm-resources";
import { failedDeploymentOperations, withFailedOperations } from "../azure/deployment-failures";
import { isNotFoundError, toAzureOperationError } from "../azure/errors";
import { environmentId, type EnvironmentRef } from "../azure/ids";
import { formatDuration } from "../azure/poll";
import { AzureOperationError } from "../errors";
import { type LabContext, type ResolvedLab } from "../lab";
import { isGoneError, runLabOperation } from "../lab/operation";
import { isCancellation, runSteps, type Step } from "../steps";
import { deleteEnvironment } from "./delete";
import { environmentResourceGroup, FAILED_OPERATION_LENGTH, findEnvironmentDeployment } from "./deployments";
import { environmentDetails, type EnvironmentDetails } from "./details";
import { describeEnvironment, refFromAzure, type ResolvedTemplate } from "./targets";

export const IF_EXISTS = ["reuse", "fail", "replace"] as const;
export type IfExists = (typeof IF_EXISTS)[number];

/** Tag on environments this extension creates, so people and clean-up jobs can tell. */
export const CREATED_BY_TAG = { name: "created-by", value: "dtl-image-factory" } as const;

export interface CreateEnvironmentOptions {
  lab: ResolvedLab;
  environmentName: string;
  template: ResolvedTemplate;
  /** As DevTest Labs takes them: [{name, value}] with string values. */
  parameters: ArmTemplateParameterProperties[];
  timeoutMs: number;
  ifExists: IfExists;
  /** Keep an environment whose creation failed, for troubleshooting, instead of deleting it. */
  keepFailedEnvironment: boolean;
  /** Values (passwords) that must never appear in an error, even if Azure echoes them. */
  secrets: readonly string[];
}

export interface CreateEnvironmentResult {
  environment: EnvironmentDetails;
  /** The deployment DevTest Labs made (its outputs), when it could be found. */
  deployment?: DeploymentExtended;
  /** The environment existed already and was kept; nothing was created. */
  reused: boolean;
  message: string;
}

interface CreateState {
  ref: EnvironmentRef & { id: string };
  /** This run sent the create (cleanup deletes the environment on failure). */
  started?: EnvironmentRef & { id: string };
  reused: boolean;
  created?: DtlEnvironment;
  replaced: boolean;
}

export async function createEnvironment(ctx: LabContext, options: CreateEnvironmentOptions): Promise<CreateEnvironmentResult> {
  const { lab, environmentName } = options;
  const client = ctx.clients.devTestLabs(lab.subscriptionId);
  const asked: EnvironmentRef = { subscriptionId: lab.subscriptionId, resourceGroup: lab.resourceGroup, labName: lab.labName, userId: "@me", environmentName };
  const what = describeEnvironment(asked);
  const state: CreateState = { ref: { ...asked, id: environmentId(asked) }, reused: false, replaced: false };
  const started = performance.now();

  const checkStep: Step<CreateState> = {
    name: `Check for an existing ${what}`,
    run: async (s) => {
      let existing: DtlEnvironment | undefined;
      try {
        existing = await client.environments.get(lab.resourceGroup, lab.labName, "@me", environmentName, { abortSignal: ctx.signal });
      } catch (err) {
        if (isNotFoundError(err) || isGoneError(err)) return;
        throw toAzureOperationError(err, { operation: `Reading the ${what}`, resource: s.ref.id });
      }
      const ref = refFromAzure(existing, asked);
      const provisioning = (existing.provisioningState ?? "").toLowerCase();
      if (options.ifExists === "fail") {
        throw new AzureOperationError(`Creating the ${what}`, ref.id, `it already exists (${existing.provisioningState ?? "state unknown"}). Choose another name, delete it first, or set 'if the environment exists' to reuse or replace.`, "Conflict");
      }
      if (provisioning === "creating" || provisioning === "deleting" || provisioning === "updating") {
        throw new AzureOperationError(`Creating the ${what}`, ref.id, `an environment of that name is ${existing.provisioningState} (another run may be working on it). Wait for it to finish, or choose another name.`, "Conflict");
      }
      if (provisioning === "succeeded" && options.ifExists === "reuse") {
        ctx.log.info(`The ${what} already exists and succeeded; it is kept as it is (the template and parameters are not applied again).`);
        s.ref = ref;
        s.created = existing;
        s.reused = true;
        return;
      }
      ctx.log.info(provisioning === "succeeded" ? `Replacing the existing ${what}.` : `The ${what} exists from an earlier run that ended ${existing.provisioningState ?? "in an unknown state"}; deleting it first.`);
      const deleted = await deleteEnvironment(ctx, { environment: ref, timeoutMs: options.timeoutMs, waitForCompletion: true, retries: 2 });
      ctx.log.info(deleted.message);
      s.replaced = true;
    },
  };

  const createStep: Step<CreateState> = {
    name: `Create the ${what} from the template '${options.template.displayName}'`,
    run: async (s) => {
      if (s.reused) return;
      const body: DtlEnvironment = {
        location: lab.location,
        tags: { [CREATED_BY_TAG.name]: CREATED_BY_TAG.value },
        deploymentProperties: { armTemplateId: options.template.id, parameters: options.parameters },
        armTemplateDisplayName: options.template.displayName,
      };
      s.started = s.ref;
      let created: DtlEnvironment;
      try {
        created = await runLabOperation(ctx, { what: `Creating the ${what}`, resource: s.ref.id, timeoutMs: options.timeoutMs, secrets: options.secrets }, (lro) =>
          client.environments.beginCreateOrUpdate(lab.resourceGroup, lab.labName, "@me", environmentName, body, lro),
        );
      } catch (err) {
        if (isCancellation(err) || ctx.signal.aborted) throw err;
        throw withFailedOperations(err, await deploymentFailures(ctx, lab, environmentName), { secrets: options.secrets, maxLength: FAILED_OPERATION_LENGTH });
      }
      s.created = created;
      s.ref = refFromAzure(created, asked);
      s.started = s.ref;
      const provisioning = created.provisioningState;
      if (provisioning && provisioning.toLowerCase() !== "succeeded") {
        const details = await deploymentFailures(ctx, lab, environmentName, created);
        throw withFailedOperations(new AzureOperationError(`Creating the ${what}`, s.ref.id, `Azure reports its provisioning state as ${provisioning}.`, "EnvironmentProvisioningFailed"), details, { secrets: options.secrets, maxLength: FAILED_OPERATION_LENGTH });
      }
      ctx.log.info(`The ${what} was created in ${formatDuration(performance.now() - started)}.`);
    },
    cleanup: async (s, outcome, signal) => {
      const environment = s.started;
      if (!environment || !outcome.failed) return;
      if (options.keepFailedEnvironment && !outcome.cancelled) {
        ctx.log.warn(`Kept the failed ${what} for troubleshooting (${environment.id}). Delete it when done.`);
        return;
      }
      const result = await deleteEnvironment({ ...ctx, signal }, { environment, timeoutMs: 10 * 60_000, waitForCompletion: !outcome.cancelled, retries: outcome.cancelled ? 0 : 2 });
      ctx.log.info(`Clean-up: ${result.message}`);
    },
  };

  await runSteps([checkStep, createStep], state, { signal: ctx.signal, log: ctx.log });
  const created = state.created;
  if (!created) throw new Error("The environment creation ended without a result.");
  const details = environmentDetails(created, state.ref);
  const deployment = details.resourceGroupId ? await findEnvironmentDeployment(ctx, environmentResourceGroup(details.resourceGroupId, state.ref.id), environmentName) : undefined;
  const message = state.reused
    ? `The ${what} already existed; nothing changed.`
    : `${state.replaced ? "Replaced" : "Created"} the ${what} (resource group '${details.resourceGroupName ?? "?"}').`;
  return { environment: details, deployment, reused: state.reused, message };
}

/** The failed operations of the environment's deployment, when its resource group is known. */
async function deploymentFailures(ctx: LabContext, lab: ResolvedLab, environmentName: string, environment?: DtlEnvironment): Promise<string[]> {
  try {
    const current = environment ?? (await ctx.clients.devTestLabs(lab.subscriptionId).environments.get(lab.resourceGroup, lab.labName, "@me", environmentName, { abortSignal: ctx.signal }));
    if (!current.resourceGroupId) return [];
    const group = environmentResourceGroup(current.resourceGroupId, environmentName);
    const deployment = await findEnvironmentDeployment(ctx, group, environmentName);
    return deployment?.name ? await failedDeploymentOperations(ctx.clients, { ...group, name: deployment.name }, ctx.signal) : [];
  } catch {
    return [];
  }
}
