// The executor's scheduling and resume rules over an in-memory port (the HTTP path is covered
// end to end against the simulator in test/apply/apply-e2e.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeOperations, type ApplyOperation, type ApplyPort, type RowOutcome } from '../../src/apply/execute.js';
import { EMPTY_REPLAY, Journal, replayJournal } from '../../src/apply/journal.js';
import type { ApplyEvent } from '../../src/apply/events.js';

function op(id: string, kind: ApplyOperation['kind'], keys: string[], depends_on: string[] = []): ApplyOperation {
  return {
    id,
    kind,
    method: kind === 'update' ? 'PUT' : 'POST',
    path: '/objects/users',
    body_format: 'json-array',
    depends_on,
    rows: keys.map((key) => ({ key, body: { user_name__v: key } })),
  };
}

class RecordingPort implements ApplyPort {
  readonly sent: ApplyOperation[] = [];
  constructor(private readonly failKeys: ReadonlySet<string> = new Set()) {}
  send(operation: ApplyOperation): Promise<readonly RowOutcome[]> {
    this.sent.push(operation);
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
      [op('op-002', 'upsert', ['a', 'b'], ['op-001']), op('op-001', 'create', ['a', 'b', 'c'])],
      port,
      { concurrency: 2, journal, replay: EMPTY_REPLAY, listener: (e) => events.push(e) },
    );
    journal.close();
    expect(port.sent.map((o) => [o.id, o.rows.map((r) => r.key)])).toEqual([
      ['op-001', ['a', 'b', 'c']],
      ['op-002', ['a']],
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

  it('on resume skips done rows and sends an in-flight create as an upsert keyed by user_name__v', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const path = join(dir, 'journal', 'plan.jsonl');
    const first = new Journal(path);
    first.append({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 1 });
    first.append({ type: 'batch_started', at: 't', op_id: 'op-001', kind: 'create', keys: ['a', 'b'] });
    first.append({ type: 'row_result', at: 't', op_id: 'op-001', key: 'a', ok: true, id: '25001' });
    first.close();
    // A crash mid-line leaves a torn entry; replay must ignore it.
    writeFileSync(path, readFileSync(path, 'utf8') + '{"type":"row_res');
    const replay = replayJournal(path);
    expect([...replay.inFlight]).toEqual(['op-001']);
    const port = new RecordingPort();
    const journal = new Journal(path);
    await executeOperations([op('op-001', 'create', ['a', 'b'])], port, { concurrency: 1, journal, replay });
    journal.close();
    expect(port.sent).toHaveLength(1);
    expect(port.sent[0]).toMatchObject({ kind: 'upsert', query: { operation: 'upsert', idParam: 'user_name__v' } });
    expect(port.sent[0]!.rows.map((r) => r.key)).toEqual(['b']);
    const after = replayJournal(path);
    expect(after.inFlight.size).toBe(0);
    expect([...(after.doneRows.get('op-001') ?? [])].sort()).toEqual(['a', 'b']);
  });

  it('turns a whole-request failure into one failure per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-exec-'));
    const { VaultApiError } = await import('../../src/errors.js');
    const port: ApplyPort = {
      send: () => Promise.reject(new VaultApiError({ method: 'POST', path: '/api/v25.2/objects/users', errorType: 'INSUFFICIENT_ACCESS', vaultMessage: 'no' })),
    };
    const journal = journalIn(dir);
    const result = await executeOperations([op('op-001', 'create', ['a', 'b'])], port, { concurrency: 1, journal, replay: EMPTY_REPLAY });
    journal.close();
    expect(result.failures.map((f) => [f.key, f.error_type])).toEqual([
      ['a', 'INSUFFICIENT_ACCESS'],
      ['b', 'INSUFFICIENT_ACCESS'],
    ]);
  });
});
