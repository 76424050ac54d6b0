// Applying artifacts to a lab VM, in order, each Pending → Installing → Succeeded or Failed; after a
// failure the rest are Skipped (statuses Microsoft's image factory scripts handle). A failed artifact does
// not fail the VM: the operation and the VM's provisioningState stay Succeeded and the failure shows in
// artifactDeploymentStatus.deploymentStatus = "Failed" and the artifact's messages — DTL's maintainers
// say so (azure-devtestlab#167) and Microsoft's tasks check artifacts after a successful deployment
// for that reason (FailOnArtifactError).
import type { ArmContext } from "../core/context";
import { getArrayCi, getCi, getObjectCi, getStringCi, isObject, type Json, type JsonObject } from "../core/json";
import { LATENCY_SECONDS } from "../core/latency";
import type { OperationHandle } from "../core/lro";
import type { StoredResource } from "../core/store";
import { now, props } from "./common";
import { findArtifact, fullArtifactId } from "./repositories";

export function artifactsOf(vm: StoredResource): JsonObject[] {
  const list = vm.internal["artifacts"];
  return Array.isArray(list) ? list.filter(isObject) : [];
}

/** Turns requested artifacts ({artifactId, parameters:[{name,value}]}) into Pending install records. */
export function pendingArtifacts(ctx: ArmContext, lab: StoredResource, requested: Json[]): JsonObject[] {
  return requested.filter(isObject).map((a): JsonObject => {
    const given = getStringCi(a, "artifactId") ?? "";
    const artifactId = fullArtifactId(lab, given);
    const definition = findArtifact(ctx, lab, given);
    const defParams = getObjectCi(isObject(definition?.body["properties"]) ? definition.body["properties"] : undefined, "parameters") ?? {};
    const parameters = (getArrayCi(a, "parameters") ?? []).filter(isObject).map((p): JsonObject => {
      const name = getStringCi(p, "name") ?? "";
      const def = getObjectCi(defParams, name);
      const secure = /^secure/i.test(getStringCi(def, "type") ?? "");
      const value = getCi(p, "value");
      return secure ? { name } : { name, value: value ?? null };
    });
    const title = definition ? getStringCi(props(definition), "title") : undefined;
    return {
      artifactId,
      ...(title ? { artifactTitle: title } : {}),
      parameters,
      status: "Pending",
    };
  });
}

export function deploymentStatus(vm: StoredResource): JsonObject {
  const list = artifactsOf(vm);
  if (list.length === 0) return { artifactsApplied: 0, totalArtifacts: 0 };
  const applied = list.filter((a) => a["status"] === "Succeeded").length;
  const running = list.some((a) => a["status"] === "Pending" || a["status"] === "Installing");
  const failed = list.some((a) => a["status"] === "Failed");
  return { deploymentStatus: running ? "Running" : failed ? "Failed" : "Succeeded", artifactsApplied: applied, totalArtifacts: list.length };
}

function failureMessages(extension: string, message: string): { deploymentStatusMessage: string; vmExtensionStatusMessage: string } {
  // shapes as users have reported them from the service (azure-devtestlab#511)
  const deployment = {
    status: "Failed",
    error: {
      code: "ResourceDeploymentFailure",
      message: "The resource operation completed with terminal provisioning state 'Failed'.",
      details: [
        {
          code: "VMExtensionProvisioningError",
          message: `VM has reported a failure when processing extension '${extension}'. Error message: "${message}".`,
        },
      ],
    },
  };
  const extensionStatus = [
    { code: "ComponentStatus/StdOut/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message: "" },
    { code: "ComponentStatus/StdErr/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message },
  ];
  return { deploymentStatusMessage: JSON.stringify(deployment), vmExtensionStatusMessage: JSON.stringify(extensionStatus) };
}

/** Installs every Pending artifact of the VM in order; updates artifactDeploymentStatus as it goes. */
export async function installPendingArtifacts(ctx: ArmContext, vm: StoredResource, lab: StoredResource, op: OperationHandle): Promise<void> {
  const vmProps = props(vm);
  const osType = String(vm.internal["osType"] ?? "Windows");
  let failed = false;
  for (const artifact of artifactsOf(vm)) {
    if (artifact["status"] !== "Pending") continue;
    if (failed) {
      artifact["status"] = "Skipped";
      continue;
    }
    artifact["status"] = "Installing";
    artifact["installTime"] = now();
    vmProps["artifactDeploymentStatus"] = deploymentStatus(vm);
    await op.sleep(LATENCY_SECONDS.artifactApply);
    const artifactId = String(artifact["artifactId"]);
    const definition = findArtifact(ctx, lab, artifactId);
    const extension = `customScriptArtifact-${Math.floor(Math.random() * 1e9)}`;
    let error: string | undefined;
    if (!definition) {
      error = `The artifact '${artifactId}' could not be found in the lab's artifact repositories.`;
    } else {
      const target = getStringCi(props(definition), "targetOsType");
      if (target && target.toLowerCase() !== "any" && target.toLowerCase() !== osType.toLowerCase()) {
        error = `The artifact '${getStringCi(props(definition), "title") ?? artifactId}' targets ${target} and cannot be applied to a ${osType} virtual machine.`;
      }
    }
    error ??= ctx.options.faults.artifactFailure(vm.id, artifactId);
    if (error !== undefined) {
      Object.assign(artifact, { status: "Failed" }, failureMessages(extension, error));
      failed = true;
    } else {
      artifact["status"] = "Succeeded";
      artifact["deploymentStatusMessage"] = JSON.stringify({ status: "Succeeded" });
      artifact["vmExtensionStatusMessage"] = JSON.stringify([
        { code: "ComponentStatus/StdOut/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message: "" },
        { code: "ComponentStatus/StdErr/succeeded", level: "Info", displayStatus: "Provisioning succeeded", message: "" },
      ]);
      // sysprep / deprovision artifacts shut the machine down and DTL deallocates it
      const actions = getArrayCi(isObject(definition?.internal["definition"]) ? definition.internal["definition"] : undefined, "postDeployActions") ?? [];
      if (actions.some((a) => isObject(a) && /deallocate|waitForShutdown/i.test(getStringCi(a, "action") ?? ""))) {
        await op.sleep(LATENCY_SECONDS.artifactPostDeployActions);
        vmProps["lastKnownPowerState"] = "Stopped";
        vm.internal["generalized"] = true;
      }
    }
    vmProps["artifactDeploymentStatus"] = deploymentStatus(vm);
  }
  vmProps["artifactDeploymentStatus"] = deploymentStatus(vm);
}
