/**
 * Packing rows into calls and ordering calls. Rows are packed into the fewest batches that
 * hold at most 500 rows and never the same user twice; calls are numbered in stage order and
 * each depends on the calls of the latest earlier stage that touch the same user.
 */
import { MAX_BATCH_ROWS, describeCall } from '../vault-api/index.js';
import type { Operation, OperationRow } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An operation before it has an id, its call line and its dependencies. */
export type OperationDraft = DistributiveOmit<Operation, 'id' | 'call' | 'depends_on'> & {
  /** Drafts that must run first although they share no user (e.g. grant an admin before revoking one). */
  readonly after?: readonly OperationDraft[];
};

/**
 * Splits rows into batches of at most `max` rows with no key twice in a batch, using the
 * fewest batches possible: max(ceil(rows / max), most rows of one key). Rows of one key are
 * dealt round-robin, so they always land in different batches.
 */
export function packRows<R extends OperationRow>(rows: readonly R[], max: number = MAX_BATCH_ROWS): R[][] {
  if (rows.length === 0) return [];
  const byKey = new Map<string, R[]>();
  for (const row of rows) {
    const group = byKey.get(row.key);
    if (group === undefined) byKey.set(row.key, [row]);
    else group.push(row);
  }
  let most = 0;
  for (const group of byKey.values()) most = Math.max(most, group.length);
  const count = Math.max(Math.ceil(rows.length / max), most);
  if (most === 1) {
    const batches: R[][] = [];
    for (let i = 0; i < rows.length; i += max) batches.push(rows.slice(i, i + max));
    return batches;
  }
  // Keys with the most rows first, so a key's rows stay consecutive and fit in distinct batches.
  const groups = [...byKey.values()].sort((a, b) => b.length - a.length);
  const batches: R[][] = Array.from({ length: count }, () => []);
  let i = 0;
  for (const group of groups) {
    for (const row of group) {
      batches[i % count]?.push(row);
      i++;
    }
  }
  return batches;
}

/** One draft per batch of rows, all sharing the same call shape. */
export function batchDrafts<D extends OperationDraft>(shape: DistributiveOmit<D, 'rows' | 'after'>, rows: readonly D['rows'][number][]): D[] {
  return packRows(rows).map((batch) => ({ ...shape, rows: batch }) as unknown as D);
}

function operationId(n: number): string {
  return `op-${String(n).padStart(3, '0')}`;
}

/**
 * Numbers drafts in stage order and fills `depends_on`: the calls of the most recent earlier
 * stage that touch the same key (earlier stages are reached through those), plus `after`.
 */
export function assembleOperations(stages: readonly (readonly OperationDraft[])[]): Operation[] {
  const operations: Operation[] = [];
  const idOf = new Map<OperationDraft, string>();
  const lastStageOps = new Map<string, string[]>();
  for (const stage of stages) {
    const touched = new Map<string, string[]>();
    for (const draft of stage) {
      const id = operationId(operations.length + 1);
      idOf.set(draft, id);
      const deps = new Set<string>();
      for (const row of draft.rows) {
        for (const dep of lastStageOps.get(row.key) ?? []) deps.add(dep);
        const list = touched.get(row.key);
        if (list === undefined) touched.set(row.key, [id]);
        else list.push(id);
      }
      for (const before of draft.after ?? []) {
        const dep = idOf.get(before);
        if (dep !== undefined && dep !== id) deps.add(dep);
      }
      const { after: _after, ...shape } = draft;
      operations.push({
        id,
        call: describeCall(shape),
        depends_on: [...deps].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))),
        ...shape,
      });
    }
    for (const [key, ids] of touched) lastStageOps.set(key, ids);
  }
  return operations;
}
