// Start-to-ready time and memory of the offline Azure emulator (figures for the README):
//   node --import tsx scripts/emulator-stats.ts [--runs N] [--requests N]
// Starts the CLI the way tests do (test/emulator/client.ts), times it to the ready line, reads the RSS of the
// emulator and of its Azurite child after start and after a load of token requests and ARM calls.
// Set EMULATOR_KEY_CACHE=0 to time starts that generate every RSA key (see test/emulator/identity/key-pool.ts).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { send, startEmulator, type RunningEmulator } from "../test/emulator/client";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Resident set size in MiB (Linux /proc; ps elsewhere). */
function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (match?.[1]) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: ask ps.
  }
  return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString().trim()) / 1024;
}

async function load(emulator: RunningEmulator, requests: number): Promise<{ seconds: number; perSecond: number }> {
  const { ready, httpsAgent } = emulator;
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: ready.clientId, client_secret: ready.clientSecret, scope: "https://management.azure.com/.default" }).toString();
  const tokenUrl = `${ready.authorityHost}/${ready.tenantId}/oauth2/v2.0/token`;
  const token = JSON.parse((await send(httpsAgent, "POST", tokenUrl, form, { "content-type": "application/x-www-form-urlencoded" })).text) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}` };
  const subscription = ready.subscriptionIds[0] ?? "";
  // A mix: a token request in ten, platform reads, and requests the ARM layer answers.
  const urls = [
    `${ready.armUrl}subscriptions?api-version=2022-12-01`,
    `${ready.armUrl}subscriptions/${subscription}?api-version=2022-12-01`,
    `${ready.armUrl}subscriptions/${subscription}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab?api-version=2018-09-15`,
    `${ready.armUrl}subscriptions/${subscription}/resourceGroups/factory-rg/providers/Microsoft.DevTestLab/labs/FactoryLab/virtualmachines?api-version=2018-09-15`,
  ];
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      if (i % 10 === 0) await send(httpsAgent, "POST", tokenUrl, form, { "content-type": "application/x-www-form-urlencoded" });
      else await send(httpsAgent, "GET", urls[i % urls.length] ?? "", undefined, headers);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: requests / seconds };
}

async function main(): Promise<void> {
  const runs = option("--runs", 3);
  const requests = option("--requests", 5000);
  const results: Array<{ wallMs: number; inProcessMs: number; emulatorMiB: number; azuriteMiB: number }> = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const emulator = await startEmulator({ timeScale: 0 });
    const wallMs = performance.now() - started;
    results.push({ wallMs, inProcessMs: emulator.ready.startupMs, emulatorMiB: rssMiB(emulator.ready.pid), azuriteMiB: rssMiB(emulator.ready.azuritePid) });
    if (run < runs - 1) {
      await emulator.stop();
      continue;
    }
    const loaded = await load(emulator, requests);
    // Include the biggest admin answer: the full request log.
    await emulator.admin.requests({ full: true });
    const afterLoad = { emulatorMiB: rssMiB(emulator.ready.pid), azuriteMiB: rssMiB(emulator.ready.azuritePid) };
    await emulator.stop();

    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const format = (value: number): string => value.toFixed(0);
    console.log(`Emulator start to ready line (${runs} runs, CLI via node --import tsx):`);
    console.log(`  wall clock: median ${format(median(results.map((r) => r.wallMs)))} ms (${results.map((r) => format(r.wallMs)).join(", ")})`);
    console.log(`  inside the process (keys, certificates, Azurite, ARM layer): median ${format(median(results.map((r) => r.inProcessMs)))} ms`);
    console.log("Memory (RSS):");
    console.log(`  after start: emulator ${format(median(results.map((r) => r.emulatorMiB)))} MiB, Azurite ${format(median(results.map((r) => r.azuriteMiB)))} MiB`);
    console.log(`  after ${requests} requests (${format(loaded.perSecond)} req/s, 16 concurrent): emulator ${format(afterLoad.emulatorMiB)} MiB, Azurite ${format(afterLoad.azuriteMiB)} MiB`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
