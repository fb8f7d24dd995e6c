/** What one benchmark reports: figures to quote and the targets it checked. */
export interface BenchTarget {
  /** e.g. "1,000-user page with 100,000 users loaded < 50 ms". */
  readonly name: string;
  readonly pass: boolean;
  /** The measured value in words, e.g. "p50 12.3 ms, p95 18.1 ms". */
  readonly detail: string;
}

export interface BenchReport {
  /** File-name-safe name, e.g. "simulator". */
  readonly name: string;
  readonly figures: Readonly<Record<string, number | string>>;
  readonly targets: readonly BenchTarget[];
}

export type Bench = () => Promise<BenchReport>;
