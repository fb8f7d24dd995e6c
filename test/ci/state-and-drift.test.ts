/**
 * find-state-artifact.mjs (the last-applied state every job restores) and drift-issue.mjs (one
 * open issue for drift), against the loopback fake GitHub API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeArtifact, type FakeGitHub, type FakeRun } from './fake-github.js';
import { runScript, tempDir } from './run-script.js';

const APPLY_WORKFLOW = '.github/workflows/vault-roster-apply.yml';
const DRIFT_MARKER = '<!-- vault-roster-drift -->';
let github: FakeGitHub;

beforeEach(async () => {
  github = await startFakeGitHub({ maxPageSize: 2 });
});
afterEach(async () => {
  await github.close();
});

function env(): Record<string, string> {
  return { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository };
}

describe('find-state-artifact.mjs', () => {
  let next = 0;
  function state(day: number, artifact: Partial<FakeArtifact> = {}, run: Partial<FakeRun> = {}): FakeArtifact {
    next += 1;
    const made: FakeArtifact = {
      id: 100 + next,
      name: 'vault-roster-state',
      expired: false,
      created_at: `2026-04-${String(day).padStart(2, '0')}T08:00:00Z`,
      expires_at: '2026-07-01T00:00:00Z',
      workflow_run: { id: 500 + next, head_sha: 'a'.repeat(40), head_branch: 'main', repository_id: github.repositoryId, head_repository_id: github.repositoryId },
      ...artifact,
    };
    github.artifacts.push(made);
    github.runs.set(made.workflow_run.id, {
      id: made.workflow_run.id,
      path: APPLY_WORKFLOW,
      event: 'push',
      head_sha: 'a'.repeat(40),
      head_branch: 'main',
      status: 'completed',
      conclusion: 'failure', // an apply with a failed row still saved the state
      html_url: '',
      repository: { id: github.repositoryId },
      head_repository: { id: github.repositoryId },
      ...run,
    });
    return made;
  }

  function find() {
    return runScript('find-state-artifact.mjs', ['--name', 'vault-roster-state', '--branch', 'main', '--workflow', APPLY_WORKFLOW], { env: env() });
  }

  it('picks the newest state saved by an apply run on main, skipping ones nobody should trust', async () => {
    const good = state(3);
    state(1);
    state(9, { expired: true });
    state(8, { workflow_run: { id: 901, head_sha: 'b'.repeat(40), head_branch: 'access/sneaky', repository_id: github.repositoryId, head_repository_id: github.repositoryId } });
    state(7, { workflow_run: { id: 902, head_sha: 'b'.repeat(40), head_branch: 'main', repository_id: github.repositoryId, head_repository_id: 77 } });
    state(6, {}, { path: '.github/workflows/other.yml' });
    state(5, {}, { event: 'workflow_dispatch' });
    const run = await find();
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({
      found: 'true',
      'artifact-name': 'vault-roster-state',
      'artifact-id': String(good.id),
      'run-id': String(good.workflow_run.id),
      'created-at': good.created_at,
    });
    expect(run.stdout).toBe(`find-state-artifact: state artifact ${String(good.id)} from apply run ${String(good.workflow_run.id)} (${good.created_at})\n`);
  });

  it('is not an error before the first apply, but warns', async () => {
    const run = await find();
    expect(run.code).toBe(0);
    expect(run.outputs.found).toBe('false');
    expect(run.stderr).toMatch(/^find-state-artifact: warning: no vault-roster-state artifact from .* on main: planning from an empty last-applied state/);
  });

  it('fails with the status when the token cannot read artifacts', async () => {
    github.fail('GET', /\/actions\/artifacts$/, 403, 'Resource not accessible by integration');
    const run = await find();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('403 Forbidden');
  });
});

describe('drift-issue.mjs', () => {
  function report(text: string): string {
    const path = join(tempDir(), 'drift.md');
    writeFileSync(path, text);
    return path;
  }

  function drift(args: string[]) {
    return runScript('drift-issue.mjs', ['--marker', DRIFT_MARKER, ...args], { env: env() });
  }

  it('opens one issue on drift, updates it on the next drift, and closes it when drift is gone', async () => {
    // A PR and unrelated issues share the list; a PR quoting the marker is not our issue.
    github.issues.push(
      { number: 1, title: 'Onboarding', body: 'hello', state: 'open', labels: [], html_url: '' },
      { number: 2, title: 'PR', body: `${DRIFT_MARKER}\nnot an issue`, state: 'open', labels: [], html_url: '', pull_request: { url: 'x' } },
      { number: 3, title: 'Question', body: 'what is drift?', state: 'open', labels: [], html_url: '' },
    );

    const opened = await drift(['--mode', 'open', '--body-file', report('<!-- vault-roster-plan -->\n1 user changed in Vault\n'), '--label', 'vault-roster', '--footer', 'run 1']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.outputs).toMatchObject({ 'issue-number': '4', action: 'created' });
    const issue = github.issues.find((i) => i.number === 4)!;
    expect(issue.body).toBe(`${DRIFT_MARKER}\n<!-- vault-roster-plan -->\n1 user changed in Vault\n\n\nrun 1`);
    expect(issue.labels).toEqual(['vault-roster']);

    const updated = await drift(['--mode', 'open', '--body-file', report('2 users changed in Vault\n')]);
    expect(updated.outputs).toMatchObject({ 'issue-number': '4', action: 'updated' });
    expect(github.issues).toHaveLength(4);
    expect(issue.body).toBe(`${DRIFT_MARKER}\n2 users changed in Vault\n`);

    const closed = await drift(['--mode', 'close']);
    expect(closed.outputs).toMatchObject({ 'issue-number': '4', action: 'closed' });
    expect(issue.state).toBe('closed');
    expect(issue.state_reason).toBe('completed');
    const writes = github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([
      `POST /repos/${github.repository}/issues`,
      `PATCH /repos/${github.repository}/issues/4`,
      `POST /repos/${github.repository}/issues/4/comments`,
      `PATCH /repos/${github.repository}/issues/4`,
    ]);

    // Drift again later: a new issue, the closed one stays closed as history.
    const again = await drift(['--mode', 'open', '--body-file', report('drift again\n')]);
    expect(again.outputs).toMatchObject({ 'issue-number': '5', action: 'created' });
  });

  it('does nothing on close when no drift issue is open', async () => {
    const run = await drift(['--mode', 'close']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('drift-issue: no open drift issue; nothing to close\n');
    expect(run.outputs.action).toBe('none');
    expect(github.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it.each([
    ['no mode', [], /--mode is required/],
    ['a bad mode', ['--mode', 'reopen'], /--mode must be open or close/],
    ['open without a report', ['--mode', 'open'], /--body-file is required/],
    ['open with a missing report', ['--mode', 'open', '--body-file', '/nonexistent/drift.md'], /cannot read the body file \/nonexistent\/drift\.md: ENOENT/],
  ])('fails before any request with %s', async (_name, args, expected) => {
    const run = await drift(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(github.requests).toHaveLength(0);
  });

  it('fails with the status when the token may not write issues', async () => {
    github.fail('POST', /\/issues$/, 403, 'Resource not accessible by integration');
    const run = await drift(['--mode', 'open', '--body-file', report('drift\n')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/POST \/repos\/veepharm\/access-roster\/issues failed: 403 Forbidden: Resource not accessible by integration/);
  });
});
