import { describe, expect, it } from 'vitest';
import { jsonLinesReporter, progressReporter } from '../../src/apply/reporters.js';

function sink(): { out: { write: (s: string) => void }; text: () => string } {
  let text = '';
  return { out: { write: (s: string) => (text += s) }, text: () => text };
}

describe('apply reporters', () => {
  it('json lines: one parseable event per line', () => {
    const s = sink();
    const report = jsonLinesReporter(s.out);
    report({ type: 'batch_started', op_id: 'op-001', kind: 'create', rows: 2, resumed: false });
    report({ type: 'row_result', op_id: 'op-001', key: 'a@x.com', ok: true, id: '25001' });
    const lines = s.text().trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['batch_started', 'row_result']);
  });

  it('progress: counts rows, prints failures on their own line, ends with a newline once', () => {
    const s = sink();
    const report = progressReporter(s.out, 2);
    report({ type: 'row_result', op_id: 'op-001', key: 'a@x.com', ok: false, error_type: 'INVALID_DATA', message: 'bad' });
    report({ type: 'row_skipped', op_id: 'op-001', key: 'b@x.com', reason: 'done' });
    report({ type: 'batch_finished', op_id: 'op-001', ok: 1, failed: 1 });
    expect(s.text()).toContain('failed: a@x.com: INVALID_DATA bad\n');
    expect(s.text()).toMatch(/2\/2 rows, 1 failed\n$/);
    expect(s.text().match(/\n/g)).toHaveLength(2);
  });
});
