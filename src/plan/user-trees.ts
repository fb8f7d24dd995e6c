/**
 * Users as trees for comparison. The target tree holds only what YAML manages, plus the two
 * consequences YAML implies: a live membership of a vault YAML does not list becomes inactive,
 * and a live app license missing from a managed `apps` set becomes inactive (Vault can remove
 * neither).
 */
import { MEMBERSHIP_KEYS, USER_FLAG_KEYS, USER_VALUE_KEYS, type AppLicense, type LiveUser, type Membership, type UserRecord } from '../model.js';
import { sameValue, type Tree } from './trees.js';
import type { JsonValue } from './types.js';

/** Scalar user properties, in the order changes list them. */
export const USER_SCALAR_KEYS = [...USER_VALUE_KEYS, ...USER_FLAG_KEYS] as const satisfies readonly (keyof UserRecord)[];

export type UserScalarKey = (typeof USER_SCALAR_KEYS)[number];

function trimmed<T extends JsonValue>(value: T): T {
  return (typeof value === 'string' ? value.trim() : value) as T;
}

function appTree(app: AppLicense): Tree {
  return { active: app.active, license_type: app.license_type };
}

function sortedKeys(record: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(record).sort();
}

/**
 * True when a membership's own parts (MEMBERSHIP_KEYS) differ, compared as Vault would; `active`
 * only when it is managed (see `staysInactive`).
 */
export function membershipPartsDiffer(want: Membership, live: Membership, manageActive: boolean): boolean {
  for (const key of MEMBERSHIP_KEYS) {
    if (key === 'active' && !manageActive) continue;
    const have = live[key];
    const wanted = want[key];
    if (have !== wanted && !sameValue(have, trimmed(wanted), key)) return true;
  }
  return false;
}

/**
 * A user disabled at domain level can use no vault, and Vault may flip their memberships to
 * inactive when disabling them; so membership `active` flags are not compared for a user who
 * is (and stays) inactive. Reactivation re-sends them.
 */
export function staysInactive(desired: UserRecord, live: LiveUser | undefined): boolean {
  return desired.active === false || (desired.active === undefined && live?.active === false);
}

function membershipTarget(desired: Membership, live: Membership | undefined, manageActive: boolean): Tree {
  const tree: Tree = {};
  for (const key of MEMBERSHIP_KEYS) if (key !== 'active' || manageActive) tree[key] = trimmed(desired[key]);
  if (desired.apps !== undefined) {
    const apps: Tree = {};
    const liveApps = live?.apps ?? {};
    const codes = new Set([...Object.keys(desired.apps), ...Object.keys(liveApps)]);
    for (const code of [...codes].sort()) {
      const wanted = desired.apps[code];
      const current = liveApps[code];
      if (wanted !== undefined) apps[code] = appTree(wanted);
      else if (current?.active === true) apps[code] = { active: false, license_type: current.license_type };
    }
    tree.apps = apps;
  }
  return tree;
}

/** What the desired record manages, as a tree. `live` supplies the memberships and apps to turn off. */
export function userTargetTree(desired: UserRecord, live: LiveUser | undefined): Tree {
  const tree: Tree = {};
  for (const key of USER_SCALAR_KEYS) {
    const value = desired[key];
    if (value !== undefined) tree[key] = trimmed(value);
  }
  if (desired.fields !== undefined) {
    const fields: Tree = {};
    for (const name of sortedKeys(desired.fields)) {
      const value = desired.fields[name];
      if (value !== undefined) fields[name] = trimmed(value);
    }
    tree.fields = fields;
  }
  if (desired.memberships !== undefined) {
    const liveByVault = new Map((live?.memberships ?? []).map((m) => [m.vault_id, m]));
    // Integer-like keys keep ascending numeric order in JS objects, so vaults come out sorted.
    const manageActive = !staysInactive(desired, live);
    const memberships: Tree = {};
    for (const m of desired.memberships) memberships[String(m.vault_id)] = membershipTarget(m, liveByVault.get(m.vault_id), manageActive);
    for (const m of live?.memberships ?? []) {
      if (manageActive && memberships[String(m.vault_id)] === undefined && m.active) memberships[String(m.vault_id)] = { active: false };
    }
    tree.memberships = memberships;
  }
  return tree;
}

function membershipTree(m: Membership): Tree {
  const tree: Tree = {};
  for (const key of MEMBERSHIP_KEYS) tree[key] = m[key];
  const apps: Tree = {};
  for (const code of sortedKeys(m.apps ?? {})) {
    const app = m.apps?.[code];
    if (app !== undefined) apps[code] = appTree(app);
  }
  tree.apps = apps;
  return tree;
}

/** Everything known about a live user, as a tree (the "before" side). */
export function liveUserTree(live: LiveUser): Tree {
  const tree: Tree = {};
  for (const key of USER_SCALAR_KEYS) {
    const value = live[key];
    if (value !== undefined) tree[key] = value;
  }
  if (tree.active === undefined) tree.active = true;
  const fields: Tree = {};
  for (const name of sortedKeys(live.fields)) {
    const value = live.fields[name];
    if (value !== undefined) fields[name] = value;
  }
  tree.fields = fields;
  const memberships: Tree = {};
  for (const m of live.memberships) memberships[String(m.vault_id)] = membershipTree(m);
  tree.memberships = memberships;
  return tree;
}

/**
 * True when the live user already has every value `userTargetTree(desired, live)` manages,
 * by the same `sameValue` rule. A fast path: most users are unchanged, and for them planning
 * builds no trees at all. Must agree with `restrictToTarget(...).equal` (a property test checks).
 */
function scalarMatches(want: string | boolean | undefined, have: string | boolean | undefined, key: string): boolean {
  return want === undefined || have === want || sameValue(have, trimmed(want), key);
}

function appsMatch(wanted: Readonly<Record<string, AppLicense>>, live: Readonly<Record<string, AppLicense>>): boolean {
  for (const code of Object.keys(wanted)) {
    const want = wanted[code];
    const have = live[code];
    if (want !== undefined && (have?.active !== want.active || have.license_type !== want.license_type)) return false;
  }
  for (const code of Object.keys(live)) {
    if (wanted[code] === undefined && live[code]?.active === true) return false;
  }
  return true;
}

function membershipMatches(want: Membership, live: readonly Membership[], manageActive: boolean): boolean {
  let current: Membership | undefined;
  for (const l of live) {
    if (l.vault_id === want.vault_id) {
      current = l;
      break;
    }
  }
  if (current === undefined || membershipPartsDiffer(want, current, manageActive)) return false;
  return want.apps === undefined || appsMatch(want.apps, current.apps ?? {});
}

function isListed(vaultId: number, wanted: readonly Membership[]): boolean {
  for (const m of wanted) if (m.vault_id === vaultId) return true;
  return false;
}

export function userMatches(desired: UserRecord, live: LiveUser): boolean {
  // Spelled out rather than looped over USER_SCALAR_KEYS: named reads stay fast on 100k users.
  if (
    !scalarMatches(desired.first_name, live.first_name, 'first_name') ||
    !scalarMatches(desired.last_name, live.last_name, 'last_name') ||
    !scalarMatches(desired.email, live.email, 'email') ||
    !scalarMatches(desired.timezone, live.timezone, 'timezone') ||
    !scalarMatches(desired.locale, live.locale, 'locale') ||
    !scalarMatches(desired.language, live.language, 'language') ||
    !scalarMatches(desired.security_policy, live.security_policy, 'security_policy') ||
    !scalarMatches(desired.domain_admin, live.domain_admin, 'domain_admin') ||
    !scalarMatches(desired.active, live.active ?? true, 'active')
  ) {
    return false;
  }
  const wantFields = desired.fields;
  if (wantFields !== undefined) {
    for (const name of Object.keys(wantFields)) {
      const want = wantFields[name];
      const have = live.fields[name];
      if (want !== undefined && have !== want && !sameValue(have, trimmed(want), name)) return false;
    }
  }
  const wanted = desired.memberships;
  if (wanted === undefined) return true;
  const manageActive = !staysInactive(desired, live);
  // Small loops in small functions: this runs for every unchanged user and allocates little.
  for (const m of wanted) if (!membershipMatches(m, live.memberships, manageActive)) return false;
  if (manageActive) {
    for (const current of live.memberships) if (current.active && !isListed(current.vault_id, wanted)) return false;
  }
  return true;
}
