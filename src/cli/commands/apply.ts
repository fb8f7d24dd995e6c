/** `vault-roster apply`: run a reviewed plan (or plan and confirm), report every user's outcome. */
import { relative, resolve } from 'node:path';
import { applyPlan, formatCounts, jsonLinesReporter, planId, progressReporter, readPlanFile, runActor, vaultPort, type ApplyListener, type ApplyReport, type Approval } from '../../apply/index.js';
import { hasErrors } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import { describeErrors, type Plan } from '../../plan/index.js';
import { renderPlan, writePlan } from '../../render/index.js';
import { writeFileAtomic } from '../../state/index.js';
import type { ClientEvent } from '../../vault/index.js';
import { TOOL_VERSION } from '../../version.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, PromptCancelled, type CliIo, type Command } from '../command.js';
import { ALLOW_HELP, ALLOW_OPTIONS, CONNECTION_OPTIONS, connect, deadlineHelp, liveRequestFor, loadDesired, makePlan, readLive, stringOption, useColor, withRepoLock, workDir, type Connection, type Values } from '../context.js';
import type { DesiredState } from '../../model.js';

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

function listOption(values: Values, name: string): readonly string[] {
  const value = values[name];
  if (value === undefined || typeof value === 'boolean') return [];
  return typeof value === 'string' ? [value] : value;
}

/** `Name <email>`: the printed name Part 11 §11.50 asks for, and an address to reach the signer. */
const APPROVER = /^([^<>]*\S)\s*<([^<>\s@]+@[^<>\s@]+)>$/;

/** The i-th value of a flag given once (for every approval) or once per approval. */
function perApproval(values: readonly string[], count: number, flag: string): (i: number) => string | undefined {
  if (values.length > 1 && values.length !== count) {
    throw new VaultRosterError('usage', `--${flag} was given ${values.length} times for ${count} --approved-by: give it once (for all) or once per approval, in the same order`, {
      hint: `e.g. --approved-by 'Ana Ruiz <ana@example.com>' --${flag} … --approved-by 'Li Wei <li@example.com>' --${flag} …`,
    });
  }
  return (i) => (values.length === 1 ? values[0] : values[i]);
}

/**
 * The approvals passed in, each with its signer, meaning and optional reference. Refused when
 * incomplete: an approval without its meaning is not one an auditor can read.
 */
export function approvalsOf(values: Values): Approval[] {
  const by = listOption(values, 'approved-by');
  const meanings = listOption(values, 'approval-meaning');
  const refs = listOption(values, 'approval-ref');
  const times = listOption(values, 'approved-at');
  if (by.length === 0) {
    if (meanings.length > 0 || refs.length > 0 || times.length > 0) {
      throw new VaultRosterError('usage', '--approval-meaning, --approval-ref and --approved-at describe an approval: they need --approved-by', {
        hint: "add --approved-by 'Name <email>' for each approver.",
      });
    }
    return [];
  }
  if (meanings.length === 0) {
    throw new VaultRosterError('usage', '--approved-by needs --approval-meaning: what the approver approved, in words (e.g. "approved access change")', {
      hint: 'Part 11 §11.50: a signature shows the signer, the date and time, and its meaning.',
    });
  }
  const meaningOf = perApproval(meanings, by.length, 'approval-meaning');
  const refOf = perApproval(refs, by.length, 'approval-ref');
  const timeOf = perApproval(times, by.length, 'approved-at');
  return by.map((signer, i) => {
    const match = APPROVER.exec(signer.trim());
    if (match === null) {
      throw new VaultRosterError('usage', `--approved-by '${signer}' is not 'Name <email>'`, { hint: "give the approver's printed name and email, e.g. --approved-by 'Ana Ruiz <ana.ruiz@example.com>'." });
    }
    const meaning = (meaningOf(i) ?? '').trim();
    if (meaning === '') throw new VaultRosterError('usage', `--approval-meaning for '${signer}' is empty`, { hint: 'say what was approved, e.g. "approved access change".' });
    const ref = refOf(i)?.trim();
    const at = approvalTime(timeOf(i), signer);
    return { by: `${match[1] ?? ''} <${match[2] ?? ''}>`, meaning, ...(ref === undefined || ref === '' ? {} : { ref }), ...(at === undefined ? {} : { at }) };
  });
}

/** An instant with its offset (`2026-03-05T11:30:00Z`, `…+01:00`): a signature's time is never a guess of the zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `--approved-at`, as a UTC ISO instant; refused when it is not one, or lies in the future. */
function approvalTime(raw: string | undefined, signer: string): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const ms = INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new VaultRosterError('usage', `--approved-at '${raw}' for '${signer}' is not a date and time with its zone`, { hint: 'give an ISO 8601 instant, e.g. --approved-at 2026-03-05T11:30:00Z (the time the approval was given).' });
  }
  if (ms > Date.now() + 5 * 60_000) {
    throw new VaultRosterError('usage', `--approved-at '${raw}' for '${signer}' is in the future`, { hint: 'give the time the approval was given; check the clock of the machine that reads it.' });
  }
  return new Date(ms).toISOString();
}

/** `yes`, anything else (`no`), or how the prompt was left: Ctrl-C (`interrupt`) or Ctrl-D (`eof`). */
type Answer = 'yes' | 'no' | 'interrupt' | 'eof';

async function confirm(plan: Plan, values: Values, io: CliIo): Promise<Answer> {
  if (values['auto-approve'] === true) return 'yes';
  if (!io.stdinIsTTY || io.prompt === undefined) {
    throw new VaultRosterError('not-confirmed', 'apply needs confirmation and there is no terminal to ask', {
      hint: "Review the plan and pass --auto-approve, or save it with 'plan --out plan.json' and run 'apply plan.json'.",
    });
  }
  try {
    const answer = await io.prompt(`\nApply these changes to vault ${plan.target.vault_id}? Only 'yes' is accepted: `);
    if (io.signal?.aborted === true) return 'interrupt';
    return answer.trim() === 'yes' ? 'yes' : 'no';
  } catch (error) {
    if (error instanceof PromptCancelled) return error.how;
    throw error;
  }
}

/** `a b` → `'a b'`: a path in a command line a person can paste. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The exact command that resumes this plan: its file (saved now when it was made in this run) and the flags that matter. */
function resumeCommand(plan: Plan, planArg: string | undefined, values: Values, io: CliIo, workFolder: string): string {
  let planPath = planArg;
  if (planPath === undefined) {
    // The plan made in this run lives only in memory: save it, so its journal can resume it.
    const path = resolve(workFolder, `interrupted-${planId(plan)}.plan.json`);
    writeFileAtomic(path, renderPlan(plan, 'json', { color: false }));
    planPath = relative(io.cwd, path);
  }
  const words = ['vault-roster', 'apply', planPath];
  const config = stringOption(values, 'config');
  if (config !== undefined) words.push('--config', config);
  for (const name of ['concurrency', 'deadline', 'format']) {
    const value = stringOption(values, name);
    if (value !== undefined) words.push(`--${name}`, value);
  }
  for (const name of Object.keys(ALLOW_OPTIONS)) if (values[name] === true) words.push(`--${name}`);
  // The resumed run is a run of its own: it records the same approvals.
  for (const name of ['approved-by', 'approval-meaning', 'approval-ref', 'approved-at']) for (const value of listOption(values, name)) words.push(`--${name}`, value);
  return words.map(shellWord).join(' ');
}

function reportInterrupted(report: ApplyReport, resume: string, io: CliIo): number {
  io.stderr.write(
    `\napply interrupted: no new call was sent after the interrupt; the calls in flight finished and are journaled.\n` +
      `Done before the interrupt: ${formatCounts(report.counts)}; not sent: ${report.not_sent_rows} ${report.not_sent_rows === 1 ? 'row' : 'rows'}.\n` +
      `journal: ${report.journal_path}${report.journal_head === undefined ? '' : ` (head ${report.journal_head})`}\n` +
      `Resume with: ${resume}\n`,
  );
  return EXIT_INTERRUPTED;
}

/** Tells at once what the first Ctrl-C does, so nobody presses it again out of doubt. */
function announceStop(io: CliIo): () => void {
  const signal = io.signal;
  if (signal === undefined) return () => undefined;
  const onAbort = (): void => {
    io.stderr.write('\ninterrupt: sending no new calls; waiting for the calls in flight to finish (Ctrl-C again exits at once; the journal still resumes).\n');
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => { signal.removeEventListener('abort', onAbort); };
}

/** `--evidence DIR`: the bundle of the run just made, the after read back on the same connection. */
async function writeEvidence(plan: Plan, report: ApplyReport, dir: string, at: { connection: Connection; desired: DesiredState }, io: CliIo): Promise<void> {
  const { readBack, describeBundle } = await import('./evidence.js');
  const { writeBundle } = await import('../../evidence/index.js');
  let back;
  try {
    back = await readBack(plan, at.connection, at.desired);
  } catch (error) {
    io.stderr.write(`The run is done and journaled; its evidence bundle was not written: the read-back failed. Write it later with: vault-roster evidence ${report.plan_id} --out ${dir}\n`);
    throw error;
  }
  const result = writeBundle({ plan, journalPath: report.journal_path, outDir: resolve(io.cwd, dir), readBack: back, toolVersion: TOOL_VERSION });
  io.stderr.write(describeBundle(result, back));
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
                          [--refresh] [--format text|json] [--allow-…] [--verbose] [--evidence DIR]

With a plan file: admits it before any write. It must be for this server and vault, made from
the desired files on disk, relying on live records that have not changed (a stale plan is refused,
naming them), free of failing guards, and exactly what those files and records imply: apply makes
the plan again and refuses any difference (naming the first operation and field). Without a plan
file: plans, shows the plan and asks for confirmation.

Batches run in dependency order, several at once within Vault's burst limit; a failed row never
stops the others. Every call goes to a journal under .vault-roster/journal/; re-running the same
plan after an interruption skips what was done and never creates a user twice.

Options:
  -c, --config FILE     Config file (default: roster.yaml)
      --auto-approve    Do not ask for confirmation (required without a terminal)
      --concurrency N   Batches in flight at once, 1-16 (default ${DEFAULT_CONCURRENCY})
      --refresh         Re-send every managed SiteVault person (only without a plan file)
      --approved-by 'NAME <EMAIL>'
                        An approver of this change, recorded in the journal (repeatable)
      --approval-meaning TEXT
                        What the approval means, e.g. "approved access change" (required
                        with --approved-by: once for all, or once per approver)
      --approval-ref REF
                        Where it was approved, e.g. the pull request URL (once or per approver)
      --approved-at TIME
                        When it was approved, an ISO 8601 instant such as 2026-03-05T11:30:00Z
                        (once or per approver; without it, the run's start time is the record)
      --evidence DIR    After the run, write its evidence bundle to DIR (a new folder), the
                        touched users read back from Vault: as 'vault-roster evidence' writes it
  -f, --format FMT      text (default: progress on a terminal) or json (one event per line)
${ALLOW_HELP}
  -v, --verbose         Log every Vault call to stderr (also DEBUG=vault-roster)
${deadlineHelp(25)}
  -h, --help            Show this help

The plan id (sha256 of the plan's canonical JSON, as 'vault-roster plan-id' prints it) is shown
before the first call and recorded in the journal with the vault, commit, who ran it and the
approvals; 'vault-roster journal verify FILE' checks the journal's hash chain.

Exit codes: 0 everything applied (or nothing to do), 1 refused, or any row failed.
`,
  options: {
    ...CONNECTION_OPTIONS,
    ...ALLOW_OPTIONS,
    'auto-approve': { type: 'boolean' },
    concurrency: { type: 'string' },
    refresh: { type: 'boolean' },
    format: { type: 'string', short: 'f' },
    'approved-by': { type: 'string', multiple: true },
    'approval-meaning': { type: 'string', multiple: true },
    'approval-ref': { type: 'string', multiple: true },
    'approved-at': { type: 'string', multiple: true },
    evidence: { type: 'string' },
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
    const approvals = approvalsOf(values);
    const evidenceDir = stringOption(values, 'evidence');
    // Refused before anything is read or sent: the bundle is written after the run, into a new folder.
    if (evidenceDir !== undefined) (await import('../../evidence/index.js')).assertNewOut(resolve(io.cwd, evidenceDir));
    const planArg = positionals[0];
    if (planArg !== undefined && values.refresh === true) {
      throw new VaultRosterError('usage', '--refresh cannot be used with a plan file: the plan already says what it sends', {
        hint: "make the plan with 'vault-roster plan --refresh --out FILE', or run apply --refresh without a plan file.",
      });
    }
    const savedPlan = planArg === undefined ? undefined : readPlanFile(resolve(io.cwd, planArg));
    const desired = await loadDesired(values, io);
    const connection = connect(desired.target, values, io, concurrency);
    // One run at a time from reading Vault to the last write: a second apply waits for nothing it could race.
    // The login and any retry or wait while reading go to the journal too, at the run's start.
    const prior: ClientEvent[] = [];
    const stopCollecting = connection.subscribe((event) => {
      if (event.type !== 'request' && event.type !== 'response') prior.push(event);
    });
    return withRepoLock(desired, `apply ${planArg ?? '(plan and apply)'}`, async () => {
      const { live, state } = await readLive(connection, liveRequestFor(desired)).finally(stopCollecting);
      const journalDir = resolve(workDir(desired), 'journal');

      let plan: Plan;
      if (savedPlan !== undefined) {
        plan = savedPlan;
      } else {
        plan = makePlan({ desired, live, state, serverUrl: connection.serverUrl, mode: 'full', refresh: values.refresh === true }, values);
        writePlan(plan, 'text', { color: useColor(io) }, (chunk) => io.stderr.write(chunk));
        if (hasErrors(plan.diagnostics)) {
          io.stderr.write(`apply refused: the plan has ${describeErrors(plan.diagnostics)}, see above; nothing was sent.\n`);
          return EXIT_ERROR;
        }
        const answer = plan.operations.length > 0 ? await confirm(plan, values, io) : 'yes';
        if (answer !== 'yes') {
          io.stderr.write(`${answer === 'no' ? '' : '\n'}apply cancelled; nothing was sent.\n`);
          return answer === 'interrupt' ? EXIT_INTERRUPTED : EXIT_ERROR;
        }
      }
      if (io.signal?.aborted === true) {
        io.stderr.write('\napply cancelled before the first call; nothing was sent.\n');
        return EXIT_INTERRUPTED;
      }
      io.stderr.write(`plan id: ${planId(plan)}\n`);
      const reporter = reporterFor(values, io, plan);
      const quiet = announceStop(io);
      const report = await applyPlan({
        plan,
        source: planArg ?? 'the plan just made',
        desired,
        live,
        serverUrl: connection.serverUrl,
        port: vaultPort(connection.client),
        journalDir,
        concurrency,
        toolVersion: TOOL_VERSION,
        lockHeld: true,
        requireCommittedYaml: io.env.CI === 'true',
        subscribeClientEvents: (listener) => connection.subscribe(listener),
        ...(reporter === undefined ? {} : { listener: reporter }),
        ...(io.signal === undefined ? {} : { stop: io.signal }),
        priorClientEvents: prior,
        actor: runActor(io.env),
        approvals,
      }).finally(quiet);
      if (report.interrupted) {
        for (const f of report.failures) io.stderr.write(`  failed: ${f.key}: ${f.error_type}: ${f.message}\n`);
        return reportInterrupted(report, resumeCommand(plan, planArg, values, io, workDir(desired)), io);
      }
      if (report.already_applied) {
        const which = planArg === undefined ? 'The plan' : `Plan ${planArg}`;
        io.stdout.write(`${which} was already applied in full (journal ${report.journal_path}); nothing to send.\n`);
        if (evidenceDir !== undefined) await writeEvidence(plan, report, evidenceDir, { connection, desired }, io);
        return EXIT_OK;
      }
      for (const f of report.failures) io.stderr.write(`  failed: ${f.key}: ${f.error_type}: ${f.message}\n`);
      const line = `Apply ${report.failures.length === 0 ? 'complete' : 'finished with failures'}: ${formatCounts(report.counts)}.`;
      (format === 'json' ? io.stderr : io.stdout).write(`${line}${report.resumed ? ' (resumed an interrupted run)' : ''}\n`);
      io.stderr.write(`journal: ${report.journal_path}${report.journal_head === undefined ? '' : ` (head ${report.journal_head})`}\n`);
      // After the run's own report: a read-back that fails cannot hide what apply did.
      if (evidenceDir !== undefined) await writeEvidence(plan, report, evidenceDir, { connection, desired }, io);
      return report.failures.length === 0 ? EXIT_OK : EXIT_ERROR;
    });
  },
};
