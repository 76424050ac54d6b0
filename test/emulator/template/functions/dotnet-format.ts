// The .NET formatting ARM exposes through format() and utcNow(): composite format strings
// ("{0}", "{0,5}", "{0:N2}", "{{"), the common numeric format specifiers and custom date/time patterns.
import { toText, type Json } from "../values";

/** String.Format with ARM's values; returns undefined for a malformed format string. */
export function compositeFormat(format: string, args: Json[]): string | undefined {
  let out = "";
  let i = 0;
  while (i < format.length) {
    const c = format[i] as string;
    if (c === "{") {
      if (format[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      const end = format.indexOf("}", i);
      if (end < 0) return undefined;
      const item = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(format.slice(i + 1, end));
      if (!item) return undefined;
      const index = Number(item[1]);
      if (index >= args.length) return undefined;
      let text = formatValue(args[index] as Json, item[3] ?? "");
      const alignment = item[2] === undefined ? 0 : Number(item[2]);
      if (Math.abs(alignment) > text.length) text = alignment > 0 ? text.padStart(alignment) : text.padEnd(-alignment);
      out += text;
      i = end + 1;
      continue;
    }
    if (c === "}") {
      if (format[i + 1] !== "}") return undefined;
      out += "}";
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function formatValue(value: Json, spec: string): string {
  if (typeof value !== "number" || spec === "") return toText(value);
  const match = /^([DdNnFfXxGgPp])(\d*)$/.exec(spec);
  if (!match) return toText(value);
  const kind = (match[1] as string).toUpperCase();
  const precision = match[2] === "" ? undefined : Number(match[2]);
  switch (kind) {
    case "D": {
      const digits = Math.abs(Math.trunc(value)).toString().padStart(precision ?? 0, "0");
      return value < 0 ? `-${digits}` : digits;
    }
    case "X": {
      const hex = (value < 0 ? (BigInt(value) & 0xffffffffn) : BigInt(value)).toString(16).padStart(precision ?? 0, "0");
      return match[1] === "x" ? hex : hex.toUpperCase();
    }
    case "F":
      return value.toFixed(precision ?? 2);
    case "N":
      return value.toLocaleString("en-US", { minimumFractionDigits: precision ?? 2, maximumFractionDigits: precision ?? 2 });
    case "P":
      return `${(value * 100).toLocaleString("en-US", { minimumFractionDigits: precision ?? 2, maximumFractionDigits: precision ?? 2 })} %`;
    default:
      return String(value);
  }
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** DateTime.ToString(format) in UTC, invariant culture; standard formats "u", "s", "o" and custom patterns. */
export function formatDateTime(date: Date, format: string): string {
  const standard: Record<string, string> = { u: "yyyy-MM-dd HH:mm:ss'Z'", s: "yyyy-MM-ddTHH:mm:ss", o: "yyyy-MM-ddTHH:mm:ss.fffffff'Z'", O: "yyyy-MM-ddTHH:mm:ss.fffffff'Z'", d: "MM/dd/yyyy", t: "HH:mm", T: "HH:mm:ss", R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'" };
  const pattern = format.length === 1 ? (standard[format] ?? format) : format;
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'" || c === '"') {
      const end = pattern.indexOf(c, i + 1);
      out += pattern.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (c === "\\") {
      out += pattern[i + 1] ?? "";
      i += 2;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === c) run++;
    const hours = date.getUTCHours();
    switch (c) {
      case "y":
        out += run <= 2 ? pad(date.getUTCFullYear() % 100, run) : pad(date.getUTCFullYear(), run);
        break;
      case "M":
        out += run >= 4 ? MONTHS[date.getUTCMonth()] : run === 3 ? (MONTHS[date.getUTCMonth()] as string).slice(0, 3) : pad(date.getUTCMonth() + 1, run);
        break;
      case "d":
        out += run >= 4 ? DAYS[date.getUTCDay()] : run === 3 ? (DAYS[date.getUTCDay()] as string).slice(0, 3) : pad(date.getUTCDate(), run);
        break;
      case "H":
        out += pad(hours, Math.min(run, 2));
        break;
      case "h":
        out += pad(hours % 12 === 0 ? 12 : hours % 12, Math.min(run, 2));
        break;
      case "m":
        out += pad(date.getUTCMinutes(), Math.min(run, 2));
        break;
      case "s":
        out += pad(date.getUTCSeconds(), Math.min(run, 2));
        break;
      case "f":
      case "F":
        out += pad(date.getUTCMilliseconds(), 3).padEnd(7, "0").slice(0, run);
        break;
      case "t":
        out += (hours < 12 ? "AM" : "PM").slice(0, run === 1 ? 1 : 2);
        break;
      case "z":
        out += run === 1 ? "+0" : run === 2 ? "+00" : "+00:00";
        break;
      case "K":
        out += "Z";
        break;
      default:
        out += c.repeat(run);
    }
    i += run;
  }
  return out;
}
