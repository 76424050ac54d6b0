// ARM's x-ms-ratelimit-remaining-subscription-{reads,writes,deletes} headers: a per-principal, per-subscription
// budget that counts down and refills every hour. It only informs; throttling itself is a fault rule (429).

const budgets = { reads: 12000, writes: 1200, deletes: 15000 } as const;
type Bucket = keyof typeof budgets;
const windowMs = 60 * 60 * 1000;

export class RateLimits {
  private readonly used = new Map<string, { windowStart: number; count: number }>();

  /** Counts one request and returns the header to send with its reply. */
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
    const remaining = Math.max(0, budgets[bucket] - entry.count);
    const scope = subscriptionId ? "subscription" : "tenant";
    return { [`x-ms-ratelimit-remaining-${scope}-${bucket}`]: String(remaining) };
  }

  reset(): void {
    this.used.clear();
  }
}
