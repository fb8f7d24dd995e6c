/**
 * Rules over the review keys of a user (`reviewed`, `review_exception`). The schema checks the
 * YYYY-MM-DD form; these check that each date is a real calendar day, so a review never reads a
 * stamp or an exception date it cannot place.
 */
import type { Diagnostic } from '../diagnostics.js';
import { grantDayStart, normaliseIdentity } from '../model.js';
import type { UserEntry } from './entries.js';

function invalidDate(entry: UserEntry, key: 'reviewed' | 'review_exception', field: 'on' | 'until', text: string): Diagnostic {
  const user = normaliseIdentity(entry.raw.user_name);
  return {
    severity: 'error',
    code: 'review-invalid-date',
    summary: `${key}.${field} ${text} of user ${user} is not a calendar date`,
    hint: 'Write a real day as YYYY-MM-DD, e.g. 2026-02-28 (months 01-12, days that month has).',
    position: entry.yaml.locate([...entry.path, key, field], 'value'),
    subject: { user, field: `${key}.${field}` },
  };
}

/** `reviewed.on` and `review_exception.until` of every user name real days. */
export function reviewDates(users: readonly UserEntry[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const entry of users) {
    const on = entry.raw.reviewed?.on;
    if (on !== undefined && grantDayStart(on) === undefined) found.push(invalidDate(entry, 'reviewed', 'on', on));
    const until = entry.raw.review_exception?.until;
    if (until !== undefined && grantDayStart(until) === undefined) found.push(invalidDate(entry, 'review_exception', 'until', until));
  }
  return found;
}
