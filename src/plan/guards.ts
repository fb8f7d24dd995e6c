/**
 * Guards: dangerous plans become error diagnostics on the plan itself (so they show in review),
 * downgraded to warnings only by the matching `--allow-…` flag. Locking out the account the
 * tool runs as is never allowed.
 */
import type { Diagnostic, DiagnosticSubject, DiagnosticCode } from '../diagnostics.js';
import type { LiveState, LiveUser, Membership, Policy } from '../model.js';
import type { UserPlanItem } from './diff-users.js';
import { ADMIN_PROFILES } from './risks.js';
import type { PlanAllowFlags } from './types.js';
import { membershipOf, type UserAfter } from './user-delta.js';

function guard(
  code: DiagnosticCode,
  flag: string,
  allowed: boolean | undefined,
  summary: string,
  hint: string,
  subject?: DiagnosticSubject,
): Diagnostic {
  const base = allowed === true
    ? { severity: 'warning' as const, code, summary: `${summary} (allowed by --allow-${flag})`, hint: `drop --allow-${flag} to block this` }
    : { severity: 'error' as const, code, summary, hint: `${hint}, or re-run with --allow-${flag} if it is intended` };
  return subject === undefined ? base : { ...base, subject };
}

function isActiveAdmin(user: { readonly domain_admin?: unknown; readonly active?: unknown }): boolean {
  return user.domain_admin === true && user.active !== false;
}

function isActiveAdminAfter(user: UserAfter): boolean {
  return isActiveAdmin(user.values);
}

function massDeactivation(items: readonly UserPlanItem[], live: LiveState, policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  const count = items.filter((i) => i.change.action === 'deactivate').length;
  const total = live.users.size;
  const reasons: string[] = [];
  if (count > policy.max_deactivations) reasons.push(`above policy.max_deactivations (${policy.max_deactivations})`);
  if (total > 0 && count / total > policy.max_deactivation_share) {
    const pct = (n: number): string => `${Math.round(n * 1000) / 10}%`;
    reasons.push(`${pct(count / total)} of ${total} live users, above policy.max_deactivation_share (${pct(policy.max_deactivation_share)})`);
  }
  if (reasons.length === 0) return [];
  return [
    guard(
      'guard-mass-deactivation',
      'mass-deactivation',
      allow.mass_deactivation,
      `plan deactivates ${count} user${count === 1 ? '' : 's'}: ${reasons.join('; ')}`,
      'check the desired files and policy.unmanaged_users',
    ),
  ];
}

/** Why a user who stays active loses access in this plan: a membership or an app licence turned off. */
function accessLost(item: UserPlanItem): string | undefined {
  const live = item.live;
  if (live === undefined || live.active === false || item.after.values.active === false) return undefined;
  for (const before of live.memberships) {
    const after = membershipOf(item.after, before.vault_id);
    if (before.active && after?.active === false) return `vault ${before.vault_id}`;
    if (!before.active || after === undefined) continue;
    for (const [code, app] of Object.entries(before.apps ?? {})) {
      if (app.active && after.apps[code]?.active === false) return `${code} in vault ${before.vault_id}`;
    }
  }
  return undefined;
}

function massRemoval(items: readonly UserPlanItem[], live: LiveState, policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  const losing = items.flatMap((i) => {
    const what = accessLost(i);
    return what === undefined ? [] : [`${i.change.key} (${what})`];
  });
  const count = losing.length;
  const total = live.users.size;
  const reasons: string[] = [];
  if (count > policy.max_access_removals) reasons.push(`above policy.max_access_removals (${policy.max_access_removals})`);
  if (total > 0 && count / total > policy.max_access_removal_share) {
    const pct = (n: number): string => `${Math.round(n * 1000) / 10}%`;
    reasons.push(`${pct(count / total)} of ${total} live users, above policy.max_access_removal_share (${pct(policy.max_access_removal_share)})`);
  }
  if (reasons.length === 0) return [];
  return [
    guard(
      'guard-mass-removal',
      'mass-removal',
      allow.mass_removal,
      `plan takes a vault membership or an app licence from ${count} user${count === 1 ? '' : 's'}: ${reasons.join('; ')}; e.g. ${losing.slice(0, 5).join(', ')}`,
      'check the memberships and apps lists in the desired files',
    ),
  ];
}

function lastDomainAdmin(items: readonly UserPlanItem[], live: LiveState, allow: PlanAllowFlags): Diagnostic[] {
  // Only a change that takes admin rights away can trip this guard; skip the scan otherwise.
  const losesAdmin = items.some((i) => i.live !== undefined && isActiveAdmin(i.live) && !isActiveAdminAfter(i.after));
  if (!losesAdmin) return [];
  const changed = new Map(items.map((i) => [i.change.key, i.after]));
  let before = 0;
  let after = 0;
  for (const user of live.users.values()) {
    if (isActiveAdmin(user)) before++;
    if (!changed.has(user.user_name) && isActiveAdmin(user)) after++;
  }
  for (const user of changed.values()) if (isActiveAdminAfter(user)) after++;
  if (before === 0 || after > 0) return [];
  return [
    guard(
      'guard-last-domain-admin',
      'last-domain-admin',
      allow.last_domain_admin,
      `plan leaves the domain without an active domain admin (${before} now)`,
      'keep domain_admin: true and active on at least one user',
    ),
  ];
}

function locksOut(item: UserPlanItem, vaultId: number): string | undefined {
  const live = item.live;
  if (live === undefined) return undefined;
  if (item.after.values.active === false && live.active !== false) return 'deactivation';
  if (live.domain_admin === true && item.after.values.domain_admin === false) return 'loss of domain admin';
  const before = live.memberships.find((m) => m.vault_id === vaultId);
  const after = membershipOf(item.after, vaultId);
  if (before?.active === true && after?.active === false) return `loss of vault ${vaultId}`;
  if (before !== undefined && ADMIN_PROFILES.has(before.security_profile) && after !== undefined && !ADMIN_PROFILES.has(after.security_profile)) {
    return `loss of admin profile in vault ${vaultId}`;
  }
  return undefined;
}

function protectedUsers(items: readonly UserPlanItem[], live: LiveState, policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  const protectedSet = new Set(policy.protected_users);
  const out: Diagnostic[] = [];
  for (const item of items) {
    const key = item.change.key;
    const self = key === live.authenticated_user;
    if (!self && !protectedSet.has(key)) continue;
    const lockout = self ? locksOut(item, live.vault_id) : undefined;
    if (lockout !== undefined) {
      out.push({
        severity: 'error',
        code: 'guard-protected-user',
        summary: `plan would lock out ${key}, the user vault-roster is signed in as (${lockout})`,
        hint: 'no flag allows this: change the desired state, or run as another user',
        subject: { user: key },
      });
      continue;
    }
    const who = self ? 'the authenticated user' : 'a protected user (policy.protected_users)';
    out.push(
      guard(
        'guard-protected-user',
        'protected-users',
        allow.protected_users,
        `plan changes ${key}, ${who}: ${item.change.action} of ${item.change.fields.map((f) => f.path).join(', ')}`,
        'leave the user as it is in Vault',
        { user: key },
      ),
    );
  }
  return out;
}

/** Seats (`app\u0000license_type`) a user holds in the vault whose license usage we read. */
function seatsOf(user: { readonly active?: unknown }, membership: Membership | undefined): string[] {
  if (user.active === false || membership?.active !== true) return [];
  return Object.entries(membership.apps ?? {})
    .filter(([, app]) => app.active)
    .map(([code, app]) => `${code}\u0000${app.license_type}`);
}

function liveMembership(live: LiveUser | undefined, vaultId: number): Membership | undefined {
  return live?.memberships.find((m) => m.vault_id === vaultId);
}

function licenseSeats(items: readonly UserPlanItem[], live: LiveState, allow: PlanAllowFlags): Diagnostic[] {
  const delta = new Map<string, number>();
  const bump = (seat: string, by: number): void => {
    delta.set(seat, (delta.get(seat) ?? 0) + by);
  };
  for (const item of items) {
    const before = item.live === undefined ? [] : seatsOf(item.live, liveMembership(item.live, live.vault_id));
    const after = seatsOf(item.after.values, membershipOf(item.after, live.vault_id));
    for (const seat of before) bump(seat, -1);
    for (const seat of after) bump(seat, 1);
  }
  const out: Diagnostic[] = [];
  for (const usage of [...live.licenses].sort((a, b) => (`${a.application}:${a.license_type}` < `${b.application}:${b.license_type}` ? -1 : 1))) {
    const more = delta.get(`${usage.application}\u0000${usage.license_type}`) ?? 0;
    if (more <= 0 || usage.used + more <= usage.licensed) continue;
    out.push(
      guard(
        'guard-license-seats',
        'license-overuse',
        allow.license_overuse,
        `plan needs ${more} more ${usage.application} ${usage.license_type} seat${more === 1 ? '' : 's'}: ${usage.used} used + ${more} > ${usage.licensed} licensed`,
        'free seats first, or buy more licenses',
        { field: `${usage.application}:${usage.license_type}`, vault_id: live.vault_id },
      ),
    );
  }
  return out;
}

/** Every guard's diagnostics for the user changes of a plan. */
export function runGuards(items: readonly UserPlanItem[], live: LiveState, policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  return [
    ...massDeactivation(items, live, policy, allow),
    ...massRemoval(items, live, policy, allow),
    ...lastDomainAdmin(items, live, allow),
    ...protectedUsers(items, live, policy, allow),
    ...licenseSeats(items, live, allow),
  ];
}
