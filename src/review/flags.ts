/**
 * The flags of one review row, from facts already gathered. Pure; each flag is one small rule so
 * the e2e tests can state the same rule over the simulator's state.
 */
import { GRANT_DAY_MS, grantDayStart, isAdminProfile, REVIEW_FLAGS, timeboxPopulations, type ReviewException, type ReviewFlag } from '../model.js';
import type { ReviewGrant, ReviewLastLogin } from './types.js';

export interface RowFacts {
  readonly orphaned: boolean;
  /** The account is domain-active in Vault (logins only matter for an account that can log in). */
  readonly live_active: boolean;
  readonly last_login: ReviewLastLogin;
  readonly domain_admin: boolean;
  readonly security_profile: string | null;
  readonly membership_active: boolean | null;
  readonly user_license: string | null;
  readonly license_type: string | null;
  readonly security_policy: string | null;
  readonly grants: readonly ReviewGrant[];
  readonly drifted: boolean;
  /** The YAML itself revokes the user (`active: false`): no review is due. */
  readonly revoked: boolean;
  readonly reviewed_on: string | null;
}

export interface FlagRules {
  readonly as_of: number;
  readonly dormant_days: number;
  readonly interval_days: number;
  readonly expiry_warning_days: number;
}

function privileged(f: RowFacts): boolean {
  return f.domain_admin || (f.membership_active !== false && isAdminProfile(f.security_profile));
}

function external(f: RowFacts): boolean {
  const user = { license_type: f.user_license ?? undefined, security_policy: f.security_policy ?? undefined };
  const membership = { license_type: f.license_type ?? undefined, security_profile: f.security_profile ?? undefined };
  return timeboxPopulations(user, membership).some((p) => p === 'external_licenses' || p === 'veevaid_users');
}

function reviewDue(f: RowFacts, rules: FlagRules): boolean {
  if (f.orphaned || f.revoked) return false;
  const on = f.reviewed_on === null ? undefined : grantDayStart(f.reviewed_on);
  return on === undefined || rules.as_of >= on + rules.interval_days * GRANT_DAY_MS;
}

/** Every flag the facts raise, in REVIEW_FLAGS order. */
export function rawFlags(f: RowFacts, rules: FlagRules): ReviewFlag[] {
  const raised = new Set<ReviewFlag>();
  if (f.orphaned) raised.add('ORPHANED');
  if (f.grants.some((g) => g.state === 'expired')) raised.add('EXPIRED');
  if (f.drifted) raised.add('DRIFTED');
  if (privileged(f)) raised.add('PRIVILEGED');
  if (external(f)) raised.add('EXTERNAL');
  if (f.live_active && f.last_login.kind === 'never') raised.add('NEVER_LOGGED_IN');
  if (f.live_active && f.last_login.kind === 'at' && f.last_login.days_ago >= rules.dormant_days) raised.add('DORMANT');
  if (f.grants.some((g) => g.state === 'valid' && g.days_left !== null && g.days_left < rules.expiry_warning_days)) raised.add('EXPIRING');
  if (reviewDue(f, rules)) raised.add('REVIEW_DUE');
  return REVIEW_FLAGS.filter((flag) => raised.has(flag));
}

/** Whether an exception still holds at `asOf` (its `until` day included). */
export function exceptionInForce(exception: Pick<ReviewException, 'until'>, asOf: number): boolean {
  const until = grantDayStart(exception.until);
  return until !== undefined && asOf < until + GRANT_DAY_MS;
}

/** Raised flags split into shown and deferred by an exception in force. */
export function applyException(flags: readonly ReviewFlag[], exception: ReviewException | undefined, asOf: number): { flags: ReviewFlag[]; deferred: ReviewFlag[] } {
  if (exception === undefined || !exceptionInForce(exception, asOf)) return { flags: [...flags], deferred: [] };
  const named = new Set(exception.flags);
  return { flags: flags.filter((f) => !named.has(f)), deferred: flags.filter((f) => named.has(f)) };
}
