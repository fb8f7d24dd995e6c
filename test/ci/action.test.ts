/**
 * The GitHub Action (action.yml) run step by step (action-runner.ts) with the packed CLI: this
 * checkout packed with `npm pack` and installed offline into a roster repository (as its pinned
 * devDependency), against the simulator, the fake GitHub API and a throwaway git repo. One
 * pull request's life: plan → sticky comment + plan artifact → merge → apply exactly that plan →
 * state saved → drift found → one issue → drift gone → issue closed. And the refusals.
 */
import { isWrite } from '../helpers/simulator.js';
import { appendFileSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator, SimulatorSeed } from '../../src/simulator/index.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { packAndInstall, REPO_ROOT, runProcess, type PackedInstall } from '../package/packed.js';
import { ArtifactStore, runAction, type ActionRun } from './action-runner.js';
import { startFakeGitHub, type FakeGitHub } from './fake-github.js';
import { git, rosterRepo } from './run-script.js';

const PLAN_MARKER = '<!-- vault-roster-plan -->';
const DRIFT_MARKER = '<!-- vault-roster-drift -->';
const PR_WORKFLOW = '.github/workflows/vault-roster-pr.yml';
const APPLY_WORKFLOW = '.github/workflows/vault-roster-apply.yml';
/** Long and distinctive, so a leak into a log or comment would show. */
const PASSWORD = 'Vr-test-Pa55word-7d41c';

let packed: PackedInstall;
let sim: RunningSimulator;
let github: FakeGitHub;
let artifacts: ArtifactStore;

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist/src/cli/main.js'))) throw new Error("dist/ is missing: run 'npm run build' (npm test does) before this suite");
  packed = await packAndInstall();
}, 60_000);
afterAll(() => {
  packed.remove();
});
beforeEach(async () => {
  sim = await startTestSimulator({ adminPassword: PASSWORD });
  github = await startFakeGitHub();
  artifacts = new ArtifactStore();
});
afterEach(async () => {
  artifacts.remove();
  await github.close();
  await sim.close();
});

/** A roster repo (examples/minimal on main) whose node_modules holds the packed vault-roster. */
function repoWithPackedCli(): string {
  const repo = rosterRepo();
  symlinkSync(join(packed.repo, 'node_modules'), join(repo, 'node_modules'));
  return repo;
}

function credentials(): Record<string, string> {
  return { 'vault-url': sim.url, 'vault-username': sim.adminUser, 'vault-password': PASSWORD };
}

function context(event: string, runId: number, sha: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_name: event, run_id: runId, sha, repository: github.repository, server_url: 'https://github.example', token: github.token, event: extra };
}

function run(repo: string, inputs: Record<string, string>, github_: Record<string, unknown>): Promise<ActionRun> {
  return runAction({
    inputs,
    github: github_,
    workspace: repo,
    artifacts,
    env: { PATH: process.env.PATH ?? '', HOME: packed.env.HOME!, npm_config_offline: 'true', GITHUB_API_URL: github.url, GITHUB_REPOSITORY: github.repository },
  });
}

function addNina(repo: string): void {
  appendFileSync(
    join(repo, 'users/team.yaml'),
    '\n  - user_name: nina.patel@veepharm.com\n    first_name: Nina\n    last_name: Patel\n    email: nina.patel@veepharm.com\n    memberships:\n      - vault: 3003\n',
  );
}

/** A PR branch with one roster change, checked out detached at its head (as actions/checkout does). */
function openPullRequest(repo: string, branch: string, change: (repo: string) => void): string {
  git(repo, 'checkout', '-q', '-b', branch, 'main');
  change(repo);
  git(repo, 'add', 'roster.yaml', 'users');
  git(repo, 'commit', '-q', '-m', `Roster change on ${branch}`);
  const head = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'checkout', '-q', '--detach', head);
  return head;
}

function planOnPullRequest(repo: string, number: number, head: string): Promise<ActionRun> {
  return run(repo, { command: 'plan', ...credentials() }, context('pull_request', 7000 + number, head, { pull_request: { number, head: { sha: head } } }));
}

/** What GitHub knows once the plan run for `head` succeeded and the PR was merged as `merged`. */
function recordMerge(number: number, head: string, merged: string): void {
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

/** Kate approves the head of PR `number` (her profile has a name and a public email). */
function approve(number: number, head: string): void {
  github.reviews.set(number, [
    { id: 77, user: { login: 'kate-grossman', type: 'User' }, state: 'APPROVED', commit_id: head, submitted_at: '2026-03-05T11:30:00Z', html_url: `https://github.example/veepharm/access-roster/pull/${String(number)}#pullrequestreview-77` },
  ]);
  github.users.set('kate-grossman', { login: 'kate-grossman', id: 501, name: 'Kate Grossman', email: 'kate.grossman@veepharm.com' });
}

/** The apply inputs: evidence is on by default (the Action's input), so every apply makes a bundle. */
function applyInputs(): Record<string, string> {
  return { command: 'apply', ...credentials() };
}

/** What GitHub knows once the apply run `runId` on main saved the state artifact. */
function recordStateArtifact(runId: number, sha: string): void {
  github.artifacts.push({
    id: 9500 + runId,
    name: 'vault-roster-state',
    expired: false,
    created_at: '2026-03-05T13:00:00Z',
    expires_at: '2026-06-03T13:00:00Z',
    workflow_run: { id: runId, head_sha: sha, head_branch: 'main', repository_id: github.repositoryId, head_repository_id: github.repositoryId },
  });
  github.runs.set(runId, {
    id: runId,
    path: APPLY_WORKFLOW,
    event: 'push',
    head_sha: sha,
    head_branch: 'main',
    status: 'completed',
    conclusion: 'success',
    html_url: '',
    repository: { id: github.repositoryId },
    head_repository: { id: github.repositoryId },
  });
}

function writesTo(simulator: RunningSimulator): string[] {
  return simulator
    .requestLog()
    .filter(isWrite)
    .map((e) => `${e.method} ${e.path}`);
}

describe('the vault-roster Action with the packed CLI', () => {
  it('plans a PR (comment + artifact), applies exactly that plan after the merge, then opens and closes the drift issue', async () => {
    const repo = repoWithPackedCli();
    const head = openPullRequest(repo, 'access/add-nina', addNina);

    const plan = await planOnPullRequest(repo, 12, head);
    expect(plan.failed, plan.log).toBe(false);
    expect(plan.outputs).toMatchObject({ result: 'changes', 'exit-code': '2', version: packed.version });
    expect(plan.step('cli').stdout).toContain(`vault-roster ${packed.version} (pinned in this repository)`);
    expect(plan.step('validate').env).toEqual({ VAULT_ROSTER: join(repo, 'node_modules/.bin/vault-roster'), CONFIG: 'roster.yaml' }); // no credentials offline
    expect(writesTo(sim)).toEqual([]);
    const [comment, ...others] = github.comments;
    expect(others).toEqual([]);
    expect(comment?.issue).toBe(12);
    expect(comment?.body.startsWith(`${PLAN_MARKER}\n## vault-roster plan`)).toBe(true);
    expect(comment?.body).toContain('nina.patel@veepharm.com');
    expect(comment?.body).toContain(`artifact \`vault-roster-plan-${head}\``);
    expect(plan.outputs['comment-url']).toBe(comment?.html_url);
    expect(artifacts.files(`vault-roster-plan-${head}`).sort()).toEqual(['plan.json', 'plan.md']);
    expect(artifacts.items.get(`vault-roster-plan-${head}`)?.runId).toBe('7012');
    const planFile = join(artifacts.items.get(`vault-roster-plan-${head}`)!.dir, 'plan.json');
    expect((JSON.parse(readFileSync(planFile, 'utf8')) as { git_commit: string }).git_commit).toBe(head);
    expect(plan.log).not.toContain(PASSWORD);
    expect(comment?.body).not.toContain(PASSWORD);

    git(repo, 'checkout', '-q', 'main');
    git(repo, 'merge', '-q', '--no-ff', '-m', 'Merge access/add-nina', 'access/add-nina');
    const merged = git(repo, 'rev-parse', 'HEAD');
    recordMerge(12, head, merged);

    // Merged without an approving review of its head (an admin bypass): refused before any Vault call.
    sim.clearRequestLog();
    const unapproved = await run(repo, applyInputs(), context('push', 8000, merged));
    expect(unapproved.failed).toBe(true);
    expect(unapproved.step('approvals').stderr).toContain('PR #12 has 0 approving reviews of its head');
    expect(unapproved.step('apply').outcome).toBe('skipped');
    expect(sim.requestLog()).toEqual([]);

    approve(12, head);
    const apply = await run(repo, applyInputs(), context('push', 8001, merged));
    expect(apply.failed, apply.log).toBe(false);
    expect(apply.outputs).toMatchObject({ result: 'ok', stale: 'false', approvals: 'kate-grossman' });
    expect(apply.step('Find the plan reviewed in the merged pull request').outputs).toMatchObject({ 'pr-number': '12', 'head-sha': head });
    // The plan id of the PR comment is the one apply ran, recorded with the approval in the journal.
    const planIdShown = /\*\*Plan id\*\* `([0-9a-f]{64})`/.exec(comment?.body ?? '')?.[1];
    expect(planIdShown).toBeDefined();
    expect(apply.outputs['plan-id']).toBe(planIdShown);
    const journal = readFileSync(join(repo, '.vault-roster/journal', `${planIdShown!}.jsonl`), 'utf8').split('\n');
    const started = JSON.parse(journal.find((l) => l.includes('"run_started"'))!) as { approvals?: unknown };
    expect(started.approvals).toEqual([
      { by: 'Kate Grossman <kate.grossman@veepharm.com>', meaning: 'approved access change', ref: `https://github.example/veepharm/access-roster/pull/12#pullrequestreview-77 (approved 2026-03-05T11:30:00Z at commit ${head})`, at: '2026-03-05T11:30:00.000Z' },
    ]);
    const result = github.comments.filter((c) => c.issue === 12 && c.body.startsWith('<!-- vault-roster-apply -->'));
    expect(result).toHaveLength(1);
    expect(result[0]?.body).toContain('### ✅ vault-roster applied the reviewed plan');
    expect(result[0]?.body).toContain(`| Plan id | \`${planIdShown!}\` |`);
    expect(result[0]?.body).toContain('| Approvals | 1: @kate-grossman |');
    // The bundle verified before upload, and the comment links the uploaded artifact.
    expect(apply.step('evidence-verify').outcome).toBe('success');
    expect(apply.step('evidence-verify').stdout).toContain('intact');
    const bundle = artifacts.files(`vault-roster-evidence-${planIdShown!}`);
    for (const file of ['manifest.json', 'plan.json', 'journal.jsonl', 'approvals.json', 'changes.json', 'summary.md']) expect(bundle).toContain(file);
    expect(result[0]?.body).toMatch(/\| Evidence bundle \| \[vault-roster-evidence-[0-9a-f]{64}\]\(https:\/\/github\.example\/artifacts\/\d+\)/);
    expect(sim.dump().users?.some((u) => u.user_name__v === 'nina.patel@veepharm.com')).toBe(true);
    expect(artifacts.files('vault-roster-state')).toContain('state.json');
    expect(apply.summary).toContain('### vault-roster apply passed (exit code 0)');
    expect(apply.summary).toContain('failed 0.');

    recordStateArtifact(8001, merged);

    // Someone renames Nina in Vault: one drift issue; put back: the issue is closed.
    const seed = sim.dump();
    const rename = (first: string): SimulatorSeed =>
      ({ ...seed, users: seed.users?.map((u) => (u.user_name__v === 'nina.patel@veepharm.com' ? { ...u, user_first_name__v: first } : u)) }) as SimulatorSeed;
    sim.replaceState(rename('Nino'));
    const drift = await run(repo, { command: 'drift', ...credentials() }, context('schedule', 9002, merged));
    expect(drift.failed, drift.log).toBe(false);
    expect(drift.outputs.result).toBe('changes');
    expect(drift.step('Restore the last-applied state').outcome).toBe('success'); // the state the apply saved
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]).toMatchObject({ state: 'open' });
    expect(github.issues[0]?.body.startsWith(DRIFT_MARKER)).toBe(true);
    expect(github.issues[0]?.body).toContain('nina.patel@veepharm.com');
    expect(drift.outputs['issue-url']).toBe(github.issues[0]?.html_url);
    sim.replaceState(rename('Nina'));
    const fixed = await run(repo, { command: 'drift', ...credentials() }, context('schedule', 9003, merged));
    expect(fixed.outputs.result, fixed.log).toBe('ok');
    expect(github.issues[0]?.state).toBe('closed');
  }, 120_000); // four runs of the Action, about thirty processes: minutes only on a crowded machine

  it('withdraws a membership whose valid_until passed (expire, apply-expiries: true), through one expiry issue', async () => {
    const repo = repoWithPackedCli();
    // One expiry among five users is a fifth of them: above the default removal guard (10%).
    const config = join(repo, 'roster.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('  max_deactivations: 10\n', '  max_deactivations: 10\n  max_access_removal_share: 1\n'));
    git(repo, 'commit', '-q', '-am', 'Removal guard for the test');
    const bootstrap = await runProcess(join(repo, 'node_modules/.bin/vault-roster'), ['apply', '--auto-approve'], repo, {
      ...packed.env,
      NO_COLOR: '1',
      VAULT_URL: sim.url,
      VAULT_USERNAME: sim.adminUser,
      VAULT_PASSWORD: PASSWORD,
    });
    expect(bootstrap.code, bootstrap.stderr).toBe(0);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const team = join(repo, 'users/team.yaml');
    writeFileSync(team, readFileSync(team, 'utf8').replace('        apps: { rimReg_v: full__v }\n', `        apps: { rimReg_v: full__v }\n        valid_until: ${yesterday}\n        reason: contract ended\n`));
    git(repo, 'commit', '-q', '-am', 'Daniel until yesterday');
    const sha = git(repo, 'rev-parse', 'HEAD');
    const membership = (): boolean | undefined =>
      sim.dump().users?.find((u) => u.user_name__v === 'daniel.okafor@veepharm.com')?.vault_membership?.find((m) => m.vault_id === 3003)?.active__v;
    expect(membership()).toBe(true);

    const expire = await run(repo, { command: 'expire', 'apply-expiries': 'true', evidence: 'false', ...credentials() }, context('schedule', 9100, sha));
    expect(expire.failed, expire.log).toBe(false);
    expect(expire.step('expiry').outputs).toEqual({ expired: '1', others: '0', 'expiry-only': 'true' });
    expect(expire.step('expire-apply').outputs).toMatchObject({ result: 'ok' });
    expect(membership()).toBe(false);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]?.title).toBe('vault-roster: time-boxed access expired');
    expect(github.issues[0]?.body).toContain(`| \`daniel.okafor@veepharm.com\` | membership of vault 3003 | ${yesterday} |`);
    expect(github.issues[0]?.body).toContain('#### Apply');
    expect(github.issues[0]?.state).toBe('closed');
    expect(expire.outputs['plan-id']).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  it('comments the validation errors and fails the job without planning when the YAML is invalid', async () => {
    const repo = repoWithPackedCli();
    const head = openPullRequest(repo, 'access/typo', (dir) => {
      const file = join(dir, 'users/team.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('first_name:', 'frist_name:'));
    });
    const result = await planOnPullRequest(repo, 13, head);
    expect(result.failed).toBe(true);
    expect(result.outputs.result).toBe('error');
    expect(result.step('plan').outcome).toBe('skipped');
    expect(result.step('Upload the plan').outcome).toBe('skipped');
    expect(sim.requestLog()).toEqual([]);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain('frist_name');
    expect(result.steps.at(-1)).toMatchObject({ outcome: 'failure' });
    expect(result.steps.at(-1)?.stdout).toContain('::error title=vault-roster plan::validate: error, plan: not run');
    expect(artifacts.items.size).toBe(0);
  });

  it('refuses an unknown command, or plan outside a pull request, before touching anything', async () => {
    const repo = repoWithPackedCli();
    const sha = git(repo, 'rev-parse', 'HEAD');
    const wrong = await run(repo, { command: 'destroy', ...credentials() }, context('push', 1, sha));
    expect(wrong.failed).toBe(true);
    expect(wrong.steps[0]?.stdout).toContain("the input command must be plan, apply, drift, expire or review, not 'destroy'");
    expect(wrong.steps.slice(1).every((s) => s.outcome === 'skipped')).toBe(true);

    const planOnPush = await run(repo, { command: 'plan', ...credentials() }, context('push', 2, sha));
    expect(planOnPush.failed).toBe(true);
    expect(planOnPush.steps[0]?.stdout).toContain("command plan runs on pull_request events (this is 'push')");
    expect(github.requests).toEqual([]);
    expect(sim.requestLog()).toEqual([]);
  });

  it('says how to pin vault-roster when the repository has neither node_modules nor a lock file', async () => {
    const repo = rosterRepo();
    const sha = git(repo, 'rev-parse', 'HEAD');
    const result = await run(repo, { command: 'drift', ...credentials() }, context('schedule', 3, sha));
    expect(result.failed).toBe(true);
    expect(result.step('cli').stderr).toContain('npm install --save-dev vault-roster');
    expect(result.step('drift').outcome).toBe('skipped');
  });
});
