// The evidence bundle and the as-of listing end to end over HTTP to the simulator, in a git repo:
// plan → apply with approvals and --evidence → bundle by plan id (read back) → evidence verify
// passes; one edited byte, a removed or added file, an edited or removed journal line each fail
// verify naming the file or line; the bundle's plan id is the PR comment's and apply's; as-of
// before and after an apply lists the access before and after it.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured, type CliRun } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

const PASSWORD = 'Pw-never-in-a-bundle-5521';
const APPROVALS = ['--approved-by', 'Ana Ruiz <ana.ruiz@example.com>', '--approval-meaning', 'approved access change', '--approval-ref', 'https://github.example.com/veepharm/roster/pull/9'];
const FIRST_COMMIT_AT = '2026-01-05T10:00:00Z';

function git(dir: string, args: readonly string[], date?: string): string {
  const env = { ...process.env, ...(date === undefined ? {} : { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date }) };
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8', env }).trim();
}

function only(match: RegExpExecArray | null, what: string): string {
  expect(match, what).not.toBeNull();
  return match?.[1] ?? '';
}

type Json = Record<string, unknown>;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;

describe('evidence bundle and as-of', () => {
  it('bundles an apply, verifies it, names every tampering, and lists access before and after an apply', async () => {
    const fx = await startRosterFixture({ sim: { adminPassword: PASSWORD } });
    const env = { ...fx.env, VAULT_PASSWORD: PASSWORD };
    const run = (argv: readonly string[]): Promise<CliRun> => runCliCaptured(argv, { env, cwd: fx.dir });
    writeFileSync(join(fx.dir, '.gitignore'), '.vault-roster/\n*.json\nev*/\n');
    git(fx.dir, ['init', '-q', '-b', 'main']);
    git(fx.dir, ['add', '.']);
    git(fx.dir, ['commit', '-q', '-m', 'first'], FIRST_COMMIT_AT);
    const commitA = git(fx.dir, ['rev-parse', 'HEAD']);

    const planned = await run(['plan', '--out', 'plan.json', '--format', 'markdown']);
    expect(planned.code, planned.stderr).toBe(0);
    const commentId = only(/\*\*Plan id\*\* `([0-9a-f]{64})`/.exec(planned.stdout), 'PR comment plan id');
    const applied = await run(['apply', 'plan.json', '--auto-approve', ...APPROVALS, '--evidence', 'ev1']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(only(/^plan id: ([0-9a-f]{64})$/m.exec(applied.stderr), 'apply plan id')).toBe(commentId);
    const head = only(/^journal: .*\.jsonl \(head ([0-9a-f]{64})\)$/m.exec(applied.stderr), 'journal head');
    expect(applied.stderr).toContain(`evidence: ${join(fx.dir, 'ev1')}: 10 files, plan ${commentId}, journal head ${head}; after read back from vault 5005`);
    // The plan it ran is kept by its id.
    expect(readFileSync(join(fx.dir, '.vault-roster', 'plans', `${commentId}.json`), 'utf8')).toContain(commitA);
    const betweenApplies = new Date().toISOString();

    // The bundle apply wrote: plan id, journal head, approvals, execution ids, read-back afters.
    const ev1 = join(fx.dir, 'ev1');
    const manifest = readJson(join(ev1, 'manifest.json'));
    expect(manifest).toMatchObject({ plan_id: commentId, journal_head: head });
    expect((manifest.files as { path: string }[]).map((f) => f.path)).toEqual(['approvals.json', 'changes.json', 'desired-files.json', 'journal-verify.json', 'journal.jsonl', 'plan.json', 'plan.md', 'run.json', 'summary.md']);
    expect((await run(['plan-id', join('ev1', 'plan.json')])).stdout).toBe(`${commentId}\n`);
    expect(readFileSync(join(ev1, 'plan.md'), 'utf8')).toContain(`**Plan id** \`${commentId}\``);
    expect(readJson(join(ev1, 'approvals.json'))).toMatchObject({ runs: [{ approvals: [{ by: 'Ana Ruiz <ana.ruiz@example.com>', meaning: 'approved access change', ref: 'https://github.example.com/veepharm/roster/pull/9' }] }] });
    expect(readJson(join(ev1, 'desired-files.json'))).toMatchObject({ git_commit: commitA, git_dirty: false });
    expect(readJson(join(ev1, 'run.json'))).toMatchObject({ plan_id: commentId, git_commit: commitA, runs: [{ finished_at: expect.any(String) as string, counts: { failed: 0 } }] });
    const changes = readJson(join(ev1, 'changes.json')).changes as Json[];
    const chloe = changes.find((c) => c.key === 'chloe.martin@veepharm.com');
    expect(chloe).toMatchObject({ action: 'update', outcome: 'applied', after_read_back: { status: 'read', matches_intended: true } });
    const calls = (chloe?.calls ?? []) as Json[];
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call).toMatchObject({ method: expect.stringMatching(/^(POST|PUT)$/) as string, status: 'SUCCESS', execution_id: expect.stringMatching(/\S/) as string });
    expect(changes.filter((c) => c.subject === 'sitevault_person').every((c) => (c.after_read_back as Json).status === 'not-read')).toBe(true);
    const summary = readFileSync(join(ev1, 'summary.md'), 'utf8');
    expect(summary).toContain(`| Ana Ruiz <ana.ruiz@example.com> | approved access change |`);
    expect(summary).toContain(`journal verify journal.jsonl --head ${head}`);
    const ok = await run(['evidence', 'verify', 'ev1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`bundle ev1: intact, 9 files, plan ${commentId}, journal head ${head}.\n`);

    // Tampering, each on a fresh copy: verify fails naming the file (and the journal line).
    const tampered = async (name: string, damage: (dir: string) => void): Promise<string> => {
      const dir = join(fx.dir, `ev-${name}`);
      cpSync(ev1, dir, { recursive: true });
      damage(dir);
      const verdict = await run(['evidence', 'verify', dir]);
      expect(verdict.code, name).toBe(1);
      expect(verdict.stdout).toBe('');
      return verdict.stderr;
    };
    const flipByte = (path: string): void => {
      const bytes = readFileSync(path);
      bytes[10] = (bytes[10] ?? 0) ^ 1;
      writeFileSync(path, bytes);
    };
    expect(await tampered('byte', (d) => { flipByte(join(d, 'summary.md')); })).toMatch(/^ {2}summary\.md: edited \(sha256 /m);
    expect(await tampered('removed', (d) => { rmSync(join(d, 'approvals.json')); })).toContain('  approvals.json: missing (listed in the manifest)');
    expect(await tampered('added', (d) => { writeFileSync(join(d, 'note.txt'), 'x'); })).toContain('  note.txt: extra file (not in the manifest)');
    const lines = readFileSync(join(ev1, 'journal.jsonl'), 'utf8').split('\n');
    const rowLine = lines.findIndex((l) => l.includes('"type":"row_result"'));
    const edited = await tampered('line-edited', (d) => {
      const copy = [...lines];
      copy[rowLine] = (copy[rowLine] ?? '').replace('"ok":true', '"ok":false');
      writeFileSync(join(d, 'journal.jsonl'), copy.join('\n'));
    });
    expect(edited).toContain('  journal.jsonl: edited (sha256 ');
    expect(edited).toContain(`  journal.jsonl line ${rowLine + 1} does not match the chain`);
    const removed = await tampered('line-removed', (d) => { writeFileSync(join(d, 'journal.jsonl'), lines.filter((_, i) => i !== rowLine).join('\n')); });
    expect(removed).toContain(`  journal.jsonl line ${rowLine + 1} does not match the chain`);
    const cut = await tampered('line-cut', (d) => { writeFileSync(join(d, 'journal.jsonl'), `${lines.slice(0, -2).join('\n')}\n`); });
    expect(cut).toContain(`  journal.jsonl: head ${head} is not in the journal: lines were removed from its end`);
    const planEdited = await tampered('plan', (d) => { writeFileSync(join(d, 'plan.json'), readFileSync(join(d, 'plan.json'), 'utf8').replace(FIRST_COMMIT_AT.slice(0, 4), '1999')); });
    expect(planEdited).toContain('  plan.json: edited');

    // A second commit gives chloe eTMF; it is applied; its bundle is made later from the plan id alone.
    const file = join(fx.dir, 'users', 'clinical-team.yaml');
    // Leila's rename fails in Vault (fault injection): the bundle and as-of name the failure.
    writeFileSync(file, readFileSync(file, 'utf8').replace('apps: { ctms_v: full__v }\n', 'apps: { ctms_v: full__v, etmf_v: full__v }\n').replace('first_name: Leila\n', 'first_name: Leyla\n'));
    git(fx.dir, ['commit', '-q', '-am', 'chloe gets eTMF']);
    expect((await run(['plan', '--out', 'plan2.json'])).code).toBe(0);
    fx.sim.setFaults({ failRows: ['leila.karimi@veepharm.com'] });
    const second = await run(['apply', 'plan2.json', '--auto-approve', ...APPROVALS]);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain('failed: leila.karimi@veepharm.com: INVALID_DATA');
    const secondId = only(/^plan id: ([0-9a-f]{64})$/m.exec(second.stderr), 'second plan id');
    const bundled = await run(['evidence', secondId, '--out', 'ev2']);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stdout).toMatch(new RegExp(`^evidence: .*ev2: 10 files, plan ${secondId}, journal head [0-9a-f]{64}; after read back from vault 5005 at `));
    const chloe2 = (readJson(join(fx.dir, 'ev2', 'changes.json')).changes as Json[]).find((c) => c.key === 'chloe.martin@veepharm.com');
    expect(chloe2).toMatchObject({ action: 'update', after_read_back: { status: 'read', values: { 'memberships[5005].apps.etmf_v': { active: true, license_type: 'full__v' } }, matches_intended: true } });
    const leila = (readJson(join(fx.dir, 'ev2', 'changes.json')).changes as Json[]).find((c) => c.key === 'leila.karimi@veepharm.com');
    expect(leila).toMatchObject({ outcome: 'failed', rows: [{ ok: false, error_type: 'INVALID_DATA' }], after_read_back: { status: 'read', values: { first_name: 'Leila' }, matches_intended: false } });
    const summary2 = readFileSync(join(fx.dir, 'ev2', 'summary.md'), 'utf8');
    expect(summary2).toMatch(/## Failures\n\n- leila\.karimi@veepharm\.com \(op-\d+\): INVALID_DATA: /);
    expect(summary2).toContain('1 differs from the intended after (leila.karimi@veepharm.com)');
    expect((await run(['evidence', 'verify', 'ev2'])).code).toBe(0);
    const skipped = await run(['evidence', secondId, '--out', 'ev3', '--no-read-back']);
    expect(skipped.stdout).toContain('after NOT read back (--no-read-back was given)');
    expect(readFileSync(join(fx.dir, 'ev3', 'summary.md'), 'utf8')).toContain('**Not read back** from Vault: --no-read-back was given.');
    expect((await run(['evidence', secondId, '--out', 'ev3', '--no-read-back'])).stderr).toContain('is not empty');

    // As of between the applies: chloe has CTMS only; as of now: CTMS and eTMF.
    const before = await run(['evidence', 'as-of', betweenApplies, '--format', 'json']);
    expect(before.code, before.stderr).toBe(0);
    const beforeReport = JSON.parse(before.stdout) as { basis_commit: { sha: string }; users: { user_name: string; memberships: { apps: Json }[] }[] };
    expect(beforeReport.basis_commit.sha).toBe(commitA);
    expect(Object.keys(beforeReport.users.find((u) => u.user_name === 'chloe.martin@veepharm.com')?.memberships[0]?.apps ?? {})).toEqual(['ctms_v']);
    const after = await run(['evidence', 'as-of', new Date().toISOString(), '--vault', '5005']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('Access as of ');
    expect(after.stdout).toMatch(/ {2}chloe\.martin@veepharm\.com: active, licence full__v\n {4}vault 5005: ACTIVE, document_user__v, licence full__v, apps ctms_v \(full__v\), etmf_v \(full__v\)\n/);
    expect(after.stdout).toMatch(/ {2}leila\.karimi@veepharm\.com: active[^\n]*\n(?: {4}[^\n]*\n)* {4}note: failed in apply of plan [0-9a-f]{12}: INVALID_DATA: /);
    expect(after.stdout).toContain('Limits of this reconstruction:');
    expect(after.stdout).toContain('not a reading of Vault');

    // Loud: not a date, in the future, before the first commit; output never holds the password.
    expect((await run(['evidence', 'as-of', 'yesterday'])).stderr).toContain("'yesterday' is not a date");
    expect((await run(['evidence', 'as-of', '2999-01-01'])).stderr).toContain('2999-01-01 is in the future');
    expect((await run(['evidence', 'as-of', '2026-01-04'])).stderr).toContain('is before the first commit of the repo');
    appendFileSync(join(fx.dir, 'users', 'clinical-team.yaml'), '\n# working-tree edit: as-of never reads it\nbroken: [\n');
    expect((await run(['evidence', 'as-of', betweenApplies])).code).toBe(0);
    for (const bundle of ['ev1', 'ev2', 'ev3']) {
      for (const name of readdirSync(join(fx.dir, bundle))) {
        const text = readFileSync(join(fx.dir, bundle, name), 'utf8');
        expect(text, `${bundle}/${name}`).not.toContain(PASSWORD);
        // A Vault session id is 48 upper-case hex digits in the simulator (and in Vault).
        expect(text, `${bundle}/${name}`).not.toMatch(/[0-9A-F]{48}/);
      }
    }
    expect(before.stdout + after.stdout).not.toContain(PASSWORD);
  }, 120_000);
});
