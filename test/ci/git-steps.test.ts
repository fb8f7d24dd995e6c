/**
 * The git-dependent steps of the workflows, run in a throwaway git repo holding a copy of
 * examples/minimal: binding a plan to the PR head (plan-commit.mjs) and, after a merge, finding
 * the plan of the merged PR's head (find-plan-artifact.mjs) for merge commits, squashes and
 * rebases. GitHub's answers come from the loopback fake.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeArtifact, type FakeGitHub, type FakeRun } from './fake-github.js';
import { git, rosterRepo, runScript, tempDir } from './run-script.js';

const PR_WORKFLOW = '.github/workflows/vault-roster-pr.yml';
const OTHER = 'f'.repeat(40);

function writePlan(dir: string, gitCommit: string | undefined, name = 'plan.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ format_version: 1, ...(gitCommit === undefined ? {} : { git_commit: gitCommit }), desired_digest: 'x' }));
  return path;
}

/** A PR branch that adds a user, committed on top of main; returns its head SHA. */
function prBranch(repo: string): string {
  git(repo, 'checkout', '-q', '-b', 'access/add-nina');
  appendFileSync(
    join(repo, 'users/team.yaml'),
    '\n  - user_name: nina.patel@veepharm.com\n    first_name: Nina\n    last_name: Patel\n    email: nina.patel@veepharm.com\n    memberships:\n      - vault: 3003\n',
  );
  git(repo, 'commit', '-q', '-am', 'Add Nina Patel');
  const head = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'checkout', '-q', 'main');
  return head;
}

describe('plan-commit.mjs in a git repo', () => {
  it('reports the checked-out commit and accepts a plan made at it', async () => {
    const repo = rosterRepo();
    const head = git(repo, 'rev-parse', 'HEAD');
    const plan = writePlan(repo, head);
    const run = await runScript('plan-commit.mjs', ['--expect', head, '--plan', plan], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ sha: head, 'short-sha': head.slice(0, 7), 'plan-commit': head });
    expect(run.stdout).toBe(`plan-commit: checkout at ${head}, clean; ${plan} was made at ${head.slice(0, 7)}\n`);
  });

  it('refuses a checkout that is not the PR head (e.g. GitHub test merge)', async () => {
    const repo = rosterRepo();
    const head = git(repo, 'rev-parse', 'HEAD');
    const run = await runScript('plan-commit.mjs', ['--expect', OTHER], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the checkout is at ${head.slice(0, 7)} but the PR head is fffffff`);
  });

  it('refuses when a tracked roster file changed after checkout, but not for new files', async () => {
    const repo = rosterRepo();
    writePlan(repo, git(repo, 'rev-parse', 'HEAD'));
    writeFileSync(join(repo, 'plan.md'), 'untracked output');
    expect((await runScript('plan-commit.mjs', [], { cwd: repo })).code).toBe(0);
    appendFileSync(join(repo, 'users/team.yaml'), '# edited by a step\n');
    const run = await runScript('plan-commit.mjs', [], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('tracked files changed after checkout (users/team.yaml)');
  });

  it.each([
    ['a plan of another commit', OTHER, /was made at fffffff, not at [0-9a-f]{7}: it is not the plan of this commit/],
    ['a plan made outside git', undefined, /records no git commit/],
    ['a plan with a malformed commit', 'HEAD', /git_commit in .* must be a full commit SHA/],
  ])('refuses %s', async (_name, recorded, expected) => {
    const repo = rosterRepo();
    const run = await runScript('plan-commit.mjs', ['--plan', writePlan(repo, recorded)], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
  });

  it('fails clearly outside a git work tree', async () => {
    const dir = tempDir();
    const run = await runScript('plan-commit.mjs', [], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^plan-commit: error: git rev-parse HEAD failed in .*: fatal: not a git repository/);
  });

  it('after a merge, checks the downloaded plan against the PR head, not the merge commit', async () => {
    const repo = rosterRepo();
    const head = prBranch(repo);
    git(repo, 'merge', '-q', '--no-ff', '-m', 'Merge PR #12', 'access/add-nina');
    const plan = writePlan(tempDir(), head);
    const run = await runScript('plan-commit.mjs', ['--plan', plan, '--plan-commit', head], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs.sha).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(run.outputs['plan-commit']).toBe(head);
  });
});

describe('find-plan-artifact.mjs after a merge', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub({ maxPageSize: 2 });
  });
  afterEach(async () => {
    await github.close();
  });

  function artifact(head: string, overrides: Partial<FakeArtifact> = {}, run: Partial<FakeRun> = {}): FakeArtifact {
    const id = 9000 + github.artifacts.length;
    const runId = 700 + github.artifacts.length;
    const made: FakeArtifact = {
      id,
      name: `vault-roster-plan-${head}`,
      expired: false,
      created_at: `2026-03-0${String(github.artifacts.length + 1)}T10:00:00Z`,
      expires_at: '2026-06-01T10:00:00Z',
      workflow_run: { id: runId, head_sha: head, head_branch: 'access/add-nina', repository_id: github.repositoryId, head_repository_id: github.repositoryId },
      ...overrides,
    };
    github.artifacts.push(made);
    github.runs.set(runId, {
      id: runId,
      path: PR_WORKFLOW,
      event: 'pull_request',
      head_sha: head,
      head_branch: 'access/add-nina',
      status: 'completed',
      conclusion: 'success',
      html_url: `https://github.example/runs/${String(runId)}`,
      repository: { id: github.repositoryId },
      head_repository: { id: github.repositoryId },
      ...run,
    });
    return made;
  }

  function find(repo: string, commit = git(repo, 'rev-parse', 'HEAD')) {
    return runScript('find-plan-artifact.mjs', ['--commit', commit, '--prefix', 'vault-roster-plan-', '--workflow', PR_WORKFLOW], {
      cwd: repo,
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository },
    });
  }

  it.each([
    ['a merge commit', (repo: string) => git(repo, 'merge', '-q', '--no-ff', '-m', 'Merge pull request #12', 'access/add-nina')],
    [
      'a squash merge',
      (repo: string) => {
        git(repo, 'merge', '-q', '--squash', 'access/add-nina');
        git(repo, 'commit', '-q', '-m', 'Add Nina Patel (#12)');
      },
    ],
    [
      'a rebase merge (a new commit with the same change)',
      (repo: string) => {
        // main moved on meanwhile, so the rebased commit differs from the PR head even within
        // the same second (a cherry-pick onto the same parent could reproduce the same hash).
        git(repo, 'commit', '-q', '--allow-empty', '-m', 'Unrelated change on main');
        git(repo, 'cherry-pick', 'access/add-nina');
      },
    ],
  ])('finds the plan of the PR head for %s', async (_name, merge) => {
    const repo = rosterRepo();
    const head = prBranch(repo);
    merge(repo);
    const landed = git(repo, 'rev-parse', 'HEAD');
    expect(landed).not.toBe(head);
    github.pullsByCommit.set(landed, [
      { number: 11, merged_at: null, merge_commit_sha: OTHER, head: { sha: OTHER } },
      { number: 12, merged_at: '2026-03-05T12:00:00Z', merge_commit_sha: landed, head: { sha: head } },
    ]);
    artifact(head, { created_at: '2026-03-02T10:00:00Z' });
    const newest = artifact(head, { created_at: '2026-03-04T10:00:00Z' }); // a re-run of the PR workflow
    artifact(head, { created_at: '2026-03-01T10:00:00Z' });

    const run = await find(repo);
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({
      'pr-number': '12',
      'head-sha': head,
      'artifact-name': `vault-roster-plan-${head}`,
      'artifact-id': String(newest.id),
      'run-id': String(newest.workflow_run.id),
      'run-url': `https://github.example/runs/${String(newest.workflow_run.id)}`,
    });
    expect(run.stdout).toBe(`find-plan-artifact: PR #12 head ${head.slice(0, 7)}: plan artifact ${String(newest.id)} from run ${String(newest.workflow_run.id)}\n`);
    // The artifact list was read by exact name, through every page.
    const lists = github.requests.filter((r) => r.path.includes('/actions/artifacts'));
    expect(lists.length).toBe(2);
    expect(lists[0]!.path).toContain(`name=vault-roster-plan-${head}`);
  });

  it('refuses when the checkout is not the commit being applied', async () => {
    const repo = rosterRepo();
    const run = await find(repo, OTHER);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the checkout is at ${git(repo, 'rev-parse', 'HEAD').slice(0, 7)}, not fffffff`);
    expect(github.requests).toHaveLength(0);
  });

  it('refuses a direct push that no merged PR explains', async () => {
    const repo = rosterRepo();
    appendFileSync(join(repo, 'users/team.yaml'), '# direct push\n');
    git(repo, 'commit', '-q', '-am', 'Direct push');
    const landed = git(repo, 'rev-parse', 'HEAD');
    github.pullsByCommit.set(landed, [{ number: 3, merged_at: null, merge_commit_sha: null, head: { sha: landed } }]);
    const run = await find(repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`commit ${landed.slice(0, 7)} is not the merge of a pull request`);
  });

  type Setup = (head: string) => void;
  const cases: [string, Setup, RegExp][] = [
    ['no artifact at all', () => undefined, /no plan artifact vault-roster-plan-[0-9a-f]{40} for PR #12 \(head [0-9a-f]{7}\)\. Re-run the vault-roster PR workflow for PR #12/],
    ['only an expired artifact', (head) => artifact(head, { expired: true, expires_at: '2026-01-01T00:00:00Z' }), /\(it expired on 2026-01-01T00:00:00Z\)\. Re-run/],
    ['an artifact from another workflow', (head) => artifact(head, {}, { path: '.github/workflows/evil.yml' }), /it came from \.github\/workflows\/evil\.yml, not \.github\/workflows\/vault-roster-pr\.yml/],
    ['an artifact whose PR run failed', (head) => artifact(head, {}, { conclusion: 'failure' }), /its run ended with failure, not success/],
    ['an artifact from a fork', (head) => artifact(head, {}, { head_repository: { id: 1 } }), /it came from a fork/],
    ['an artifact named for this head by a run of another commit', (head) => artifact(head, { workflow_run: { id: 1, head_sha: OTHER, head_branch: 'x', repository_id: 4242, head_repository_id: 4242 } }), /uploaded by a run for fffffff/],
  ];
  it.each(cases)('fails loudly with %s', async (_name, setup, expected) => {
    const repo = rosterRepo();
    const head = prBranch(repo);
    git(repo, 'merge', '-q', '--no-ff', '-m', 'Merge pull request #12', 'access/add-nina');
    const landed = git(repo, 'rev-parse', 'HEAD');
    github.pullsByCommit.set(landed, [{ number: 12, merged_at: '2026-03-05T12:00:00Z', merge_commit_sha: landed, head: { sha: head } }]);
    setup(head);
    const run = await find(repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.outputs).toEqual({});
  });

  it('reports a GitHub API error with its status', async () => {
    const repo = rosterRepo();
    github.fail('GET', /\/pulls$/, 403, 'Resource not accessible by integration');
    const run = await find(repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/GET \/repos\/veepharm\/access-roster\/commits\/[0-9a-f]{40}\/pulls failed: 403 Forbidden/);
  });
});
