// Registering a secret makes the agent mask it in every later log line. The agent masks line by line and task-lib
// refuses multi-line values, so a PEM key or a multi-line value is registered one line at a time.
import * as tl from "azure-pipelines-task-lib/task";
import { maskSecrets } from "../azure/untrusted-text";

/** Pieces shorter than this are not worth masking (and would mask unrelated text such as "true"). */
const MIN_SECRET_LENGTH = 4;

const registered = new Set<string>();

/** The pieces of a value the agent can mask: its trimmed non-empty lines, PEM armour lines excluded. */
export function secretPieces(value: string): string[] {
  const pieces = value.includes("\n") || value.includes("\r") ? value.split(/\r\n|\r|\n/).map((l) => l.trim()) : [value];
  return pieces.filter((p) => p.length >= MIN_SECRET_LENGTH && !/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(p));
}

/** Registers a secret with the agent once; safe to call with undefined or a value already registered. */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  for (const piece of secretPieces(value)) {
    if (registered.has(piece)) continue;
    registered.add(piece);
    tl.setSecret(piece);
  }
}

/**
 * Masks every registered secret in text the agent will not mask itself: it masks log lines only, so a file
 * uploaded with task.uploadsummary must be masked here. Also the JSON-escaped and URL-encoded forms an echo takes.
 */
export function maskRegisteredSecrets(text: string): string {
  return maskSecrets(text, [...registered]);
}
