// Damaged local files (journal, state, lock, plan output path) give a named error with a hint,
// never "internal", and leave no temporary file behind. Readers are fuzzed directly with many
// corruptions; the CLI is checked once per file kind.
import { isWrite } from '../helpers/simulator.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Journal, replayJournal } from '../../src/apply/journal.js';
import { VaultRosterError } from '../../src/errors.js';
import { readStateFile } from '../../src/state/index.js';
import { startRosterFixture } from '../helpers/roster.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vr-damaged-'));
}

/** Either a usable result or a VaultRosterError with `code`: nothing else may escape. */
function expectNamed(read: () => unknown, code: string): void {
  try {
    read();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(VaultRosterError);
    expect((error as VaultRosterError).code).toBe(code);
    expect((error as VaultRosterError).hint).toBeTruthy();
  }
}

const GOOD_JOURNAL = [
  { type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 1 },
  { type: 'batch_started', at: 't', op_id: 'op-001', kind: 'create_users', keys: ['a', 'b'] },
  { type: 'sent', at: 't', op_id: 'op-001', method: 'POST', path: '/api/v26.2/objects/users', attempt: 0 },
  { type: 'row_result', at: 't', op_id: 'op-001', key: 'a', ok: true, id: '1' },
  { type: 'batch_finished', at: 't', op_id: 'op-001', ok: 1, failed: 0 },
  { type: 'run_finished', at: 't', counts: {} },
]
  .map((e) => JSON.stringify(e))
  .join('\n');

const GOOD_STATE = JSON.stringify({
  format_version: 1,
  vault_id: 5005,
  updated_at: 't',
  sitevault: {
    'a@b.com': { person_id: 'V1', email: 'a@b.com', first_name: 'A', last_name: 'B', security_policy: 'VeevaID', person_type: 'staff__v', investigator: false, org: { org_id: 'O', role: 'org_full__v', addons: [] }, sites: [], studies: [] },
  },
  baseline: { applied_at: 't', users: { 'a@b.com': 'x' }, sitevault: {}, live_users: ['a@b.com'] },
});

/** Corruptions of a text: cut at a point, a byte overwritten, a JSON value put in a field's place. */
const corruption = (good: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.nat({ max: good.length }).map((n) => good.slice(0, n)),
    fc.tuple(fc.nat({ max: good.length - 1 }), fc.string({ minLength: 1, maxLength: 3 })).map(([n, s]) => good.slice(0, n) + s + good.slice(n + 1)),
    fc.constantFrom('null', '[]', '1', '"x"', '{}', '\u0000', 'null\nnull', '{"type":"row_result"}', '{"type":"batch_started","op_id":1}'),
    fc.tuple(fc.constantFrom('"op-001"', '"a@b.com"', 'false', '"V1"', '[]', '"t"'), fc.constantFrom('null', '7', '{}', '[1]', 'true')).map(([from, to]) => good.replace(from, to)),
  );

describe('damaged local files, fuzzed', () => {
  it('a journal: replay reads it or names the damage (journal-file)', () => {
    const path = join(tempDir(), 'plan.jsonl');
    fc.assert(
      fc.property(corruption(GOOD_JOURNAL), (text) => {
        writeFileSync(path, text);
        expectNamed(() => replayJournal(path), 'journal-file');
      }),
      { numRuns: 400, seed: 20261130 },
    );
  });

  it('a state file: it reads or names the damage (state-file)', () => {
    const path = join(tempDir(), 'state.json');
    fc.assert(
      fc.property(corruption(GOOD_STATE), (text) => {
        writeFileSync(path, text);
        expectNamed(() => readStateFile(path, 5005), 'state-file');
      }),
      { numRuns: 400, seed: 20261130 },
    );
  });

  it.each([
    ['a null line in the middle', `${GOOD_JOURNAL.split('\n').slice(0, 2).join('\n')}\nnull\n${GOOD_JOURNAL.split('\n').slice(2).join('\n')}`, /line 3 is damaged: not a journal entry/],
    ['a torn line followed by more of the same run', `${GOOD_JOURNAL.split('\n').slice(0, 2).join('\n')}\n{"type":"se\n${GOOD_JOURNAL.split('\n').slice(2).join('\n')}`, /line 3 is damaged: not JSON/],
    ['a row result without its key', `${GOOD_JOURNAL}\n{"type":"row_result","op_id":"op-002","ok":true}`, /line 7 is damaged: row_result without a valid key/],
  ])('a journal with %s is named with its line', (_name, text, message) => {
    const path = join(tempDir(), 'plan.jsonl');
    writeFileSync(path, text);
    expect(() => replayJournal(path)).toThrow(message);
  });

  it('a torn last line, and one followed by the next run, are crashes, not damage', () => {
    const path = join(tempDir(), 'plan.jsonl');
    writeFileSync(path, `${GOOD_JOURNAL}\n{"type":"batch_st`);
    expect(replayJournal(path).runs).toBe(1);
    new Journal(path).close();
    writeFileSync(path, `${readFileSync(path, 'utf8')}${JSON.stringify({ type: 'run_started', at: 't', plan_id: 'p', tool_version: '0', pid: 2 })}\n`);
    expect(replayJournal(path).runs).toBe(2);
  });

  it('a journal path that is a directory, and a state entry filed under another email', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'plan.jsonl'));
    expect(() => replayJournal(join(dir, 'plan.jsonl'))).toThrow(/cannot read journal .* it is a directory/);
    const state = join(dir, 'state.json');
    writeFileSync(state, GOOD_STATE.replace('"a@b.com":', '"x@y.com":'));
    expect(() => readStateFile(state, 5005)).toThrow(/sitevault\["x@y.com"\] holds the person a@b.com/);
  });
});

describe('damaged local files through the CLI: named error, exit 1, no stack, no temporary file', () => {
  function leftovers(dir: string): string[] {
    const found: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.tmp')) found.push(join(d, e.name));
      }
    };
    walk(dir);
    return found;
  }

  it.each([
    ['the state file', (dir: string) => {
        writeFileSync(join(dir, '.vault-roster', 'state.json'), '{"format_version":1,"vault_id":5005,"updated_at":"t","sitevault":{},"baseline":null}');
      }, ['plan'], 'state-file'],
    ['plan --out pointing at a directory', (dir: string) => {
        mkdirSync(join(dir, 'out.json'));
      }, ['plan', '--out', 'out.json'], 'output-file'],
    ['a lock held by a live process', (dir: string) => {
        writeFileSync(join(dir, '.vault-roster', 'state.json.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), purpose: 'apply', since: 't' }));
      }, ['apply', '--auto-approve'], 'locked'],
  ] as const)('%s', async (_name, damage, argv, code) => {
    const fx = await startRosterFixture();
    mkdirSync(join(fx.dir, '.vault-roster'), { recursive: true });
    damage(fx.dir);
    fx.sim.clearRequestLog();
    const run = await fx.run([...argv]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error [${code}]`);
    expect(run.stderr).toContain('hint:');
    expect(run.stderr).not.toContain('[internal]');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(leftovers(fx.dir)).toEqual([]);
    expect(fx.sim.requestLog().filter(isWrite)).toEqual([]);
    expect(existsSync(join(fx.dir, '.vault-roster'))).toBe(true);
  });
});
