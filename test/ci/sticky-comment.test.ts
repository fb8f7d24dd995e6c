import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_BODY_LIMIT } from '../../examples/ci/scripts/lib/body.mjs';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { runScript, tempDir } from './run-script.js';

const MARKER = '<!-- vault-roster-plan -->';
let github: FakeGitHub;

beforeEach(async () => {
  github = await startFakeGitHub({ maxPageSize: 50 });
});
afterEach(async () => {
  await github.close();
});

function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository, ...overrides };
}

function bodyFile(text: string): string {
  const path = join(tempDir(), 'plan.md');
  writeFileSync(path, text);
  return path;
}

function sticky(args: string[], overrides: Record<string, string | undefined> = {}) {
  return runScript('sticky-comment.mjs', args, { env: env(overrides) });
}

describe('sticky-comment.mjs against a fake GitHub API', () => {
  it('creates the comment on the first run and edits the same one on the next', async () => {
    // Other people's comments fill more than one page, so finding ours needs pagination.
    for (let i = 0; i < 60; i += 1) github.comments.push({ id: i + 1, issue: 7, body: `LGTM ${i}`, html_url: '' });

    const first = await sticky(['--issue', '7', '--body-file', bodyFile(`${MARKER}\n## vault-roster plan\n4 to create\n`)]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^sticky-comment: created comment \d+ on #7/);
    const ours = github.comments.filter((c) => c.body.startsWith(MARKER));
    expect(ours).toHaveLength(1);
    expect(first.outputs['comment-id']).toBe(String(ours[0]!.id));
    expect(first.outputs.action).toBe('created');

    // Move our comment past the first page, behind more review comments.
    for (let i = 0; i < 60; i += 1) github.comments.push({ id: 5000 + i, issue: 7, body: `nit ${i}`, html_url: '' });
    const second = await sticky(['--issue', '7', '--body-file', bodyFile(`${MARKER}\n## vault-roster plan\n5 to create\n`), '--footer', 'Plan of abc1234']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.outputs.action).toBe('updated');
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    const after = github.comments.filter((c) => c.body.startsWith(MARKER));
    expect(after).toHaveLength(1);
    expect(after[0]!.body).toBe(`${MARKER}\n## vault-roster plan\n5 to create\n\n\nPlan of abc1234`);
    const patches = github.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.path)).toEqual([`/repos/${github.repository}/issues/comments/${first.outputs['comment-id']}`]);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('leaves an identical comment alone', async () => {
    const file = bodyFile(`${MARKER}\nno changes\n`);
    expect((await sticky(['--issue', '3', '--body-file', file])).code).toBe(0);
    const again = await sticky(['--issue', '3', '--body-file', file]);
    expect(again.outputs.action).toBe('unchanged');
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(1);
  });

  it('ignores a comment that only quotes the marker later in its text', async () => {
    github.comments.push({ id: 1, issue: 9, body: `Why does the bot write ${MARKER}?`, html_url: '' });
    const run = await sticky(['--issue', '9', '--body-file', bodyFile(`${MARKER}\nplan\n`)]);
    expect(run.outputs.action).toBe('created');
    expect(github.comments.find((c) => c.id === 1)!.body).toBe(`Why does the bot write ${MARKER}?`);
  });

  it("never edits someone else's comment that starts with the marker; finds ours by marker and author", async () => {
    github.comments.push({ id: 1, issue: 11, body: `${MARKER}\ncopied by a reviewer`, html_url: '', user: { login: 'alice' } });
    const first = await sticky(['--issue', '11', '--body-file', bodyFile(`${MARKER}\nplan 1\n`)]);
    expect(first.outputs.action).toBe('created');
    const second = await sticky(['--issue', '11', '--body-file', bodyFile(`${MARKER}\nplan 2\n`)]);
    expect(second.outputs.action).toBe('updated');
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(github.comments.find((c) => c.id === 1)!.body).toBe(`${MARKER}\ncopied by a reviewer`);
    expect(github.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([`/repos/${github.repository}/issues/comments/${first.outputs['comment-id']}`]);
    // A token of another app or user: --author names it.
    github.comments.push({ id: 2, issue: 12, body: `${MARKER}\nold`, html_url: '', user: { login: 'roster-app[bot]' } });
    const app = await sticky(['--issue', '12', '--author', 'roster-app[bot]', '--body-file', bodyFile(`${MARKER}\nnew\n`)]);
    expect(app.outputs.action).toBe('updated');
    expect(app.outputs['comment-id']).toBe('2');
  });

  it('puts the marker first when the body lacks it, so the next run finds the comment', async () => {
    await sticky(['--issue', '4', '--body-file', bodyFile('### vault-roster plan failed\n')]);
    expect(github.comments[0]!.body).toBe(`${MARKER}\n### vault-roster plan failed\n`);
    const again = await sticky(['--issue', '4', '--body-file', bodyFile('### vault-roster plan passed\n')]);
    expect(again.outputs.action).toBe('updated');
    expect(github.comments).toHaveLength(1);
  });

  it('cuts a body over the limit, keeping the marker, a notice and the footer', async () => {
    const huge = `${MARKER}\n<details><summary>Create</summary>\n\n\`\`\`text\n${'- someone@veepharm.com\n'.repeat(6000)}`;
    expect(huge.length).toBeGreaterThan(GITHUB_BODY_LIMIT);
    const run = await sticky(['--issue', '5', '--body-file', bodyFile(huge), '--footer', 'FOOTER-LINE']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('cut to fit');
    const body = github.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain("cut to fit GitHub's 65,536-character limit");
    expect(body.endsWith('FOOTER-LINE')).toBe(true);
    // The open fence and <details> were closed before the notice.
    expect(body.match(/```/g)).toHaveLength(2);
    expect(body).toContain('</details>');
  });

  it('works under a GitHub Enterprise Server style API prefix', async () => {
    await github.close();
    github = await startFakeGitHub({ prefix: '/api/v3', maxPageSize: 2 });
    for (let i = 0; i < 5; i += 1) github.comments.push({ id: i + 1, issue: 2, body: 'hi', html_url: '' });
    const run = await sticky(['--issue', '2', '--body-file', bodyFile(`${MARKER}\nx\n`)]);
    expect(run.code, run.stderr).toBe(0);
    expect(github.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
    expect(github.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
  });

  it.each([
    ['403 on create', 'POST', /\/comments$/, 403, 'Resource not accessible by integration', /403 Forbidden: Resource not accessible by integration \(the token lacks a permission/],
    ['404 on list', 'GET', /\/comments$/, 404, 'Not Found', /GET \/repos\/veepharm\/access-roster\/issues\/8\/comments failed: 404 Not Found/],
    ['422 on create', 'POST', /\/comments$/, 422, 'Body is too long', /422 Unprocessable Entity: Body is too long/],
  ])('a %s exits non-zero with the status in one line', async (_name, method, path, status, message, expected) => {
    github.fail(method, path, status, message);
    const run = await sticky(['--issue', '8', '--body-file', bodyFile(`${MARKER}\nplan\n`)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it('never prints the token, even when the API echoes it back', async () => {
    await github.close();
    github = await startFakeGitHub({ echoAuthorization: true });
    const wrong = 'ghs_wrongTokenValue9876543210zyxw';
    const run = await sticky(['--issue', '1', '--body-file', bodyFile(`${MARKER}\nplan\n`)], { GITHUB_TOKEN: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('401 Unauthorized: Bad credentials: Bearer ***');
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
    const ok = await sticky(['--issue', '1', '--body-file', bodyFile(`${MARKER}\nplan\n`)]);
    expect(ok.code).toBe(0);
    expect(`${ok.stdout}${ok.stderr}${JSON.stringify(ok.outputs)}`).not.toContain(github.token);
    // The token went to the API as a bearer token, and nowhere else.
    expect(github.requests.at(-1)!.authorization).toBe(`Bearer ${github.token}`);
  });

  it('formats a failure as an error annotation and a step summary inside Actions', async () => {
    github.fail('GET', /\/comments$/, 403, 'Resource not accessible by integration');
    const summary = join(tempDir(), 'summary.md');
    writeFileSync(summary, '');
    const run = await sticky(['--issue', '8', '--body-file', bodyFile(`${MARKER}\nplan\n`)], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^::error title=sticky-comment::GitHub API GET .* failed: 403 Forbidden/);
  });

  it.each([
    ['no token', [], { GITHUB_TOKEN: undefined }, /GITHUB_TOKEN is not set/],
    ['no repository', [], { GITHUB_REPOSITORY: undefined }, /repository must be "owner\/name"/],
    ['a bad issue number', ['--issue', 'abc'], {}, /--issue must be a whole number/],
    ['an unknown option', ['--isue', '3'], {}, /Unknown option '--isue'/],
    ['an empty body', ['--empty'], {}, /is empty; nothing to post/],
  ])('fails clearly with %s, before any request', async (_name, extra, overrides, expected) => {
    const args = extra[0] === '--empty' ? ['--issue', '1', '--body-file', bodyFile('  \n')] : extra.length > 0 ? [...extra, '--body-file', bodyFile('x')] : ['--issue', '1', '--body-file', bodyFile('x')];
    const run = await sticky(args, overrides);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(github.requests).toHaveLength(0);
  });
});
