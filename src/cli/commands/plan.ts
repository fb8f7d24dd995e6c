/** `vault-roster plan`: read live state, diff against YAML, print (and optionally save) the plan. */
import { resolve } from 'node:path';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import type { DesiredState, LiveState } from '../../model.js';
import { unchangedSinceBaseline, type StateFile } from '../../state/index.js';
import { renderPlan } from '../../render/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, type CliIo, type Command } from '../command.js';
import { ALLOW_HELP, ALLOW_OPTIONS, CONNECTION_OPTIONS, connect, deadlineHelp, loadDesired, makePlan, readLive, stringOption, type Values } from '../context.js';
import { planHasChanges, type Plan } from '../../plan/index.js';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '' && io.env.TERM !== 'dumb';
}

/**
 * Drift: plan only for entries whose YAML is unchanged since the last apply (so every change
 * found was made in Vault), and name users who appeared in Vault since then.
 */
function driftPlan(desired: DesiredState, live: LiveState, state: StateFile, values: Values, io: CliIo): Plan {
  if (state.baseline === undefined) {
    throw new VaultRosterError('no-baseline', `no apply has been recorded in ${desired.state_path} yet`, {
      hint: 'Drift is measured from the last apply: run apply (or import) once, then plan --drift.',
    });
  }
  const baseline = state.baseline;
  const plan = makePlan(unchangedSinceBaseline(desired, baseline), live, values, io);
  const known = new Set([...baseline.live_users, ...desired.users.map((u) => u.user_name)]);
  const appeared = [...live.users.keys()].filter((name) => !known.has(name)).sort();
  const note: Diagnostic = {
    severity: 'info',
    code: 'drift-baseline',
    summary: `drift since the apply of ${baseline.applied_at}: only users whose YAML is unchanged since then are compared`,
    hint: planHasChanges(plan)
      ? 'the changes below were made in Vault out of band; apply reverts them, or update the YAML to keep them'
      : 'nothing those users hold in Vault changed out of band since then',
  };
  const extra: Diagnostic[] = [note];
  if (appeared.length > 0) {
    extra.push({
      severity: 'warning',
      code: 'drift-new-users',
      summary: `${appeared.length} user(s) appeared in Vault since the last apply: ${appeared.slice(0, 20).join(', ')}${appeared.length > 20 ? ', …' : ''}`,
      hint: 'declare them in YAML (vault-roster import can write them) or deactivate them',
    });
  }
  return { ...plan, diagnostics: sortDiagnostics([...plan.diagnostics, ...extra]) };
}

function isDrift(plan: Plan): boolean {
  return planHasChanges(plan) || plan.diagnostics.some((d) => d.code === 'drift-new-users');
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show the changes that would make Vault match the YAML (never writes to Vault)',
  help: `Usage: vault-roster plan [--config roster.yaml] [--out plan.json] [--format text|json|markdown]
                         [--detailed-exitcode] [--refresh] [--drift] [--allow-…] [--verbose]

Reads live users (and persons, licenses, SiteVault state file) from Vault, compares them with
the desired state, and prints the create / update / deactivate / promote operations apply
would run, with guard results. Read-only: never changes Vault.

Options:
  -c, --config FILE        Config file (default: roster.yaml)
  -o, --out FILE           Also write the plan document (JSON) to FILE, for 'apply FILE'
  -f, --format FMT         text (default), json (the plan document) or markdown (PR comment)
      --detailed-exitcode  Exit 2 when there are changes, 0 when none
      --refresh            Re-send every managed SiteVault person (overwrites out-of-band edits)
      --drift              Report only what changed in Vault since the last apply (exit 2 on drift)
${ALLOW_HELP}
  -v, --verbose            Log every Vault call to stderr (also DEBUG=vault-roster)
${deadlineHelp(28)}
  -h, --help               Show this help

Connection: VAULT_URL, VAULT_USERNAME + VAULT_PASSWORD (or VAULT_SESSION_ID), VAULT_API_VERSION, VAULT_DNS.
Exit codes: 0 no changes (or changes without --detailed-exitcode), 1 error or failing guard,
2 changes present (with --detailed-exitcode), or drift found (with --drift).
`,
  options: {
    ...CONNECTION_OPTIONS,
    ...ALLOW_OPTIONS,
    out: { type: 'string', short: 'o' },
    format: { type: 'string', short: 'f' },
    'detailed-exitcode': { type: 'boolean' },
    refresh: { type: 'boolean' },
    drift: { type: 'boolean' },
  },
  allowPositionals: false,
  async run(values, _positionals, io) {
    const format = stringOption(values, 'format') ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format text, json or markdown.' });
    }
    const desired = await loadDesired(values, io);
    const connection = connect(desired, values, io);
    const { live, state } = await readLive(connection, desired);
    const drift = values.drift === true;
    const plan = drift ? driftPlan(desired, live, state, values, io) : makePlan(desired, live, values, io, values.refresh === true);
    const out = stringOption(values, 'out');
    if (out !== undefined) writeFileAtomic(resolve(io.cwd, out), renderPlan(plan, 'json', { color: false }));
    io.stdout.write(
      renderPlan(plan, format as Format, {
        color: useColor(io),
        ...(out === undefined ? {} : { artifact_hint: out }),
      }),
    );
    if (hasErrors(plan.diagnostics)) return EXIT_ERROR;
    if (drift) return isDrift(plan) ? EXIT_CHANGES : EXIT_OK;
    return values['detailed-exitcode'] === true && planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  },
};
