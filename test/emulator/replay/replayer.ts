// Replays one recording against a running emulator: creates what the recording presumes, sends each recorded
// ARM request in order, follows the emulator's own operation URLs where the recording polled the service's, and
// collects every difference from what Azure answered.
import { compareAnswer, compareFinalPoll, requestLeaves, type Difference, type Leaf } from "./compare";
import type { ArmSession, HttpResponse } from "./http";
import { operationKey, planReplay } from "./plan";
import type { RecordedExchange, Recording } from "./recordings";
import { outOfScope, type Scenario, type SetupRequest } from "./scenarios";

export interface Mismatch extends Difference {
  recording: string;
  /** Recorded index, or the first–last index of a run of polls; "setup" for preconditions. */
  at: string;
  request: string;
}

export interface ReplayOutcome {
  recording: string;
  sent: number;
  pollRuns: number;
  skipped: { at: string; request: string; reason: string }[];
  mismatches: Mismatch[];
}

const terminal = new Set(["succeeded", "failed", "canceled", "cancelled"]);
const maxPolls = 200;
const pollPauseMs = 25;

export async function replayRecording(recording: Recording, scenario: Scenario, session: ArmSession): Promise<ReplayOutcome> {
  const outcome: ReplayOutcome = { recording: recording.name, sent: 0, pollRuns: 0, skipped: [], mismatches: [] };
  const note = (at: string, request: string, differences: Difference[]): void => {
    for (const difference of differences) outcome.mismatches.push({ recording: recording.name, at, request, ...difference });
  };

  for (const setup of scenario.setup ?? []) {
    const problem = await runSetup(session, setup);
    if (problem !== undefined) note("setup", `${setup.method} ${setup.path}`, [{ aspect: "status", field: `setup (${setup.why})`, recorded: "succeeds", emulator: problem }]);
  }

  // Recorded operation URL (path) → the emulator's URL for the same operation.
  const operationUrls = new Map<string, string>();
  // Resource id (lower case) → the properties the last PUT/PATCH (or createEnvironment) set, for later GETs.
  const written = new Map<string, Leaf[]>();

  for (const step of planReplay(recording, scenario, outOfScope)) {
    if (step.kind === "skip") {
      outcome.skipped.push({ at: String(step.exchange.index), request: describe(step.exchange), reason: step.reason });
      continue;
    }
    if (step.kind === "poll") {
      outcome.pollRuns += 1;
      const first = step.polls[0];
      const last = step.polls[step.polls.length - 1];
      if (first === undefined || last === undefined) continue;
      const at = first === last ? String(first.index) : `${first.index}–${last.index}`;
      const url = operationUrls.get(step.operation);
      if (url === undefined) {
        note(at, describe(first), [{ aspect: "header", field: "operation URL to poll", recorded: "handed out", emulator: "none (no Azure-AsyncOperation/Location on the request that started it)" }]);
        continue;
      }
      note(at, `${describe(first)} (×${step.polls.length}, final state compared)`, compareFinalPoll(last, await pollUntilDone(session, url)));
      continue;
    }

    const exchange = step.exchange;
    const resource = resourceWritten(exchange);
    const leaves = resource !== undefined ? requestLeaves(exchange.requestBody) : exchange.method === "GET" ? (written.get(exchange.url.pathname.toLowerCase()) ?? []) : [];
    const answer = await session.send(exchange.method, `${exchange.url.pathname}${exchange.url.search}`, exchange.requestBody);
    outcome.sent += 1;
    note(String(exchange.index), describe(exchange), compareAnswer(exchange, answer, leaves));
    if (resource !== undefined && answer.status < 300) written.set(resource, leaves);
    for (const header of ["azure-asyncoperation", "location"]) {
      const recordedUrl = exchange.responseHeaders[header];
      const emulatorUrl = answer.headers[header];
      const key = recordedUrl === undefined ? undefined : operationKey(recordedUrl);
      if (key !== undefined && emulatorUrl !== undefined && !operationUrls.has(key)) operationUrls.set(key, emulatorUrl);
    }
  }
  return outcome;
}

/** The id of the resource a request writes: PUT/PATCH on it, or DTL's createEnvironment (a VM named in the body). */
function resourceWritten(exchange: RecordedExchange): string | undefined {
  const path = exchange.url.pathname.toLowerCase();
  if (exchange.method === "PUT" || exchange.method === "PATCH") return path;
  if (exchange.method === "POST" && path.endsWith("/createenvironment")) {
    try {
      const name = (JSON.parse(exchange.requestBody ?? "{}") as { name?: unknown }).name;
      if (typeof name === "string") return `${path.slice(0, -"/createenvironment".length)}/virtualmachines/${name.toLowerCase()}`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function pollUntilDone(session: ArmSession, url: string): Promise<HttpResponse> {
  let answer = await session.send("GET", url);
  for (let i = 1; i < maxPolls && !isDone(answer); i++) {
    await new Promise((resolve) => setTimeout(resolve, pollPauseMs));
    answer = await session.send("GET", url);
  }
  return answer;
}

function isDone(answer: HttpResponse): boolean {
  if (answer.status !== 200 && answer.status !== 202) return true;
  try {
    const status = (JSON.parse(answer.body) as { status?: unknown }).status;
    return typeof status === "string" && terminal.has(status.toLowerCase());
  } catch {
    return answer.status === 200;
  }
}

/** Creates a precondition and waits for it; returns what went wrong, or undefined. */
async function runSetup(session: ArmSession, setup: SetupRequest): Promise<string | undefined> {
  const answer = await session.send(setup.method, `${setup.path}?api-version=${setup.apiVersion}`, setup.body === undefined ? undefined : JSON.stringify(setup.body));
  if (answer.status >= 300) return `${answer.status} ${answer.body.slice(0, 200)}`;
  const operation = answer.headers["azure-asyncoperation"];
  if (operation === undefined) return undefined;
  const done = await pollUntilDone(session, operation);
  const status = (() => {
    try {
      return (JSON.parse(done.body) as { status?: unknown }).status;
    } catch {
      return undefined;
    }
  })();
  return status === "Succeeded" ? undefined : `operation ended ${String(status)}: ${done.body.slice(0, 200)}`;
}

function describe(exchange: RecordedExchange): string {
  const query = [...exchange.url.searchParams].filter(([name]) => !["t", "c", "s", "h"].includes(name));
  const search = query.map(([name, value]) => `${name}=${value}`).join("&");
  return `${exchange.method} ${decodeURIComponent(exchange.url.pathname)}${search ? `?${search}` : ""}`;
}
