/** `vault-roster plan`: read live state, diff against YAML, print (and optionally save) the plan. */
import { resolve } from 'node:path';
import { hasErrors } from '../../diagnostics.js';
import { VaultRosterError } from '../../errors.js';
import { planFoundDrift, planHasChanges } from '../../plan/index.js';
import { renderPlan, writePlan } from '../../render/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK, type Command } from '../command.js';
import { ALLOW_HELP, ALLOW_OPTIONS, CONNECTION_OPTIONS, deadlineHelp, makePlan, stringOption, useColor, withDesiredAndLive } from '../context.js';

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

/** The full-plan link must be an http(s) URL: it goes into a Markdown link. Empty = none. */
function planUrlOption(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new VaultRosterError('usage', `--plan-url (or VAULT_ROSTER_PLAN_URL) '${value}' is not an http(s) URL`, { hint: 'pass the address of the CI run or artifact, e.g. https://github.com/org/repo/actions/runs/123.' });
  }
  return url.href;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show the changes that would make Vault match the YAML (never writes to Vault)',
  help: `Usage: vault-roster plan [--config roster.yaml] [--out plan.json] [--format text|json|markdown]
                         [--detailed-exitcode] [--refresh] [--drift] [--plan-url URL] [--allow-…] [--verbose]

Reads live users (and persons, licenses, SiteVault state file) from Vault, compares them with
the desired state, and prints the create / update / deactivate / promote operations apply
would run, with guard results. Read-only: never changes Vault.

Options:
  -c, --config FILE        Config file (default: roster.yaml)
  -o, --out FILE           Also write the plan document (JSON) to FILE, for 'apply FILE'
  -f, --format FMT         text (default), json (the plan document) or markdown (PR comment)
      --plan-url URL       Markdown: link to the full plan (e.g. the CI run's artifacts) wherever
                           the comment is cut (default: VAULT_ROSTER_PLAN_URL)
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
    'plan-url': { type: 'string' },
  },
  allowPositionals: false,
  async run(values, _positionals, io) {
    const format = stringOption(values, 'format') ?? 'text';
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format text, json or markdown.' });
    }
    const planUrl = planUrlOption(stringOption(values, 'plan-url') ?? io.env.VAULT_ROSTER_PLAN_URL);
    const drift = values.drift === true;
    const plan = await withDesiredAndLive(values, io, 'plan', ({ desired, live, state, connection }) =>
      makePlan({ desired, live, state, serverUrl: connection.serverUrl, mode: drift ? 'drift' : 'full', refresh: values.refresh === true }, values),
    );
    const out = stringOption(values, 'out');
    if (out !== undefined) writeFileAtomic(resolve(io.cwd, out), renderPlan(plan, 'json', { color: false }));
    // Streamed: the view of a large onboarding is more than one string can hold.
    writePlan(
      plan,
      format as Format,
      { color: useColor(io), ...(out === undefined ? {} : { artifact_hint: out }), ...(planUrl === undefined ? {} : { plan_url: planUrl }) },
      (chunk) => io.stdout.write(chunk),
    );
    if (hasErrors(plan.diagnostics)) return EXIT_ERROR;
    if (drift) return planFoundDrift(plan) ? EXIT_CHANGES : EXIT_OK;
    return values['detailed-exitcode'] === true && planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  },
};
