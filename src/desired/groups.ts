/**
 * Groups as declared in two places (a group's `members:` list and a user's `groups:` list), read
 * once into plain declarations with their positions, and merged into the model's DesiredGroup.
 * The rules (rules-groups.ts) and the merge share these declarations, so every member's position
 * is looked up once.
 */
import { normaliseIdentity, type DesiredGroup, type DesiredGroupMember, type GroupValues, type SourceRef } from '../model.js';
import type { GroupEntry, UserEntry } from './entries.js';

/** One group as its groups file declares it. */
export interface GroupDeclaration {
  /** The identity: the label trimmed and lower-cased. */
  readonly key: string;
  /** The label trimmed, its case kept. */
  readonly label: string;
  readonly values: Omit<GroupValues, 'label'>;
  /** Position of the `label` key. */
  readonly source: SourceRef;
  /** The `members:` list in written order, user names lower-cased; `undefined` when the key is absent. */
  readonly members?: readonly DesiredGroupMember[] | undefined;
}

/** One item of a user's `groups:` list. */
export interface UserGroupRef {
  readonly user_name: string;
  /** The named label trimmed and lower-cased. */
  readonly key: string;
  /** The label as written, trimmed. */
  readonly label: string;
  /** Position of the list item. */
  readonly source: SourceRef;
}

export function groupDeclaration(entry: GroupEntry): GroupDeclaration {
  const raw = entry.raw;
  const values: { -readonly [K in keyof Omit<GroupValues, 'label'>]: Omit<GroupValues, 'label'>[K] } = {};
  if (raw.description !== undefined) values.description = raw.description;
  if (raw.active !== undefined) values.active = raw.active;
  if (raw.allow_delegation_among_members !== undefined) values.allow_delegation = raw.allow_delegation_among_members;
  if (raw.security_profiles !== undefined) values.security_profiles = [...raw.security_profiles].sort();
  const members = raw.members?.map((name, i) => ({ user_name: normaliseIdentity(name), source: entry.yaml.locate([...entry.path, 'members', i], 'value') }));
  return {
    key: normaliseIdentity(raw.label),
    label: raw.label.trim(),
    values,
    source: entry.yaml.locate([...entry.path, 'label']),
    ...(members === undefined ? {} : { members }),
  };
}

/** The `groups:` items of every user, in order; users without the key cost nothing. */
export function userGroupRefs(users: readonly UserEntry[]): UserGroupRef[] {
  const refs: UserGroupRef[] = [];
  for (const entry of users) {
    const labels = entry.raw.groups;
    if (labels === undefined) continue;
    const user_name = normaliseIdentity(entry.raw.user_name);
    for (let i = 0; i < labels.length; i++) {
      const label = (labels[i] ?? '').trim();
      refs.push({ user_name, key: normaliseIdentity(label), label, source: entry.yaml.locate([...entry.path, 'groups', i], 'value') });
    }
  }
  return refs;
}

/** Orders positions by file, line, column: the earliest declaration wins whatever order files come in. */
export function comparePositions(a: SourceRef, b: SourceRef): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}

function byString<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

interface Slot {
  readonly group: GroupDeclaration;
  /** Members from `members:`, by user name; undefined while neither form names a member. */
  fromGroup: Map<string, DesiredGroupMember> | undefined;
  fromUsers: Map<string, DesiredGroupMember> | undefined;
}

/** Keeps the earlier declaration of a user's membership. */
function keepEarliest(into: Map<string, DesiredGroupMember>, member: DesiredGroupMember): void {
  const known = into.get(member.user_name);
  if (known === undefined || comparePositions(member.source, known.source) < 0) into.set(member.user_name, member);
}

/**
 * Merges both forms into one DesiredGroup per declared group, sorted by key; members are one
 * entry per user sorted by user name, at the `members:` item when the group lists the user,
 * else at the user's `groups:` item (the earliest one when declared twice). A group neither form
 * gives a member keeps `members: undefined` (unmanaged). A ref naming no declared group is left
 * out (a rule reports it), as is a second declaration of a label (also reported).
 * One pass over members; the result does not depend on the order of either list.
 */
export function mergeGroups(groups: readonly GroupDeclaration[], refs: readonly UserGroupRef[]): DesiredGroup[] {
  const slots = new Map<string, Slot>();
  for (const group of groups) {
    const known = slots.get(group.key);
    if (known !== undefined && comparePositions(known.group.source, group.source) <= 0) continue;
    const fromGroup = group.members === undefined ? undefined : new Map<string, DesiredGroupMember>();
    for (const member of group.members ?? []) keepEarliest(fromGroup as Map<string, DesiredGroupMember>, member);
    slots.set(group.key, { group, fromGroup, fromUsers: undefined });
  }
  for (const ref of refs) {
    const slot = slots.get(ref.key);
    if (slot === undefined) continue;
    slot.fromUsers ??= new Map();
    keepEarliest(slot.fromUsers, { user_name: ref.user_name, source: ref.source });
  }
  return [...slots.values()].map(toDesiredGroup).sort(byString((g) => g.key));
}

function toDesiredGroup(slot: Slot): DesiredGroup {
  const { group, fromGroup, fromUsers } = slot;
  const base = { key: group.key, label: group.label, ...group.values, source: group.source };
  if (fromGroup === undefined && fromUsers === undefined) return base;
  const members = new Map(fromUsers ?? []);
  for (const [user, member] of fromGroup ?? []) members.set(user, member);
  return { ...base, members: [...members.values()].sort(byString((m) => m.user_name)) };
}
