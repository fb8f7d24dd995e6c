/**
 * Groups (VAULT-API.md §16.1): the seed form, the system groups every vault has, names derived
 * from labels, and implied membership. Implied members are never stored: a user is an implied
 * member of a group while their active membership of the group's vault has a profile the group
 * lists (All Internal Users: every active member without an external licence).
 */
import { STANDARD_SECURITY_PROFILES } from '../model.js';
import { isDomainActive, membershipOf, type SimGroup, type SimGroupKind, type SimUser, type SimVault } from './records.js';
import type { SeedGroup } from './types.js';
import type { Store } from './store.js';

export class GroupSeedError extends Error {}

export const GROUP_KINDS: readonly SimGroupKind[] = ['user_managed', 'system', 'auto', 'manager'];

/** First id a created group gets when the seed names no counter (Vault's ids are this long). */
export const FIRST_GROUP_ID = 1_394_917_490_001;
const SYSTEM_GROUP_BASE = 1_000_000_000_000;
const SEED_DATE = '2024-01-02T09:00:00.000Z';
export const ALL_INTERNAL_USERS = 'All Internal Users';

/** `name__v` from a label: lower-case, every run of non-alphanumerics one `_`, `__c`. */
export function groupNameFromLabel(label: string): string {
  const base = label.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `${base === '' ? 'group' : base}__c`;
}

/** `document_user__v` → `Document User`. */
function profileLabel(profile: string): string {
  return profile
    .replace(/__[a-z]+$/, '')
    .split('_')
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** The system groups a vault has: one per standard profile it offers, then All Internal Users. */
export function systemGroupsOf(vault: SimVault): SimGroup[] {
  const standard: readonly string[] = STANDARD_SECURITY_PROFILES;
  const profiles = vault.profiles.filter((p) => standard.includes(p)).sort();
  const base = { vault_id: vault.id, kind: 'system' as const, description: '', active: true, allowDelegation: false, members: [], created: SEED_DATE, modified: SEED_DATE };
  const groups: SimGroup[] = profiles.map((p, i) => ({ ...base, id: SYSTEM_GROUP_BASE + vault.id * 1000 + i + 1, label: profileLabel(p), name: p, profiles: [p], allInternal: false }));
  groups.push({ ...base, id: SYSTEM_GROUP_BASE + vault.id * 1000, label: ALL_INTERNAL_USERS, name: 'all_internal_users__v', profiles: [], allInternal: true });
  return groups;
}

function fail(path: string, what: string): never {
  throw new GroupSeedError(`${path}: ${what}`);
}

function text(value: unknown, path: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') fail(path, 'must be a string');
  return value;
}

function flag(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
}

function list<T>(value: unknown, path: string, item: (v: unknown, p: string) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return (value as unknown[]).map((v, i) => item(v, `${path}[${i}]`));
}

/** A seed's reference to a user: its id, or its user name (any case); undefined when unknown. */
export type UserRef = (ref: number | string) => number | undefined;

function oneGroup(raw: unknown, path: string, vaults: ReadonlyMap<number, SimVault>, userOf: UserRef, id: () => number): SimGroup {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'must be an object');
  const g = raw as Record<string, unknown>;
  const vault = typeof g.vault_id === 'number' ? vaults.get(g.vault_id) : undefined;
  if (vault === undefined) fail(`${path}.vault_id`, `unknown vault ${String(g.vault_id)}`);
  const label = text(g.label__v, `${path}.label__v`).trim();
  if (label === '') fail(`${path}.label__v`, 'must not be empty');
  const kind = g.kind ?? 'user_managed';
  if (!GROUP_KINDS.includes(kind as SimGroupKind)) fail(`${path}.kind`, `must be one of ${GROUP_KINDS.join(', ')}`);
  if (g.id !== undefined && (typeof g.id !== 'number' || !Number.isSafeInteger(g.id) || g.id <= 0)) fail(`${path}.id`, 'must be a positive integer');
  const members = list(g.members__v, `${path}.members__v`, (v, p) => {
    const user = typeof v === 'number' || typeof v === 'string' ? userOf(v) : undefined;
    if (user === undefined) fail(p, `unknown user ${JSON.stringify(v)}`);
    return user;
  });
  const profiles = list(g.security_profiles__v, `${path}.security_profiles__v`, (v, p) => {
    if (typeof v !== 'string' || !vault.profiles.includes(v)) fail(p, `unknown profile ${String(v)} in vault ${vault.id}`);
    return v;
  });
  const created = text(g.created_date__v, `${path}.created_date__v`, SEED_DATE);
  return {
    id: typeof g.id === 'number' ? g.id : id(),
    vault_id: vault.id,
    label,
    name: text(g.name__v, `${path}.name__v`, groupNameFromLabel(label)),
    kind: kind as SimGroupKind,
    description: text(g.group_description__v, `${path}.group_description__v`, ''),
    active: flag(g.active__v, `${path}.active__v`, true),
    allowDelegation: flag(g.allow_delegation_among_members__v, `${path}.allow_delegation_among_members__v`, false),
    members: [...new Set(members)].sort((a, b) => a - b),
    profiles: [...new Set(profiles)].sort(),
    allInternal: kind === 'system' && label.toLowerCase() === ALL_INTERNAL_USERS.toLowerCase(),
    created,
    modified: text(g.modified_date__v, `${path}.modified_date__v`, created),
  };
}

/**
 * The seed's groups, checked (known vault, users and profiles; ids unique; labels and names unique
 * per vault, case-insensitively), plus each vault's system groups the seed does not list.
 */
export function parseGroups(
  raw: unknown,
  vaults: readonly SimVault[],
  userOf: UserRef,
  nextIdGiven: number | undefined,
): { groups: SimGroup[]; nextGroupId: number } {
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) fail('groups', 'must be an array');
  const entries = (raw ?? []) as unknown[];
  let next = nextIdGiven ?? FIRST_GROUP_ID;
  for (const g of entries) {
    const id = typeof g === 'object' && g !== null ? (g as { id?: unknown }).id : undefined;
    if (typeof id === 'number' && id + 1 > next) next = id + 1;
  }
  const byVault = new Map(vaults.map((v) => [v.id, v]));
  const groups = entries.map((g, i) => oneGroup(g, `groups[${i}]`, byVault, userOf, () => next++));
  for (const vault of vaults) {
    const have = new Set(groups.filter((g) => g.vault_id === vault.id && g.kind === 'system').map((g) => g.name));
    groups.push(...systemGroupsOf(vault).filter((g) => !have.has(g.name)));
  }
  const ids = new Set<number>();
  const labels = new Set<string>();
  const names = new Set<string>();
  groups.forEach((g, i) => {
    const where = i < entries.length ? `groups[${i}]` : `the system group ${g.label} of vault ${g.vault_id}`;
    if (ids.has(g.id)) fail(where, `duplicate group id ${g.id}`);
    if (labels.has(`${g.vault_id}:${g.label.toLowerCase()}`)) fail(where, `vault ${g.vault_id} already has a group labelled ${g.label} (labels are unique per vault, in any case)`);
    if (names.has(`${g.vault_id}:${g.name}`)) fail(where, `vault ${g.vault_id} already has a group named ${g.name}`);
    ids.add(g.id);
    labels.add(`${g.vault_id}:${g.label.toLowerCase()}`);
    names.add(`${g.vault_id}:${g.name}`);
  });
  groups.sort((a, b) => a.id - b.id);
  return { groups, nextGroupId: next };
}

export function dumpGroup(g: SimGroup): SeedGroup {
  return {
    id: g.id,
    vault_id: g.vault_id,
    label__v: g.label,
    name__v: g.name,
    kind: g.kind,
    group_description__v: g.description,
    active__v: g.active,
    allow_delegation_among_members__v: g.allowDelegation,
    members__v: [...g.members],
    security_profiles__v: [...g.profiles],
    created_date__v: g.created,
    modified_date__v: g.modified,
  };
}

/** How a user is implied into a group: through which profile (or All Internal Users). */
export interface ImpliedMember {
  readonly id: number;
  readonly source_name: string;
  readonly source_type: 'security_profile' | 'all_internal_users';
}

/** Users of a vault by the profile of their active membership, cached per store version. */
interface ImpliedIndex {
  readonly version: number;
  readonly byProfile: Map<string, number[]>;
  readonly internal: number[];
}

const indexes = new WeakMap<Store, Map<number, ImpliedIndex>>();

function isActiveIn(user: SimUser, vaultId: number): boolean {
  const m = membershipOf(user, vaultId);
  return m !== undefined && m.active && isDomainActive(user);
}

function impliedIndex(store: Store, vaultId: number): ImpliedIndex {
  let perVault = indexes.get(store);
  if (perVault === undefined) {
    perVault = new Map();
    indexes.set(store, perVault);
  }
  const hit = perVault.get(vaultId);
  if (hit !== undefined && hit.version === store.version) return hit;
  const byProfile = new Map<string, number[]>();
  const internal: number[] = [];
  for (const id of store.allIds()) {
    const user = store.user(id);
    if (user === undefined || !isActiveIn(user, vaultId)) continue;
    const m = membershipOf(user, vaultId);
    if (m === undefined) continue;
    const ids = byProfile.get(m.profile) ?? [];
    ids.push(id);
    byProfile.set(m.profile, ids);
    if (m.license !== 'external__v') internal.push(id);
  }
  const index = { version: store.version, byProfile, internal };
  perVault.set(vaultId, index);
  return index;
}

/** Implied members of a group, by ascending user id (a user implied twice counts once). */
export function impliedMembers(store: Store, group: SimGroup): ImpliedMember[] {
  const index = impliedIndex(store, group.vault_id);
  const out = new Map<number, ImpliedMember>();
  if (group.allInternal) for (const id of index.internal) out.set(id, { id, source_name: ALL_INTERNAL_USERS, source_type: 'all_internal_users' });
  for (const profile of group.profiles) {
    for (const id of index.byProfile.get(profile) ?? []) if (!out.has(id)) out.set(id, { id, source_name: profile, source_type: 'security_profile' });
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}
