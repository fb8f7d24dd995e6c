/** `vault-roster apply`: run a reviewed plan (or plan and confirm), report every user's outcome. */
import { resolve } from 'node:path';
import {
  alreadyApplied,
  applyPlan,
  journalPathFor,
  findStaleRecords,
  formatCounts,
  jsonLinesReporter,
  progressReporter,
  replayFor,
  vaultPort,
  type ApplyListener,
} from '../../apply/index.js';
import { readPlanFile } from '../../apply/plan-file.js';
import { hasErrors } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import type { DesiredState } from '../../model.js';
import { desiredDigest, type Plan } from '../../plan/index.js';
import { renderPlan } from '../../render/index.js';
import { TOOL_VERSION } from '../../version.js';
import { EXIT_ERROR, EXIT_OK, type CliIo, type Command } from '../command.js';
import { ALLOW_HELP, ALLOW_OPTIONS, CONNECTION_OPTIONS, connect, deadlineHelp, loadDesired, makePlan, readLive, stringOption, workDir, type Values } from '../context.js';
import { useColor } from './plan.js';

const DEFAULT_CONCURRENCY = 4;

function concurrencyOf(values: Values): number {
  const raw = stringOption(values, 'concurrency');
  if (raw === undefined) return DEFAULT_CONCURRENCY;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new VaultRosterError('usage', `--concurrency must be a whole number from 1 to 16, not '${raw}'`, {
      hint: 'Vault counts every call against the burst limit; 4 is a good default.',
    });
  }
  return n;
}

/** Files whose content differs between the plan and the working tree, sorted. */
function changedDesiredFiles(plan: Plan, desired: DesiredState): string[] {
  const before = new Map(plan.desired_files.map((f) => [f.path, f.sha256]));
  const now = new Map(desired.files.map((f) => [f.path, f.sha256]));
  const paths = new Set([...before.keys(), ...now.keys()]);
  return [...paths].filter((p) => before.get(p) !== now.get(p)).sort();
}

/** Why a plan with error diagnostics is refused, naming their codes (guards or other errors). */
function refusalReason(plan: Plan): string {
  const codes = [...new Set(plan.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))].sort();
  const kind = codes.every((code) => code.startsWith('guard-')) ? 'failing guards' : 'errors';
  return `the plan has ${kind} (${codes.join(', ')})`;
}

/** Refuses a saved plan that no longer describes what was reviewed or what Vault holds. */
function checkSavedPlan(plan: Plan, desired: DesiredState, planPath: string): void {
  if (desiredDigest(desired.files) !== plan.desired_digest) {
    const files = changedDesiredFiles(plan, desired);
    throw new VaultRosterError('stale-plan', `plan ${planPath} is stale: it was made from other desired files (${files.join(', ')} changed since)`, {
      hint: 'The YAML moved after review (a later push?). Make and review a new plan.',
    });
  }
  if (hasErrors(plan.diagnostics)) {
    throw new VaultRosterError('plan-has-errors', `plan ${planPath} cannot be applied: ${refusalReason(plan)}`, {
      hint: 'Fix the errors in the YAML, or for a guard pass the matching --allow-… flag once the change is confirmed as intended; then make the plan again.',
    });
  }
}

async function confirm(plan: Plan, values: Values, io: CliIo): Promise<boolean> {
  if (values['auto-approve'] === true) return true;
  if (!io.stdinIsTTY || io.prompt === undefined) {
    throw new VaultRosterError('not-confirmed', 'apply needs confirmation and there is no terminal to ask', {
      hint: "Review the plan and pass --auto-approve, or save it with 'plan --out plan.json' and run 'apply plan.json'.",
    });
  }
  const answer = await io.prompt(`\nApply these changes to vault ${plan.target.vault_id}? Only 'yes' is accepted: `);
  return answer.trim() === 'yes';
}

function reporterFor(values: Values, io: CliIo, plan: Plan): ApplyListener | undefined {
  if (stringOption(values, 'format') === 'json') return jsonLinesReporter(io.stdout);
  if (io.stderr.isTTY === true) return progressReporter(io.stderr, plan.operations.reduce((n, op) => n + op.rows.length, 0));
  return undefined;
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'Apply a saved plan (or plan, confirm and apply) to Vault',
  help: `Usage: vault-roster apply [plan.json] [--config roster.yaml] [--auto-approve] [--concurrency N]
                          [--refresh] [--format text|json] [--allow-…] [--verbose]

With a plan file: checks it is for this vault, that the desired files are the ones reviewed and
that the live records it relied on have not changed (a stale plan is refused, naming the users),
then runs exactly its operations. Without one: plans, shows the plan and asks for confirmation.

Batches run in dependency order, several at once within Vault's burst limit; a failed row never
stops the others. Every call goes to a journal under .vault-roster/journal/; re-running the same
plan after an interruption skips what was done and never creates a user twice.

Options:
  -c, --config FILE     Config file (default: roster.yaml)
      --auto-approve    Do not ask for confirmation (required without a terminal)
      --concurrency N   Batches in flight at once, 1-16 (default ${DEFAULT_CONCURRENCY})
      --refresh         Re-send every managed SiteVault person (only without a plan file)
  -f, --format FMT      text (default: progress on a terminal) or json (one event per line)
${ALLOW_HELP}
  -v, --verbose         Log every Vault call to stderr (also DEBUG=vault-roster)
${deadlineHelp(25)}
  -h, --help            Show this help

Exit codes: 0 everything applied (or nothing to do), 1 refused, or any row failed.
`,
  options: {
    ...CONNECTION_OPTIONS,
    ...ALLOW_OPTIONS,
    'auto-approve': { type: 'boolean' },
    concurrency: { type: 'string' },
    refresh: { type: 'boolean' },
    format: { type: 'string', short: 'f' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    if (positionals.length > 1) {
      throw new VaultRosterError('usage', `apply takes at most one plan file, got ${positionals.length}`, { hint: "run 'vault-roster apply --help' for the options." });
    }
    const format = stringOption(values, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json') {
      throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format text or --format json.' });
    }
    const concurrency = concurrencyOf(values);
    const planArg = positionals[0];
    const savedPlan = planArg === undefined ? undefined : readPlanFile(resolve(io.cwd, planArg));
    const desired = await loadDesired(values, io);
    const connection = connect(desired, values, io, concurrency);
    const { live } = await readLive(connection, desired);
    const journalDir = resolve(workDir(desired), 'journal');

    let plan: Plan;
    if (savedPlan !== undefined && planArg !== undefined) {
      plan = savedPlan;
      if (live.vault_id !== plan.target.vault_id) {
        throw new VaultRosterError('wrong-vault', `plan ${planArg} is for vault ${plan.target.vault_id}, but this session is in vault ${live.vault_id}`, {
          hint: 'Check VAULT_URL / roster.yaml vault: or apply the plan made for this vault.',
        });
      }
      checkSavedPlan(plan, desired, planArg);
      const replay = replayFor(journalDir, plan);
      if (plan.operations.length > 0 && alreadyApplied(plan, replay)) {
        io.stdout.write(`Plan ${planArg} was already applied in full (journal ${journalPathFor(journalDir, plan)}); nothing to send.\n`);
        return EXIT_OK;
      }
      const touched = new Set<string>();
      for (const op of plan.operations) {
        // Records an earlier run of this plan may have changed (even if its answers were lost).
        if (replay.attempted.has(op.id)) for (const row of op.rows) touched.add(row.key);
      }
      const stale = findStaleRecords(plan, live, touched);
      if (stale.length > 0) {
        throw new VaultRosterError('stale-plan', `plan ${planArg} is stale: ${stale.length} record(s) changed in Vault since it was made: ${stale.slice(0, 20).join(', ')}${stale.length > 20 ? ', …' : ''}`, {
          hint: 'Someone changed these out of band. Make and review a new plan.',
        });
      }
    } else {
      plan = makePlan(desired, live, values, io, values.refresh === true);
      io.stderr.write(renderPlan(plan, 'text', { color: useColor(io) }));
      if (hasErrors(plan.diagnostics)) {
        io.stderr.write(`apply refused: ${refusalReason(plan)}, see above; nothing was sent.\n`);
        return EXIT_ERROR;
      }
      if (plan.operations.length > 0 && !(await confirm(plan, values, io))) {
        io.stderr.write('apply cancelled; nothing was sent.\n');
        return EXIT_ERROR;
      }
    }
    const reporter = reporterFor(values, io, plan);
    const report = await applyPlan({
      plan,
      desired,
      port: vaultPort(connection.client),
      journalDir,
      concurrency,
      toolVersion: TOOL_VERSION,
      liveUserNames: live.users.keys(),
      subscribeClientEvents: (listener) => connection.subscribe(listener),
      ...(reporter === undefined ? {} : { listener: reporter }),
    });
    for (const f of report.failures) io.stderr.write(`  failed: ${f.key}: ${f.error_type}: ${f.message}\n`);
    const line = `Apply ${report.failures.length === 0 ? 'complete' : 'finished with failures'}: ${formatCounts(report.counts)}.`;
    (format === 'json' ? io.stderr : io.stdout).write(`${line}${report.resumed ? ' (resumed an interrupted run)' : ''}\n`);
    io.stderr.write(`journal: ${report.journal_path}\n`);
    return report.failures.length === 0 ? EXIT_OK : EXIT_ERROR;
  },
};
