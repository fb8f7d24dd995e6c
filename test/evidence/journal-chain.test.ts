// The journal's hash chain: `journal verify` names an edited, removed or inserted line; a journal
// of an older version (no chain) is "not chained", still replays and resumes, and a new run
// appended to it is chained from there; a torn line is accepted where replay accepts it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, replayJournal, type JournalEntry } from '../../src/apply/journal.js';
import { verifyJournal } from '../../src/apply/journal-verify.js';
import { runCliCaptured } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vr-chain-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function freshPath(): string {
  files += 1;
  return join(dir, `j${files}.jsonl`);
}

const at = '2026-01-01T00:00:00.000Z';
function runEntries(pid: number): JournalEntry[] {
  return [
    { type: 'run_started', at, plan_id: 'p1', tool_version: 't', pid },
    { type: 'batch_started', at, op_id: 'op-001', kind: 'create_users', keys: ['a', 'b'] },
    { type: 'row_result', at, op_id: 'op-001', key: 'a', ok: true, id: '1' },
    { type: 'row_result', at, op_id: 'op-001', key: 'b', ok: true, id: '2' },
    { type: 'batch_finished', at, op_id: 'op-001', ok: 2, failed: 0 },
    { type: 'run_finished', at, counts: { created: 2 } },
  ];
}

/** A journal of one run (six lines), written by the Journal class; returns its path and head. */
function writtenJournal(): { path: string; head: string } {
  const path = freshPath();
  const journal = new Journal(path);
  journal.appendAll(runEntries(1));
  const head = journal.head;
  journal.close();
  return { path, head };
}

function fileLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

function rewrite(path: string, edit: (lines: string[]) => string[]): void {
  writeFileSync(path, edit(fileLines(path)).map((l) => `${l}\n`).join(''));
}

describe('journal hash chain', () => {
  it('every line carries a chain; an untouched journal verifies, with its head', () => {
    const { path, head } = writtenJournal();
    expect(fileLines(path).every((l) => /,"chain":"[0-9a-f]{64}"\}$/.test(l))).toBe(true);
    const verdict = verifyJournal(path, head);
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ entries: 6, chained: 6, unchained: 0, runs: 1, finished_runs: 1, plan_ids: ['p1'], head: { chain: head, line: 6 }, head_found_at: 6 });
  });

  it.each([
    ['an edited value', (l: string[]) => l.map((x, i) => (i === 2 ? x.replace('"id":"1"', '"id":"9"') : x)), [3]],
    ['an edited last line', (l: string[]) => l.map((x, i) => (i === 5 ? x.replace('"created":2', '"created":3') : x)), [6]],
    ['a removed line (named by the line after the gap)', (l: string[]) => l.filter((_x, i) => i !== 3), [4]],
    ['a removed first line', (l: string[]) => l.slice(1), [1]],
    ['an inserted copy of a line', (l: string[]) => [...l.slice(0, 2), l[1] ?? '', ...l.slice(2)], [3]],
    ['swapped lines (and the line after them)', (l: string[]) => [l[0] ?? '', l[2] ?? '', l[1] ?? '', ...l.slice(3)], [2, 3, 4]],
    ['a line without its chain among chained lines', (l: string[]) => l.map((x, i) => (i === 4 ? x.replace(/,"chain":"[0-9a-f]{64}"\}$/, '}') : x)), [5, 6]],
  ])('names %s', (_name, edit, named) => {
    const { path } = writtenJournal();
    rewrite(path, edit);
    expect(verifyJournal(path).problems.map((p) => p.line)).toEqual(named);
  });

  it('a cut at the end leaves a sound chain, but not the head apply printed', () => {
    const { path, head } = writtenJournal();
    rewrite(path, (l) => l.slice(0, 4));
    const verdict = verifyJournal(path, head);
    expect(verdict.problems).toEqual([]);
    expect(verdict.head_found_at).toBeUndefined();
  });

  it('a torn line right before the next run is accepted, and the next run chains on from the last whole line', () => {
    const { path } = writtenJournal();
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"type":"row_res`);
    const next = new Journal(path);
    next.appendAll(runEntries(2));
    next.close();
    const verdict = verifyJournal(path);
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ torn: [7], chained: 12, runs: 2 });
    expect(replayJournal(path).runs).toBe(2);
  });

  it('a line that is not JSON in the middle of a run is named', () => {
    const { path } = writtenJournal();
    rewrite(path, (l) => l.map((x, i) => (i === 2 ? x.slice(0, 20) : x)));
    expect(verifyJournal(path).problems.map((p) => p.line)).toEqual([3, 4]);
  });

  it('an older journal (no chain) is "not chained", replays, and a run appended to it is chained from there', async () => {
    const path = freshPath();
    writeFileSync(path, runEntries(1).slice(0, 3).map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(verifyJournal(path)).toMatchObject({ entries: 3, chained: 0, unchained: 3, problems: [] });
    const cli = await runCliCaptured(['journal', 'verify', path]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('is not chained');
    expect(replayJournal(path).inFlight).toEqual(new Set(['op-001']));

    const resumed = new Journal(path);
    resumed.appendAll(runEntries(2));
    resumed.close();
    const verdict = verifyJournal(path);
    expect(verdict).toMatchObject({ unchained: 3, chained: 6, problems: [], runs: 2 });
    const after = await runCliCaptured(['journal', 'verify', path]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('intact');
    expect(after.stdout).toContain('the first 3 lines are not chained');
  });

  it('the verify command names the edited line and exits 1; damaged input is a named error', async () => {
    const { path } = writtenJournal();
    rewrite(path, (l) => l.map((x, i) => (i === 1 ? x.replace('"b"]', '"c"]') : x)));
    const run = await runCliCaptured(['journal', 'verify', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/line 2 does not match the chain: this line was edited, or a line right before it was removed or inserted/);
    const missing = await runCliCaptured(['journal', 'verify', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[journal-file\] journal .*nope\.jsonl does not exist/);
    const folder = await runCliCaptured(['journal', 'verify', dir]);
    expect(folder.stderr).toMatch(/error \[journal-file\] cannot read journal .*: it is a directory/);
    const usage = await runCliCaptured(['journal', 'check', path]);
    expect(usage.stderr).toContain("journal takes 'verify FILE'");
    const badHead = await runCliCaptured(['journal', 'verify', path, '--head', 'xyz']);
    expect(badHead.stderr).toContain("--head 'xyz' is not a chain");
    expect((await runCliCaptured(['journal', '--help'])).stdout).toContain('Usage: vault-roster journal verify FILE');
  });
});
