/**
 * A journal of a million-row apply (2,000 batches of 500 rows, each row's result on its own
 * line, ~120 MB) is written through appendAll and replayed: every done row and returned id is
 * there, nothing left in flight; and a torn line in the middle is still a named error naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, replayJournal, type JournalEntry } from '../../src/apply/journal.js';
import { VaultRosterError } from '../../src/errors.js';

const ROWS = 1_000_000;
const BATCH = 500;
const dir = mkdtempSync(join(tmpdir(), 'vr-scale-journal-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function opId(batch: number): string {
  return `op-${String(batch + 1).padStart(4, '0')}`;
}

describe(`journal of ${ROWS.toLocaleString('en-US')} rows`, () => {
  it('replays every row of every batch', () => {
    const path = join(dir, 'big.jsonl');
    const journal = new Journal(path);
    const at = '2025-01-01T00:00:00.000Z';
    journal.append({ type: 'run_started', at, plan_id: 'p', tool_version: 't', pid: 1 });
    for (let b = 0; b < ROWS / BATCH; b++) {
      const op_id = opId(b);
      const entries: JournalEntry[] = [{ type: 'batch_started', at, op_id, kind: 'create_users', keys: [] }];
      for (let r = 0; r < BATCH; r++) {
        const n = b * BATCH + r;
        entries.push({ type: 'row_result', at, op_id, key: `u${n}`, ok: n % 1000 !== 999, id: String(n) });
      }
      entries.push({ type: 'batch_finished', at, op_id, ok: BATCH - 1, failed: 1 });
      journal.appendAll(entries);
    }
    journal.append({ type: 'run_finished', at, counts: {} });
    journal.close();

    const replay = replayJournal(path);
    expect(replay.runs).toBe(1);
    expect(replay.lastRunFinished).toBe(true);
    expect(replay.inFlight.size).toBe(0);
    expect(replay.doneRows.size).toBe(ROWS / BATCH);
    let done = 0;
    for (const keys of replay.doneRows.values()) done += keys.size;
    expect(done).toBe(ROWS - ROWS / 1000);
    const lastOp = opId(ROWS / BATCH - 1);
    expect(replay.doneRows.get(lastOp)?.has(`u${ROWS - 2}`)).toBe(true);
    expect(replay.doneRows.get(lastOp)?.has(`u${ROWS - 1}`)).toBe(false);
    expect(replay.rowIds.get(`${lastOp}\u0000u${ROWS - 2}`)).toBe(String(ROWS - 2));
    expect(replay.rowIds.size).toBe(ROWS - ROWS / 1000);
  }, 60_000);

  it('names a torn line in the middle, whatever chunk it falls in', () => {
    const path = join(dir, 'torn.jsonl');
    const good = JSON.stringify({ type: 'row_result', at: 'x', op_id: 'op-1', key: 'k', ok: true }) + '\n';
    // ~1.3 MiB of good lines on either side, so the torn line crosses a read boundary's neighbourhood.
    const before = good.repeat(20_000);
    writeFileSync(path, `${before}{"type": "row_res\n${good}`);
    let thrown: unknown;
    try {
      replayJournal(path);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VaultRosterError);
    expect((thrown as VaultRosterError).message).toBe(`journal ${path} line 20001 is damaged: not JSON`);
  });
});
