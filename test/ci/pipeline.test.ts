/**
 * The workflows' script steps end to end, in the order the jobs run them, with the real
 * vault-roster CLI (dist/, built by `npm test`) against the simulator, a fake GitHub API and a
 * throwaway git repo holding a copy of examples/minimal: a reviewed plan refused as stale, after
 * Vault changed or main moved. (action.test.ts runs the happy path through the Action.)
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD, type RunningSimulator, type SimulatorSeed } from '../../src/simulator/index.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { REPO_ROOT, git, rosterRepo, runScript } from './run-script.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
const PR_WORKFLOW = '.github/workflows/vault-roster-pr.yml';

let sim: RunningSimulator;
let github: FakeGitHub;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does) before this suite`);
});
beforeEach(async () => {
  sim = await startTestSimulator();
  github = await startFakeGitHub();
});
afterEach(async () => {
  await github.close();
  await sim.close();
});

function step(script: string, args: string[], repo: string, vault = false) {
  return runScript(script, args, {
    cwd: repo,
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: github.token,
      GITHUB_REPOSITORY: github.repository,
      ...(vault ? { VAULT_URL: sim.url, VAULT_USERNAME: sim.adminUser, VAULT_PASSWORD: DEFAULT_ADMIN_PASSWORD } : {}),
    },
  });
}

/** `run-capture.mjs --label L --body L.md -- node dist/…/main.js ARGS` in the repo. */
function vaultRoster(label: string, args: string[], repo: string) {
  return step('run-capture.mjs', ['--label', label, '--body', `${label}.md`, '--', process.execPath, CLI, ...args], repo, true);
}

/** Commits a roster change on a new branch; returns the head SHA and leaves the checkout on it. */
function openPullRequest(repo: string, branch: string, change: (repo: string) => void, from = 'main'): string {
  git(repo, 'checkout', '-q', '-b', branch, from);
  change(repo);
  // Only the roster: job outputs (plan.json, plan.md) of earlier jobs stay untracked, as on a fresh runner.
  git(repo, 'add', 'roster.yaml', 'users');
  git(repo, 'commit', '-q', '-m', `Roster change on ${branch}`);
  const head = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'checkout', '-q', '--detach', head); // actions/checkout with ref: the PR head SHA
  return head;
}

function addNina(repo: string): void {
  appendFileSync(
    join(repo, 'users/team.yaml'),
    '\n  - user_name: nina.patel@veepharm.com\n    first_name: Nina\n    last_name: Patel\n    email: nina.patel@veepharm.com\n    memberships:\n      - vault: 3003\n',
  );
}

/** What GitHub would know after the PR workflow ran for `head` and the PR was merged as `merged`. */
function recordMergedPullRequest(number: number, head: string, merged: string): void {
  const runId = 7000 + number;
  github.pullsByCommit.set(merged, [{ number, merged_at: '2026-03-05T12:00:00Z', merge_commit_sha: merged, head: { sha: head } }]);
  github.artifacts.push({
    id: 9000 + number,
    name: `vault-roster-plan-${head}`,
    expired: false,
    created_at: '2026-03-05T11:00:00Z',
    expires_at: '2026-06-03T11:00:00Z',
    workflow_run: { id: runId, head_sha: head, head_branch: 'access/change', repository_id: github.repositoryId, head_repository_id: github.repositoryId },
  });
  github.runs.set(runId, {
    id: runId,
    path: PR_WORKFLOW,
    event: 'pull_request',
    head_sha: head,
    head_branch: 'access/change',
    status: 'completed',
    conclusion: 'success',
    html_url: '',
    repository: { id: github.repositoryId },
    head_repository: { id: github.repositoryId },
  });
}

/** The PR job's steps; returns the plan file path. */
async function prJob(repo: string, head: string, prNumber: number): Promise<string> {
  const validate = await vaultRoster('validate', ['validate', '--config', 'roster.yaml'], repo);
  expect(validate.outputs.result, validate.stderr).toBe('ok');
  const plan = await vaultRoster('plan', ['plan', '--config', 'roster.yaml', '--out', 'plan.json', '--format', 'markdown', '--detailed-exitcode'], repo);
  expect(plan.outputs, plan.stderr).toMatchObject({ result: 'changes', 'exit-code': '2' });
  const bound = await step('plan-commit.mjs', ['--expect', head, '--plan', 'plan.json'], repo);
  expect(bound.code, bound.stderr).toBe(0);
  const comment = await step('sticky-comment.mjs', ['--issue', String(prNumber), '--body-file', 'plan.md', '--footer', `Plan of ${head}`], repo);
  expect(comment.code, comment.stderr).toBe(0);
  return join(repo, 'plan.json');
}

/** The apply job up to (not including) the apply itself: lookup, "download", binding check. */
async function findReviewedPlan(repo: string, planFile: string): Promise<string> {
  const merged = git(repo, 'rev-parse', 'HEAD');
  const found = await step('find-plan-artifact.mjs', ['--commit', merged, '--prefix', 'vault-roster-plan-', '--workflow', PR_WORKFLOW], repo);
  expect(found.code, found.stderr).toBe(0);
  mkdirSync(join(repo, 'reviewed-plan'), { recursive: true });
  copyFileSync(planFile, join(repo, 'reviewed-plan/plan.json')); // actions/download-artifact
  const bound = await step('plan-commit.mjs', ['--plan', 'reviewed-plan/plan.json', '--plan-commit', found.outputs['head-sha']!], repo);
  expect(bound.code, bound.stderr).toBe(0);
  return 'reviewed-plan/plan.json';
}

function mergeInto(repo: string, branch: string): string {
  git(repo, 'checkout', '-q', 'main');
  git(repo, 'merge', '-q', '--no-ff', '-m', `Merge ${branch}`, branch);
  return git(repo, 'rev-parse', 'HEAD');
}

describe('the CI steps with the real CLI, the simulator and a fake GitHub', () => {
  // The happy path (plan, comment, merge, apply) runs through the Action itself in action.test.ts.
  it('refuses the reviewed plan as stale when Vault changed after review', async () => {
    const repo = rosterRepo();
    const setup = await vaultRoster('apply', ['apply', '--auto-approve', '--config', 'roster.yaml'], repo);
    expect(setup.outputs.result, setup.stderr).toBe('ok');

    // PR #20 retitles Ravi; while it waits, an admin edits Ravi in Vault directly.
    const head = openPullRequest(repo, 'access/retitle-ravi', (dir) => {
      const file = join(dir, 'users/team.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('Regulatory Publisher', 'Senior Regulatory Publisher'));
    });
    const planFile = await prJob(repo, head, 20);
    const seed = sim.dump();
    sim.replaceState({
      ...seed,
      users: seed.users?.map((u) => (u.user_name__v === 'ravi.menon@veepharm.com' ? { ...u, user_first_name__v: 'Ravindra' } : u)),
    } as SimulatorSeed);
    const merged = mergeInto(repo, 'access/retitle-ravi');
    recordMergedPullRequest(20, head, merged);
    const reviewed = await findReviewedPlan(repo, planFile);
    const apply = await vaultRoster('apply', ['apply', reviewed, '--auto-approve', '--config', 'roster.yaml'], repo);
    expect(apply.outputs, apply.stderr).toMatchObject({ result: 'error', stale: 'true' });
    expect(readFileSync(join(repo, 'apply.md'), 'utf8')).toContain('ravi.menon@veepharm.com');
  });

  // CLI contract: apply's refusal says "stale" for moved desired files too; the workflow's advice depends on it.
  it('refuses the reviewed plan as stale when main moved under the PR before the merge', async () => {
    const repo = rosterRepo();
    const head = openPullRequest(repo, 'access/add-nina', addNina);
    const planFile = await prJob(repo, head, 21);
    git(repo, 'checkout', '-q', 'main');
    writeFileSync(join(repo, 'users/contractors.yaml'), 'users: []\n');
    git(repo, 'add', 'users');
    git(repo, 'commit', '-q', '-m', 'Another PR merged first');
    const merged = mergeInto(repo, 'access/add-nina');
    recordMergedPullRequest(21, head, merged);
    const reviewed = await findReviewedPlan(repo, planFile);
    const apply = await vaultRoster('apply', ['apply', reviewed, '--auto-approve', '--config', 'roster.yaml'], repo);
    expect(apply.stderr).toContain('users/contractors.yaml');
    expect(sim.dump().users?.some((u) => u.user_name__v === 'nina.patel@veepharm.com')).toBe(false);
    expect(apply.outputs, apply.stderr).toMatchObject({ result: 'error', stale: 'true' });
  });
});
