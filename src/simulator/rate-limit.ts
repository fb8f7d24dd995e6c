/**
 * Fixed-window call counters (VAULT-API.md §4): the general burst limit per (vault, user)
 * and the auth limit per (username, vaultDNS). Windows align to multiples of their length
 * on the simulator clock, so a test clock can roll a window deterministically.
 */

export interface WindowCount {
  /** Calls in the current window including this one. */
  readonly count: number;
  /** Calls left, never below 0. */
  readonly remaining: number;
  /** True when this call is beyond the limit. */
  readonly over: boolean;
}

export class FixedWindowCounter {
  private readonly buckets = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  private current(key: string): { start: number; count: number } {
    const start = Math.floor(this.clock() / this.windowMs) * this.windowMs;
    let bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.start !== start) {
      if (this.buckets.size > 10_000) this.buckets.clear();
      bucket = { start, count: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  consume(key: string): WindowCount {
    const bucket = this.current(key);
    bucket.count += 1;
    return { count: bucket.count, remaining: Math.max(0, this.limit - bucket.count), over: bucket.count > this.limit };
  }

  remaining(key: string): number {
    return Math.max(0, this.limit - this.current(key).count);
  }

  reset(): void {
    this.buckets.clear();
  }
}
