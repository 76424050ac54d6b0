// Text that comes from Azure (error messages, ARM error bodies, status messages) or echoes user input is
// untrusted: the agent executes any `##vso[` it finds in a log line and treats `##[` as formatting, so such text
// is made inert before it can reach a log.

export interface NeutralizeOptions {
  /** Known secret values to replace with *** (e.g. the client secret, a VM password). */
  secrets?: readonly string[];
  /** Longest text kept; the rest is cut with a marker. Default 4000 characters. */
  maxLength?: number;
}

const DEFAULT_MAX_LENGTH = 4000;

// C0/C1 control characters and the Unicode line/paragraph separators. Line breaks become spaces so a message
// stays one log line (a second line could start with `##[`); other control characters are dropped.
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// The agent matches logging commands case-insensitively anywhere in a line.
const LOGGING_COMMAND = /##(vso)?\[/gi;
// Credentials that Azure sometimes echoes in URLs or headers. A SAS signature also comes back in the forms a URL
// takes inside other text: XML-escaped in a storage error body (`&amp;sig=`), JSON-escaped (`\u0026sig=`) and
// URL-encoded as a query value (`%26sig%3D`, a copy source named in a message).
export const SAS_SIGNATURE = /((?:[?&]|&amp;|\\u0026|%3F|%26)sig(?:=|%3D))(?:(?!%26|&amp;|\\u0026)[^&\s"'<>\\])+/gi;
const BEARER_TOKEN = /(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;

/** Makes untrusted text safe to print: one line, no control characters, no logging commands, no known secrets. */
export function neutralizeUntrustedText(text: string, options: NeutralizeOptions = {}): string {
  let result = text;
  // Secrets first, while the text is as Azure sent it (a PEM key spans lines).
  // Also in the forms an echo takes when Azure quotes the value inside JSON or a URL.
  result = maskSecrets(result, options.secrets ?? []);
  result = result.replace(LINE_BREAKS, " ").replace(/\t/g, " ").replace(CONTROL_CHARACTERS, "");
  result = result.replace(SAS_SIGNATURE, "$1***").replace(BEARER_TOKEN, "$1***");
  // Inserting "_" cannot create a new match, so one pass is enough.
  result = result.replace(LOGGING_COMMAND, (match) => `##${match.slice(2, -1)}_[`);
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (result.length > maxLength) result = `${result.slice(0, maxLength)}… (truncated)`;
  return result;
}

/** Replaces each secret, as written and in the forms an echo takes (JSON-escaped, URL-encoded), with ***. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const form of secretForms(secrets)) result = result.split(form).join("***");
  return result;
}

/** Each secret as written, JSON-escaped and URL-encoded (distinct, non-empty), longest first. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, "+"));
  }
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}
