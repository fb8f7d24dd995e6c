/**
 * Approvals from the merged PR (issue #18 part 3): the rules of lib/approvals.mjs as tables, and
 * pr-approvals.mjs against the fake GitHub API (the exact requests it made, the apply arguments
 * it wrote, and its refusal before any Vault call).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyArguments, approvalRef, approverEmail, countedApprovals, printedName, type Review } from '../../examples/ci/scripts/lib/approvals.mjs';
import { startFakeGitHub, type FakeGitHub, type FakeReview } from './fake-github.js';
import { runScript, tempDir } from './run-script.js';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
let nextId = 1;

function review(login: string, state: FakeReview['state'], at: string, commit = HEAD, type = 'User'): FakeReview {
  nextId += 1;
  return { id: nextId, user: { login, type }, state, commit_id: commit, submitted_at: `2026-03-05T${at}:00Z`, html_url: `https://github.example/veepharm/access-roster/pull/12#pullrequestreview-${nextId}` };
}

function logins(reviews: Review[]): string[] {
  return reviews.map((r) => r.user.login);
}

describe('countedApprovals', () => {
  it.each<[string, FakeReview[], boolean, string[], RegExp[]]>([
    ['one approval of the head', [review('ana', 'APPROVED', '10:00')], false, ['ana'], []],
    ['a later CHANGES_REQUESTED cancels an approval', [review('ana', 'APPROVED', '10:00'), review('ana', 'CHANGES_REQUESTED', '11:00')], false, [], [/ana: latest verdict CHANGES_REQUESTED/]],
    ['a dismissed approval does not count', [review('ana', 'DISMISSED', '10:00')], false, [], [/ana: latest verdict DISMISSED/]],
    ['a comment after an approval keeps it', [review('ana', 'APPROVED', '10:00'), review('ana', 'COMMENTED', '11:00')], false, ['ana'], []],
    ['approval after changes requested counts', [review('ana', 'CHANGES_REQUESTED', '09:00'), review('ana', 'APPROVED', '10:00')], false, ['ana'], []],
    ['a pending review is ignored', [review('ana', 'PENDING', '10:00')], false, [], []],
    ['an approval of an earlier commit does not count by default', [review('ana', 'APPROVED', '10:00', OLD)], false, [], [/ana: approved commit bbbbbbb, not the head aaaaaaa/]],
    ['… unless the repository says so', [review('ana', 'APPROVED', '10:00', OLD)], true, ['ana'], []],
    ['a bot approval is no signature', [review('renovate[bot]', 'APPROVED', '10:00', HEAD, 'Bot')], false, [], [/renovate\[bot\]: a bot's review/]],
    ['logins compare case-insensitively', [review('Ana', 'APPROVED', '10:00'), review('ana', 'DISMISSED', '11:00')], false, [], [/ana: latest verdict DISMISSED/]],
    ['two approvers, oldest first', [review('li', 'APPROVED', '12:00'), review('ana', 'APPROVED', '10:00')], false, ['ana', 'li'], []],
  ])('%s', (_name, reviews, anyCommit, counted, skipped) => {
    const result = countedApprovals(reviews, { head: HEAD, anyCommit });
    expect(logins(result.counted)).toEqual(counted);
    expect(result.skipped).toHaveLength(skipped.length);
    skipped.forEach((pattern, i) => {
      expect(result.skipped[i]).toMatch(pattern);
    });
  });

  it('takes the later of two reviews by time even when listed out of order', () => {
    const result = countedApprovals([review('ana', 'CHANGES_REQUESTED', '11:00'), review('ana', 'APPROVED', '10:00')], { head: HEAD });
    expect(result.counted).toEqual([]);
  });
});

describe('approver identity', () => {
  it.each([
    [{ id: 7, name: 'Ana Ruiz', email: 'ana.ruiz@veepharm.com' }, 'ana', 'Ana Ruiz', 'ana.ruiz@veepharm.com'],
    [{ id: 7, name: null, email: null }, 'ana', 'ana', '7+ana@users.noreply.github.com'],
    [{ id: 7, name: '  ', email: '' }, 'ana', 'ana', '7+ana@users.noreply.github.com'],
    [{ name: 'Li <Wei>', email: 'not an address' }, 'liwei', 'Li Wei', 'liwei@users.noreply.github.com'],
  ])('%j of %s is %s <%s>', (profile, login, name, email) => {
    expect(printedName(profile, login)).toBe(name);
    expect(approverEmail(profile, login)).toBe(email);
  });

  it('puts the review URL, its time and its commit into the ref, and each flag once per approver', () => {
    const r = review('ana', 'APPROVED', '10:00');
    expect(approvalRef(r, 12)).toBe(`${r.html_url} (approved 2026-03-05T10:00:00Z at commit ${HEAD})`);
    expect(approvalRef({ ...r, html_url: '' }, 12)).toBe(`review ${String(r.id)} of PR #12 (approved 2026-03-05T10:00:00Z at commit ${HEAD})`);
    expect(applyArguments([{ by: 'A <a@x.io>', meaning: 'm', ref: 'r1', at: '2026-03-05T10:00:00Z' }, { by: 'B <b@x.io>', meaning: 'm', ref: 'r2', at: '2026-03-05T10:30:00Z' }])).toEqual([
      '--approved-by', 'A <a@x.io>', '--approval-meaning', 'm', '--approval-ref', 'r1', '--approved-at', '2026-03-05T10:00:00Z',
      '--approved-by', 'B <b@x.io>', '--approval-meaning', 'm', '--approval-ref', 'r2', '--approved-at', '2026-03-05T10:30:00Z',
    ]);
  });
});

describe('pr-approvals.mjs against a fake GitHub API', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub({ maxPageSize: 2 });
  });
  afterEach(async () => {
    await github.close();
  });

  function approvals(args: string[]) {
    const out = join(tempDir(), 'approvals.json');
    const run = runScript('pr-approvals.mjs', ['--pr', '12', '--head', HEAD, '--out', out, ...args], {
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository },
    });
    return run.then((r) => ({ ...r, out }));
  }

  it('writes the apply arguments of every approver of the head, named from their profiles', async () => {
    const ana = review('ana', 'APPROVED', '10:00');
    const li = review('li-wei', 'APPROVED', '10:30');
    github.reviews.set(12, [review('sam', 'APPROVED', '09:00'), ana, review('sam', 'CHANGES_REQUESTED', '09:30'), review('ana', 'COMMENTED', '11:00'), li]);
    github.users.set('ana', { login: 'ana', id: 11, name: 'Ana Ruiz', email: 'ana.ruiz@veepharm.com' });
    github.users.set('li-wei', { login: 'li-wei', id: 12, name: null, email: null });
    const run = await approvals(['--meaning', 'approved access change']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(run.out, 'utf8'))).toEqual([
      '--approved-by', 'Ana Ruiz <ana.ruiz@veepharm.com>', '--approval-meaning', 'approved access change', '--approval-ref', `${ana.html_url} (approved 2026-03-05T10:00:00Z at commit ${HEAD})`, '--approved-at', '2026-03-05T10:00:00Z',
      '--approved-by', 'li-wei <12+li-wei@users.noreply.github.com>', '--approval-meaning', 'approved access change', '--approval-ref', `${li.html_url} (approved 2026-03-05T10:30:00Z at commit ${HEAD})`, '--approved-at', '2026-03-05T10:30:00Z',
    ]);
    expect(run.outputs).toEqual({ count: '2', approvers: 'ana,li-wei' });
    expect(run.stdout).toContain('Not counted: sam: latest verdict CHANGES_REQUESTED');
    const repo = `/repos/${github.repository}`;
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${repo}/pulls/12/reviews?per_page=100`,
      `GET ${repo}/pulls/12/reviews?per_page=100&page=2`,
      `GET ${repo}/pulls/12/reviews?per_page=100&page=3`,
      'GET /users/ana',
      'GET /users/li-wei',
    ]);
  });

  it('refuses loudly, writing nothing, when fewer approvals count than required', async () => {
    github.reviews.set(12, [review('ana', 'APPROVED', '10:00', OLD), review('li', 'APPROVED', '10:00')]);
    github.users.set('li', { login: 'li', id: 3, name: 'Li', email: null });
    const run = await approvals(['--require', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PR #12 has 1 approving review of its head aaaaaaa; 2 required\. Nothing was sent to Vault\. Not counted: ana: approved commit bbbbbbb/);
    expect(() => readFileSync(run.out)).toThrow();
    expect(github.requests.map((r) => r.path)).toEqual([`/repos/${github.repository}/pulls/12/reviews?per_page=100`]);
  });

  it('with --require 0 records none without failing', async () => {
    const run = await approvals(['--require', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(run.out, 'utf8'))).toEqual([]);
    expect(run.outputs.count).toBe('0');
  });

  it.each([
    ['a bad head', ['--head', 'abc'], /--head must be a full commit SHA/],
    ['a bad count', ['--require', 'two'], /--require must be a whole number/],
    ['a bad any-commit', ['--any-commit', 'yes'], /--any-commit must be true or false/],
    ['an empty meaning', ['--meaning', ' '], /--meaning is empty/],
  ])('fails before any request with %s', async (_name, args, expected) => {
    const run = await approvals(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(github.requests).toEqual([]);
  });

  it('fails naming the call when a profile cannot be read', async () => {
    github.reviews.set(12, [review('ghost', 'APPROVED', '10:00')]);
    const run = await approvals([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('GitHub API GET /users/ghost failed: 404 Not Found');
  });
});
