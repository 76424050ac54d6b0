// The demo behind `npm start`: the lab chain a pipeline runs — create a lab VM, capture a custom image from it,
// delete the VM — each step the bundled task run exactly as the agent runs it (test/harness), against the offline
// Azure (test/emulator), passing output variables from step to step. Prints what happened.
import { startEmulator } from "../test/emulator/client";
import { runTask, type TaskRunResult } from "../test/harness";

const vmPassword = "Demo-Passw0rd!2026";

function report(step: string, run: TaskRunResult): void {
  const outcome = run.result?.result ?? "no result";
  console.log(`\n▶ ${step}: ${outcome} in ${(run.durationMs / 1000).toFixed(1)} s — ${run.result?.message ?? ""}`);
  for (const v of run.variables) console.log(`    output ${v.name} = ${v.isSecret ? "***" : v.value}`);
  for (const issue of run.issues) console.log(`    ${issue.type}: ${issue.message}`);
  if (outcome !== "Succeeded") throw new Error(`${step} did not succeed (${outcome}).`);
}

async function main(): Promise<void> {
  console.log("Starting the offline Azure (test/emulator)…");
  const emulator = await startEmulator({ timeScale: 0.01 });
  try {
    const connection = emulator.serviceConnection("spnKey");
    const subscriptionId = connection.data["subscriptionId"];
    const lab = `/subscriptions/${subscriptionId}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab`;
    console.log(`ARM at ${emulator.ready.armUrl}; lab ${lab}`);
    const common = {
      endpoints: [connection],
      variables: connection.variables,
      systemAccessToken: connection.systemAccessToken,
      env: connection.env,
      knownSecrets: [vmPassword],
    };

    const created = await runTask({
      ...common,
      task: "LabVmCreate",
      inputs: {
        azureSubscription: connection.id,
        lab,
        vmName: "demo-vm-01",
        source: "galleryImage",
        galleryImage: "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest",
        osType: "Windows",
        size: "Standard_D2s_v5",
        userName: "labadmin",
        password: "$(vmPassword)",
        artifacts: JSON.stringify([{ name: "windows-sysprep" }]),
      },
      secrets: { vmPassword },
    });
    report("LabVmCreate", created);
    const labVmId = created.variable("labVmId")?.value;
    if (!labVmId) throw new Error("LabVmCreate set no labVmId output.");

    const captured = await runTask({
      ...common,
      task: "LabImageCapture",
      inputs: {
        azureSubscription: connection.id,
        vmId: labVmId,
        imageName: "demo-golden-image",
        description: "Captured by the npm start demo",
        osType: "Windows",
        windowsOsState: "SysprepApplied",
      },
    });
    report("LabImageCapture", captured);

    const deleted = await runTask({ ...common, task: "LabVmDelete", inputs: { azureSubscription: connection.id, vmId: labVmId } });
    report("LabVmDelete", deleted);

    const state = (await emulator.admin.state()) as { arm?: { resources?: Record<string, { type?: string; name?: string }> } };
    const resources = Object.values(state.arm?.resources ?? {});
    const images = resources.filter((r) => /customimages$/i.test(r.type ?? "")).map((r) => r.name);
    const vms = resources.filter((r) => /labs\/virtualmachines$/i.test(r.type ?? "")).map((r) => r.name);
    console.log(`\nLab now holds custom images: ${images.join(", ") || "none"}; lab VMs: ${vms.join(", ") || "none"}.`);
    const writes = (await emulator.admin.requests()).value.filter((r) => r.method !== "GET" && r.path.startsWith("/subscriptions"));
    console.log(`ARM write requests made: ${writes.length}.`);
  } finally {
    await emulator.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`Demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
