/**
 * Scheduled access review (issue #17 part 2): review-issues.mjs turns `vault-roster review
 * --format markdown --out DIR` into one issue per owner, against the fake GitHub API: titles,
 * bodies, assignees from @logins, updates instead of duplicates on a re-run, closed reviews left
 * alone, and refusals before any request.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { runScript, tempDir } from './run-script.js';

let github: FakeGitHub;
beforeEach(async () => {
  github = await startFakeGitHub({ maxPageSize: 2 });
});
afterEach(async () => {
  await github.close();
});

/** A review output folder as `review --format markdown --out DIR` writes it. */
function reviewDir(owners: { name: string; slug: string; md?: string }[], extra: Record<string, unknown> = {}): string {
  const dir = join(tempDir(), 'review');
  mkdirSync(dir);
  writeFileSync(join(dir, 'review.json'), JSON.stringify({ owner_reports: owners.map(({ name, slug }) => ({ name, slug, file: `${slug}.md` })), ...extra }));
  for (const o of owners) if (o.md !== undefined) writeFileSync(join(dir, `${o.slug}.md`), o.md);
  return dir;
}

function issues(dir: string, args: string[] = []) {
  return runScript('review-issues.mjs', ['--dir', dir, '--quarter', '2026-Q4', ...args], {
    env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository },
  });
}

const OWNERS = [
  { name: '@kate-grossman', slug: 'kate-grossman', md: '## Access review: @kate-grossman\n\n- [ ] daniel.okafor@veepharm.com DORMANT\n' },
  { name: '@veepharm/clinical-ops', slug: 'veepharm-clinical-ops', md: '## Access review: @veepharm/clinical-ops\n\n- [ ] chloe.martin@veepharm.com\n' },
  { name: 'Quality Assurance', slug: 'quality-assurance', md: '## Access review: Quality Assurance\n\n- [ ] ravi.menon@veepharm.com PRIVILEGED\n' },
];

describe('review-issues.mjs', () => {
  it('opens one issue per owner, assigning @logins, and updates them on a re-run instead of duplicating', async () => {
    github.issues.push({ number: 1, title: 'Unrelated', body: 'hello', state: 'open', labels: [], html_url: '' });
    const first = await issues(reviewDir(OWNERS), ['--label', 'access-review', '--footer', 'run 1']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.outputs).toEqual({ created: '3', updated: '0', unchanged: '0', closed: '0', issues: '2,3,4' });
    expect(github.issues.slice(1).map((i) => [i.title, i.assignees ?? [], i.labels])).toEqual([
      ['Access review 2026-Q4: @kate-grossman', ['kate-grossman'], ['access-review']],
      ['Access review 2026-Q4: @veepharm/clinical-ops', [], ['access-review']],
      ['Access review 2026-Q4: Quality Assurance', [], ['access-review']],
    ]);
    expect(github.issues[1]?.body).toBe(`<!-- vault-roster-review 2026-Q4 kate-grossman -->\n${OWNERS[0]!.md}\n\nrun 1`);
    expect(github.issues[2]?.body).toContain('Owners: @veepharm/clinical-ops (a team cannot be assigned');

    // A re-run with one owner's list changed, and one review closed as done meanwhile.
    github.issues[3]!.state = 'closed';
    const changed = OWNERS.map((o, i) => (i === 0 ? { ...o, md: `${o.md}- [ ] lena.schmidt@veepharm.com NEVER_LOGGED_IN\n` } : o));
    github.requests.length = 0;
    const again = await issues(reviewDir(changed), ['--footer', 'run 1']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.outputs).toEqual({ created: '0', updated: '1', unchanged: '1', closed: '1', issues: '2,3,4' });
    expect(github.issues).toHaveLength(4);
    expect(github.issues[1]?.body).toContain('lena.schmidt@veepharm.com NEVER_LOGGED_IN');
    expect(github.issues[3]?.state).toBe('closed');
    const repo = `/repos/${github.repository}`;
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${repo}/issues?state=all&per_page=100`,
      `GET ${repo}/issues?state=all&per_page=100&page=2`,
      `PATCH ${repo}/issues/2`,
    ]);
    expect(github.requests.at(-1)?.body).toEqual({ title: 'Access review 2026-Q4: @kate-grossman', body: github.issues[1]?.body });
  });

  it('opens new issues in a new quarter', async () => {
    await issues(reviewDir(OWNERS.slice(0, 1)));
    const next = await runScript('review-issues.mjs', ['--dir', reviewDir(OWNERS.slice(0, 1)), '--quarter', '2027-Q1'], {
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository },
    });
    expect(next.outputs.created).toBe('1');
    expect(github.issues.map((i) => i.title)).toEqual(['Access review 2026-Q4: @kate-grossman', 'Access review 2027-Q1: @kate-grossman']);
  });

  it.each([
    ['a missing owner report', () => reviewDir([{ name: '@kate', slug: 'kate' }]), [], /cannot read .*\/kate\.md: ENOENT/],
    ['review.json without owner_reports', () => reviewDir([], { owner_reports: undefined }), [], /review\.json has no owner_reports list/],
    ['an owner slug that is no file name', () => reviewDir([{ name: 'x', slug: '../passwd' }]), [], /owner_reports\[0\] needs a name and a slug/],
    ['a CSV review', () => reviewDir([], { owner_reports: [{ name: 'x', slug: 'x', file: 'x.csv' }] }), [], /is in "x\.csv", not x\.md: run vault-roster review with --format markdown/],
    ['a bad quarter', () => reviewDir(OWNERS), ['--quarter', 'Q4-2026'], /--quarter must look like 2026-Q4/],
  ])('refuses %s before any request', async (_name, make, args, expected) => {
    const dir = make();
    const run = await runScript('review-issues.mjs', ['--dir', dir, ...(args.length > 0 ? args : ['--quarter', '2026-Q4'])], {
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(github.requests).toEqual([]);
  });
});
