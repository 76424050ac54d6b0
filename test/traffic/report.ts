// A readable account of a validation: violations by operation (the same violation on many requests is shown
// once with a count and its first request), what was checked against an older swagger, and what was skipped.
import { groupByOperation, type TrafficReport, type Violation } from "./validate";

export function formatReport(report: TrafficReport): string {
  const lines: string[] = [];
  const skippedCount = report.skipped.reduce((sum, group) => sum + group.count, 0);
  lines.push(
    `oav swagger validation: ${report.entries} entries, ${report.validated} validated against ${report.specFiles.length} spec file(s), ` +
      `${skippedCount} skipped, ${report.violations.length} violation(s) ` +
      `(specs loaded in ${report.timings.specLoadMs} ms, validated in ${report.timings.validateMs} ms)`,
  );
  if (report.violations.length > 0) {
    lines.push("", "Violations by operation:");
    for (const [operation, violations] of groupByOperation(report.violations)) {
      lines.push(`  ${operation}: ${violations.length}`);
      for (const { first, count } of distinct(violations)) {
        lines.push(`    ${first.side} ${first.code}${first.payloadPath ? ` at ${first.payloadPath}` : ""}: ${first.message}${count > 1 ? `  (×${count})` : ""}`);
        lines.push(`      request: ${first.request} → ${first.status}   [${first.source}${first.seq !== undefined ? ` #${first.seq}` : ""}]`);
        if (first.schemaPath || first.spec) lines.push(`      schema: ${first.schemaPath || "-"}${first.spec ? ` in ${first.spec}` : ""}`);
      }
    }
  }
  if (report.accepted.length > 0) {
    lines.push("", "Accepted (known differences between the swagger and the real service):");
    for (const [operation, accepted] of groupByOperation(report.accepted)) {
      const first = accepted[0];
      if (first === undefined) continue;
      lines.push(`  ${operation}: ${first.side} ${first.code}${first.payloadPath ? ` at ${first.payloadPath}` : ""} ×${accepted.length} — ${first.reason}`);
    }
  }
  if (report.rejected.length > 0) {
    lines.push("", `Requests outside the swagger that the emulator rejected with 4xx (negative tests, not violations): ${report.rejected.length}`);
    for (const { first, count } of distinct(report.rejected).slice(0, 5)) {
      lines.push(`  ${first.side} ${first.code}${first.payloadPath ? ` at ${first.payloadPath}` : ""}${count > 1 ? ` ×${count}` : ""}: ${first.request} → ${first.status}`);
    }
  }
  const operations = Object.entries(report.operations).sort(([a], [b]) => a.localeCompare(b));
  if (operations.length > 0) {
    lines.push("", "Validated operations:");
    for (const [operation, count] of operations) lines.push(`  ${operation} ×${count}`);
  }
  if (report.substitutions.length > 0) {
    lines.push("", "Checked against an older swagger (no spec for the api-version sent):");
    for (const s of report.substitutions) lines.push(`  ${s.provider} ${s.apiVersion} as ${s.validateAs}: ${s.count} request(s) — ${s.reason}`);
  }
  if (report.skipped.length > 0) {
    lines.push("", "Skipped (no official swagger covers them):");
    for (const group of report.skipped) {
      lines.push(`  ${group.group}: ${group.count} — ${group.reason}`);
      for (const example of group.examples) lines.push(`      e.g. ${example}`);
    }
  }
  if (report.droppedEntries > 0) lines.push("", `Not validated: ${report.droppedEntries} entries the emulator's request log had dropped before collection.`);
  return lines.join("\n");
}

function distinct(violations: Violation[]): { first: Violation; count: number }[] {
  const seen = new Map<string, { first: Violation; count: number }>();
  for (const violation of violations) {
    const key = [violation.side, violation.code, violation.payloadPath, violation.schemaPath, violation.message].join("\u0000");
    const known = seen.get(key);
    if (known === undefined) seen.set(key, { first: violation, count: 1 });
    else known.count += 1;
  }
  return [...seen.values()];
}
