/**
 * The review as CSV (RFC 4180: CRLF rows, fields quoted when they hold `,` `"` CR or LF, quotes
 * doubled), one row per user and vault, for reviewers who work in spreadsheets. A cell a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading `'`.
 */
import type { Review, ReviewRow } from './types.js';
import { grantText, lastLoginText } from './text.js';

export const CSV_COLUMNS = [
  'owners',
  'user_name',
  'name',
  'vault_id',
  'flags',
  'deferred',
  'security_profile',
  'license_type',
  'membership_active',
  'domain_active',
  'domain_admin',
  'security_policy',
  'app_licences',
  'groups',
  'sitevault',
  'last_login',
  'grants',
  'reviewed_by',
  'reviewed_on',
  'exception',
  'declared_at',
  'drift',
  'decision',
] as const;

/** A cell as text a spreadsheet shows, never runs. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function flag(value: boolean | null): string {
  return value === null ? '' : String(value);
}

function cells(row: ReviewRow): string[] {
  return [
    row.owners.join('; '),
    row.user_name,
    row.display_name ?? '',
    row.vault_id === null ? '' : String(row.vault_id),
    row.flags.join(' '),
    row.deferred.join(' '),
    row.security_profile ?? '',
    row.license_type ?? '',
    flag(row.membership_active),
    flag(row.domain_active),
    flag(row.domain_admin),
    row.security_policy ?? '',
    row.app_licences.map((a) => `${a.app}=${a.license_type}${a.active ? '' : ' (inactive)'}`).join('; '),
    row.groups === null ? '(not read)' : row.groups.join('; '),
    row.sitevault.join('; '),
    lastLoginText(row.last_login),
    row.grants.map(grantText).join('; '),
    row.reviewed?.by ?? '',
    row.reviewed?.on ?? '',
    row.exception === null ? '' : `${row.exception.flags.join(' ')} until ${row.exception.until}${row.exception.in_force ? '' : ' (ended)'}: ${row.exception.reason}`,
    row.declared_at ?? '',
    row.drift.join('; '),
    // Left for the reviewer: keep / revoke / defer.
    '',
  ];
}

export function renderReviewCsv(review: Review): string {
  const lines = [CSV_COLUMNS.join(','), ...review.rows.map((row) => cells(row).map(csvCell).join(','))];
  return lines.join('\r\n') + '\r\n';
}
