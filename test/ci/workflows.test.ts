/**
 * The example workflows, parsed with `yaml`: the structural facts a reviewer of a GitOps setup
 * checks (triggers, minimal permissions, where secrets may appear, the exact vault-roster
 * commands and flags, artifact names tied to the PR head SHA), and that every script call
 * matches a script that exists and accepts those options.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCRIPTS_DIR, WORKFLOWS_DIR } from './run-script.js';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  environment?: unknown;
  permissions?: unknown;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const FILES = ['vault-roster-pr.yml', 'vault-roster-apply.yml', 'vault-roster-drift.yml'] as const;

function load(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')) as Workflow;
}

const workflows = Object.fromEntries(FILES.map((f) => [f, load(f)])) as Record<(typeof FILES)[number], Workflow>;

function onlyJob(workflow: Workflow): Job {
  const jobs = Object.values(workflow.jobs);
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

function step(workflow: Workflow, id: string): Step {
  const found = onlyJob(workflow).steps.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no step with id ${id}`);
  return found;
}

function stepUsing(workflow: Workflow, action: string, index = 0): Step {
  const found = onlyJob(workflow).steps.filter((s) => s.uses?.startsWith(`${action}@`));
  if (found[index] === undefined) throw new Error(`no step ${String(index)} using ${action}`);
  return found[index];
}

/** Every string in the document with the path to it. */
function strings(value: unknown, path: string[] = []): [string[], string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

function scriptCalls(workflow: Workflow): { script: string; options: string[]; step: Step }[] {
  return onlyJob(workflow).steps.flatMap((s) => {
    const match = /node "\$CI_SCRIPTS\/([\w-]+\.mjs)"(.*)$/m.exec(s.run ?? '');
    if (match === null) return [];
    const own = match[2]!.split(' -- ')[0]!;
    return [{ script: match[1]!, options: [...own.matchAll(/(?:^|\s)--([a-z-]+)/g)].map((m) => m[1]!), step: s }];
  });
}

/** Names a script passes to setOutputs({ … }) (keys and shorthand properties). */
function outputsWritten(script: string): string[] {
  const source = readFileSync(join(SCRIPTS_DIR, script), 'utf8');
  return [...source.matchAll(/setOutputs\(\{([\s\S]*?)\}\)/g)].flatMap((m) =>
    m[1]!.split(',').map((part) => part.trim().split(':')[0]!.trim().replace(/['"]/g, '')).filter((key) => key !== ''),
  );
}

describe.each(FILES)('%s', (file) => {
  const workflow = workflows[file];

  it('runs no untrusted-code trigger (pull_request_target, workflow_run)', () => {
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect(Object.keys(workflow.on)).not.toContain('workflow_run');
  });

  it('gives secrets only through the secrets context, to single steps, never inline in scripts', () => {
    for (const [path, value] of strings(workflow)) {
      if (!value.includes('secrets.')) continue;
      // Only as a whole value of a step's env or with entry.
      expect(value, path.join('.')).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      expect(path.slice(0, 2), path.join('.')).toEqual(['jobs', Object.keys(workflow.jobs)[0]]);
      expect(path[2], path.join('.')).toBe('steps');
      expect(['env', 'with'], path.join('.')).toContain(path[4]);
    }
    for (const s of onlyJob(workflow).steps) {
      for (const [name, value] of Object.entries(s.env ?? {})) {
        if (/^VAULT_|TOKEN/.test(name)) expect(value, `${s.name ?? s.id ?? ''} ${name}`).toBe(`\${{ secrets.${name} }}`);
      }
    }
    expect(JSON.stringify(workflow.env ?? {})).not.toContain('secrets.');
    expect(JSON.stringify(onlyJob(workflow).env ?? {})).not.toContain('secrets.');
  });

  it('gives Vault credentials only to the steps that run vault-roster against Vault', () => {
    for (const s of onlyJob(workflow).steps) {
      const hasVault = Object.keys(s.env ?? {}).some((k) => k.startsWith('VAULT_'));
      const talksToVault = /npx --no vault-roster (plan|apply)\b/.test(s.run ?? '');
      expect(hasVault, s.name ?? s.id).toBe(talksToVault);
    }
  });

  it('never expands ${{ }} inside a run script (values go through env)', () => {
    for (const s of onlyJob(workflow).steps) expect(s.run ?? '', s.name ?? s.id).not.toContain('${{');
  });

  it('uses only the official actions, and checks out without leaving a token behind', () => {
    for (const s of onlyJob(workflow).steps.filter((x) => x.uses !== undefined)) {
      expect(s.uses).toMatch(/^actions\/(checkout|setup-node|upload-artifact|download-artifact)@v4$/);
    }
    expect(stepUsing(workflow, 'actions/checkout').with?.['persist-credentials']).toBe(false);
    expect(stepUsing(workflow, 'actions/setup-node').with?.['node-version']).toBe(20);
  });

  it('installs the pinned vault-roster and never lets npx download one', () => {
    const runs = onlyJob(workflow).steps.map((s) => s.run ?? '');
    expect(runs).toContain('npm ci');
    for (const run of runs.filter((r) => r.includes('vault-roster ') && r.includes('npx'))) expect(run).toContain('npx --no vault-roster');
  });

  it('calls only scripts that exist, with options they accept', () => {
    const calls = scriptCalls(workflow);
    expect(calls.length).toBeGreaterThan(0);
    const available = readdirSync(SCRIPTS_DIR);
    for (const { script, options } of calls) {
      expect(available).toContain(script);
      const source = readFileSync(join(SCRIPTS_DIR, script), 'utf8');
      for (const option of options) expect(source, `${script} --${option}`).toMatch(new RegExp(`['"]?${option}['"]?: \\{ type:`));
    }
  });

  it('reads only outputs of earlier steps that their script writes', () => {
    const steps = onlyJob(workflow).steps;
    for (const [index, s] of steps.entries()) {
      for (const [, id, output] of JSON.stringify(s).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const source = steps.findIndex((x) => x.id === id);
        expect(source, `${s.name ?? ''} reads steps.${id!}`).toBeGreaterThanOrEqual(0);
        expect(source, `${s.name ?? ''} reads a later step ${id!}`).toBeLessThan(index);
        const script = /\$CI_SCRIPTS\/([\w-]+\.mjs)/.exec(steps[source]!.run ?? '')?.[1];
        expect(script, `steps.${id!} has no script`).toBeDefined();
        expect(outputsWritten(script!), `${script!} writes ${output!}`).toContain(output);
      }
    }
  });

  it('restores the last-applied state written by the apply workflow', () => {
    const find = step(workflow, 'state');
    expect(find.run).toContain('find-state-artifact.mjs" --name vault-roster-state --branch main --workflow .github/workflows/vault-roster-apply.yml');
    const download = stepUsing(workflow, 'actions/download-artifact', file === 'vault-roster-apply.yml' ? 1 : 0);
    expect(download.if).toBe("steps.state.outputs.found == 'true'");
    expect(download.with).toMatchObject({ 'run-id': '${{ steps.state.outputs.run-id }}', path: '.vault-roster', 'github-token': '${{ secrets.GITHUB_TOKEN }}' });
  });
});

describe('vault-roster-pr.yml', () => {
  const pr = workflows['vault-roster-pr.yml'];

  it('runs on pull requests to main that touch the roster, one run per PR at a time', () => {
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    const trigger = pr.on.pull_request as { branches: string[]; paths: string[] };
    expect(trigger.branches).toEqual(['main']);
    expect(trigger.paths).toEqual(expect.arrayContaining(['roster.yaml', 'users/**', 'sitevault/**', 'package-lock.json']));
    expect(pr.concurrency).toEqual({ group: 'vault-roster-plan-${{ github.event.pull_request.number }}', 'cancel-in-progress': true });
  });

  it('asks only for what it uses: read code and artifacts, write the PR comment', () => {
    expect(pr.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', actions: 'read' });
    expect(onlyJob(pr).permissions).toBeUndefined();
    expect(onlyJob(pr).environment).toBeUndefined();
  });

  it('plans the PR head, not the test merge, and checks the plan is bound to it', () => {
    expect(stepUsing(pr, 'actions/checkout').with?.ref).toBe('${{ github.event.pull_request.head.sha }}');
    const commit = step(pr, 'commit');
    expect(commit.run).toBe('node "$CI_SCRIPTS/plan-commit.mjs" --expect "$HEAD_SHA" --plan plan.json');
    expect(commit.env).toEqual({ HEAD_SHA: '${{ github.event.pull_request.head.sha }}' });
  });

  it('validates offline, then plans with the contract flags and records the exit code', () => {
    expect(step(pr, 'validate').run).toBe('node "$CI_SCRIPTS/run-capture.mjs" --label validate --body validate.md -- npx --no vault-roster validate --config "$ROSTER_CONFIG"');
    const plan = step(pr, 'plan');
    expect(plan.if).toBe("steps.validate.outputs.result == 'ok'");
    expect(plan.run).toBe(
      'node "$CI_SCRIPTS/run-capture.mjs" --label plan --body plan.md -- npx --no vault-roster plan --config "$ROSTER_CONFIG" --out plan.json --format markdown --detailed-exitcode --plan-url "$PLAN_URL"',
    );
    expect(Object.keys(plan.env ?? {}).sort()).toEqual(['PLAN_URL', 'VAULT_PASSWORD', 'VAULT_URL', 'VAULT_USERNAME']);
    expect(plan.env?.PLAN_URL).toBe('${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}');
  });

  it('uploads plan.json and plan.md as an artifact named after the PR head SHA', () => {
    const upload = stepUsing(pr, 'actions/upload-artifact');
    expect(upload.if).toBe("steps.commit.outcome == 'success'");
    expect(upload.with?.name).toBe('vault-roster-plan-${{ github.event.pull_request.head.sha }}');
    expect(String(upload.with?.path).trim().split('\n')).toEqual(['plan.json', 'plan.md']);
    expect(upload.with?.['if-no-files-found']).toBe('error');
  });

  it('comments before failing: the sticky comment runs even after an error, the job fails last', () => {
    const steps = onlyJob(pr).steps;
    const comment = steps.findIndex((s) => s.run?.includes('sticky-comment.mjs'));
    const fail = steps.findIndex((s) => s.name === 'Fail when validate or plan failed');
    expect(comment).toBeGreaterThan(steps.findIndex((s) => s.id === 'plan'));
    expect(fail).toBe(steps.length - 1);
    expect(steps[comment]!.if).toContain('!cancelled()');
    expect(steps[comment]!.run).toContain("--marker '<!-- vault-roster-plan -->'");
    expect(steps[comment]!.env?.PR_NUMBER).toBe('${{ github.event.pull_request.number }}');
    expect(steps[fail]!.if).toContain("steps.plan.outputs.result == 'error'");
    expect(steps[fail]!.run).toMatch(/exit 1\s*$/);
  });
});

describe('vault-roster-apply.yml', () => {
  const apply = workflows['vault-roster-apply.yml'];
  const pr = workflows['vault-roster-pr.yml'];

  it('runs on pushes to main for the same paths as the PR workflow, one at a time, never cancelled', () => {
    expect(Object.keys(apply.on)).toEqual(['push']);
    const push = apply.on.push as { branches: string[]; paths: string[] };
    expect(push.branches).toEqual(['main']);
    expect(push.paths).toEqual((pr.on.pull_request as { paths: string[] }).paths);
    expect(apply.concurrency).toEqual({ group: 'vault-roster-apply', 'cancel-in-progress': false });
  });

  it('has a read-only token and takes the Vault secrets from a protected environment', () => {
    expect(apply.permissions).toEqual({ contents: 'read', 'pull-requests': 'read', actions: 'read' });
    expect(onlyJob(apply).environment).toBe('vault-roster-apply');
  });

  it('looks up the artifact the PR workflow uploads, through the merged PR head', () => {
    const find = step(apply, 'find');
    expect(find.env?.COMMIT).toBe('${{ github.sha }}');
    expect(find.run).toBe('node "$CI_SCRIPTS/find-plan-artifact.mjs" --commit "$COMMIT" --prefix vault-roster-plan- --workflow .github/workflows/vault-roster-pr.yml');
    // The prefix and the workflow path must name what the PR workflow really produces.
    const uploaded = String(stepUsing(pr, 'actions/upload-artifact').with?.name);
    expect(uploaded).toBe('vault-roster-plan-' + '${{ github.event.pull_request.head.sha }}');
    expect(FILES).toContain('vault-roster-pr.yml');
    const download = stepUsing(apply, 'actions/download-artifact', 0);
    expect(download.with).toMatchObject({
      name: '${{ steps.find.outputs.artifact-name }}',
      'run-id': '${{ steps.find.outputs.run-id }}',
      path: 'reviewed-plan',
    });
    const check = onlyJob(apply).steps.find((s) => s.run?.includes('plan-commit.mjs'));
    expect(check?.run).toBe('node "$CI_SCRIPTS/plan-commit.mjs" --plan reviewed-plan/plan.json --plan-commit "$HEAD_SHA"');
    expect(check?.env).toEqual({ HEAD_SHA: '${{ steps.find.outputs.head-sha }}' });
  });

  it('applies exactly the downloaded plan, without prompting', () => {
    expect(step(apply, 'apply').run).toBe(
      'node "$CI_SCRIPTS/run-capture.mjs" --label apply --body apply.md -- npx --no vault-roster apply reviewed-plan/plan.json --auto-approve --config "$ROSTER_CONFIG"',
    );
  });

  it('saves the state folder (hidden) after every apply attempt', () => {
    const upload = stepUsing(apply, 'actions/upload-artifact');
    expect(upload.if).toBe("${{ !cancelled() && steps.apply.outputs.result != '' }}");
    expect(upload.with).toMatchObject({ name: 'vault-roster-state', path: '.vault-roster/', 'include-hidden-files': true, overwrite: true });
  });

  it('fails loudly, telling the admin to re-run the PR workflow when the plan is stale', () => {
    const fail = onlyJob(apply).steps.at(-1)!;
    expect(fail.if).toBe("${{ !cancelled() && steps.apply.outputs.result == 'error' }}");
    expect(fail.env?.STALE).toBe('${{ steps.apply.outputs.stale }}');
    expect(fail.run).toContain('Re-run the vault-roster plan workflow for PR #$PR_NUMBER');
    expect(fail.run).toContain('::error title=vault-roster apply::');
    expect(fail.run).toMatch(/exit 1\s*$/);
  });
});

describe('vault-roster-drift.yml', () => {
  const drift = workflows['vault-roster-drift.yml'];

  it('runs on a schedule and on demand, with issue write access only', () => {
    expect(Object.keys(drift.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const [schedule] = drift.on.schedule as { cron: string }[];
    expect(schedule?.cron.split(' ')).toHaveLength(5);
    expect(drift.permissions).toEqual({ contents: 'read', issues: 'write', actions: 'read' });
    expect(onlyJob(drift).environment).toBeUndefined();
  });

  it('checks drift with the contract flags and opens, updates or closes one marked issue', () => {
    expect(step(drift, 'drift').run).toBe(
      'node "$CI_SCRIPTS/run-capture.mjs" --label drift --body drift.md -- npx --no vault-roster plan --drift --detailed-exitcode --format markdown --config "$ROSTER_CONFIG"',
    );
    const steps = onlyJob(drift).steps;
    const open = steps.find((s) => s.run?.includes('drift-issue.mjs" --mode open'));
    const close = steps.find((s) => s.run?.includes('drift-issue.mjs" --mode close'));
    expect(open?.if).toBe("steps.drift.outputs.result == 'changes'");
    expect(open?.run).toContain("--body-file drift.md --marker '<!-- vault-roster-drift -->'");
    expect(close?.if).toBe("steps.drift.outputs.result == 'ok'");
    expect(close?.run).toContain("--marker '<!-- vault-roster-drift -->'");
    expect(steps.at(-1)?.if).toBe("steps.drift.outputs.result == 'error'");
  });
});
