// `apply --format json`: stdout is one JSON event per line, for machines; the final count line
// goes to stderr so stdout stays parseable.
import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/index.js';
import { startRosterFixture } from '../helpers/roster.js';

describe('apply --format json', () => {
  it('prints batch_started, row_result and batch_finished events, one per line, and the count line on stderr', async () => {
    const fx = await startRosterFixture();
    const planned = await fx.run(['plan', '--out', 'plan.json']);
    expect(planned.code).toBe(0);
    const run = await fx.run(['apply', 'plan.json', '--auto-approve', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);

    const lines = run.stdout.split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as ApplyEvent);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['batch_started', 'row_result', 'batch_finished']));
    // Every batch opens before its rows and closes after them, with matching counts.
    const byOp = new Map<string, ApplyEvent[]>();
    for (const e of events) if ('op_id' in e) byOp.set(e.op_id, [...(byOp.get(e.op_id) ?? []), e]);
    for (const [op, own] of byOp) {
      const first = own[0];
      const last = own.at(-1);
      expect(first?.type, op).toBe('batch_started');
      expect(last?.type, op).toBe('batch_finished');
      const rows = own.filter((e) => e.type === 'row_result');
      expect(first?.type === 'batch_started' ? first.rows : -1, op).toBe(rows.length);
      expect(last?.type === 'batch_finished' ? last.ok : -1, op).toBe(rows.length);
    }
    const rowResults = events.flatMap((e) => (e.type === 'row_result' ? [e] : []));
    expect(rowResults.length).toBeGreaterThan(20);
    expect(rowResults.filter((e) => !e.ok)).toEqual([]);

    expect(run.stdout).not.toContain('Apply complete');
    expect(run.stderr).toMatch(/^Apply complete: created \d+, updated \d+, deactivated 0, promoted 1, SiteVault changes 7(, group changes \d+)?, failed 0\.$/m);
  });
});
