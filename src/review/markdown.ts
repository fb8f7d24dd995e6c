/**
 * The review as Markdown: one document per owner, to paste as (or open as) a PR or issue body.
 * A checkbox per user, flagged users first, and how to record each decision as an edit.
 */
import { markdownCode as code, markdownProse as prose } from '../render/index.js';
import type { Review, ReviewRow } from './types.js';
import { FLAG_MEANINGS, flagCounts, grantText, lastLoginText } from './text.js';

/** Hidden marker so CI can find and update the issue or PR of one owner's review. */
export const REVIEW_MARKER = '<!-- vault-roster:review -->';

function vaultLine(row: ReviewRow): string {
  const parts = [
    row.vault_id === null ? 'no vault membership' : `vault ${row.vault_id}`,
    row.security_profile === null ? undefined : `${code(row.security_profile)}${row.membership_active === false ? ' (inactive)' : ''}`,
    row.license_type === null ? undefined : `licence ${code(row.license_type)}`,
    row.app_licences.length === 0 ? undefined : `apps ${row.app_licences.map((a) => `${code(a.app)}=${code(a.license_type)}${a.active ? '' : ' (inactive)'}`).join(', ')}`,
    row.groups === null || row.groups.length === 0 ? undefined : `groups ${row.groups.map(code).join(', ')}`,
    ...row.grants.map((g) => prose(grantText(g))),
  ].filter((p): p is string => p !== undefined);
  const flags = row.flags.length === 0 ? '' : ` — **${row.flags.join(', ')}**`;
  return `  - ${parts.join('; ')}${flags}`;
}

function userBlock(rows: readonly ReviewRow[]): string[] {
  const first = rows[0];
  if (first === undefined) return [];
  const flags = [...new Set(rows.flatMap((r) => r.flags))];
  const title = `${code(first.user_name)}${first.display_name === null ? '' : ` (${prose(first.display_name)})`}`;
  const lines = [`- [ ] ${title}${flags.length === 0 ? '' : ` — **${flags.join(', ')}**`}`];
  const facts = [
    `last login: ${lastLoginText(first.last_login)}`,
    first.domain_admin === true ? 'Domain Admin' : undefined,
    first.domain_active === false ? 'domain account inactive' : undefined,
    first.declared_at === null ? 'declared in no file' : `declared at ${code(first.declared_at)}`,
    first.reviewed === null ? 'never reviewed' : `reviewed ${first.reviewed.on} by ${prose(first.reviewed.by)}`,
  ].filter((p): p is string => p !== undefined);
  lines.push(`  - ${facts.join('; ')}`);
  lines.push(...rows.map(vaultLine));
  if (first.sitevault.length > 0) lines.push(`  - SiteVault: ${first.sitevault.map((s) => prose(s)).join('; ')}`);
  const exception = first.exception;
  if (exception !== null) {
    const deferred = [...new Set(rows.flatMap((r) => r.deferred))];
    lines.push(`  - exception ${exception.in_force ? 'until' : 'ENDED on'} ${exception.until} for ${exception.flags.join(', ')}: ${prose(exception.reason)}${deferred.length === 0 ? '' : ` (deferring ${deferred.join(', ')})`}`);
  }
  const drift = [...new Set(rows.flatMap((r) => r.drift))];
  if (drift.length > 0) lines.push(`  - the plan would: ${drift.map(code).join(', ')}`);
  return lines;
}

function byUser(rows: readonly ReviewRow[]): ReviewRow[][] {
  const groups = new Map<string, ReviewRow[]>();
  for (const row of rows) groups.set(row.user_name, [...(groups.get(row.user_name) ?? []), row]);
  return [...groups.values()];
}

function howToDecide(owner: string): string[] {
  return [
    '### How to decide',
    'Tick a box once you have decided, then record the decision as an ordinary edit in a pull request:',
    `- **Keep**: \`vault-roster review stamp --by 'Your Name <you@example.com>' USER…\` (or \`--owner ${owner.replace(/'/g, '')}\`) writes \`reviewed: {by, on}\` on the entries.`,
    '- **Revoke**: remove the entry, or set `active: false` (on the user or on one membership); the next plan deactivates it.',
    '- **Defer**: add `review_exception: {until: YYYY-MM-DD, reason: …, flags: [DORMANT, …]}` to the entry; those flags stay quiet until that day and the exception is listed here.',
    '- **ORPHANED** users are in no file: declare them to keep them (`vault-roster import` writes entries), or let `policy.unmanaged_users: deactivate` remove them.',
  ];
}

/** The document of one owner. */
export function renderOwnerMarkdown(review: Review, owner: string): string {
  const rows = review.rows.filter((r) => r.owners.includes(owner));
  const users = byUser(rows);
  const flagged = users.filter((u) => u.some((r) => r.flags.length > 0));
  const clear = users.filter((u) => u.every((r) => r.flags.length === 0));
  const mine: Review = { ...review, rows };
  const counts = flagCounts(mine);
  const lines = [
    REVIEW_MARKER,
    `## Access review for ${prose(owner)}, as of ${review.as_of.slice(0, 10)}`,
    '',
    `${users.length} users (${rows.length} user×vault rows), ${flagged.length} flagged. Owners from ${prose(review.owners_from)}. Last logins are Vault's \`last_login__v\` as the listing of vault ${review.session_vault_id} gives it (one value per user, not per vault).`,
    '',
    ...(counts.length === 0 ? [] : ['| Flag | Users | Meaning |', '|---|---|---|', ...counts.map((c) => `| ${c.flag} | ${c.users} | ${FLAG_MEANINGS[c.flag]} |`), '']),
    `### Flagged (${flagged.length})`,
    ...(flagged.length === 0 ? ['None.'] : flagged.flatMap(userBlock)),
    '',
    `### No flags (${clear.length})`,
    ...(clear.length === 0 ? ['None.'] : clear.flatMap(userBlock)),
    '',
    ...howToDecide(owner),
  ];
  return lines.join('\n') + '\n';
}

/** Every owner's document, one after the other (stdout without --out). */
export function renderReviewMarkdown(review: Review): string {
  if (review.owners.length === 0) return `${REVIEW_MARKER}\n## Access review, as of ${review.as_of.slice(0, 10)}\n\nNo users to review.\n`;
  return review.owners.map((owner) => renderOwnerMarkdown(review, owner)).join('\n---\n\n');
}
