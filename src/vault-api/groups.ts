/**
 * Groups on the wire (VAULT-API.md §16.1), pure: the VQL vault-roster reads groups with, decoders
 * of its rows and of the Retrieve All Groups listing, the kind of a group, the cross-check that
 * joins the three reads into LiveGroups, and the form bodies of the group writes. No I/O.
 *
 * What is uncertain and how every reading is handled:
 * - The listing's key: `groups` (VAPIL) or `data` (the Auto Managed example); both read.
 * - `implied_members__v`: `{id, source_name, source_type}` objects (VAPIL) or bare ids; both read.
 * - Whether `group_membership__sys` rows include implied members: the cross-check
 *   `explicit ⊆ VQL members ⊆ explicit ∪ implied` holds under both readings and fails loudly
 *   otherwise, so a listing and a VQL that disagree are never planned from.
 * - An absent or null `members__v`, `implied_members__v` or `security_profiles__v` is read as
 *   none (Vault may omit empty lists); the cross-check catches a listing that drops members.
 */
import { normaliseIdentity, type GroupKind, type GroupValues, type LiveGroup } from '../model.js';
import { decodeActive, decodeBoolean, decodeId, decodePicklist, decodeText, WireDecodeError } from './value-decode.js';

export const GROUPS_VQL = 'SELECT id, name__v, label__v, status__v, system_group__sys, type__sys FROM group__sys';
export const GROUP_MEMBERSHIP_VQL = 'SELECT group_id__sys, user_id__sys FROM group_membership__sys';
/** Retrieve All Groups with implied members, for values and explicit members. */
export const GROUPS_LISTING_QUERY = { includeImplied: 'true' } as const;
/** User ids per `members__v=add (…)` / `delete (…)` call (Vault documents no limit; this keeps bodies small). */
export const MAX_MEMBERS_PER_CALL = 500;

/** A VQL string literal: quotes and backslashes escaped. */
export function vqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The one query that finds a group by label (VQL compares strings case-insensitively). */
export function groupByLabelVql(label: string): string {
  return `SELECT id, label__v FROM group__sys WHERE label__v = ${vqlString(label.trim())}`;
}

/**
 * The kind of a group from VQL's `type__sys` and `system_group__sys`: only a user-managed type
 * that is not a system group is writable; a type vault-roster does not know is `other`.
 */
export function groupKind(type: string, systemGroup: boolean): GroupKind {
  const lower = type.toLowerCase();
  if (lower === 'user_managed__sys' && !systemGroup) return 'user_managed';
  if (lower.includes('auto')) return 'auto';
  if (lower.includes('manager')) return 'manager';
  if (lower.includes('system') || systemGroup) return 'system';
  return 'other';
}

/** A `group__sys` row. */
export interface QueriedGroup {
  readonly id: number;
  readonly name: string;
  readonly label: string;
  readonly active: boolean;
  readonly kind: GroupKind;
}

function present(row: Readonly<Record<string, unknown>>, field: string): unknown {
  const value = row[field];
  if (value === undefined) throw new WireDecodeError(field, 'absent from the answer', value);
  return value;
}

function label(value: unknown, field: string): string {
  const text = decodeText(value, field).trim();
  if (text === '') throw new WireDecodeError(field, 'is empty', value);
  return text;
}

export function decodeQueriedGroup(row: Readonly<Record<string, unknown>>): QueriedGroup {
  return {
    id: decodeId(present(row, 'id'), 'id'),
    name: decodeText(present(row, 'name__v'), 'name__v'),
    label: label(present(row, 'label__v'), 'label__v'),
    active: decodeActive(present(row, 'status__v'), 'status__v'),
    kind: groupKind(decodePicklist(present(row, 'type__sys'), 'type__sys'), decodeBoolean(present(row, 'system_group__sys'), 'system_group__sys')),
  };
}

/** A `group_membership__sys` row. */
export interface GroupMembershipRow {
  readonly group_id: number;
  readonly user_id: number;
}

export function decodeMembershipRow(row: Readonly<Record<string, unknown>>): GroupMembershipRow {
  return { group_id: decodeId(present(row, 'group_id__sys'), 'group_id__sys'), user_id: decodeId(present(row, 'user_id__sys'), 'user_id__sys') };
}

/** A group of the Retrieve All Groups listing. */
export interface ListedGroup extends GroupValues {
  readonly id: number;
  readonly label: string;
  readonly active: boolean;
  readonly members: readonly number[];
  readonly implied_members: readonly number[];
  readonly security_profiles: readonly string[];
}

/** The listing's entries, under `groups` or `data`; neither (or both, disagreeing) is an error. */
export function listedEntries(body: Readonly<Record<string, unknown>>): unknown[] {
  const groups = body.groups;
  const data = body.data;
  if (Array.isArray(groups) && Array.isArray(data) && (groups.length > 0 || data.length > 0)) {
    throw new WireDecodeError('groups', 'the answer has both a "groups" and a "data" list; which one holds the groups is unclear', Object.keys(body));
  }
  if (Array.isArray(groups)) return groups as unknown[];
  if (Array.isArray(data)) return data as unknown[];
  throw new WireDecodeError('groups', 'the answer has no "groups" (or "data") list', groups ?? data);
}

function ids(value: unknown, field: string, item: (v: unknown) => number): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireDecodeError(field, 'expected a list of user ids', value);
  return sortedIds((value as unknown[]).map(item));
}

function impliedId(value: unknown): number {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id;
    if (id !== undefined) return decodeId(id, 'implied_members__v[].id');
  }
  if (typeof value === 'number' || typeof value === 'string') return decodeId(value, 'implied_members__v');
  throw new WireDecodeError('implied_members__v', 'expected user ids or {id, …} objects', value);
}

function profiles(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireDecodeError('security_profiles__v', 'expected a list of security profile names', value);
  return [...new Set((value as unknown[]).map((p) => label(p, 'security_profiles__v')))].sort();
}

/** One listing entry, `{group: {…}}` (a bare group object is read too). */
export function decodeListedGroup(entry: unknown): ListedGroup {
  const wrapped = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
  const raw = wrapped !== undefined && 'group' in wrapped ? wrapped.group : entry;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new WireDecodeError('group', 'expected a group object', entry);
  const g = raw as Record<string, unknown>;
  const description = g.group_description__v;
  const delegation = g.allow_delegation_among_members__v;
  return {
    id: decodeId(present(g, 'id'), 'id'),
    label: label(present(g, 'label__v'), 'label__v'),
    active: decodeBoolean(present(g, 'active__v'), 'active__v'),
    members: ids(g.members__v, 'members__v', (v) => decodeId(v, 'members__v')),
    implied_members: ids(g.implied_members__v, 'implied_members__v', impliedId),
    security_profiles: profiles(g.security_profiles__v),
    // `null` is "no value", as for users' text fields; absent stays unset (never defaulted).
    ...(description === undefined || description === null ? {} : { description: decodeText(description, 'group_description__v') }),
    ...(delegation === undefined || delegation === null ? {} : { allow_delegation: decodeBoolean(delegation, 'allow_delegation_among_members__v') }),
  };
}

export function sortedIds(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function describe(g: { readonly id: number; readonly label: string }): string {
  return `group '${g.label}' (id ${g.id})`;
}

function list(values: readonly number[]): string {
  return values.length <= 10 ? values.join(', ') : `${values.slice(0, 10).join(', ')} … (${values.length} in all)`;
}

/**
 * Why one user-managed group's reads disagree, or undefined: `explicit ⊆ VQL ⊆ explicit ∪ implied`
 * holds whether group_membership__sys lists implied members or not.
 */
export function membershipMismatch(listed: ListedGroup, queried: readonly number[]): string | undefined {
  const inVql = new Set(queried);
  const known = new Set([...listed.members, ...listed.implied_members]);
  const missing = listed.members.filter((id) => !inVql.has(id));
  const unexplained = queried.filter((id) => !known.has(id));
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`explicit members ${list(missing)} are missing from group_membership__sys`);
  if (unexplained.length > 0) parts.push(`group_membership__sys lists ${list(unexplained)}, neither explicit nor implied members in Retrieve All Groups`);
  return parts.length === 0 ? undefined : `${describe(listed)}: ${parts.join('; ')}`;
}

export interface AssembledGroups {
  readonly groups: Map<string, LiveGroup>;
  /** Disagreements between the reads; any one means nothing may be planned from them. */
  readonly conflicts: string[];
}

function liveFrom(q: QueriedGroup, l: ListedGroup | undefined, vqlMembers: readonly number[]): LiveGroup {
  const key = normaliseIdentity(l?.label ?? q.label);
  if (l === undefined) {
    // Only VQL knows it (Auto Managed): members from VQL; never written, so nothing else is needed.
    return { id: q.id, key, label: q.label, name: q.name, kind: q.kind, active: q.active, members: vqlMembers, implied_members: [] };
  }
  return {
    id: q.id,
    key,
    label: l.label,
    name: q.name,
    kind: q.kind,
    active: l.active,
    ...(l.description === undefined ? {} : { description: l.description }),
    ...(l.allow_delegation === undefined ? {} : { allow_delegation: l.allow_delegation }),
    security_profiles: l.security_profiles,
    members: l.members,
    implied_members: l.implied_members,
  };
}

/** Joins the three reads: every group VQL knows, cross-checked against the listing. */
export function assembleGroups(queried: readonly QueriedGroup[], listed: readonly ListedGroup[], memberships: readonly GroupMembershipRow[]): AssembledGroups {
  const conflicts: string[] = [];
  const byId = new Map<number, ListedGroup>();
  for (const l of listed) {
    if (byId.has(l.id)) conflicts.push(`${describe(l)} is listed twice by Retrieve All Groups`);
    byId.set(l.id, l);
  }
  const members = new Map<number, number[]>();
  for (const m of memberships) {
    const some = members.get(m.group_id) ?? [];
    some.push(m.user_id);
    members.set(m.group_id, some);
  }
  const groups = new Map<string, LiveGroup>();
  const seen = new Set<number>();
  for (const q of queried) {
    if (seen.has(q.id)) {
      conflicts.push(`${describe(q)} is listed twice by group__sys`);
      continue;
    }
    seen.add(q.id);
    const l = byId.get(q.id);
    const vqlMembers = sortedIds(members.get(q.id) ?? []);
    if (l === undefined && q.kind === 'user_managed') conflicts.push(`${describe(q)} is a user-managed group in group__sys but absent from Retrieve All Groups`);
    if (l !== undefined && q.kind === 'user_managed') {
      const mismatch = membershipMismatch(l, vqlMembers);
      if (mismatch !== undefined) conflicts.push(mismatch);
    }
    const live = liveFrom(q, l, vqlMembers);
    const other = groups.get(live.key);
    if (other !== undefined) conflicts.push(`${describe(other)} and ${describe(live)} have labels that differ only in case or spaces`);
    else groups.set(live.key, live);
  }
  for (const l of listed) if (!seen.has(l.id)) conflicts.push(`${describe(l)} is in Retrieve All Groups but absent from group__sys`);
  return { groups, conflicts };
}

/** Form fields of a group's values: booleans as true/false, profiles comma-joined. */
function valueFields(values: GroupValues): Record<string, string> {
  const form: Record<string, string> = {};
  if (values.label !== undefined) form.label__v = values.label;
  if (values.description !== undefined) form.group_description__v = values.description;
  if (values.active !== undefined) form.active__v = String(values.active);
  if (values.allow_delegation !== undefined) form.allow_delegation_among_members__v = String(values.allow_delegation);
  if (values.security_profiles !== undefined) form.security_profiles__v = [...values.security_profiles].sort().join(',');
  return form;
}

/** Create Group: the values only (members follow by id, incrementally). */
export function groupCreateForm(values: GroupValues & { readonly label: string }): Record<string, string> {
  return valueFields(values);
}

/** Update Group: only the values the row sets; never `members__v`. */
export function groupUpdateForm(values: GroupValues): Record<string, string> {
  return valueFields(values);
}

/** `members__v=add (1,2)` or `delete (1,2)`: incremental, so safe to repeat. */
export function groupMembersForm(change: 'add' | 'delete', userIds: readonly number[]): Record<string, string> {
  return { members__v: `${change} (${userIds.join(',')})` };
}
