/**
 * `vault-roster report seats`: licence seats and inactive licence holders, from the YAML, Vault
 * and the current plan. Read-only: it reads Vault and plans, and never writes to Vault.
 */
import { resolve } from 'node:path';
import { VaultRosterError } from '../../errors.js';
import { readReviewSettings } from '../../review/index.js';
import { buildSeatReport, createLocator, DEFAULT_DORMANT_DAYS, renderSeatReport, SEAT_REPORT_FORMATS, type SeatReportFormat } from '../../report/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { EXIT_OK, type Command } from '../command.js';
import { CONNECTION_OPTIONS, deadlineHelp, makePlan, stringOption, withDesiredAndLive, type Values } from '../context.js';

const MAX_DAYS = 36_500;

function formatOption(values: Values): SeatReportFormat {
  const format = stringOption(values, 'format') ?? 'text';
  if (!(SEAT_REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format text, markdown or json.' });
  }
  return format as SeatReportFormat;
}

function wholeNumber(values: Values, name: string, min: number, max: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new VaultRosterError('usage', `--${name} '${text}' is not a whole number from ${min} to ${max}`, { hint: name === 'days' ? 'pass the days without a login that make a holder inactive, e.g. --days 90.' : 'pass a vault id of the domain, e.g. --vault 3003.' });
  }
  return n;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Report licence seats (licensed, used, after the plan) and inactive licence holders (report seats)',
  help: `Usage: vault-roster report seats [--config roster.yaml] [--vault ID] [--days N]
                                [--format text|markdown|json] [--out FILE] [--verbose]

Per vault, vault licence type and application licence: licensed (Vault's figure, where Vault
reports it), used, and used after the current plan; then the users holding a full__v or an
application licence who never logged in or not for N days, each with the YAML edit (file:line)
that would reclaim the seats. The edits are suggested, not applied: nothing is written to Vault
or to the YAML. Vault reports licence usage only for the session's vault: other vaults' figures
are counts of the user listing, marked unverified. A last login Vault did not report is listed
apart, never read as "never logged in".

Options:
  -c, --config FILE   Config file (default: roster.yaml)
      --vault ID      Report this vault of the domain only (default: every vault)
      --days N        Days without a login that make a licence holder inactive
                      (default: review.dormant_days of roster.yaml, else ${DEFAULT_DORMANT_DAYS})
  -f, --format FMT    text (default), markdown (an issue or PR body) or json (specs/seats.schema.json)
  -o, --out FILE      Write the report to FILE instead of stdout
  -v, --verbose       Log every Vault call to stderr (also DEBUG=vault-roster)
${deadlineHelp(23)}
  -h, --help          Show this help

Connection: VAULT_URL, VAULT_USERNAME + VAULT_PASSWORD (or VAULT_SESSION_ID), VAULT_API_VERSION, VAULT_DNS.
Exit codes: 0 report written, 1 error.
`,
  options: {
    ...CONNECTION_OPTIONS,
    vault: { type: 'string' },
    days: { type: 'string' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    if (positionals.length !== 1 || positionals[0] !== 'seats') {
      throw new VaultRosterError('usage', `report takes one report name, seats; got ${positionals.length === 0 ? 'none' : `'${positionals.join(' ')}'`}`, { hint: "run 'vault-roster report seats'." });
    }
    const format = formatOption(values);
    const vaultId = wholeNumber(values, 'vault', 1, Number.MAX_SAFE_INTEGER);
    const daysOption = wholeNumber(values, 'days', 1, MAX_DAYS);
    const report = await withDesiredAndLive(values, io, 'report seats', ({ desired, live, state, connection }) => {
      // The same threshold as the review's DORMANT flag unless --days says otherwise.
      const days = daysOption ?? readReviewSettings(desired, io.cwd).dormant_days;
      if (vaultId !== undefined && !live.vault_ids.includes(vaultId)) {
        throw new VaultRosterError('usage', `--vault ${vaultId} is not a vault of this domain (${[...live.vault_ids].sort((a, b) => a - b).join(', ')})`, { hint: 'pass one of the vault ids listed.' });
      }
      const plan = makePlan({ desired, live, state, serverUrl: connection.serverUrl, mode: 'full', refresh: false }, values);
      return buildSeatReport({ desired, live, plan, locator: createLocator(desired, io.cwd), server: connection.serverUrl, vault_id: vaultId, dormant_days: days });
    });
    const text = renderSeatReport(report, format);
    const out = stringOption(values, 'out');
    if (out === undefined) io.stdout.write(text);
    else writeFileAtomic(resolve(io.cwd, out), text);
    return EXIT_OK;
  },
};
