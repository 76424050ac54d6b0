// Loads task-lib the way the agent starts a task: environment first, then task-lib moves INPUT_/ENDPOINT_AUTH_/
// SECRET_ variables into its vault. Import this before anything from src/pipeline.
import { agentTemp } from "./agent-temp";
import { Writable } from "node:stream";
import * as internal from "azure-pipelines-task-lib/internal";
import { redirectAgentOutput } from "../../../src/pipeline/agent";

const AGENT_PREFIXES = ["INPUT_", "ENDPOINT_", "SECRET_", "SYSTEM_", "VSTS_"];

/** Replaces the simulated agent environment (inputs, endpoints, variables) and reloads task-lib's vault from it. */
export function loadAgentEnvironment(env: Record<string, string>): void {
  for (const key of Object.keys(process.env)) {
    if (AGENT_PREFIXES.some((p) => key.startsWith(p))) delete process.env[key];
  }
  Object.assign(process.env, env, { AGENT_TEMPDIRECTORY: agentTemp });
  internal._loadData();
}

/** Everything task-lib and the pipeline log write, captured line by line. */
export interface CapturedOutput {
  readonly text: string;
  lines(): string[];
  /** The `##vso[` commands written, parsed into name, properties and data. */
  commands(): { name: string; properties: Record<string, string>; data: string }[];
  clear(): void;
}

export function captureAgentOutput(): CapturedOutput {
  let text = "";
  redirectAgentOutput(
    new Writable({
      write(chunk, _encoding, callback) {
        text += String(chunk);
        callback();
      },
    }),
  );
  const unescape = (s: string) =>
    s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%5D/g, "]").replace(/%3B/g, ";").replace(/%AZP25/g, "%");
  return {
    get text() {
      return text;
    },
    lines: () => text.split(/\r?\n/).filter((l) => l.length > 0),
    commands: () =>
      text
        .split(/\r?\n/)
        .filter((l) => l.startsWith("##vso["))
        .map((l) => {
          const close = l.indexOf("]");
          const head = l.slice("##vso[".length, close);
          const [name = "", ...props] = head.split(" ");
          const properties: Record<string, string> = {};
          for (const p of props.join(" ").split(";")) {
            const eq = p.indexOf("=");
            if (eq > 0) properties[p.slice(0, eq).trim()] = unescape(p.slice(eq + 1));
          }
          return { name, properties, data: unescape(l.slice(close + 1)) };
        }),
    clear() {
      text = "";
    },
  };
}

export function restoreAgentOutput(): void {
  redirectAgentOutput(process.stdout);
}
