// ARM's x-ms-ratelimit-remaining-* headers: per-principal, per-subscription budgets that count down and refill
// every hour. Today's ARM (the 2024 recordings) sends `-subscription-global-reads` (7500), `-subscription-writes`
// (400) with `-subscription-global-writes` (6000), and the same pair for deletes; older clients read
// `-subscription-reads` (12000), so that one is sent too. They only inform: throttling itself is a fault rule (429).

const headerBudgets = {
  reads: { reads: 12000, "global-reads": 7500 },
  writes: { writes: 400, "global-writes": 6000 },
  deletes: { deletes: 400, "global-deletes": 6000 },
} as const;
type Bucket = keyof typeof headerBudgets;
const windowMs = 60 * 60 * 1000;

export class RateLimits {
  private readonly used = new Map<string, { windowStart: number; count: number }>();

  /** Counts one request and returns the headers to send with its reply. */
  take(objectId: string, subscriptionId: string | undefined, method: string): Record<string, string> {
    const verb = method.toUpperCase();
    const bucket: Bucket = verb === "GET" || verb === "HEAD" ? "reads" : verb === "DELETE" ? "deletes" : "writes";
    const key = `${objectId}|${subscriptionId ?? "tenant"}|${bucket}`.toLowerCase();
    const now = Date.now();
    let entry = this.used.get(key);
    if (!entry || now - entry.windowStart >= windowMs) {
      entry = { windowStart: now, count: 0 };
      this.used.set(key, entry);
    }
    entry.count++;
    const count = entry.count;
    const scope = subscriptionId ? "subscription" : "tenant";
    return Object.fromEntries(Object.entries(headerBudgets[bucket]).map(([name, budget]) => [`x-ms-ratelimit-remaining-${scope}-${name}`, String(Math.max(0, budget - count))]));
  }

  reset(): void {
    this.used.clear();
  }
}
