/**
 * Guards: dangerous plans become error diagnostics on the plan itself (so they show in review),
 * downgraded to warnings only by the matching `--allow-…` flag. Locking out the account the
 * tool runs as is never allowed.
 */
import type { Diagnostic, DiagnosticSubject, DiagnosticCode } from '../diagnostics.js';
import type { LiveState, Policy } from '../model.js';
import type { UserPlanItem } from './diff-users.js';
import { isAdminProfile } from './risks.js';
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

/** True for a vault within `policy.scope.vaults` (every vault when no scope is set). */
export function scopeTest(policy: Policy): (vaultId: number) => boolean {
  const scope = policy.scope_vaults === undefined ? undefined : new Set(policy.scope_vaults);
  return scope === undefined ? () => true : (vaultId) => scope.has(vaultId);
}

/** Live users the share limits are taken of: all of them, or those with a membership in the scope. */
function liveTotal(live: LiveState, policy: Policy): number {
  if (policy.scope_vaults === undefined) return live.users.size;
  const inScope = scopeTest(policy);
  let total = 0;
  for (const user of live.users.values()) if (user.memberships.some((m) => inScope(m.vault_id))) total++;
  return total;
}

function massDeactivation(items: readonly UserPlanItem[], live: LiveState, policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  const count = items.filter((i) => i.change.action === 'deactivate').length;
  const total = liveTotal(live, policy);
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
  const total = liveTotal(live, policy);
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
  if (before !== undefined && isAdminProfile(before.security_profile) && after !== undefined && !isAdminProfile(after.security_profile)) {
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

/** Admin rights one change grants: Domain Admin, and admin profiles (risks.ts isAdminProfile, custom ones by name) on active memberships (within the scope). */
function adminGrants(item: UserPlanItem, inScope: (vaultId: number) => boolean): string[] {
  if (item.after.values.active === false) return [];
  const live = item.live;
  const grants: string[] = [];
  if (item.after.values.domain_admin === true && live?.domain_admin !== true) grants.push('Domain Admin');
  for (const m of item.after.memberships) {
    if (!m.active || !isAdminProfile(m.security_profile) || !inScope(m.vault_id)) continue;
    const before = live?.active === false ? undefined : live?.memberships.find((x) => x.vault_id === m.vault_id);
    if (before?.active === true && before.security_profile === m.security_profile) continue;
    grants.push(`${m.security_profile} in vault ${m.vault_id}`);
  }
  return grants;
}

function massAdminGrants(items: readonly UserPlanItem[], policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  const inScope = scopeTest(policy);
  const grants = items.flatMap((i) => adminGrants(i, inScope).map((g) => `${i.change.key} (${g})`));
  if (grants.length <= policy.max_admin_grants) return [];
  const shown = grants.slice(0, 10).join(', ');
  const more = grants.length > 10 ? ` and ${grants.length - 10} more` : '';
  return [
    guard(
      'guard-mass-admin-grants',
      'mass-admin-grants',
      allow.mass_admin_grants,
      `plan grants admin rights ${grants.length} times, above policy.max_admin_grants (${policy.max_admin_grants}): ${shown}${more}`,
      'check defaults and the security_profile and domain_admin values in the desired files',
    ),
  ];
}

/** Every guard's diagnostics for the user changes of a plan. */
export function runGuards(items: readonly UserPlanItem[], live: LiveState, policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  return [
    ...massDeactivation(items, live, policy, allow),
    ...massRemoval(items, live, policy, allow),
    ...lastDomainAdmin(items, live, allow),
    ...protectedUsers(items, live, policy, allow),
    ...massAdminGrants(items, policy, allow),
  ];
}
