/** `vault-roster plan`: read live state, diff against YAML, print (and optionally save) the plan. */
import { resolve } from 'node:path';
import { hasErrors } from '../../diagnostics.js';
import { renderPlan } from '../../render/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, type CliIo, type Command } from '../command.js';
import { ALLOW_HELP, ALLOW_OPTIONS, CONNECTION_OPTIONS, connect, loadDesired, makePlan, readLive, stringOption } from '../context.js';
import type { Plan } from '../../plan/index.js';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '' && io.env.TERM !== 'dumb';
}

export function planHasChanges(plan: Plan): boolean {
  return plan.operations.length > 0 || plan.changes.length > 0;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show the changes that would make Vault match the YAML (never writes to Vault)',
  help: `Usage: vault-roster plan [--config roster.yaml] [--out plan.json] [--format text|json|markdown]
                         [--detailed-exitcode] [--refresh] [--allow-…] [--verbose]

Reads live users (and persons, licenses, SiteVault state file) from Vault, compares them with
the desired state, and prints the create / update / deactivate / promote operations apply
would run, with guard results. Read-only: never changes Vault.

Options:
  -c, --config FILE        Config file (default: roster.yaml)
  -o, --out FILE           Also write the plan document (JSON) to FILE, for 'apply FILE'
  -f, --format FMT         text (default), json (the plan document) or markdown (PR comment)
      --detailed-exitcode  Exit 2 when there are changes, 0 when none
      --refresh            Re-send every managed SiteVault person (overwrites out-of-band edits)
${ALLOW_HELP}
  -v, --verbose            Log every Vault call to stderr (also DEBUG=vault-roster)
  -h, --help               Show this help

Connection: VAULT_URL, VAULT_USERNAME + VAULT_PASSWORD (or VAULT_SESSION_ID), VAULT_API_VERSION, VAULT_DNS.
Exit codes: 0 no changes (or changes without --detailed-exitcode), 1 error or failing guard,
2 changes present (with --detailed-exitcode).
`,
  options: {
    ...CONNECTION_OPTIONS,
    ...ALLOW_OPTIONS,
    out: { type: 'string', short: 'o' },
    format: { type: 'string', short: 'f' },
    'detailed-exitcode': { type: 'boolean' },
    refresh: { type: 'boolean' },
  },
  allowPositionals: false,
  async run(values, _positionals, io) {
    const format = stringOption(values, 'format') ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format)) {
      io.stderr.write(`error: unknown format '${format}'\n  hint: use --format text, json or markdown.\n`);
      return EXIT_ERROR;
    }
    const desired = await loadDesired(values, io);
    const connection = connect(desired, values, io);
    const live = await readLive(connection, desired);
    const plan = makePlan(desired, live, values, io, values.refresh === true);
    const out = stringOption(values, 'out');
    if (out !== undefined) writeFileAtomic(resolve(io.cwd, out), JSON.stringify(plan, null, 2) + '\n');
    io.stdout.write(
      renderPlan(plan, format as Format, {
        color: useColor(io),
        ...(out === undefined ? {} : { artifact_hint: out }),
      }),
    );
    if (hasErrors(plan.diagnostics)) return EXIT_ERROR;
    return values['detailed-exitcode'] === true && planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  },
};
