// The only module that calls azure-pipelines-task-lib directly for reads. task-lib echoes every input, variable and
// endpoint parameter it returns as a `##vso[task.debug]` line (always written; the agent hides it only when
// system.debug is off), which would print passwords, client secrets and tokens into the raw log. So every read runs
// with task-lib's output stream pointed at a sink that drops those echoes.
import { Writable } from "node:stream";
import * as tl from "azure-pipelines-task-lib/task";

const discard = new Writable({
  write(_chunk, _encoding, callback) {
    callback();
  },
});

/** Where task-lib writes its logging commands: stdout under the agent; tests capture it. */
let agentOutput: NodeJS.WritableStream = process.stdout;

/** Sends every logging command task-lib writes to `stream` (tests read the commands back from it). */
export function redirectAgentOutput(stream: NodeJS.WritableStream): void {
  agentOutput = stream;
  tl.setStdStream(stream);
}

/** Runs a synchronous task-lib read without letting it echo the value it returns. */
function quietly<T>(read: () => T): T {
  tl.setStdStream(discard);
  try {
    return read();
  } finally {
    tl.setStdStream(agentOutput);
  }
}

/** Where task inputs come from; tests give a Map-backed one. */
export interface InputSource {
  /** The raw value of an input by its main name (the agent has already resolved aliases), or undefined. */
  get(name: string): string | undefined;
}

/** Where a service connection's fields come from; tests give a fake one. */
export interface EndpointSource {
  url(id: string): string | undefined;
  scheme(id: string): string | undefined;
  authParameter(id: string, key: string): string | undefined;
  dataParameter(id: string, key: string): string | undefined;
  variable(name: string): string | undefined;
}

export const agentInputs: InputSource = {
  get: (name) => quietly(() => tl.getInput(name, false)),
};

export const agentEndpoints: EndpointSource = {
  url: (id) => quietly(() => tl.getEndpointUrl(id, true)),
  scheme: (id) => quietly(() => tl.getEndpointAuthorizationScheme(id, true)),
  authParameter: (id, key) => quietly(() => tl.getEndpointAuthorizationParameter(id, key, true)),
  dataParameter: (id, key) => quietly(() => tl.getEndpointDataParameter(id, key, true)),
  variable: (name) => quietly(() => tl.getVariable(name)),
};

/** A pipeline variable, read without echo. */
export function readVariable(name: string): string | undefined {
  return quietly(() => tl.getVariable(name));
}

/** True when the run has system.debug=true (the user asked for diagnostic output). */
export function isDebugEnabled(): boolean {
  return (readVariable("system.debug") ?? "").trim().toLowerCase() === "true";
}

/** Writes one plain log line where task-lib writes its commands, so both keep their order. */
export function writeLine(text: string): void {
  agentOutput.write(`${text}\n`);
}
