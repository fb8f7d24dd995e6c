/**
 * Runs a plan's operations against a narrow port: dependency order, independent batches in
 * parallel under p-limit, a failed row never stops the rest, and every batch and row result
 * goes to the journal (fsync'd per batch) and to listeners. Knows nothing of HTTP: the port
 * (src/apply/vault-port.ts) turns an operation into Vault calls.
 */
import pLimit from 'p-limit';
import { VaultApiError, VaultRosterError } from '../errors.js';
import type { Operation } from '../plan/index.js';
import type { RowOutcome } from '../vault/index.js';
import type { ApplyListener } from './events.js';
import type { Journal, JournalEntry, JournalReplay } from './journal.js';

export interface SendOptions {
  /** An earlier run may have sent this operation (its answer lost). */
  readonly sentBefore: boolean;
  /** The id operation `opId` returned for row `key` in this run or an earlier one of this plan. */
  readonly idOf: (opId: string, key: string) => string | undefined;
}

/** Narrow port to Vault: one operation in, one outcome per row out, in row order. */
export interface ApplyPort {
  send(operation: Operation, options: SendOptions): Promise<readonly RowOutcome[]>;
}

export interface RowFailure {
  readonly op_id: string;
  readonly key: string;
  readonly error_type: string;
  readonly message: string;
}

export interface ExecutionResult {
  /** Keys with at least one failed (or dependency-skipped) row. */
  readonly failedKeys: ReadonlySet<string>;
  readonly failures: readonly RowFailure[];
  /** Ids rows returned (new user ids, SiteVault person ids), by `op_id\u0000key`. */
  readonly rowIds: ReadonlyMap<string, string>;
  readonly calls: number;
  /** The stop signal came: batches that had not left the queue were not sent. */
  readonly interrupted: boolean;
  /** Keys with rows that were not sent because of the stop (a resume sends them). */
  readonly notSentKeys: ReadonlySet<string>;
  /** Rows not sent because of the stop. */
  readonly notSentRows: number;
}

export interface ExecuteOptions {
  readonly concurrency: number;
  readonly journal: Journal;
  readonly replay: JournalReplay;
  readonly listener?: ApplyListener;
  readonly now?: () => string;
  /** Called once a batch's rows are journaled, with every row id known so far. */
  readonly onBatchFinished?: (operation: Operation, rowIds: ReadonlyMap<string, string>) => void;
  /**
   * Once aborted (first Ctrl-C, SIGTERM) no new batch is sent; batches already sent finish and
   * are journaled as usual, so a re-run of the plan resumes where this one stopped.
   */
  readonly stop?: AbortSignal;
}

/** A batch that was still queued when the stop came. */
const NOT_SENT = Symbol('not sent');

function failureOf(error: unknown): { error_type: string; message: string } {
  if (error instanceof VaultApiError) return { error_type: error.errorType, message: error.vaultMessage };
  if (error instanceof VaultRosterError) return { error_type: error.code.toUpperCase().replace(/-/g, '_'), message: error.message };
  throw error;
}

/** Runs every operation once its dependencies are done; returns what failed and the ids created. */
export async function executeOperations(
  operations: readonly Operation[],
  port: ApplyPort,
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  const now = options.now ?? (() => new Date().toISOString());
  const emit = options.listener ?? (() => undefined);
  const { journal, replay } = options;
  const failedKeys = new Set<string>();
  const failures: RowFailure[] = [];
  const rowIds = new Map<string, string>(replay.rowIds);
  const limit = pLimit(Math.max(1, options.concurrency));
  const started = new Map<string, Promise<void>>();
  /** Keys that failed or were skipped in each operation, so dependants skip them too. */
  const failedByOp = new Map<string, Set<string>>();
  const markFailed = (opId: string, key: string): void => {
    const set = failedByOp.get(opId) ?? new Set<string>();
    set.add(key);
    failedByOp.set(opId, set);
  };
  const byId = new Map(operations.map((op) => [op.id, op]));
  let calls = 0;
  const notSentKeys = new Set<string>();
  let notSentRows = 0;
  const stopped = (): boolean => options.stop?.aborted === true;
  const leaveUnsent = (rows: readonly { readonly key: string }[]): void => {
    notSentRows += rows.length;
    for (const row of rows) notSentKeys.add(row.key);
  };

  const runOne = async (operation: Operation): Promise<void> => {
    await Promise.all(operation.depends_on.map((id) => schedule(id)));
    const done = replay.doneRows.get(operation.id) ?? new Set<string>();
    if (stopped()) {
      leaveUnsent(operation.rows.filter((row) => !done.has(row.key)));
      return;
    }
    const resumed = replay.inFlight.has(operation.id);
    // An earlier run may have reached Vault with this call even if it recorded its rows as
    // failed (an answer lost on the way back): the client then sends it in a repeatable form.
    const sentBefore = resumed || replay.attempted.has(operation.id);
    const toSend = operation.rows.filter((row) => {
      if (done.has(row.key)) {
        emit({ type: 'row_skipped', op_id: operation.id, key: row.key, reason: 'done' });
        return false;
      }
      if (operation.depends_on.some((dep) => failedByOp.get(dep)?.has(row.key) === true)) {
        // The row builds on an earlier row of the same user that failed (e.g. its create).
        markFailed(operation.id, row.key);
        const failure = { op_id: operation.id, key: row.key, error_type: 'DEPENDENCY_FAILED', message: 'an earlier operation for this user failed' };
        failures.push(failure);
        emit({ type: 'row_skipped', op_id: operation.id, key: row.key, reason: 'dependency_failed' });
        return false;
      }
      return true;
    });
    if (toSend.length === 0) return;
    const batch = { ...operation, rows: toSend } as Operation;
    let outcomes: readonly RowOutcome[];
    try {
      const answer = await limit((): Promise<readonly RowOutcome[] | typeof NOT_SENT> | typeof NOT_SENT => {
        if (stopped()) return NOT_SENT;
        // Journaled when it leaves the queue, not when it joins it: a batch still waiting for a
        // slot when the process dies was never sent.
        journal.append({ type: 'batch_started', at: now(), op_id: batch.id, kind: batch.kind, sent_before: sentBefore, keys: toSend.map((r) => r.key) });
        emit({ type: 'batch_started', op_id: batch.id, kind: batch.kind, rows: toSend.length, resumed });
        calls += 1;
        return port.send(batch, { sentBefore, idOf: (opId, key) => rowIds.get(`${opId}\u0000${key}`) });
      });
      if (answer === NOT_SENT) {
        leaveUnsent(toSend);
        return;
      }
      outcomes = answer;
      if (outcomes.length !== toSend.length) {
        throw new VaultRosterError('row-count', `${batch.call} returned ${outcomes.length} results for ${toSend.length} rows`);
      }
    } catch (error) {
      const failure = failureOf(error);
      outcomes = toSend.map(() => ({ ok: false as const, ...failure }));
    }
    let ok = 0;
    // One answer for the whole batch: one timestamp and one journal write for its rows.
    const at = now();
    const entries: JournalEntry[] = [];
    toSend.forEach((row, index) => {
      const outcome = outcomes[index] ?? { ok: false as const, error_type: 'MISSING_RESULT', message: 'no result for this row' };
      if (outcome.ok) {
        ok += 1;
        if (outcome.id !== undefined) rowIds.set(`${batch.id}\u0000${row.key}`, outcome.id);
        entries.push({ type: 'row_result', at, op_id: batch.id, key: row.key, ok: true, ...(outcome.id === undefined ? {} : { id: outcome.id }) });
        emit({ type: 'row_result', op_id: batch.id, key: row.key, ok: true, ...(outcome.id === undefined ? {} : { id: outcome.id }) });
      } else {
        failedKeys.add(row.key);
        markFailed(batch.id, row.key);
        failures.push({ op_id: batch.id, key: row.key, error_type: outcome.error_type, message: outcome.message });
        entries.push({ type: 'row_result', at, op_id: batch.id, key: row.key, ok: false, error_type: outcome.error_type, message: outcome.message });
        emit({ type: 'row_result', op_id: batch.id, key: row.key, ok: false, error_type: outcome.error_type, message: outcome.message });
      }
    });
    entries.push({ type: 'batch_finished', at, op_id: batch.id, ok, failed: toSend.length - ok });
    journal.appendAll(entries);
    journal.sync();
    options.onBatchFinished?.(batch, rowIds);
    emit({ type: 'batch_finished', op_id: batch.id, ok, failed: toSend.length - ok });
  };

  const schedule = (id: string): Promise<void> => {
    const existing = started.get(id);
    if (existing) return existing;
    const operation = byId.get(id);
    if (operation === undefined) {
      return Promise.reject(new VaultRosterError('plan-invalid', `operation depends on unknown operation ${id}`));
    }
    const promise = runOne(operation);
    started.set(id, promise);
    return promise;
  };

  await Promise.all(operations.map((op) => schedule(op.id)));
  // Failed-by-dependency rows count against the user too.
  for (const failure of failures) failedKeys.add(failure.key);
  return { failedKeys, failures, rowIds, calls, interrupted: stopped() && notSentRows > 0, notSentKeys, notSentRows };
}
