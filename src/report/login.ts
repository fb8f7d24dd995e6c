/**
 * Days since a user's last login, as of a given clock: the one reading of `LiveUser.last_login`
 * the seat report uses (and that `vault-roster review` can share). It never guesses: a login Vault
 * did not report is `not_reported`, never "never logged in", and a value it could not read stops
 * the caller with an error that names the user, the field and the excerpt.
 */
import { daysSinceLogin as daysFrom, knownLogin } from '../last-login.js';
import type { LastLogin } from '../model.js';

/** How a user's last login stands against a dormancy threshold, as of one clock. */
export type LoginStanding =
  | { readonly kind: 'recent'; readonly at: string; readonly days: number }
  | { readonly kind: 'dormant'; readonly at: string; readonly days: number }
  | { readonly kind: 'never' }
  | { readonly kind: 'not_reported' };

/** Whole days from `at` to `asOf` (both ISO-8601 instants), rounded down; see src/last-login.ts. */
export function daysSinceLogin(at: string, asOf: string): number {
  const from = Date.parse(at);
  const to = Date.parse(asOf);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new RangeError(`daysSinceLogin: '${at}' or '${asOf}' is not an instant`);
  return daysFrom(at, to);
}

/**
 * The standing of `user`'s last login as of `asOf`: dormant when `dormantDays` or more whole days
 * have passed. An `unreadable` value throws (`vault-decode`, src/last-login.ts).
 */
export function loginStanding(user: string, login: LastLogin | undefined, asOf: string, dormantDays: number): LoginStanding {
  const known = knownLogin(user, login);
  if (known.kind !== 'at') return known;
  const days = daysSinceLogin(known.at, asOf);
  return days >= dormantDays ? { kind: 'dormant', at: known.at, days } : { kind: 'recent', at: known.at, days };
}
