// Replay results as text tables: one summary line per recording, then every mismatch with the recorded and the
// emulator's value side by side, and what was left out and why.
import type { Mismatch, ReplayOutcome } from "./replayer";

export function formatOutcomes(outcomes: ReplayOutcome[]): string {
  const lines: string[] = [];
  lines.push(
    table(
      ["recording", "sent", "poll runs", "skipped", "mismatches"],
      outcomes.map((o) => [o.recording, String(o.sent), String(o.pollRuns), String(o.skipped.length), String(o.mismatches.length)]),
    ),
  );
  const mismatches = outcomes.flatMap((o) => o.mismatches);
  if (mismatches.length > 0) lines.push("", "Mismatches:", formatMismatches(mismatches));
  const skipped = outcomes.flatMap((o) => o.skipped.map((s) => [o.recording, s.at, s.request, s.reason]));
  if (skipped.length > 0) lines.push("", "Not replayed:", table(["recording", "#", "request", "reason"], skipped.map(([r, at, q, why]) => [r ?? "", at ?? "", cut(q ?? "", 90), why ?? ""])));
  return lines.join("\n");
}

export function formatMismatches(mismatches: Mismatch[]): string {
  return table(
    ["recording", "#", "request", "field", "recorded", "emulator"],
    mismatches.map((m) => [m.recording, m.at, cut(m.request, 90), m.field, cut(m.recorded, 60), cut(m.emulator, 60)]),
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ").trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("-|-"), ...rows.map(line)].join("\n");
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
