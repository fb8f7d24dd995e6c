/** `vault-roster plan`: read live state, diff against YAML, print (and optionally save) the plan. */
import { resolve } from 'node:path';
import { hasErrors } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import { planFoundDrift, planHasChanges } from '../../plan/index.js';
import { renderPlan } from '../../render/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, type Command } from '../command.js';
import { ALLOW_HELP, ALLOW_OPTIONS, CONNECTION_OPTIONS, deadlineHelp, makePlan, stringOption, useColor, withDesiredAndLive } from '../context.js';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

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
    const drift = values.drift === true;
    const plan = await withDesiredAndLive(values, io, 'plan', ({ desired, live, state, connection }) =>
      makePlan({ desired, live, state, serverUrl: connection.serverUrl, mode: drift ? 'drift' : 'full', refresh: values.refresh === true }, values),
    );
    const out = stringOption(values, 'out');
    if (out !== undefined) writeFileAtomic(resolve(io.cwd, out), renderPlan(plan, 'json', { color: false }));
    io.stdout.write(
      renderPlan(plan, format as Format, {
        color: useColor(io),
        ...(out === undefined ? {} : { artifact_hint: out }),
      }),
    );
    if (hasErrors(plan.diagnostics)) return EXIT_ERROR;
    if (drift) return planFoundDrift(plan) ? EXIT_CHANGES : EXIT_OK;
    return values['detailed-exitcode'] === true && planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  },
};
