// Audit evidence end to end over HTTP: the PR comment, `plan-id`, the text plan and `apply` show
// one plan id; the journal is named by it and its run_started records the vault, commit, actor
// and approvals; every call its execution id; `journal verify` passes with apply's head and
// fails naming an edited line; no secret in any line; an older version's journal still resumes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/render/index.js';
import { readJournal } from '../apply/support.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

const GITHUB_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_ACTOR: 'ana-ruiz',
  GITHUB_SERVER_URL: 'https://github.example.com',
  GITHUB_REPOSITORY: 'veepharm/roster',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_TOKEN: 'ghs_never_recorded_token_value',
};

/** Distinctive, so finding it anywhere would mean it leaked. */
const PASSWORD = 'Pw-never-in-a-journal-7731';

const APPROVALS = [
  '--approved-by', 'Ana Ruiz <ana.ruiz@example.com>',
  '--approval-meaning', 'approved access change',
  '--approval-ref', 'https://github.example.com/veepharm/roster/pull/7',
  '--approved-at', '2026-03-05T12:30:00+01:00',
  '--approved-by', 'Li Wei <li.wei@example.com>',
  '--approved-at', '2026-03-05T11:45:00Z',
];

function only(match: RegExpExecArray | null, what: string): string {
  expect(match, what).not.toBeNull();
  return match?.[1] ?? '';
}

describe('audit evidence of an apply', () => {
  it('shows one plan id from PR comment to journal, records who, what and approvals, and verifies', async () => {
    const fx = await startRosterFixture({ sim: { adminPassword: PASSWORD } });
    const env = { ...fx.env, ...GITHUB_ENV, VAULT_PASSWORD: PASSWORD };
    const run = (argv: readonly string[]): ReturnType<typeof runCliCaptured> => runCliCaptured(argv, { env, cwd: fx.dir });
    const planned = await run(['plan', '--out', 'plan.json', '--format', 'markdown']);
    expect(planned.code, planned.stderr).toBe(0);
    const commentId = only(/\*\*Plan id\*\* `([0-9a-f]{64})`/.exec(planned.stdout), 'PR comment plan id');
    const printed = await run(['plan-id', 'plan.json']);
    expect(printed.stdout).toBe(`${commentId}\n`);
    const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
    expect(renderPlan(plan, 'text', { color: false })).toContain(`\nplan id ${commentId}\n`);

    const applied = await run(['apply', 'plan.json', '--auto-approve', ...APPROVALS]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(only(/^plan id: ([0-9a-f]{64})$/m.exec(applied.stderr), 'apply plan id')).toBe(commentId);
    const head = only(/^journal: .*\.jsonl \(head ([0-9a-f]{64})\)$/m.exec(applied.stderr), 'journal head');
    const journalPath = join(fx.dir, '.vault-roster', 'journal', `${commentId}.jsonl`);
    expect(existsSync(journalPath)).toBe(true);

    const entries = readJournal(journalPath);
    const started = entries.find((e) => e.type === 'run_started');
    expect(started).toMatchObject({
      plan_id: commentId,
      vault_id: plan.target.vault_id,
      vault_url: plan.target.url,
      git_commit: null,
      git_dirty: null,
      actor: {
        ci: {
          system: 'github-actions',
          actor: 'ana-ruiz',
          repository: 'veepharm/roster',
          run_id: '4242',
          run_attempt: '2',
          run_url: 'https://github.example.com/veepharm/roster/actions/runs/4242',
        },
      },
      approvals: [
        { by: 'Ana Ruiz <ana.ruiz@example.com>', meaning: 'approved access change', ref: 'https://github.example.com/veepharm/roster/pull/7', at: '2026-03-05T11:30:00.000Z' },
        { by: 'Li Wei <li.wei@example.com>', meaning: 'approved access change', ref: 'https://github.example.com/veepharm/roster/pull/7', at: '2026-03-05T11:45:00.000Z' },
      ],
    });
    const calls = entries.filter((e) => e.type === 'call');
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.execution_id, `${call.method} ${call.path}`).toMatch(/\S/);
    expect(entries.at(-1)).toMatchObject({ type: 'run_finished', counts: { failed: 0 } });

    // No secret: not the password, not a session id (48 upper-case hex), not the CI token.
    const text = readFileSync(journalPath, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(GITHUB_ENV.GITHUB_TOKEN);
    expect(text).not.toMatch(/[0-9A-F]{48}/);
    expect(text).not.toMatch(/authorization|password|session_?id/i);

    const verified = await fx.run(['journal', 'verify', journalPath, '--head', head]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`intact, ${entries.length} lines chained, 1 run (1 finished), plan ${commentId}`);

    expect((await run(['journal', 'verify', journalPath, '--plan', 'plan.json'])).code).toBe(0);
    writeFileSync(join(fx.dir, 'other.json'), JSON.stringify({ ...plan, created_at: '2020-01-01T00:00:00.000Z' }));
    const other = await run(['journal', 'verify', journalPath, '--plan', 'other.json']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`runs of plan ${commentId} are in this journal, but other.json is plan `);

    const lines = text.split('\n');
    const edited = lines.findIndex((l) => l.includes('"type":"row_result"'));
    lines[edited] = (lines[edited] ?? '').replace('"ok":true', '"ok":false');
    writeFileSync(journalPath, lines.join('\n'));
    const broken = await fx.run(['journal', 'verify', journalPath]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`line ${edited + 1} does not match the chain`);
  }, 60_000);

  it('resumes a journal an older version named by its 16-digit id, and chains the new run onto it', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['plan', '--out', 'plan.json'])).code).toBe(0);
    const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
    const legacyId = createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
    const journalDir = join(fx.dir, '.vault-roster', 'journal');
    const legacyPath = join(journalDir, `${legacyId}.jsonl`);
    const op = plan.operations[0];
    expect(op).toBeDefined();
    // What 0.1 wrote when cut off after queueing the first batch: no chain fields, no run_finished.
    const old = [
      { type: 'run_started', at: 't', plan_id: legacyId, tool_version: '0.1.0', pid: 1 },
      { type: 'batch_started', at: 't', op_id: op?.id, kind: op?.kind, keys: op?.rows.map((r) => r.key) },
    ];
    mkdirSync(journalDir, { recursive: true });
    writeFileSync(legacyPath, old.map((e) => `${JSON.stringify(e)}\n`).join(''));

    const applied = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('(resumed an interrupted run)');
    expect(readdirSync(journalDir)).toEqual([`${legacyId}.jsonl`]);
    const verified = await fx.run(['journal', 'verify', legacyPath, '--plan', 'plan.json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('the first 2 lines are not chained');
  }, 60_000);

  it('refuses incomplete approvals before reading anything', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'vr-approvals-'));
    const cases: [string[], string][] = [
      [['--approved-by', 'Ana Ruiz <ana@example.com>'], '--approved-by needs --approval-meaning'],
      [['--approval-meaning', 'approved'], 'they need --approved-by'],
      [['--approved-by', 'ana@example.com', '--approval-meaning', 'approved'], "--approved-by 'ana@example.com' is not 'Name <email>'"],
      [['--approved-by', 'A <a@x.com>', '--approved-by', 'B <b@x.com>', '--approved-by', 'C <c@x.com>', '--approval-meaning', 'm1', '--approval-meaning', 'm2'], '--approval-meaning was given 2 times for 3 --approved-by'],
      [['--approved-by', 'A <a@x.com>', '--approval-meaning', ' '], "--approval-meaning for 'A <a@x.com>' is empty"],
      [['--approved-by', 'A <a@x.com>', '--approval-meaning', 'm', '--approved-at', '2026-03-05 11:30'], "--approved-at '2026-03-05 11:30' for 'A <a@x.com>' is not a date and time with its zone"],
      [['--approved-by', 'A <a@x.com>', '--approval-meaning', 'm', '--approved-at', '2026-03-05T11:30:00'], 'is not a date and time with its zone'],
      [['--approved-by', 'A <a@x.com>', '--approval-meaning', 'm', '--approved-at', '2999-01-01T00:00:00Z'], "--approved-at '2999-01-01T00:00:00Z' for 'A <a@x.com>' is in the future"],
      [['--approved-at', '2026-03-05T11:30:00Z'], 'they need --approved-by'],
    ];
    for (const [flags, message] of cases) {
      const run = await runCliCaptured(['apply', '--auto-approve', ...flags], { cwd });
      expect(run.code, flags.join(' ')).toBe(1);
      expect(run.stderr).toContain('error [usage]');
      expect(run.stderr).toContain(message);
    }
  });
});
