/**
 * `vault-roster evidence`: the audit evidence bundle of an apply (`evidence PLAN-ID|JOURNAL --out
 * DIR`), its check (`evidence verify DIR`) and the as-of access listing (`evidence as-of DATE`).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { keptPlanPath, planId, readPlanFile } from '../../apply/index.js';
import { VaultRosterError } from '../../errors.js';
import { asOf, asOfText, readJournalRuns, verifyBundle, writeBundle, type BundleResult, type ReadBack } from '../../evidence/index.js';
import type { DesiredState } from '../../model.js';
import type { Plan } from '../../plan/index.js';
import { TOOL_VERSION } from '../../version.js';
import { EXIT_ERROR, EXIT_OK, type CliIo, type Command } from '../command.js';
import { CONNECTION_OPTIONS, connect, deadlineHelp, liveRequestFor, loadDesired, readLive, stringOption, type Connection, type Values } from '../context.js';

const PLAN_ID = /^[0-9a-f]{64}$/;

/** Reads the touched users (and groups) back from Vault, read-only; refuses another vault or server. */
export async function readBack(plan: Plan, connection: Connection, desired: DesiredState): Promise<ReadBack> {
  if (connection.serverUrl !== plan.target.server) {
    throw new VaultRosterError('wrong-server', `plan ${planId(plan)} was made against ${plan.target.server}, but this connection is to ${connection.serverUrl}: its after cannot be read from here`, {
      hint: 'Set VAULT_URL to the server the plan was applied to, or pass --no-read-back (the bundle then says the after was not read).',
    });
  }
  const { live } = await readLive(connection, liveRequestFor(desired));
  if (live.vault_id !== plan.target.vault_id) {
    throw new VaultRosterError('wrong-vault', `plan ${planId(plan)} is for vault ${plan.target.vault_id}, but this session is in vault ${live.vault_id}`, {
      hint: 'Connect to the vault the plan was applied to, or pass --no-read-back.',
    });
  }
  return { status: 'read', at: new Date().toISOString(), vault_id: live.vault_id, users: live.users, groups: live.groups };
}

/** The journal and the state folder an argument names: a plan id (of this repo) or a journal file. */
function locate(target: string, values: Values, io: CliIo): { journal: string; stateDir: string; id: string | undefined } {
  if (PLAN_ID.test(target)) {
    const stateDir = resolve(dirname(resolve(io.cwd, stringOption(values, 'config') ?? 'roster.yaml')), '.vault-roster');
    return { journal: resolve(stateDir, 'journal', `${target}.jsonl`), stateDir, id: target };
  }
  const journal = resolve(io.cwd, target);
  const name = basename(journal, '.jsonl');
  return { journal, stateDir: dirname(dirname(journal)), id: PLAN_ID.test(name) ? name : undefined };
}

/** The plan the journal ran: --plan, else the one apply kept by its id; checked against the id either way. */
function planFor(located: { journal: string; stateDir: string; id: string | undefined }, values: Values, io: CliIo): Plan {
  if (!existsSync(located.journal)) {
    throw new VaultRosterError('journal-file', `no journal ${located.journal}: plan ${located.id ?? '?'} was not applied from this repo's state folder`, {
      hint: 'Give the plan id apply printed (run in the repo folder, or pass --config), or the journal file itself.',
    });
  }
  const runIds = readJournalRuns(located.journal).runs.map((r) => r.started.plan_id);
  const id = located.id ?? runIds.find((r) => PLAN_ID.test(r));
  const given = stringOption(values, 'plan');
  if (given !== undefined) return readPlanFile(resolve(io.cwd, given));
  if (id === undefined) {
    throw new VaultRosterError('usage', `journal ${located.journal} names no plan id apply keeps plans by`, { hint: 'Pass the plan it ran with --plan plan.json.' });
  }
  const kept = keptPlanPath(resolve(located.stateDir, 'plans'), id);
  if (!existsSync(kept)) {
    throw new VaultRosterError('state-file', `plan ${id} is not kept at ${kept} (apply keeps the plan it runs there; an older vault-roster did not)`, {
      hint: 'Pass the plan file that was applied with --plan plan.json (its id is checked against the journal).',
    });
  }
  const plan = readPlanFile(kept);
  if (planId(plan) !== id) {
    throw new VaultRosterError('state-file', `${kept} is not plan ${id}: its content digest is ${planId(plan)} (edited or replaced)`, {
      hint: 'Restore the kept plan from a copy, or pass the plan that was applied with --plan plan.json.',
    });
  }
  return plan;
}

export function describeBundle(result: BundleResult, readBackStatus: ReadBack): string {
  const read = readBackStatus.status === 'read' ? `after read back from vault ${readBackStatus.vault_id} at ${readBackStatus.at}` : `after NOT read back (${readBackStatus.why})`;
  return `evidence: ${result.dir}: ${result.files} files, plan ${result.plan_id}, journal head ${result.journal_head ?? 'none'}; ${read}\n`;
}

async function build(target: string, values: Values, io: CliIo): Promise<number> {
  const out = stringOption(values, 'out');
  if (out === undefined) throw new VaultRosterError('usage', 'evidence needs --out DIR (a new folder for the bundle)', { hint: 'e.g. vault-roster evidence <plan id> --out evidence/<plan id>' });
  const located = locate(target, values, io);
  const plan = planFor(located, values, io);
  let back: ReadBack = { status: 'skipped', why: '--no-read-back was given' };
  if (values['no-read-back'] !== true) {
    const desired = await loadDesired(values, io);
    back = await readBack(plan, connect(desired.target, values, io), desired);
  }
  const result = writeBundle({ plan, journalPath: located.journal, outDir: resolve(io.cwd, out), readBack: back, toolVersion: TOOL_VERSION });
  io.stdout.write(describeBundle(result, back));
  return EXIT_OK;
}

function verify(dir: string, io: CliIo): number {
  const verdict = verifyBundle(resolve(io.cwd, dir));
  if (verdict.ok) {
    io.stdout.write(`bundle ${dir}: intact, ${verdict.checked} files, plan ${verdict.plan_id ?? '?'}, journal head ${verdict.journal_head ?? 'none'}.\n`);
    return EXIT_OK;
  }
  io.stderr.write(`bundle ${dir}: NOT intact (${verdict.problems.length} ${verdict.problems.length === 1 ? 'problem' : 'problems'}):\n${verdict.problems.map((p) => `  ${p}\n`).join('')}`);
  return EXIT_ERROR;
}

async function runAsOf(date: string, values: Values, io: CliIo): Promise<number> {
  const format = stringOption(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format text or --format json.' });
  const vault = stringOption(values, 'vault');
  if (vault !== undefined && !/^[1-9]\d{0,15}$/.test(vault)) throw new VaultRosterError('usage', `--vault '${vault}' is not a vault id (a whole number)`, { hint: 'e.g. --vault 3003' });
  const configPath = resolve(io.cwd, stringOption(values, 'config') ?? 'roster.yaml');
  const report = await asOf({ configPath, date, vaultId: vault === undefined ? undefined : Number(vault), now: Date.now() });
  io.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : asOfText(report));
  return EXIT_OK;
}

/** An option of another form of the command is refused, not ignored (e.g. --out with as-of). */
function onlyOptions(values: Values, form: string, allowed: readonly string[]): void {
  const other = Object.keys(values).find((name) => values[name] !== undefined && !allowed.includes(name));
  if (other !== undefined) {
    throw new VaultRosterError('usage', `${form} does not take --${other}`, { hint: "run 'vault-roster evidence --help' for the options of each form." });
  }
}

export const evidenceCommand: Command = {
  name: 'evidence',
  summary: 'Audit evidence: bundle an apply (evidence PLAN-ID --out DIR), verify it, list access as of a date',
  help: `Usage: vault-roster evidence PLAN-ID|JOURNAL --out DIR [--plan plan.json] [--no-read-back] [--config roster.yaml]
       vault-roster evidence verify DIR
       vault-roster evidence as-of DATE [--vault ID] [--format text|json] [--config roster.yaml]

evidence PLAN-ID|JOURNAL --out DIR
  Writes the evidence bundle of an apply to a new folder: plan.json, plan.md (the PR comment's
  Markdown), journal.jsonl (a copy) and journal-verify.json, desired-files.json (path and sha256
  of each desired file, and the commit), changes.json (per user, group or SiteVault person: the
  before and intended after from the plan, the after read back from Vault now, each call's
  method, path, status and execution id and each row's result), approvals.json, run.json (who
  ran it, commit, tool version, times, counts), summary.md (one page) and, last, manifest.json
  (every file's sha256 and size, the plan id, the journal head). The plan comes from
  .vault-roster/plans/<plan id>.json, where apply keeps the plan it runs (or --plan).
  The touched users are read back read-only with the repo's connection (VAULT_URL, credentials);
  --no-read-back skips that and the bundle says the after was not read.

evidence verify DIR
  Recomputes every digest of the manifest, checks the journal's chain and the recorded head, and
  that the plan, the manifest and the journal name one plan id. Names every edited, missing or
  extra file, and for the journal the line.

evidence as-of DATE
  Who had what access on DATE (YYYY-MM-DD: the end of that UTC day; or an ISO date-time): a
  reconstruction from the git history of the desired files (read from git objects, not the
  working tree) and the journals and plans in .vault-roster/. Prints its limits with the answer.

Options:
  -c, --config FILE    Config file (default: roster.yaml): where .vault-roster/ and the connection are
  -o, --out DIR        The bundle's folder (new or empty)
      --plan FILE      The plan that was applied, when apply did not keep it (checked by its id)
      --no-read-back   Do not read the after from Vault (the bundle says so)
      --vault ID       as-of: only users declared with a membership of this vault, and that membership
  -f, --format FMT     as-of: text (default) or json
  -v, --verbose        Log every Vault call to stderr
${deadlineHelp(24)}
  -h, --help           Show this help

Exit codes: 0 written / intact / listed, 1 refused, not intact, or an error.
`,
  options: {
    ...CONNECTION_OPTIONS,
    out: { type: 'string', short: 'o' },
    plan: { type: 'string' },
    'no-read-back': { type: 'boolean' },
    vault: { type: 'string' },
    format: { type: 'string', short: 'f' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const [first, second, ...rest] = positionals;
    if (first === 'verify' && second !== undefined && rest.length === 0) {
      onlyOptions(values, 'evidence verify', []);
      return verify(second, io);
    }
    if (first === 'as-of' && second !== undefined && rest.length === 0) {
      onlyOptions(values, 'evidence as-of', ['config', 'vault', 'format']);
      return runAsOf(second, values, io);
    }
    if (first !== undefined && first !== 'verify' && first !== 'as-of' && second === undefined) {
      onlyOptions(values, 'evidence PLAN-ID', ['config', 'out', 'plan', 'no-read-back', 'verbose', 'deadline']);
      return build(first, values, io);
    }
    throw new VaultRosterError('usage', `evidence takes 'PLAN-ID --out DIR', 'verify DIR' or 'as-of DATE', got '${positionals.join(' ')}'`, {
      hint: "run 'vault-roster evidence --help'.",
    });
  },
};
