// Child script of lab-lifecycle.test.ts: @azure/identity's ManagedIdentityCredential (App Service form:
// IDENTITY_ENDPOINT/IDENTITY_HEADER from the environment) drives @azure/arm-devtestlabs against the emulator.
// It runs in its own process because MSAL keeps the managed identity source, and its token cache, in
// process-wide state, and because the emulator's CA comes in through NODE_EXTRA_CA_CERTS as it would on an agent.
// Input: a JSON file named by CHECK_INPUT; output: one JSON line.
import { readFileSync } from "node:fs";
import { DevTestLabsClient } from "@azure/arm-devtestlabs";
import { ManagedIdentityCredential } from "@azure/identity";

export interface ManagedIdentityInput {
  armUrl: string;
  subscriptionId: string;
  resourceGroup: string;
  lab: string;
  vmName: string;
  password: string;
}

export interface ManagedIdentityResult {
  labs: string[];
  created: string | undefined;
  powerAfterStart: string | undefined;
  powerAfterStop: string | undefined;
  deletedStatus: number | undefined;
  deletedCode: string | undefined;
}

async function main(): Promise<void> {
  const inputPath = process.env.CHECK_INPUT;
  if (!inputPath) throw new Error("CHECK_INPUT is required");
  const input = JSON.parse(readFileSync(inputPath, "utf8")) as ManagedIdentityInput;
  const credential = new ManagedIdentityCredential();
  const dtl = new DevTestLabsClient(credential, input.subscriptionId, { endpoint: input.armUrl, credentialScopes: ["https://management.core.windows.net//.default"] });
  const fast = { updateIntervalInMs: 10 };
  const { resourceGroup, lab, vmName } = input;

  const labs: string[] = [];
  for await (const entry of dtl.labs.listBySubscription()) labs.push(entry.name ?? "");
  const created = await dtl.virtualMachines.beginCreateOrUpdateAndWait(
    resourceGroup,
    lab,
    vmName,
    { location: "westeurope", size: "Standard_B2s", userName: "msi", password: input.password, galleryImageReference: { offer: "debian-12", publisher: "Debian", sku: "12-gen2", osType: "Linux", version: "latest" } },
    fast,
  );
  await dtl.virtualMachines.beginStartAndWait(resourceGroup, lab, vmName, fast);
  const powerAfterStart = (await dtl.virtualMachines.get(resourceGroup, lab, vmName)).lastKnownPowerState;
  await dtl.virtualMachines.beginStopAndWait(resourceGroup, lab, vmName, fast);
  const powerAfterStop = (await dtl.virtualMachines.get(resourceGroup, lab, vmName)).lastKnownPowerState;
  await dtl.virtualMachines.beginDeleteAndWait(resourceGroup, lab, vmName, fast);
  let deletedStatus: number | undefined;
  let deletedCode: string | undefined;
  try {
    await dtl.virtualMachines.get(resourceGroup, lab, vmName);
  } catch (error) {
    deletedStatus = (error as { statusCode?: number }).statusCode;
    deletedCode = (error as { code?: string }).code;
  }
  const result: ManagedIdentityResult = { labs: labs.sort(), created: created.provisioningState, powerAfterStart, powerAfterStop, deletedStatus, deletedCode };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
