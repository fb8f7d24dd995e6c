/**
 * Days since a user's last login, as of a given clock: the one reading of `LiveUser.last_login`
 * the seat report uses (and that `vault-roster review` can share). It never guesses: a login Vault
 * did not report is `not_reported`, never "never logged in", and a value it could not read stops
 * the caller with an error that names the user, the field and the excerpt.
 */
import { VaultRosterError } from '../errors.js';
import type { LastLogin } from '../model.js';

const DAY_MS = 86_400_000;

/** How a user's last login stands against a dormancy threshold, as of one clock. */
export type LoginStanding =
  | { readonly kind: 'recent'; readonly at: string; readonly days: number }
  | { readonly kind: 'dormant'; readonly at: string; readonly days: number }
  | { readonly kind: 'never' }
  | { readonly kind: 'not_reported' };

/**
 * Whole days from `at` to `asOf` (both ISO-8601 instants), rounded down. A login after the clock
 * (clock skew between Vault and this machine) counts as 0 days: it is a login, not a future one.
 */
export function daysSinceLogin(at: string, asOf: string): number {
  const from = Date.parse(at);
  const to = Date.parse(asOf);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new RangeError(`daysSinceLogin: '${at}' or '${asOf}' is not an instant`);
  return Math.max(0, Math.floor((to - from) / DAY_MS));
}

/**
 * The standing of `user`'s last login as of `asOf`: dormant when `dormantDays` or more whole days
 * have passed. `undefined` (a record not read from a listing) is `not_reported`. An `unreadable`
 * value throws (`vault-decode`), naming the user, `last_login__v` and what Vault sent.
 */
export function loginStanding(user: string, login: LastLogin | undefined, asOf: string, dormantDays: number): LoginStanding {
  if (login === undefined || login.kind === 'not_reported') return { kind: 'not_reported' };
  if (login.kind === 'never') return { kind: 'never' };
  if (login.kind === 'unreadable') {
    throw new VaultRosterError('vault-decode', `user ${user}: last_login__v is not an ISO-8601 instant or null: ${login.excerpt}`, {
      hint: 'the report cannot tell whether this user is inactive without it: check the user in Admin > Users, and report the value Vault sent as a vault-roster issue.',
    });
  }
  const days = daysSinceLogin(login.at, asOf);
  return days >= dormantDays ? { kind: 'dormant', at: login.at, days } : { kind: 'recent', at: login.at, days };
}
