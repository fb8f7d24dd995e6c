/** Short texts the review's views share, so Markdown, CSV and the summary never disagree. */
import type { Review, ReviewGrant, ReviewLastLogin } from './types.js';
import { REVIEW_FLAGS, type ReviewFlag } from '../model.js';

export function lastLoginText(login: ReviewLastLogin): string {
  switch (login.kind) {
    case 'at':
      return `${login.at.slice(0, 10)} (${login.days_ago} days ago)`;
    case 'never':
      return 'never';
    case 'not_reported':
      return 'not reported';
    case 'no_account':
      return 'no account yet';
    default: {
      const never: never = login;
      return never;
    }
  }
}

export function grantText(grant: ReviewGrant): string {
  const span = [grant.valid_from === null ? undefined : `from ${grant.valid_from}`, grant.valid_until === null ? undefined : `until ${grant.valid_until}`].filter((p) => p !== undefined).join(' ');
  const state = grant.state === 'valid' ? (grant.days_left === null ? '' : `, ${grant.days_left} days left`) : `, ${grant.state}`;
  return `${grant.scope} ${span}${state}${grant.reason === null ? '' : ` (${grant.reason})`}`;
}

/** What each flag asks of the reviewer. */
export const FLAG_MEANINGS: Readonly<Record<ReviewFlag, string>> = {
  ORPHANED: 'in Vault but in no file: declare it (keep) or let the plan deactivate it (policy.unmanaged_users: deactivate)',
  EXPIRED: 'a time box has ended: the next apply removes the access unless valid_until moves',
  DRIFTED: 'Vault differs from the YAML: the next apply changes it (see plan)',
  PRIVILEGED: 'administers a vault (admin profile) or the domain (Domain Admin)',
  EXTERNAL: 'external licence or VeevaID security policy',
  NEVER_LOGGED_IN: 'has an active account but Vault reports no login ever',
  DORMANT: 'no login for review.dormant_days or more',
  EXPIRING: 'a time box ends within policy.expiry_warning_days',
  REVIEW_DUE: 'never reviewed, or reviewed.on is older than review.interval_days',
};

/** Rows per flag, in REVIEW_FLAGS order, flags with no row left out. */
export function flagCounts(review: Review): { flag: ReviewFlag; users: number }[] {
  return REVIEW_FLAGS.map((flag) => ({ flag, users: new Set(review.rows.filter((r) => r.flags.includes(flag)).map((r) => r.user_name)).size })).filter((c) => c.users > 0);
}

/** One stderr line per owner plus the flag counts. */
export function summaryText(review: Review): string {
  const users = new Set(review.rows.map((r) => r.user_name)).size;
  const counts = flagCounts(review).map((c) => `${c.flag} ${c.users}`);
  const lines = [`review as of ${review.as_of.slice(0, 10)}: ${users} users, ${review.rows.length} user×vault rows, ${review.owners.length} owners (owners from ${review.owners_from})`];
  lines.push(counts.length === 0 ? 'no flags' : `flags (users): ${counts.join(', ')}`);
  for (const owner of review.owners) {
    const mine = review.rows.filter((r) => r.owners.includes(owner));
    const flagged = new Set(mine.filter((r) => r.flags.length > 0).map((r) => r.user_name)).size;
    lines.push(`  ${owner}: ${new Set(mine.map((r) => r.user_name)).size} users, ${flagged} flagged`);
  }
  return lines.join('\n') + '\n';
}
