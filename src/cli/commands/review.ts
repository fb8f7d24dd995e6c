/**
 * `vault-roster review`: the periodic access review report (read-only), and `review stamp`,
 * which records "keep" decisions as `reviewed: {by, on}` on the user entries.
 */
import { dirname, resolve } from 'node:path';
import { loadDesiredState } from '../../desired/index.js';
import { closestMatch } from '../../desired/did-you-mean.js';
import { DiagnosticsError, VaultRosterError } from '../../errors.js';
import { grantDayStart, normaliseIdentity, type DesiredState } from '../../model.js';
import {
  createReview,
  declaringFile,
  filterReview,
  ownerSlugs,
  ownersResolver,
  readReviewConfig,
  renderOwnerMarkdown,
  renderReviewCsv,
  renderReviewMarkdown,
  buildReviewRecord,
  readJournalFacts,
  replaceFile,
  stampFiles,
  summaryText,
  type Review,
  type StampEdit,
} from '../../review/index.js';
import { existsSync } from 'node:fs';
import { journalPathFor, planId, readPlanFile } from '../../apply/index.js';
import { canonicalSha256 } from '../../plan/index.js';
import { writeFileAtomic } from '../../state/index.js';
import { TOOL_VERSION } from '../../version.js';
import { EXIT_OK, type CliIo, type Command } from '../command.js';
import { CONNECTION_OPTIONS, deadlineHelp, loadDesired, stringOption, withDesiredAndLive, workDir, type Values } from '../context.js';

const FORMATS = ['markdown', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** `--as-of`: a day (its start, UTC) or an ISO instant; default now. */
export function asOfOption(value: string | undefined, now: Date): string {
  if (value === undefined) return now.toISOString();
  const day = grantDayStart(value);
  if (day !== undefined) return new Date(day).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw new VaultRosterError('usage', `--as-of '${value}' is neither a day (YYYY-MM-DD) nor an ISO date-time`, { hint: 'e.g. --as-of 2026-06-30 (read as 00:00 UTC that day) or --as-of 2026-06-30T12:00:00Z' });
}

function vaultOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new VaultRosterError('usage', `--vault '${value}' is not a vault id`, { hint: 'pass the numeric vault id, e.g. --vault 3003' });
  return Number(value);
}

function formatOption(values: Values): Format {
  const format = stringOption(values, 'format') ?? 'markdown';
  if (!(FORMATS as readonly string[]).includes(format)) throw new VaultRosterError('usage', `unknown format '${format}'`, { hint: 'use --format markdown, csv or json.' });
  return format as Format;
}

function writeReport(review: Review, format: Format, out: string | undefined, io: CliIo): void {
  if (out === undefined) {
    io.stdout.write(format === 'json' ? JSON.stringify(review, null, 2) + '\n' : format === 'csv' ? renderReviewCsv(review) : renderReviewMarkdown(review));
    return;
  }
  const dir = resolve(io.cwd, out);
  const slugs = ownerSlugs(review.owners);
  // Which file holds each owner's report: what a CI step needs to open one issue per owner.
  const ownerReports = format === 'json' ? [] : [...slugs].map(([name, slug]) => ({ name, slug, file: `${slug}.${format === 'csv' ? 'csv' : 'md'}` }));
  writeFileAtomic(resolve(dir, 'review.json'), JSON.stringify({ ...review, owner_reports: ownerReports }, null, 2) + '\n');
  const written = ['review.json'];
  if (format !== 'json') {
    for (const [owner, slug] of slugs) {
      const mine = filterReview(review, { owner });
      const file = `${slug}.${format === 'csv' ? 'csv' : 'md'}`;
      writeFileAtomic(resolve(dir, file), format === 'csv' ? renderReviewCsv(mine) : renderOwnerMarkdown(review, owner));
      written.push(file);
    }
  }
  io.stderr.write(`wrote ${written.length} files to ${dir}: ${written.join(', ')}\n`);
}

async function runReport(values: Values, io: CliIo): Promise<number> {
  const format = formatOption(values);
  const asOf = asOfOption(stringOption(values, 'as-of'), new Date());
  const vaultId = vaultOption(stringOption(values, 'vault'));
  const owner = stringOption(values, 'owner');
  const review = await withDesiredAndLive(values, io, 'review', ({ desired, live, state, connection }) => {
    const config = readReviewConfig(desired, io.cwd);
    return createReview({ desired, live, baseline: state.baseline, config, as_of: asOf, tool_version: TOOL_VERSION, server_url: connection.serverUrl, cwd: io.cwd });
  });
  if (owner !== undefined && !review.owners.some((o) => o.toLowerCase() === owner.toLowerCase())) {
    const near = closestMatch(owner, review.owners);
    throw new VaultRosterError('usage', `--owner '${owner}' owns no user in this review`, { hint: `${near === undefined ? '' : `did you mean '${near}'? `}owners: ${review.owners.join(', ')}` });
  }
  const shown = filterReview(review, { vault_id: vaultId, owner });
  writeReport(shown, format, stringOption(values, 'out'), io);
  io.stderr.write(summaryText(shown));
  return EXIT_OK;
}

/** The users `stamp` names: USER…, every user of --owner, or --all. */
function stampTargets(desired: DesiredState, values: Values, users: readonly string[], io: CliIo): string[] {
  const owner = stringOption(values, 'owner');
  const modes = [users.length > 0, owner !== undefined, values.all === true].filter(Boolean).length;
  if (modes !== 1) throw new VaultRosterError('usage', 'review stamp needs exactly one of: user names, --owner NAME, --all', { hint: "e.g. vault-roster review stamp --by 'Kate Grossman <kate@veepharm.com>' kate.grossman@veepharm.com" });
  const known = desired.users.map((u) => u.user_name);
  if (values.all === true) return known;
  if (owner !== undefined) {
    const ownersOf = ownersResolver(desired, readReviewConfig(desired, io.cwd), io.cwd);
    const mine = desired.users.filter((u) => ownersOf(u).some((o) => o.toLowerCase() === owner.toLowerCase())).map((u) => u.user_name);
    if (mine.length === 0) throw new VaultRosterError('usage', `--owner '${owner}' owns no declared user`, { hint: 'owners come from review.owners in roster.yaml, else CODEOWNERS; run vault-roster review to see them' });
    return mine;
  }
  return users.map((raw) => {
    const name = normaliseIdentity(raw);
    if (known.includes(name)) return name;
    const near = closestMatch(name, known);
    throw new VaultRosterError('usage', `user ${name} is declared in no file, so it cannot be stamped`, { hint: near === undefined ? 'an orphan (ORPHANED) must be declared first' : `did you mean ${near}?` });
  });
}

function stampEdits(desired: DesiredState, names: readonly string[], cwd: string): StampEdit[] {
  const byFile = new Map<string, { display: string; users: Set<string> }>();
  const wanted = new Set(names);
  for (const user of desired.users) {
    if (!wanted.has(user.user_name)) continue;
    const path = resolve(dirname(desired.config_path), declaringFile(desired, user, cwd));
    const entry = byFile.get(path) ?? { display: user.source.file, users: new Set<string>() };
    entry.users.add(user.user_name);
    byFile.set(path, entry);
  }
  return [...byFile].map(([path, e]) => ({ path, display: e.display, users: e.users }));
}

async function runStamp(values: Values, users: readonly string[], io: CliIo): Promise<number> {
  const by = stringOption(values, 'by')?.trim();
  if (by === undefined || by === '') throw new VaultRosterError('usage', 'review stamp needs --by', { hint: "name the reviewer: --by 'Kate Grossman <kate.grossman@veepharm.com>'" });
  const on = stringOption(values, 'on') ?? new Date().toISOString().slice(0, 10);
  if (grantDayStart(on) === undefined) throw new VaultRosterError('usage', `--on '${on}' is not a calendar day`, { hint: 'write it as YYYY-MM-DD, e.g. --on 2026-06-30' });
  // Refuses a repo with any error before touching a file.
  const desired = await loadDesired(values, io);
  const names = stampTargets(desired, values, users, io);
  const { originals, stamped } = stampFiles(stampEdits(desired, names, io.cwd), { by, on });
  const after = await loadDesiredState(desired.config_path, { cwd: io.cwd });
  if (!after.ok) {
    for (const [path, text] of originals) replaceFile(path, text);
    throw new DiagnosticsError('the stamped files did not validate, so they were put back as they were', after.diagnostics);
  }
  io.stderr.write(`stamped reviewed: {by: ${by}, on: ${on}} on ${stamped.length} user${stamped.length === 1 ? '' : 's'} in ${originals.size} file${originals.size === 1 ? '' : 's'}\n`);
  return EXIT_OK;
}

/** `review record`: the evidence of a review's decisions, kept under the state folder. */
async function runRecord(values: Values, io: CliIo): Promise<number> {
  const by = stringOption(values, 'by')?.trim();
  if (by === undefined || by === '') throw new VaultRosterError('usage', 'review record needs --by', { hint: "name the reviewer: --by 'Kate Grossman <kate.grossman@veepharm.com>'" });
  const planPath = stringOption(values, 'plan');
  if (planPath === undefined) throw new VaultRosterError('usage', 'review record needs --plan', { hint: 'give the plan made from the merged review PR: vault-roster plan --out plan.json' });
  const on = stringOption(values, 'on') ?? new Date().toISOString().slice(0, 10);
  if (grantDayStart(on) === undefined) throw new VaultRosterError('usage', `--on '${on}' is not a calendar day`, { hint: 'write it as YYYY-MM-DD, e.g. --on 2026-06-30' });
  const desired = await loadDesired(values, io);
  const plan = readPlanFile(resolve(io.cwd, planPath));
  const given = stringOption(values, 'journal');
  const journalPath = given === undefined ? journalPathFor(resolve(workDir(desired), 'journal'), plan) : resolve(io.cwd, given);
  if (given !== undefined && !existsSync(journalPath)) throw new VaultRosterError('journal-file', `journal ${journalPath} does not exist`, { hint: 'give the journal apply wrote for this plan (.vault-roster/journal/<plan id>.jsonl), or leave --journal out before apply' });
  const journal = existsSync(journalPath) ? readJournalFacts(journalPath) : undefined;
  const config = readReviewConfig(desired, io.cwd);
  const record = buildReviewRecord({ desired, plan, plan_id: planId(plan), journal, reviewer: by, date: on, interval_days: config.settings.interval_days });
  const path = resolve(workDir(desired), 'reviews', `${on}-${canonicalSha256(record).slice(0, 12)}.json`);
  writeFileAtomic(path, JSON.stringify(record, null, 2) + '\n');
  const count = (d: string): number => record.entries.filter((e) => e.decisions.includes(d as 'keep')).length;
  io.stderr.write(`review record ${path}: keep ${count('keep')}, revoke ${count('revoke')}, defer ${count('defer')}, undecided ${count('none')}${journal === undefined ? ' (no journal yet: execution ids are recorded once the plan is applied)' : ''}\n`);
  return EXIT_OK;
}

export const reviewCommand: Command = {
  name: 'review',
  summary: 'Periodic access review per vault and owner (Markdown, CSV, JSON); review stamp records decisions',
  help: `Usage: vault-roster review [--config roster.yaml] [--vault ID] [--owner NAME]
                           [--format markdown|csv|json] [--out DIR] [--as-of DATE]
       vault-roster review stamp --by 'Name <email>' [--on DATE] (USER… | --owner NAME | --all)
       vault-roster review record --plan plan.json --by 'Name <email>' [--on DATE] [--journal FILE]

review: reads the YAML and Vault (read-only: never writes to Vault) and lists every user per
vault with profile, licence, app licences, groups, SiteVault assignments, last login, time boxes
and review stamps, with flags: ORPHANED, EXPIRED, DRIFTED, PRIVILEGED, EXTERNAL, NEVER_LOGGED_IN,
DORMANT, EXPIRING, REVIEW_DUE. Owners come from review.owners in roster.yaml, else CODEOWNERS.

stamp: writes reviewed: {by, on} on the named users' entries (keep decisions), leaving the rest
of each file as it is, then validates the repo again (a failure puts the files back).

record: writes the evidence of a review to .vault-roster/reviews/<date>-<id>.json: the reviewer,
the day, and per user keep (reviewed.on in this review's window), revoke (what the plan takes
away) or defer (an exception in force), with the Vault execution ids of the remediation calls
from the plan's apply journal (.vault-roster/journal/<plan id>.jsonl, or --journal).

Options:
  -c, --config FILE   Config file (default: roster.yaml)
      --vault ID      Only rows of this vault
      --owner NAME    Only this owner's users (stamp: stamp all of them)
  -f, --format FMT    markdown (default: one document per owner), csv (one row per user and
                      vault) or json (specs/review.schema.json)
  -o, --out DIR       Write DIR/<owner>.md or .csv per owner and DIR/review.json (else stdout)
      --as-of DATE    Judge dates as of DATE (YYYY-MM-DD or ISO date-time; default now)
      --by WHO        stamp: the reviewer, e.g. 'Kate Grossman <kate@veepharm.com>'
      --on DATE       stamp: the day of the decision (default today, UTC)
      --all           stamp: every declared user
      --plan FILE     record: the plan made from the merged review (plan --out FILE)
      --journal FILE  record: the apply journal of that plan (default: found by plan id)
  -v, --verbose       Log every Vault call to stderr
${deadlineHelp(23)}
  -h, --help          Show this help

Connection (review): VAULT_URL, VAULT_USERNAME + VAULT_PASSWORD (or VAULT_SESSION_ID), VAULT_API_VERSION.
Exit codes: 0 report written (flags are not failures) / stamped, 1 error.
`,
  options: {
    ...CONNECTION_OPTIONS,
    vault: { type: 'string' },
    owner: { type: 'string' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    'as-of': { type: 'string' },
    by: { type: 'string' },
    on: { type: 'string' },
    all: { type: 'boolean' },
    plan: { type: 'string' },
    journal: { type: 'string' },
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const [sub, ...rest] = positionals;
    if (sub === 'stamp') return runStamp(values, rest, io);
    if (sub === 'record') {
      if (rest.length > 0) throw new VaultRosterError('usage', `review record takes no user names (got ${rest.join(' ')})`, { hint: 'vault-roster review record --plan plan.json --by WHO' });
      return runRecord(values, io);
    }
    if (sub !== undefined) throw new VaultRosterError('usage', `unknown review subcommand '${sub}'`, { hint: 'use vault-roster review [options] or vault-roster review stamp …' });
    for (const only of ['by', 'on', 'all', 'plan', 'journal'] as const) {
      if (values[only] !== undefined) throw new VaultRosterError('usage', `--${only} belongs to review stamp`, { hint: "e.g. vault-roster review stamp --by 'Name <email>' USER" });
    }
    return runReport(values, io);
  },
};
