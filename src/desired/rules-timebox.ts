/**
 * Rules over time-boxed grants (`valid_from`, `valid_until`, `reason` on a user or a membership).
 * The schema checks the YYYY-MM-DD form; these check what it cannot: a real calendar day, an end
 * not before the start, and a reason that belongs to a time box.
 */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { grantDayStart, normaliseIdentity } from '../model.js';
import type { UserEntry } from './entries.js';
import type { RawGrant } from './raw-types.js';
import type { DataPath } from './yaml-file.js';

function error(entry: UserEntry, code: DiagnosticCode, summary: string, hint: string, path: DataPath, part: 'key' | 'value'): Diagnostic {
  const user = normaliseIdentity(entry.raw.user_name);
  return { severity: 'error', code, summary, hint, position: entry.yaml.locate([...entry.path, ...path], part), subject: { user } };
}

/** The diagnostics of one grant at `at` (a path within the user entry; [] = the user itself). */
function grantProblems(entry: UserEntry, grant: RawGrant, at: DataPath, what: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const starts: Partial<Record<'valid_from' | 'valid_until', number>> = {};
  for (const key of ['valid_from', 'valid_until'] as const) {
    const text = grant[key];
    if (text === undefined) continue;
    const start = grantDayStart(text);
    if (start === undefined) {
      found.push(error(entry, 'grant-invalid-date', `${key} ${text} of ${what} is not a calendar date`, 'Write a real day as YYYY-MM-DD, e.g. 2026-02-28 (months 01-12, days that month has).', [...at, key], 'value'));
    } else {
      starts[key] = start;
    }
  }
  if (starts.valid_from !== undefined && starts.valid_until !== undefined && starts.valid_until < starts.valid_from) {
    found.push(
      error(
        entry,
        'grant-ends-before-start',
        `valid_until ${grant.valid_until ?? ''} of ${what} is before its valid_from ${grant.valid_from ?? ''}`,
        'Both days are inclusive: set valid_until on or after valid_from (swap them if they were typed the wrong way round).',
        [...at, 'valid_until'],
        'value',
      ),
    );
  }
  if (grant.reason !== undefined && grant.valid_from === undefined && grant.valid_until === undefined) {
    found.push(
      error(entry, 'grant-reason-without-dates', `reason on ${what} explains a time box, but it has no valid_from or valid_until`, 'Add valid_until (the last day the access is needed), or remove reason.', [...at, 'reason'], 'key'),
    );
  }
  return found;
}

/** Every time box of every user: the user's own and each membership's. */
export function grantDates(users: readonly UserEntry[]): Diagnostic[] {
  return users.flatMap((entry) => {
    const name = normaliseIdentity(entry.raw.user_name);
    const own = grantProblems(entry, entry.raw, [], `user ${name}`);
    const memberships = (entry.raw.memberships ?? []).flatMap((m, index) => grantProblems(entry, m, ['memberships', index], `the membership of vault ${m.vault}`));
    return [...own, ...memberships];
  });
}
