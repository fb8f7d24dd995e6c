/**
 * Groups as declared in two places (a group's `members:` list and a user's `groups:` list), read
 * once into plain declarations with their positions, and merged into the model's DesiredGroup.
 * The rules (rules-groups.ts) and the merge share these declarations, so every member's position
 * is looked up once.
 */
import { normaliseIdentity, type DesiredGroup, type DesiredGroupMember, type Grant, type GroupValues, type SourceRef } from '../model.js';
import type { GroupEntry, UserEntry } from './entries.js';
import { readGrant } from './normalise.js';
import { memberName, refLabel } from './raw-types.js';

/** One group as its groups file declares it. */
export interface GroupDeclaration {
  /** The identity: the label trimmed and lower-cased. */
  readonly key: string;
  /** The label trimmed, its case kept. */
  readonly label: string;
  /** `name__v` when declared. */
  readonly name?: string | undefined;
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
  /** Position of the list item (of its `group:` value in the object form). */
  readonly source: SourceRef;
  /** The time box of the object form; `undefined` = not time-boxed. */
  readonly grant?: Grant;
}

export function groupDeclaration(entry: GroupEntry): GroupDeclaration {
  const raw = entry.raw;
  const values: { -readonly [K in keyof Omit<GroupValues, 'label'>]: Omit<GroupValues, 'label'>[K] } = {};
  if (raw.description !== undefined) values.description = raw.description;
  if (raw.active !== undefined) values.active = raw.active;
  if (raw.allow_delegation_among_members !== undefined) values.allow_delegation = raw.allow_delegation_among_members;
  if (raw.security_profiles !== undefined) values.security_profiles = [...raw.security_profiles].sort();
  // One path, its last step moved along (locate keeps no reference to it).
  const path = [...entry.path, 'members', 0];
  const last = path.length - 1;
  const members = raw.members?.map((item, i): DesiredGroupMember => {
    path[last] = i;
    const user_name = normaliseIdentity(memberName(item));
    if (typeof item === 'string') return { user_name, source: entry.yaml.locate(path, 'value') };
    const grant = readGrant(entry.yaml, path, item);
    return { user_name, source: entry.yaml.locate([...path, 'user'], 'value'), ...(grant === undefined ? {} : { grant }) };
  });
  return {
    key: normaliseIdentity(raw.label),
    label: raw.label.trim(),
    ...(raw.name === undefined ? {} : { name: raw.name }),
    values,
    source: entry.yaml.locate([...entry.path, 'label']),
    ...(members === undefined ? {} : { members }),
  };
}

/** The `groups:` items of every user, in order; users without the key cost nothing. */
export function userGroupRefs(users: readonly UserEntry[]): UserGroupRef[] {
  const refs: UserGroupRef[] = [];
  // Labels repeat across users: trim and lower-case each distinct spelling once.
  const spellings = new Map<string, { label: string; key: string }>();
  for (const entry of users) {
    const labels = entry.raw.groups;
    if (labels === undefined) continue;
    const user_name = normaliseIdentity(entry.raw.user_name);
    // One path per user, its last step moved along (locate keeps no reference to it).
    const path = [...entry.path, 'groups', 0];
    const last = path.length - 1;
    for (let i = 0; i < labels.length; i++) {
      path[last] = i;
      const item = labels[i] ?? '';
      const written = refLabel(item);
      let spelling = spellings.get(written);
      if (spelling === undefined) {
        spelling = { label: written.trim(), key: normaliseIdentity(written) };
        spellings.set(written, spelling);
      }
      if (typeof item === 'string') {
        refs.push({ user_name, key: spelling.key, label: spelling.label, source: entry.yaml.locate(path, 'value') });
        continue;
      }
      const grant = readGrant(entry.yaml, path, item);
      refs.push({ user_name, key: spelling.key, label: spelling.label, source: entry.yaml.locate([...path, 'group'], 'value'), ...(grant === undefined ? {} : { grant }) });
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
  /** The users whose `groups:` name this group; undefined while none does. */
  fromUsers: UserGroupRef[] | undefined;
}

/** By user name, then position: the first of each user's run is its earliest declaration. */
function byUserThenPosition(a: { user_name: string; source: SourceRef }, b: { user_name: string; source: SourceRef }): number {
  if (a.user_name !== b.user_name) return a.user_name < b.user_name ? -1 : 1;
  return comparePositions(a.source, b.source);
}

/**
 * Merges both forms into one DesiredGroup per declared group, sorted by key; members are one
 * entry per user sorted by user name, at the `members:` item when the group lists the user,
 * else at the user's `groups:` item (the earliest one when declared twice). A group neither form
 * gives a member keeps `members: undefined` (unmanaged). A ref naming no declared group is left
 * out (a rule reports it), as is a second declaration of a label (also reported).
 * One pass over members plus a sort per group; the result does not depend on the order of either list.
 */
export function mergeGroups(groups: readonly GroupDeclaration[], refs: readonly UserGroupRef[]): DesiredGroup[] {
  const slots = new Map<string, Slot>();
  for (const group of groups) {
    const known = slots.get(group.key);
    if (known === undefined || comparePositions(group.source, known.group.source) < 0) slots.set(group.key, { group, fromUsers: undefined });
  }
  for (const ref of refs) {
    const slot = slots.get(ref.key);
    if (slot === undefined) continue;
    if (slot.fromUsers === undefined) slot.fromUsers = [ref];
    else slot.fromUsers.push(ref);
  }
  return [...slots.values()].map(toDesiredGroup).sort(byString((g) => g.key));
}

/** Both sorted lists walked together, one member per user, the group's own item first. */
function mergeMembers(listed: readonly DesiredGroupMember[], named: readonly UserGroupRef[]): DesiredGroupMember[] {
  const out: DesiredGroupMember[] = [];
  let i = 0;
  let j = 0;
  while (i < listed.length || j < named.length) {
    const a = listed[i];
    const b = named[j];
    const user = a !== undefined && (b === undefined || a.user_name <= b.user_name) ? a.user_name : (b?.user_name ?? '');
    if (a !== undefined && a.user_name === user) out.push(a);
    else if (b !== undefined) out.push({ user_name: b.user_name, source: b.source, ...(b.grant === undefined ? {} : { grant: b.grant }) });
    while (listed[i]?.user_name === user) i++;
    while (named[j]?.user_name === user) j++;
  }
  return out;
}

function toDesiredGroup(slot: Slot): DesiredGroup {
  const { group, fromUsers } = slot;
  const base = { key: group.key, label: group.label, ...(group.name === undefined ? {} : { name: group.name }), ...group.values, source: group.source };
  if (group.members === undefined && fromUsers === undefined) return base;
  const listed = [...(group.members ?? [])].sort(byUserThenPosition);
  const named = fromUsers === undefined ? [] : fromUsers.sort(byUserThenPosition);
  return { ...base, members: mergeMembers(listed, named) };
}
