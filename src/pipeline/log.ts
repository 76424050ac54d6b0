// The log and progress sink a task body writes to. Every message is neutralised on the way out, because messages
// carry names, states and error text that came back from Azure.
import * as tl from "azure-pipelines-task-lib/task";
import { isDebugEnabled, writeLine } from "./agent";
import { neutraliseLine, neutraliseLines } from "./neutralise";

/** What src/ code logs to. Structural, so the domain can declare the same shape without importing task-lib. */
export interface TaskLog {
  /** A normal log line (or several, for multi-line text). */
  info(message: string): void;
  /** A warning the run's summary shows (the task still succeeds). */
  warn(message: string): void;
  /** Diagnostic detail, printed only when the run has system.debug=true. Never pass secrets or request bodies. */
  debug(message: string): void;
  /** Progress of the current long operation: percent 0-100 when known, and what is happening. */
  progress(percent: number | undefined, message: string): void;
}

export function createTaskLog(options: { debug?: boolean } = {}): TaskLog {
  const debug = options.debug ?? isDebugEnabled();
  let lastPercent = 0;
  let lastText = "";
  return {
    info(message) {
      for (const line of neutraliseLines(message)) writeLine(line);
    },
    warn(message) {
      tl.warning(neutraliseLine(message));
    },
    debug(message) {
      if (!debug) return;
      for (const line of neutraliseLines(message)) tl.debug(line);
    },
    progress(percent, message) {
      const text = neutraliseLine(message);
      // The agent's progress value is a whole percent; keep the last one when this update has none.
      if (percent !== undefined && Number.isFinite(percent)) lastPercent = Math.max(0, Math.min(100, Math.round(percent)));
      tl.setProgress(lastPercent, text);
      if (text !== lastText) writeLine(text);
      lastText = text;
    },
  };
}
