/**
 * Users as trees for comparison. The target tree holds only what YAML manages, plus the two
 * consequences YAML implies: a live membership of a vault YAML does not list becomes inactive,
 * and a live app license missing from a managed `apps` set becomes inactive (Vault can remove
 * neither).
 */
import type { AppLicense, LiveUser, Membership, UserRecord } from '../model.js';
import type { Tree } from './trees.js';
import type { JsonValue } from './types.js';

/** Scalar user properties, in the order changes list them. */
export const USER_SCALAR_KEYS = [
  'first_name',
  'last_name',
  'email',
  'timezone',
  'locale',
  'language',
  'security_policy',
  'license_type',
  'domain_admin',
  'active',
] as const satisfies readonly (keyof UserRecord)[];

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

function membershipTarget(desired: Membership, live: Membership | undefined): Tree {
  const tree: Tree = {
    active: desired.active,
    security_profile: desired.security_profile.trim(),
    license_type: desired.license_type,
  };
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
    const memberships: Tree = {};
    for (const m of desired.memberships) memberships[String(m.vault_id)] = membershipTarget(m, liveByVault.get(m.vault_id));
    for (const m of live?.memberships ?? []) {
      if (memberships[String(m.vault_id)] === undefined && m.active) memberships[String(m.vault_id)] = { active: false };
    }
    tree.memberships = memberships;
  }
  return tree;
}

function membershipTree(m: Membership): Tree {
  const tree: Tree = { active: m.active, security_profile: m.security_profile, license_type: m.license_type };
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

/** Reads a membership back out of a (merged) user tree. */
export function membershipFromTree(vaultId: number, tree: Tree | undefined): Membership | undefined {
  if (tree === undefined) return undefined;
  const { active, security_profile: profile, license_type: license, apps } = tree;
  if (typeof active !== 'boolean' || typeof profile !== 'string' || typeof license !== 'string') return undefined;
  const out: Record<string, AppLicense> = {};
  if (typeof apps === 'object' && apps !== null && !Array.isArray(apps)) {
    for (const [code, app] of Object.entries(apps)) {
      if (typeof app !== 'object' || app === null || Array.isArray(app)) continue;
      if (typeof app.active === 'boolean' && typeof app.license_type === 'string') {
        out[code] = { active: app.active, license_type: app.license_type as AppLicense['license_type'] };
      }
    }
  }
  return { vault_id: vaultId, active, security_profile: profile, license_type: license as Membership['license_type'], apps: out };
}
