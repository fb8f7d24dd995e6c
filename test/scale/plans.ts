/**
 * Million-row plans built directly (planning a million users would take the test budget many
 * times over): every change and row is its own object with its own key, while the parts that
 * do not vary (field lists, values) are shared, so a million of them fit in a few hundred MB.
 */
import type { Change, Operation, Plan } from '../../src/plan/index.js';
import { goldenPlan } from '../render/fixture.js';

export const ROWS_PER_CALL = 500;

export function userKey(i: number): string {
  return `u${i}@veepharm.com`;
}

export function personId(i: number): string {
  return `V0B${String(i).padStart(12, '0')}`;
}

/** `n` promotions of Clinical persons, one change and one promote row each, 500 rows a call. */
export function promotionPlan(n: number): Plan {
  const base = goldenPlan();
  const fields = [] as const;
  const risks = [] as const;
  const changes: Change[] = new Array<Change>(n);
  for (let i = 0; i < n; i++) {
    changes[i] = { subject: 'user', key: userKey(i), action: 'promote', fields, reason: 'promote_from_person in users/all.yaml', risks };
  }
  const values = {} as const;
  const operations: Operation[] = [];
  for (let start = 0; start < n; start += ROWS_PER_CALL) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + ROWS_PER_CALL); i++) rows.push({ key: userKey(i), person_id: personId(i), values });
    const id = `op-${String(operations.length + 1).padStart(3, '0')}`;
    operations.push({ id, call: 'POST /vobjects/person__sys/actions/promote_to_user__v', depends_on: [], kind: 'promote_persons', rows });
  }
  return {
    ...base,
    live_digests: { users: {}, persons: {}, sitevault: {} },
    changes,
    operations,
    summary: { ...base.summary, create: 0, update: 0, deactivate: 0, reactivate: 0, sitevault_create: 0, sitevault_edit: 0, promote: n, api_calls: operations.length },
  };
}

/**
 * Counts the lines a writer sends to a sink in chunks (a line may straddle two chunks), counts
 * those `test` matches, notes which `wanted` lines went by, and keeps the first and last few.
 */
export class LineCounter {
  lines = 0;
  matched = 0;
  readonly first: string[] = [];
  readonly found = new Set<string>();
  private tail: string[] = [];
  private carry = '';
  private readonly wanted: ReadonlySet<string>;

  constructor(
    private readonly test: (line: string) => boolean = () => false,
    wanted: readonly string[] = [],
  ) {
    this.wanted = new Set(wanted);
  }

  readonly sink = (chunk: string): void => {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      this.take(this.carry + chunk.slice(from, nl));
      this.carry = '';
      from = nl + 1;
    }
    this.carry += chunk.slice(from);
  };

  private take(line: string): void {
    this.lines++;
    if (this.test(line)) this.matched++;
    if (this.wanted.has(line)) this.found.add(line);
    if (this.first.length < 5) this.first.push(line);
    this.tail.push(line);
    if (this.tail.length > 20) this.tail = this.tail.slice(-10);
  }

  /** The last `count` lines (at most 10). */
  last(count: number): string[] {
    return this.tail.slice(-count);
  }

  /** What came after the last newline: '' when the output ends with one. */
  get unterminated(): string {
    return this.carry;
  }
}
