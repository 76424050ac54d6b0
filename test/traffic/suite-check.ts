// The verdict of the suite's closing test (validate.test.ts), as a function so its rules can be tested: the
// collected traffic must have no violation; no traffic at all passes, unless it is required.
import { readTraffic } from "./collect";
import { formatReport } from "./report";
import { validateTraffic, type TrafficReport } from "./validate";

export interface SuiteCheckOptions {
  dir: string;
  /** Validate every file in dir, not only this process's. */
  allRuns: boolean;
  /** Fail when nothing was collected. */
  requireTraffic: boolean;
}

export interface SuiteVerdict {
  ok: boolean;
  message: string;
  report?: TrafficReport;
}

export async function checkCollectedTraffic(options: SuiteCheckOptions): Promise<SuiteVerdict> {
  const collected = readTraffic(options.dir, { allRuns: options.allRuns });
  const entries = collected.files.reduce((sum, file) => sum + file.traffic.entries.length, 0);
  if (entries === 0) {
    const ignored = collected.otherRuns > 0 ? ` (${collected.otherRuns} file(s) of other runs ignored)` : "";
    const message = `no emulator traffic was collected in ${options.dir}${ignored}`;
    return options.requireTraffic ? { ok: false, message: `${message}, but REQUIRE_TRAFFIC=1` } : { ok: true, message: `${message}: nothing to validate` };
  }
  const report = await validateTraffic(
    collected.files.map(({ path, traffic }) => ({ name: path.slice(options.dir.length + 1), entries: traffic.entries, droppedEntries: traffic.droppedEntries })),
  );
  const text = formatReport(report);
  if (report.violations.length > 0) return { ok: false, message: `${report.violations.length} swagger violation(s) in the emulator's traffic\n${text}`, report };
  return { ok: true, message: text, report };
}
