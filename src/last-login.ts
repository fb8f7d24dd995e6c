/**
 * Reading `LiveUser.last_login` for the reports that judge inactivity (`report seats`, `review`):
 * one refusal for a value Vault sent in a form not understood, one rule for counting days.
 */
import { VaultRosterError } from './errors.js';
import type { LastLogin } from './model.js';

const DAY_MS = 86_400_000;

export type KnownLogin = Exclude<LastLogin, { readonly kind: 'unreadable' }>;

/**
 * `login` as a report may use it. A record not read from a listing is `not_reported` (never
 * "never"); a value not understood stops the report, naming the user, the field and the excerpt.
 */
export function knownLogin(user: string, login: LastLogin | undefined): KnownLogin {
  if (login === undefined) return { kind: 'not_reported' };
  if (login.kind !== 'unreadable') return login;
  throw new VaultRosterError(
    'vault-decode',
    `user ${user}: last_login__v ${login.excerpt} from GET /api/…/objects/users (Retrieve All Users) is not an ISO-8601 instant or null; the report cannot tell when this user last logged in`,
    { hint: 'nothing was written: check the user in Admin > Users, and run "vault-roster doctor --record" to attach a capture to a bug report so the format can be supported.' },
  );
}

/**
 * Whole days from the login `at` to `asOf` (ms), rounded down. A login after the clock (the
 * report's own session, skew, or an as-of in the past) counts as 0 days: it is a login, not a future one.
 */
export function daysSinceLogin(at: string, asOf: number): number {
  return Math.max(0, Math.floor((asOf - Date.parse(at)) / DAY_MS));
}
