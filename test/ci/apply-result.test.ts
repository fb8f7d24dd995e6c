/**
 * Post back (issue #18 part 6): the apply log read by lib/apply-log.mjs (the lines apply prints,
 * src/cli/commands/apply.ts), the PR comment apply-result.mjs writes, and run-capture.mjs
 * --args-file / --log that carry the approvals in and the log out.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseApplyLog } from '../../examples/ci/scripts/lib/apply-log.mjs';
import { runScript, tempDir } from './run-script.js';

const ID = 'c'.repeat(64);
const COUNTS = 'created 1, updated 2, deactivated 0, promoted 0, SiteVault changes 0, failed 1';
const FAILED_LOG = [
  `plan id: ${ID}`,
  '  failed: nina.patel@veepharm.com: INVALID_DATA: license_type__v: value is not allowed',
  `Apply finished with failures: ${COUNTS}.`,
  `journal: .vault-roster/journal/${ID}.jsonl (head 0123abcd)`,
  '',
].join('\n');

describe('parseApplyLog', () => {
  it.each([
    [
      'a complete run',
      `plan id: ${ID}\nApply complete: created 1, updated 0, deactivated 0, promoted 0, SiteVault changes 0, failed 0.\njournal: j.jsonl (head ff00)\n`,
      0,
      { outcome: 'applied', planId: ID, journal: 'j.jsonl', journalHead: 'ff00', failures: [], resumed: false, counts: { created: 1, updated: 0, deactivated: 0, promoted: 0, 'SiteVault changes': 0, failed: 0 } },
    ],
    [
      'failed rows',
      FAILED_LOG,
      1,
      {
        outcome: 'failed',
        planId: ID,
        journalHead: '0123abcd',
        failures: [{ key: 'nina.patel@veepharm.com', type: 'INVALID_DATA', message: 'license_type__v: value is not allowed' }],
      },
    ],
    ['a resumed run', `plan id: ${ID}\nApply complete: created 0, updated 1, deactivated 0, promoted 0, SiteVault changes 0, failed 0. (resumed an interrupted run)\n`, 0, { outcome: 'applied', resumed: true }],
    ['already applied', `plan id: ${ID}\nPlan reviewed-plan/plan.json was already applied in full (journal j.jsonl); nothing to send.\n`, 0, { outcome: 'already-applied', journal: 'j.jsonl' }],
    ['a stale plan', 'error: the plan is stale: nina.patel@veepharm.com changed in Vault since it was made\n', 1, { outcome: 'refused', failures: [] }],
    ['counts printed but exit 1', `Apply complete: ${COUNTS}.\n`, 1, { outcome: 'failed' }],
  ])('%s', (_name, log, code, expected) => {
    const result = parseApplyLog(log, code);
    expect(result).toMatchObject(expected);
    if (expected.outcome === 'refused') expect(result.planId).toBeUndefined();
  });
});

async function result(log: string, code: number, extra: string[] = [], evidence?: (dir: string) => void) {
  const dir = tempDir();
  writeFileSync(join(dir, 'apply.log'), log);
  const args = ['--log', join(dir, 'apply.log'), '--exit-code', String(code), '--body', join(dir, 'comment.md'), ...extra];
  if (evidence !== undefined) {
    const bundle = join(dir, 'evidence');
    evidence(bundle);
    args.push('--evidence-dir', bundle);
  }
  const run = await runScript('apply-result.mjs', args);
  return { ...run, body: existsSync(join(dir, 'comment.md')) ? readFileSync(join(dir, 'comment.md'), 'utf8') : undefined };
}

describe('apply-result.mjs', () => {
  it('writes the PR comment: outcome, counts, failed rows, plan id, journal head, approvals, evidence link', async () => {
    const run = await result(
      FAILED_LOG,
      1,
      ['--approvers', 'ana,li-wei', '--artifact-name', `vault-roster-evidence-${ID}`, '--artifact-url', 'https://github.example/a/1', '--retention-days', '90', '--run-url', 'https://github.example/run/5'],
      (dir) => {
        mkdirSync(dir);
        writeFileSync(join(dir, 'manifest.json'), '{}');
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ outcome: 'failed', 'plan-id': ID, 'journal-head': '0123abcd', failed: '1', evidence: 'true' });
    expect(run.body).toBe(
      [
        '<!-- vault-roster-apply -->',
        '### ❌ vault-roster apply finished with failed rows',
        '',
        '| | |',
        '| --- | --- |',
        `| Plan id | \`${ID}\` |`,
        `| Result | ${COUNTS} |`,
        `| Journal | \`.vault-roster/journal/${ID}.jsonl\`, head \`0123abcd\` |`,
        '| Approvals | 2: @ana, @li-wei |',
        `| Evidence bundle | [vault-roster-evidence-${ID}](https://github.example/a/1), kept 90 days |`,
        '| Workflow run | [apply run](https://github.example/run/5) |',
        '',
        '**Failed rows (1)**: fix the cause, then re-run the apply workflow; rows already applied are skipped.',
        '',
        '```text',
        'nina.patel@veepharm.com: INVALID_DATA: license_type__v: value is not allowed',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('says the bundle was not made when evidence is off, and quotes the log when apply refused', async () => {
    const off = await result(`plan id: ${ID}\nApply complete: ${COUNTS.replace('failed 1', 'failed 0')}.\n`, 0);
    expect(off.outputs).toMatchObject({ outcome: 'applied', evidence: 'false' });
    expect(off.body).toContain('| Evidence bundle | not made (the Action input evidence is false) |');
    expect(off.body).toContain('| Approvals | none recorded |');

    const refused = await result('reading live users…\nerror: the plan is stale: 1 user changed ```\n', 1, [], (dir) => {
      mkdirSync(dir);
    });
    expect(refused.outputs).toEqual({ outcome: 'refused', 'plan-id': '', 'journal-head': '', failed: '0', evidence: 'false' });
    expect(refused.body).toContain('### ⛔ vault-roster apply was refused: nothing was applied by this run');
    expect(refused.body).toContain('| Plan id | not reached |');
    expect(refused.body).toContain('````text\nreading live users…\nerror: the plan is stale: 1 user changed ```\n````');
  });

  it('fails naming the file when the log is missing', async () => {
    const run = await runScript('apply-result.mjs', ['--log', '/nonexistent/apply.log', '--exit-code', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot read the apply log /nonexistent/apply.log: ENOENT');
  });
});

describe('run-capture.mjs --args-file and --log', () => {
  const echo = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)) + "\\n"); process.stderr.write("journal: j (head 1)\\n");'];

  it('appends the arguments from the file without a shell, and writes the whole output to the log', async () => {
    const dir = tempDir();
    const args = ['--approved-by', "Ana O'Neil <ana@x.io>", '--approval-ref', 'https://x/pull/1 (approved $(rm -rf /))'];
    writeFileSync(join(dir, 'args.json'), JSON.stringify(args));
    const run = await runScript('run-capture.mjs', ['--label', 'apply', '--body', join(dir, 'a.md'), '--args-file', join(dir, 'args.json'), '--log', join(dir, 'a.log'), '--', ...echo, 'first']);
    expect(run.code, run.stderr).toBe(0);
    const log = readFileSync(join(dir, 'a.log'), 'utf8');
    expect(log.split('\n')).toContain(JSON.stringify(['first', ...args]));
    expect(log).toContain('journal: j (head 1)\n');
  });

  it.each([
    ['missing', undefined, /cannot read the arguments file .*args\.json: ENOENT/],
    ['not a list of strings', '{"a":1}', /must hold a JSON array of strings/],
  ])('refuses an arguments file that is %s, without running the command', async (_name, content, expected) => {
    const dir = tempDir();
    if (content !== undefined) writeFileSync(join(dir, 'args.json'), content);
    const run = await runScript('run-capture.mjs', ['--label', 'apply', '--body', join(dir, 'a.md'), '--args-file', join(dir, 'args.json'), '--', ...echo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(existsSync(join(dir, 'a.md'))).toBe(false);
  });
});
