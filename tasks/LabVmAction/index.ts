// LabVmAction: start, stop, restart, claim a lab VM, or apply artifacts to it and check their results.
import {
  ARTIFACTS_JSON_FORM,
  checkVmTarget,
  LAB_VM_ACTIONS,
  parseArtifactRequests,
  resolveLabVm,
  runLabVmAction,
  secretArtifactValues,
  type LabContext,
} from "../../src/lab";
import { InputError } from "../../src/errors";
import { connectToAzure, pollIntervalMsInput, timeoutMsInput } from "../../src/pipeline/azure";
import { runTask } from "../../src/pipeline/run";
import manifest from "./task.json";

void runTask(manifest, async (ctx) => {
  const target = ctx.inputs.idOrLabAndName("vmId", "vmName");
  checkVmTarget(target);
  const action = ctx.inputs.choice("action", LAB_VM_ACTIONS);
  const artifacts = action === "applyArtifacts" ? ctx.inputs.json("artifacts", ARTIFACTS_JSON_FORM, parseArtifactRequests, { secret: true }) : undefined;
  if (action === "applyArtifacts" && (artifacts === undefined || artifacts.length === 0)) {
    throw new InputError("artifacts", `is required for the applyArtifacts action: give ${ARTIFACTS_JSON_FORM}.`);
  }
  for (const secret of secretArtifactValues(artifacts ?? [])) ctx.registerSecret(secret);
  const failOnArtifactError = ctx.inputs.boolean("failOnArtifactError", true);
  const timeoutMs = timeoutMsInput(ctx, "timeoutMinutes", 60);
  const pollIntervalMs = pollIntervalMsInput(ctx);

  const labCtx: LabContext = { clients: connectToAzure(ctx), signal: ctx.signal, log: ctx.log, pollIntervalMs };
  const vm = await resolveLabVm(labCtx, target);
  const result = await runLabVmAction(labCtx, {
    vm,
    action,
    vmInput: target.vmId ? "vmId" : "vmName",
    artifacts,
    artifactsInput: "artifacts",
    failOnArtifactError,
    timeoutMs,
  });
  ctx.outputs.set("labVmId", result.details.id);
  ctx.outputs.set("labVmName", result.details.name);
  if (result.details.fqdn) ctx.outputs.set("labVmFqdn", result.details.fqdn);
  if (result.details.ipAddress) ctx.outputs.set("labVmIpAddress", result.details.ipAddress);
  for (const artifact of result.artifactResults ?? []) ctx.summary.note(`Artifact ${artifact.name}: ${artifact.status}${artifact.message ? ` — ${artifact.message}` : ""}`);
  return { message: result.message, withIssues: result.withIssues };
});
