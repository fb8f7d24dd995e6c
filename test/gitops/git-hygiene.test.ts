/**
 * Git hygiene: a plan records whether its desired files were committed, apply in CI refuses a plan
 * of uncommitted YAML, and `.vault-roster/` (state, journals, lock) keeps itself out of git so a
 * branch switch cannot rewind the drift baseline.
 */
import { isWrite } from '../helpers/simulator.js';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { porcelainPaths } from '../../src/cli/git.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
}

async function committedRepo(): Promise<RosterFixture> {
  const fx = await startRosterFixture();
  git(fx.dir, 'init', '-q', '-b', 'main');
  git(fx.dir, 'add', '-A');
  git(fx.dir, 'commit', '-qm', 'roster');
  return fx;
}

async function planJson(fx: RosterFixture): Promise<{ git_commit?: string; git_dirty?: boolean }> {
  const run = await fx.run(['plan', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { git_commit?: string; git_dirty?: boolean };
}

describe('a plan records whether its YAML was committed', () => {
  it('clean, edited, untracked-but-included, and unrelated files', async () => {
    const fx = await committedRepo();
    const head = git(fx.dir, 'rev-parse', 'HEAD').trim();
    expect(await planJson(fx)).toMatchObject({ git_commit: head, git_dirty: false });
    // A file the roster does not include changes nothing.
    writeFileSync(join(fx.dir, 'notes.txt'), 'scratch\n');
    expect((await planJson(fx)).git_dirty).toBe(false);
    // A new users file the include globs pick up, not yet committed.
    writeFileSync(join(fx.dir, 'users', 'new-team.yaml'), 'users:\n  - user_name: nina.new@veepharm.com\n    first_name: Nina\n    last_name: New\n    email: nina.new@veepharm.com\n');
    expect(await planJson(fx)).toMatchObject({ git_commit: head, git_dirty: true });
    git(fx.dir, 'add', '-A');
    git(fx.dir, 'commit', '-qm', 'nina');
    expect((await planJson(fx)).git_dirty).toBe(false);
    // An edit to a tracked desired file.
    appendFileSync(join(fx.dir, 'roster.yaml'), '# a comment\n');
    expect((await planJson(fx)).git_dirty).toBe(true);
    const text = await fx.run(['plan']);
    expect(text.stdout).toMatch(/at commit [0-9a-f]{40} with uncommitted changes/);
  });

  it('outside a git work tree the plan records neither', async () => {
    const fx = await startRosterFixture();
    const plan = await planJson(fx);
    expect(plan.git_commit).toBeUndefined();
    expect(plan.git_dirty).toBeUndefined();
  });

  it.each([
    ['M  roster.yaml\0?? users/a.yaml\0', ['roster.yaml', 'users/a.yaml']],
    ['R  users/new.yaml\0users/old.yaml\0 M sub dir/x.yaml\0', ['users/new.yaml', 'sub dir/x.yaml']],
    ['', []],
  ])('porcelain %j names %j', (output, paths) => {
    expect(porcelainPaths(output)).toEqual(paths);
  });
});

describe('apply in CI runs committed YAML only', () => {
  it('a plan saved from a dirty tree is refused with CI=true, before any write; accepted without CI', async () => {
    const fx = await committedRepo();
    const file = join(fx.dir, 'users', 'clinical-team.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Clinical Trial Manager', 'Senior Clinical Trial Manager'));
    const planPath = join(fx.dir, '..', `dirty-${Date.now()}.json`);
    expect((await fx.run(['plan', '--out', planPath])).code).toBe(0);
    fx.sim.clearRequestLog();
    const refused = await runCliCaptured(['apply', planPath, '--auto-approve'], { env: { ...fx.env, CI: 'true' }, cwd: fx.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error [plan-uncommitted]');
    expect(refused.stderr).toContain('uncommitted changes');
    expect(fx.sim.requestLog().filter(isWrite)).toEqual([]);
    const local = await fx.run(['apply', planPath, '--auto-approve']);
    expect(local.code, local.stderr).toBe(0);
  });
});

describe('.vault-roster keeps itself out of git', () => {
  it('plan and apply write .vault-roster/.gitignore; git add -A then commits no state, journal or lock', async () => {
    const fx = await committedRepo();
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    expect(existsSync(join(fx.dir, '.vault-roster', 'state.json'))).toBe(true);
    expect(readFileSync(join(fx.dir, '.vault-roster', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    git(fx.dir, 'add', '-A');
    expect(git(fx.dir, 'status', '--porcelain', '--', '.vault-roster')).toBe('');
  });

  it('an existing .gitignore there is left as the user wrote it', async () => {
    const fx = await committedRepo();
    mkdirSync(join(fx.dir, '.vault-roster'), { recursive: true });
    writeFileSync(join(fx.dir, '.vault-roster', '.gitignore'), 'journal/\n');
    expect((await fx.run(['plan'])).code).toBe(0);
    expect(readFileSync(join(fx.dir, '.vault-roster', '.gitignore'), 'utf8')).toBe('journal/\n');
  });

  it('import writes it too', async () => {
    const fx = await startRosterFixture();
    const out = join(fx.dir, 'imported');
    const run = await runCliCaptured(['import', '--out', out], { env: fx.env, cwd: fx.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(out, '.vault-roster', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });
});
