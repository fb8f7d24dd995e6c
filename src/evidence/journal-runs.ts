/**
 * A journal read for evidence: its runs (run_started … run_finished), and per operation the calls
 * and row results. Read whole: a bundle is of one plan, and its journal is copied anyway. Lines a
 * crash tore or of an unknown type are skipped here; `journal verify` reports them.
 */
import { closeSync, openSync } from 'node:fs';
import { journalLines, type Approval, type JournalEntry, type RunActor, type RunStarted } from '../apply/index.js';
import { VaultRosterError } from '../errors.js';

export interface CallRecord {
  readonly at: string;
  readonly op_id: string;
  readonly method: string;
  readonly path: string;
  readonly status: string;
  readonly execution_id: string | null;
  readonly error_type?: string;
  readonly attempt: number;
}

/** A journal's row result, as apply writes it (src/apply/journal.ts), without its type tag. */
export type RowRecord = Omit<Extract<JournalEntry, { readonly type: 'row_result' }>, 'type'>;

export interface RunRecord {
  readonly started: RunStarted;
  /** The run's `run_finished`, or null when it was cut off (interrupted, crashed). */
  readonly finished: { readonly at: string; readonly counts: Readonly<Record<string, number>> } | null;
}

export interface JournalRuns {
  readonly runs: readonly RunRecord[];
  readonly calls: readonly CallRecord[];
  readonly rows: readonly RowRecord[];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function callOf(e: Record<string, unknown>): CallRecord {
  return {
    at: str(e.at),
    op_id: str(e.op_id),
    method: str(e.method),
    path: str(e.path),
    status: str(e.status),
    // Absent when Vault sent no X-VaultAPI-ExecutionId: said as null, never made up.
    execution_id: typeof e.execution_id === 'string' ? e.execution_id : null,
    ...(typeof e.error_type === 'string' ? { error_type: e.error_type } : {}),
    attempt: typeof e.attempt === 'number' ? e.attempt : 0,
  };
}

function rowOf(e: Record<string, unknown>): RowRecord {
  return {
    at: str(e.at),
    op_id: str(e.op_id),
    key: str(e.key),
    ok: e.ok === true,
    ...(typeof e.id === 'string' ? { id: e.id } : {}),
    ...(typeof e.error_type === 'string' ? { error_type: e.error_type } : {}),
    ...(typeof e.message === 'string' ? { message: e.message } : {}),
  };
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function readJournalRuns(path: string): JournalRuns {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new VaultRosterError('journal-file', `cannot read journal ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'Give a journal of .vault-roster/journal/ (named by the plan id apply printed), or the plan id.',
    });
  }
  const runs: { started: RunStarted; finished: RunRecord['finished'] }[] = [];
  const calls: CallRecord[] = [];
  const rows: RowRecord[] = [];
  try {
    for (const line of journalLines(path, fd)) {
      const e = parse(line);
      if (e === undefined) continue;
      if (e.type === 'run_started' && typeof e.plan_id === 'string') runs.push({ started: e as unknown as RunStarted, finished: null });
      else if (e.type === 'run_finished') {
        const last = runs.at(-1);
        if (last !== undefined) last.finished = { at: str(e.at), counts: (e.counts ?? {}) as Record<string, number> };
      } else if (e.type === 'call') calls.push(callOf(e));
      else if (e.type === 'row_result') rows.push(rowOf(e));
    }
  } finally {
    closeSync(fd);
  }
  return { runs, calls, rows };
}

/** The approvals of every run, each with the time its run started (the signature's date and time). */
export function approvalsOf(runs: readonly RunRecord[]): { readonly run_started_at: string; readonly approvals: readonly Approval[] }[] {
  return runs.map((r) => ({ run_started_at: r.started.at, approvals: r.started.approvals ?? [] }));
}

export type { Approval, RunActor };
