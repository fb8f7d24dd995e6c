// The executor's scheduling and resume rules over an in-memory port. The port's HTTP side, and
// how the client sends a create marked as sent before, are tested against the simulator in
// test/apply/vault-port.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeOperations, type ApplyPort } from '../../src/apply/execute.js';
import { EMPTY_REPLAY, Journal, replayJournal } from '../../src/apply/journal.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import type { Operation } from '../../src/plan/index.js';
import type { RowOutcome } from '../../src/vault/index.js';

/** A create of new users, or an upsert by user name of the same users. */
function op(id: string, kind: 'create_users' | 'upsert_users', keys: string[], depends_on: string[] = []): Operation {
  const rows = keys.map((key) => ({ key, values: { first_name: key } }));
  return kind === 'create_users'
    ? { id, kind, call: 'POST /objects/users', depends_on, rows }
    : { id, kind, match: 'user_name', call: 'POST /objects/users?operation=upsert&idParam=user_name__v', depends_on, rows };
}

class RecordingPort implements ApplyPort {
  readonly sent: { operation: Operation; sentBefore: boolean }[] = [];
  constructor(private readonly failKeys: ReadonlySet<string> = new Set()) {}
  send(operation: Operation, options: { readonly sentBefore: boolean }): Promise<readonly RowOutcome[]> {
    this.sent.push({ operation, sentBefore: options.sentBefore });
    return Promise.resolve(
      operation.rows.map((row): RowOutcome =>
        this.failKeys.has(row.key) ? { ok: false, error_type: 'INVALID_DATA', message: `bad ${row.key}` } : { ok: true, id: `id-${row.key}` },
      ),
    );
  }
}

function journalIn(dir: string): Journal {
  return new Journal(join(dir, 'journal', 'plan.jsonl'));
}

describe('executeOperations', () => {
  it('runs dependencies first, keeps going past a failed row, and skips dependants of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const port = new RecordingPort(new Set(['b']));
    const events: ApplyEvent[] = [];
    const journal = journalIn(dir);
    const result = await executeOperations(
      [op('op-002', 'upsert_users', ['a', 'b'], ['op-001']), op('op-001', 'create_users', ['a', 'b', 'c'])],
      port,
      { concurrency: 2, journal, replay: EMPTY_REPLAY, listener: (e) => events.push(e) },
    );
    journal.close();
    expect(port.sent.map((s) => [s.operation.id, s.operation.kind, s.operation.rows.map((r) => r.key), s.sentBefore])).toEqual([
      ['op-001', 'create_users', ['a', 'b', 'c'], false],
      ['op-002', 'upsert_users', ['a'], false],
    ]);
    expect(result.failures).toEqual([
      { op_id: 'op-001', key: 'b', error_type: 'INVALID_DATA', message: 'bad b' },
      { op_id: 'op-002', key: 'b', error_type: 'DEPENDENCY_FAILED', message: 'an earlier operation for this user failed' },
    ]);
    expect([...result.failedKeys]).toEqual(['b']);
    expect(result.rowIds.get('op-001\u0000c')).toBe('id-c');
    expect(events.filter((e) => e.type === 'row_skipped')).toEqual([
      { type: 'row_skipped', op_id: 'op-002', key: 'b', reason: 'dependency_failed' },
    ]);
  });

  it('on resume skips done rows and sends the rest of an in-flight create as it is, marked as sent before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const path = join(dir, 'journal', 'plan.jsonl');
    const first = new Journal(path);
    first.append({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 1 });
    first.append({ type: 'batch_started', at: 't', op_id: 'op-001', kind: 'create_users', sent_before: false, keys: ['a', 'b'] });
    first.append({ type: 'row_result', at: 't', op_id: 'op-001', key: 'a', ok: true, id: '25001' });
    first.close();
    // A crash mid-line leaves a torn entry; replay must ignore it.
    writeFileSync(path, readFileSync(path, 'utf8') + '{"type":"row_res');
    const replay = replayJournal(path);
    expect([...replay.inFlight]).toEqual(['op-001']);
    const port = new RecordingPort();
    const journal = new Journal(path);
    // As applyPlan does, the new run starts with its own run_started.
    journal.append({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 2 });
    const events: ApplyEvent[] = [];
    const result = await executeOperations([op('op-001', 'create_users', ['a', 'b'])], port, { concurrency: 1, journal, replay, listener: (e) => events.push(e) });
    journal.close();
    // Execute does not rewrite the operation: the client turns a create sent before into an upsert.
    expect(port.sent).toEqual([{ operation: op('op-001', 'create_users', ['b']), sentBefore: true }]);
    expect(events.filter((e) => e.type === 'row_skipped' || e.type === 'batch_started')).toEqual([
      { type: 'row_skipped', op_id: 'op-001', key: 'a', reason: 'done' },
      { type: 'batch_started', op_id: 'op-001', kind: 'create_users', rows: 1, resumed: true },
    ]);
    expect(result.rowIds.get('op-001\u0000a')).toBe('25001');
    expect(result.rowIds.get('op-001\u0000b')).toBe('id-b');
    const started = readFileSync(path, 'utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { type: string }];
        } catch {
          return [];
        }
      })
      .filter((e) => e.type === 'batch_started');
    expect(started.map((e) => ({ ...e, at: 'x', chain: undefined }))).toEqual([
      { type: 'batch_started', at: 'x', op_id: 'op-001', kind: 'create_users', sent_before: false, keys: ['a', 'b'] },
      { type: 'batch_started', at: 'x', op_id: 'op-001', kind: 'create_users', sent_before: true, keys: ['b'] },
    ]);
    const after = replayJournal(path);
    expect(after.inFlight.size).toBe(0);
    expect([...(after.doneRows.get('op-001') ?? [])].sort()).toEqual(['a', 'b']);
  });

  it('marks a batch an earlier run sent a write for as sent before (its answer may have been lost), and only such a batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const path = join(dir, 'journal', 'plan.jsonl');
    const first = new Journal(path);
    first.append({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 1 });
    first.append({ type: 'batch_started', at: 't', op_id: 'op-001', kind: 'create_users', sent_before: false, keys: ['a'] });
    first.append({ type: 'sent', at: 't', op_id: 'op-001', method: 'POST', path: '/api/v26.2/objects/users', attempt: 0 });
    first.append({ type: 'row_result', at: 't', op_id: 'op-001', key: 'a', ok: false, error_type: 'TRANSPORT', message: 'connection reset' });
    first.append({ type: 'batch_finished', at: 't', op_id: 'op-001', ok: 0, failed: 1 });
    // Queued but never sent (the run ended before a write request left): not "sent before".
    first.append({ type: 'batch_started', at: 't', op_id: 'op-002', kind: 'create_users', sent_before: false, keys: ['c'] });
    first.append({ type: 'row_result', at: 't', op_id: 'op-002', key: 'c', ok: false, error_type: 'TRANSPORT', message: 'connection refused' });
    first.append({ type: 'batch_finished', at: 't', op_id: 'op-002', ok: 0, failed: 1 });
    first.append({ type: 'run_finished', at: 't', counts: {} });
    first.close();
    const replay = replayJournal(path);
    expect([replay.inFlight.size, [...replay.attempted]]).toEqual([0, ['op-001']]);
    const port = new RecordingPort();
    const journal = new Journal(path);
    await executeOperations([op('op-001', 'create_users', ['a']), op('op-002', 'create_users', ['c'])], port, { concurrency: 1, journal, replay });
    journal.close();
    expect(port.sent.map((s) => [s.operation.id, s.sentBefore])).toEqual([
      ['op-001', true],
      ['op-002', false],
    ]);
  });

  it('turns a whole-request failure into one failure per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const { VaultApiError } = await import('../../src/errors.js');
    const port: ApplyPort = {
      send: () => Promise.reject(new VaultApiError({ method: 'POST', path: '/api/v25.2/objects/users', errorType: 'INSUFFICIENT_ACCESS', vaultMessage: 'no' })),
    };
    const journal = journalIn(dir);
    const result = await executeOperations([op('op-001', 'create_users', ['a', 'b'])], port, { concurrency: 1, journal, replay: EMPTY_REPLAY });
    journal.close();
    expect(result.failures.map((f) => [f.key, f.error_type])).toEqual([
      ['a', 'INSUFFICIENT_ACCESS'],
      ['b', 'INSUFFICIENT_ACCESS'],
    ]);
  });

  it('a run after a torn last line starts its entries on a line of their own, so replay counts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const path = join(dir, 'journal', 'plan.jsonl');
    const first = new Journal(path);
    first.append({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 1 });
    first.close();
    writeFileSync(path, readFileSync(path, 'utf8') + '{"type":"batch_sta');
    const second = new Journal(path);
    second.append({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 2 });
    second.close();
    expect(replayJournal(path).runs).toBe(2);
  });
});
