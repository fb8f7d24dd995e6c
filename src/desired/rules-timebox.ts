/**
 * Rules over time-boxed grants (`valid_from`, `valid_until`, `reason` on a user or a membership).
 * The schema checks the YYYY-MM-DD form; these check what it cannot: a real calendar day, an end
 * not before the start, and a reason that belongs to a time box.
 */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { grantDayStart, normaliseIdentity, timeboxPopulations, type TimeboxPopulation } from '../model.js';
import type { ConfigEntry, UserEntry } from './entries.js';
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

/** The populations of `policy.require_valid_until` that `found` names, in their order. */
function required(config: ConfigEntry, found: readonly TimeboxPopulation[]): TimeboxPopulation[] {
  const policy = config.raw.policy?.require_valid_until;
  return policy === undefined ? [] : found.filter((p) => policy[p] !== undefined);
}

function requiredError(entry: UserEntry, what: string, populations: readonly TimeboxPopulation[], config: ConfigEntry, path: DataPath): Diagnostic {
  const limits = populations.map((p) => config.raw.policy?.require_valid_until?.[p]?.max_days).filter((d): d is number => d !== undefined);
  const within = limits.length === 0 ? '' : ` (at most ${Math.min(...limits)} days ahead)`;
  return error(
    entry,
    'grant-required',
    `${what} needs a valid_until: policy.require_valid_until.${populations.join(' and .')} in roster.yaml requires one`,
    `Add valid_until: YYYY-MM-DD${within} to it or to the user, with a reason.`,
    path,
    'key',
  );
}

/**
 * `policy.require_valid_until`: every active membership in a named population has a `valid_until`
 * of its own or the user's (a user whose memberships are unmanaged needs their own). Whether it is
 * short enough depends on the day, so the plan checks that (`grant-too-long`).
 */
export function requiredGrants(users: readonly UserEntry[], config: ConfigEntry): Diagnostic[] {
  if (config.raw.policy?.require_valid_until === undefined) return [];
  const defaults = config.raw.defaults;
  return users.flatMap((entry) => {
    const raw = entry.raw;
    if (raw.active === false || raw.valid_until !== undefined) return [];
    const user = { license_type: raw.license_type ?? defaults?.license_type, security_policy: String(raw.security_policy ?? defaults?.security_policy ?? '').trim() };
    const name = normaliseIdentity(raw.user_name);
    if (raw.memberships === undefined) {
      const populations = required(config, timeboxPopulations(user, undefined));
      return populations.length === 0 ? [] : [requiredError(entry, `user ${name}`, populations, config, ['user_name'])];
    }
    return raw.memberships.flatMap((m, index) => {
      if (m.active === false || m.valid_until !== undefined) return [];
      const membership = { license_type: m.license_type ?? defaults?.license_type ?? 'full__v', security_profile: m.security_profile ?? defaults?.security_profile ?? 'document_user__v' };
      const populations = required(config, timeboxPopulations(user, membership));
      return populations.length === 0 ? [] : [requiredError(entry, `the membership of vault ${m.vault} of ${name}`, populations, config, ['memberships', index, 'vault'])];
    });
  });
}
