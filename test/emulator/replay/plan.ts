// Turns a recording into the steps a replay takes: requests to send as recorded, runs of status polls to
// collapse into one "poll until done" (the number of Running answers depends on timing, not on behaviour), and
// requests left out with the reason.
import type { RecordedExchange, Recording } from "./recordings";
import type { OutOfScopeRule, Scenario } from "./scenarios";

export type Step =
  | { kind: "send"; exchange: RecordedExchange }
  | { kind: "poll"; operation: string; polls: RecordedExchange[] }
  | { kind: "skip"; exchange: RecordedExchange; reason: string };

const lroHeaders = ["azure-asyncoperation", "location"] as const;

/** The key of an operation URL: its path, lower-cased (query strings carry signatures that differ per poll). */
export function operationKey(url: string): string | undefined {
  try {
    return new URL(url).pathname.toLowerCase();
  } catch {
    return undefined;
  }
}

export function planReplay(recording: Recording, scenario: Scenario, rules: OutOfScopeRule[]): Step[] {
  const steps: Step[] = [];
  // Operation URLs handed out by earlier recorded responses, and whether the request that started it is replayed.
  const operations = new Map<string, { replayed: boolean }>();
  for (const original of recording.exchanges) {
    const exchange = withAliases(original, scenario.aliases ?? {});
    const rule = rules.find((candidate) => candidate.applies(exchange));
    const key = exchange.url.pathname.toLowerCase();
    const operation = exchange.method === "GET" ? operations.get(key) : undefined;
    if (rule !== undefined) {
      steps.push({ kind: "skip", exchange, reason: rule.reason });
      noteOperations(exchange, operations, false);
    } else if (operation !== undefined && !operation.replayed) {
      steps.push({ kind: "skip", exchange, reason: "status poll of an operation whose start was not replayed" });
    } else if (operation !== undefined) {
      const previous = steps[steps.length - 1];
      if (previous?.kind === "poll" && previous.operation === key) previous.polls.push(exchange);
      else steps.push({ kind: "poll", operation: key, polls: [exchange] });
    } else {
      steps.push({ kind: "send", exchange });
      noteOperations(exchange, operations, true);
    }
  }
  return steps;
}

function noteOperations(exchange: RecordedExchange, operations: Map<string, { replayed: boolean }>, replayed: boolean): void {
  for (const header of lroHeaders) {
    const value = exchange.responseHeaders[header];
    const key = value === undefined ? undefined : operationKey(value);
    if (key !== undefined) operations.set(key, { replayed });
  }
}

/** Applies the recorder's renames to everything a comparison reads: URL, bodies and response headers. */
function withAliases(exchange: RecordedExchange, aliases: Record<string, string>): RecordedExchange {
  const entries = Object.entries(aliases);
  if (entries.length === 0) return exchange;
  const rename = (text: string): string => entries.reduce((result, [from, to]) => result.split(from).join(to), text);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(exchange.responseHeaders)) headers[name] = rename(value);
  return {
    ...exchange,
    url: new URL(rename(exchange.url.toString())),
    requestBody: exchange.requestBody === undefined ? undefined : rename(exchange.requestBody),
    responseHeaders: headers,
    responseBody: exchange.responseBody === undefined ? undefined : rename(exchange.responseBody),
  };
}
