// The markdown summary shown on the run's Extensions tab: written to a file and uploaded with task.uploadsummary.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tl from "azure-pipelines-task-lib/task";
import { readVariable } from "./agent";
import { markdownText } from "./neutralise";
import { maskRegisteredSecrets } from "./secrets";

export interface TaskSummary {
  /** A fact about the run: label and value (the value is escaped; it may have come from Azure). */
  fact(label: string, value: string): void;
  /** A line of plain text (escaped). */
  note(text: string): void;
  readonly isEmpty: boolean;
}

export interface UploadableSummary extends TaskSummary {
  /** Renders the collected facts and notes as markdown under a heading. */
  render(title: string): string;
  /** Writes the markdown to a file in the agent's temp folder and uploads it; nothing when empty. */
  upload(title: string): void;
}

export function createTaskSummary(): UploadableSummary {
  const facts: [string, string][] = [];
  const notes: string[] = [];
  return {
    fact(label, value) {
      facts.push([label, value]);
    },
    note(text) {
      notes.push(text);
    },
    get isEmpty() {
      return facts.length === 0 && notes.length === 0;
    },
    render(title) {
      // The agent masks secrets in log lines only, not in an uploaded file: mask them here.
      const markdown = (text: string) => markdownText(maskRegisteredSecrets(text));
      const lines = [`### ${markdown(title)}`, ""];
      if (facts.length > 0) {
        lines.push("| | |", "|---|---|");
        for (const [label, value] of facts) lines.push(`| ${markdown(label)} | ${markdown(value)} |`);
        lines.push("");
      }
      for (const note of notes) lines.push(`- ${markdown(note)}`);
      return `${lines.join("\n")}\n`;
    },
    upload(title) {
      if (this.isEmpty) return;
      const base = readVariable("agent.TempDirectory") || tmpdir();
      const dir = mkdtempSync(join(base, "dtl-summary-"));
      const file = join(dir, "summary.md");
      writeFileSync(file, this.render(title), "utf8");
      tl.uploadSummary(file);
    },
  };
}
