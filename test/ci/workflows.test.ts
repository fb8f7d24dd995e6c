/**
 * The example workflows and the Action they use, parsed with `yaml`: the structural facts a
 * reviewer of a GitOps setup checks. Workflows: triggers, minimal permissions, the protected
 * environment, checkout without a token left behind, secrets only as whole `with:` values of the
 * vault-roster step, the Action pinned to this package's version. action.yml: where credentials
 * may go, no `${{ }}` inside a script, every script call matching a script that exists and
 * accepts those options, outputs read only from steps whose script writes them, artifact names
 * tied to the PR head SHA. (test/ci/action.test.ts runs the Action's steps end to end.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAction, type ActionStep } from './action-runner.js';
import { REPO_ROOT, SCRIPTS_DIR, WORKFLOWS_DIR } from './run-script.js';

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

const FILES = ['vault-roster-pr.yml', 'vault-roster-apply.yml', 'vault-roster-drift.yml', 'vault-roster-expiry.yml', 'vault-roster-review.yml'] as const;
const COMMANDS = {
  'vault-roster-pr.yml': 'plan',
  'vault-roster-apply.yml': 'apply',
  'vault-roster-drift.yml': 'drift',
  'vault-roster-expiry.yml': 'expire',
  'vault-roster-review.yml': 'review',
} as const;
/** Outputs actions/upload-artifact@v4 sets, which a later step may read. */
const UPLOAD_OUTPUTS = ['artifact-id', 'artifact-url', 'artifact-digest'];
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ACTION_REF = `veepharm/vault-roster@v${VERSION}`;

function load(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS_DIR, file), 'utf8')) as Workflow;
}

const workflows = Object.fromEntries(FILES.map((f) => [f, load(f)])) as Record<(typeof FILES)[number], Workflow>;
const action = loadAction();
const actionSteps = action.runs.steps;

function onlyJob(workflow: Workflow): Job {
  const jobs = Object.values(workflow.jobs);
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

function stepUsing(steps: readonly (Step | ActionStep)[], name: string, index = 0): Step | ActionStep {
  const found = steps.filter((s) => s.uses?.startsWith(`${name}@`));
  if (found[index] === undefined) throw new Error(`no step ${String(index)} using ${name}`);
  return found[index];
}

function actionStep(id: string): ActionStep {
  const found = actionSteps.find((s) => s.id === id);
  if (found === undefined) throw new Error(`action.yml has no step with id ${id}`);
  return found;
}

/** Every string in the document with the path to it. */
function strings(value: unknown, path: string[] = []): [string[], string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

const SCRIPT_CALL = /node "\$GITHUB_ACTION_PATH\/examples\/ci\/scripts\/([\w-]+\.mjs)"(.*)$/m;

function scriptCalls(): { script: string; options: string[]; step: ActionStep }[] {
  return actionSteps.flatMap((s) => {
    const match = SCRIPT_CALL.exec(s.run ?? '');
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

/** The env names the OAuth helper's code reads; the Action passes each input under exactly that name. */
const CREDENTIAL_ENV = {
  'vault-url': 'VAULT_URL',
  'vault-username': 'VAULT_USERNAME',
  'vault-password': 'VAULT_PASSWORD',
  'vault-session-id': 'VAULT_SESSION_ID',
  'oauth-profile-id': 'VAULT_OAUTH_PROFILE_ID',
  'access-token': 'VAULT_ACCESS_TOKEN',
  'oauth-client-id': 'VAULT_OAUTH_CLIENT_ID',
  'oauth-client-secret': 'VAULT_OAUTH_CLIENT_SECRET',
  'oauth-token-url': 'VAULT_OAUTH_TOKEN_URL',
} as const;

describe.each(FILES)('%s', (file) => {
  const workflow = workflows[file];
  const steps = onlyJob(workflow).steps;

  it('runs no untrusted-code trigger (pull_request_target, workflow_run)', () => {
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect(Object.keys(workflow.on)).not.toContain('workflow_run');
  });

  it(`runs the vault-roster Action (${ACTION_REF}) with command ${COMMANDS[file]}`, () => {
    const step = stepUsing(steps, 'veepharm/vault-roster');
    expect(step.uses).toBe(ACTION_REF);
    expect(step.with).toMatchObject({ command: COMMANDS[file], config: 'roster.yaml' });
    for (const name of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), name).toContain(name);
    expect(steps.indexOf(step)).toBe(steps.length - 1);
  });

  it('gives secrets only as whole values of the vault-roster step, never to the job or the workflow', () => {
    const step = stepUsing(steps, 'veepharm/vault-roster');
    const index = String(steps.indexOf(step));
    for (const [path, value] of strings(workflow)) {
      if (!value.includes('secrets.')) continue;
      expect(value, path.join('.')).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      expect(path.slice(0, 5), path.join('.')).toEqual(['jobs', Object.keys(workflow.jobs)[0], 'steps', index, 'with']);
      // The secret's name is the env name the Action passes it under.
      const input = path[5] as keyof typeof CREDENTIAL_ENV;
      expect(value).toBe(`\${{ secrets.${CREDENTIAL_ENV[input]} }}`);
    }
    expect(JSON.stringify(workflow.env ?? {})).not.toContain('secrets.');
    expect(JSON.stringify(onlyJob(workflow).env ?? {})).not.toContain('secrets.');
  });

  it('uses only the official actions besides vault-roster, and checks out without leaving a token behind', () => {
    for (const s of steps.filter((x) => x.uses !== undefined)) {
      expect(s.uses).toMatch(/^(actions\/(checkout|setup-node)@v4|veepharm\/vault-roster@v\d+\.\d+\.\d+)$/);
    }
    expect(stepUsing(steps, 'actions/checkout').with?.['persist-credentials']).toBe(false);
    expect(stepUsing(steps, 'actions/setup-node').with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    for (const s of steps) expect(s.run ?? '', s.name ?? s.id).not.toContain('${{');
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

  it('checks out the PR head, not the test merge (the plan is bound to it)', () => {
    expect(stepUsing(onlyJob(pr).steps, 'actions/checkout').with?.ref).toBe('${{ github.event.pull_request.head.sha }}');
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

  it('may write only PR comments (the result), and takes the Vault secrets from a protected environment', () => {
    expect(apply.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', actions: 'read' });
    expect(onlyJob(apply).environment).toBe('vault-roster-apply');
  });

  it('requires one approval and keeps the evidence for the public-repository maximum', () => {
    const step = stepUsing(onlyJob(apply).steps, 'veepharm/vault-roster');
    expect(step.with).toMatchObject({ 'require-approvals': 1, 'approval-meaning': 'approved access change', 'evidence-retention-days': 90 });
    expect(action.inputs['require-approvals']?.default).toBe('1');
    expect(action.inputs['evidence-retention-days']?.default).toBe('90');
    expect(action.inputs.evidence?.default).toBe('true');
  });

  it('is found under the paths the Action defaults to (plan artifacts and state come from them)', () => {
    expect(action.inputs['plan-workflow']?.default).toBe('.github/workflows/vault-roster-pr.yml');
    expect(action.inputs['apply-workflow']?.default).toBe('.github/workflows/vault-roster-apply.yml');
    expect(FILES).toEqual(expect.arrayContaining(['vault-roster-pr.yml', 'vault-roster-apply.yml']));
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
});

describe('vault-roster-expiry.yml', () => {
  const expiry = workflows['vault-roster-expiry.yml'];

  it('runs daily and on demand, may write issues only, and never applies unless asked', () => {
    expect(Object.keys(expiry.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const [schedule] = expiry.on.schedule as { cron: string }[];
    expect(schedule?.cron.split(' ').slice(2)).toEqual(['*', '*', '*']);
    expect(expiry.permissions).toEqual({ contents: 'read', issues: 'write', actions: 'read' });
    const step = stepUsing(onlyJob(expiry).steps, 'veepharm/vault-roster');
    expect(step.with?.['apply-expiries']).toBe("${{ inputs.apply || 'false' }}");
    expect((expiry.on.workflow_dispatch as { inputs: Record<string, { type: string; default: boolean }> }).inputs.apply).toMatchObject({ type: 'boolean', default: false });
    expect(action.inputs['apply-expiries']?.default).toBe('false');
  });

  it('never applies beside a PR apply (same concurrency group, not cancelled), with the writer environment', () => {
    expect(expiry.concurrency).toEqual(workflows['vault-roster-apply.yml'].concurrency);
    expect(onlyJob(expiry).environment).toBe('vault-roster-apply');
  });
});

describe('vault-roster-review.yml', () => {
  const review = workflows['vault-roster-review.yml'];

  it('runs once a quarter and on demand, reads Vault with the repository secrets, writes issues only', () => {
    expect(Object.keys(review.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const [schedule] = review.on.schedule as { cron: string }[];
    expect(schedule?.cron.split(' ').slice(2)).toEqual(['2', '1,4,7,10', '*']);
    expect(review.permissions).toEqual({ contents: 'read', issues: 'write', actions: 'read' });
    expect(onlyJob(review).environment).toBeUndefined();
  });
});

describe('action.yml', () => {
  it('is a composite action whose run steps are bash with no ${{ }} inside the script (values go through env)', () => {
    expect(action.runs.using).toBe('composite');
    for (const s of actionSteps.filter((x) => x.run !== undefined)) {
      expect(s.shell, s.name).toBe('bash');
      expect(s.run, s.name).not.toContain('${{');
    }
  });

  it('uses only the official actions', () => {
    for (const s of actionSteps.filter((x) => x.uses !== undefined)) {
      expect(s.uses).toMatch(/^actions\/(setup-node|upload-artifact|download-artifact)@v4$/);
    }
    expect(stepUsing(actionSteps, 'actions/setup-node').with?.['node-version']).toBe(20);
  });

  it('passes each credential input under its VAULT_* name, only to the steps that run vault-roster against Vault', () => {
    for (const s of actionSteps) {
      const env = s.env ?? {};
      const talksToVault = /"\$VAULT_ROSTER" (plan|apply|review)\b/.test(s.run ?? '');
      const credentialNames = Object.keys(env).filter((k) => k.startsWith('VAULT_') && k !== 'VAULT_ROSTER');
      if (!talksToVault) {
        expect(credentialNames, s.name).toEqual([]);
        continue;
      }
      expect(Object.fromEntries(credentialNames.map((k) => [k, env[k]]))).toEqual(
        Object.fromEntries(Object.entries(CREDENTIAL_ENV).map(([input, name]) => [name, `\${{ inputs.${input} }}`])),
      );
    }
    for (const input of Object.keys(CREDENTIAL_ENV)) expect(Object.keys(action.inputs)).toContain(input);
  });

  it('never puts an input or a secret into a command line or a with: other than a token for artifacts', () => {
    for (const [path, value] of strings(actionSteps)) {
      if (!value.includes('inputs.')) continue;
      // A with: is no shell, but keep inputs out of it except the token and the artifact's retention.
      if (path[1] === 'with' && path[2] === 'retention-days') expect(value, path.join('.')).toBe('${{ inputs.evidence-retention-days }}');
      else if (path[1] === 'with') expect(value, path.join('.')).toBe('${{ inputs.github-token }}');
      else expect(path[1], path.join('.')).toMatch(/^(env|if)$/);
    }
  });

  it('calls only scripts that exist, with options they accept', () => {
    const calls = scriptCalls();
    expect(calls.length).toBeGreaterThanOrEqual(9);
    const available = readdirSync(SCRIPTS_DIR);
    for (const { script, options } of calls) {
      expect(available).toContain(script);
      const source = readFileSync(join(SCRIPTS_DIR, script), 'utf8');
      for (const option of options) expect(source, `${script} --${option}`).toMatch(new RegExp(`['"]?${option}['"]?: \\{ type:`));
    }
  });

  it('reads only outputs of earlier steps that their script writes', () => {
    const read = (s: unknown): [string, string][] => [...JSON.stringify(s).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)].map((m) => [m[1]!, m[2]!]);
    const check = (id: string, output: string, before: number, where: string): void => {
      const source = actionSteps.findIndex((x) => x.id === id);
      expect(source, `${where} reads steps.${id}`).toBeGreaterThanOrEqual(0);
      expect(source, `${where} reads a later step ${id}`).toBeLessThan(before);
      if (actionSteps[source]!.uses === 'actions/upload-artifact@v4') {
        expect(UPLOAD_OUTPUTS, `${where} reads steps.${id}.outputs.${output}`).toContain(output);
        return;
      }
      const script = SCRIPT_CALL.exec(actionSteps[source]!.run ?? '')?.[1];
      expect(script, `steps.${id} has no script`).toBeDefined();
      expect(outputsWritten(script!), `${script!} writes ${output}`).toContain(output);
    };
    for (const [index, s] of actionSteps.entries()) for (const [id, output] of read(s)) check(id, output, index, s.name ?? '');
    for (const [name, spec] of Object.entries(action.outputs)) for (const [id, output] of read(spec.value)) check(id, output, actionSteps.length, `output ${name}`);
  });

  it('names the plan artifact after the PR head, and apply finds it by that prefix in the plan workflow', () => {
    const upload = actionSteps.find((s) => s.name === 'Upload the plan')!;
    expect(upload.with?.name).toBe('vault-roster-plan-${{ github.event.pull_request.head.sha }}');
    expect(String(upload.with?.path).trim().split('\n')).toEqual(['plan.json', 'plan.md']);
    expect(upload.if).toBe("inputs.command == 'plan' && steps.commit.outcome == 'success'");
    expect(actionStep('find').run).toContain('--prefix vault-roster-plan- --workflow "$PLAN_WORKFLOW"');
    expect(actionStep('commit').run).toContain('plan-commit.mjs" --expect "$HEAD_SHA" --plan plan.json');
  });

  it('runs the contract commands and flags of each job', () => {
    expect(actionStep('plan').run).toContain(
      '-- "$VAULT_ROSTER" plan --config "$CONFIG" --out plan.json --format markdown --detailed-exitcode --plan-url "$PLAN_URL"',
    );
    expect(actionStep('apply').run).toContain(
      'run-capture.mjs" --label apply --body apply.md --log apply.log --args-file approvals.json -- "$VAULT_ROSTER" apply reviewed-plan/plan.json --auto-approve --config "$CONFIG" "${evidence[@]}"',
    );
    expect(actionStep('apply').run).toContain('evidence=(--evidence vault-roster-evidence)');
    expect(actionStep('expire-plan').run).toContain('-- "$VAULT_ROSTER" plan --config "$CONFIG" --out expire-plan.json --format markdown --detailed-exitcode');
    expect(actionStep('expire-apply').run).toContain('-- "$VAULT_ROSTER" apply expire-plan.json --auto-approve --config "$CONFIG" "${evidence[@]}"');
    expect(actionStep('review').run).toContain('-- "$VAULT_ROSTER" review --config "$CONFIG" --format markdown --out vault-roster-review');
    expect(actionStep('review-issues').run).toContain('review-issues.mjs" --dir vault-roster-review');
    expect(actionStep('drift').run).toContain('-- "$VAULT_ROSTER" plan --drift --detailed-exitcode --format markdown --config "$CONFIG"');
    expect(actionStep('validate').run).toContain('-- "$VAULT_ROSTER" validate --config "$CONFIG"');
  });

  it('collects the approvals before apply, which runs only when that step passed', () => {
    const order = ['find', 'approvals', 'apply', 'result', 'evidence-upload', 'apply-comment', 'apply-post'].map((id) => actionSteps.findIndex((s) => s.id === id));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(actionStep('approvals').run).toContain('pr-approvals.mjs" --pr "$PR_NUMBER" --head "$HEAD_SHA" --out approvals.json --require "$REQUIRE"');
    expect(actionStep('apply').if).toBe("inputs.command == 'apply'"); // success() implied: a failed approvals step skips it
    const upload = actionStep('evidence-upload');
    expect(upload.with).toMatchObject({ name: 'vault-roster-evidence-${{ steps.result.outputs.plan-id }}', path: 'vault-roster-evidence/', 'if-no-files-found': 'error' });
    expect(actionStep('apply-post').run).toContain("--body-file apply-comment.md --marker '<!-- vault-roster-apply -->'");
  });

  it('applies expiries only when asked and the plan holds nothing else', () => {
    expect(actionStep('expire-apply').if).toBe("inputs.command == 'expire' && inputs.apply-expiries == 'true' && steps.expiry.outputs.expiry-only == 'true'");
    expect(actionSteps.at(-1)?.if).toContain("(inputs.apply-expiries == 'true' && steps.expiry.outputs.expiry-only == 'false' && steps.expiry.outputs.expired != '0')");
  });

  it('saves the hidden state folder after every apply attempt, and fails last, after commenting', () => {
    const save = actionSteps.find((s) => s.name === 'Save the last-applied state')!;
    expect(save.if).toBe("${{ !cancelled() && inputs.command == 'apply' && steps.apply.outputs.result != '' }}");
    expect(save.with).toMatchObject({ name: 'vault-roster-state', path: '.vault-roster/', 'include-hidden-files': true, overwrite: true });
    const last = actionSteps.at(-1)!;
    expect(last.if).toContain('!cancelled()');
    expect(last.run).toMatch(/exit 1\s*$/);
    expect(actionSteps.findIndex((s) => s.id === 'comment')).toBeLessThan(actionSteps.length - 1);
  });
});
