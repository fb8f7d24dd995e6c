/**
 * Desired groups against the session vault's live groups: one change per group that differs,
 * the unmanaged-group policy, and the member checks only this comparison can see.
 *
 * Only explicit members are compared: implied members (through a group's security profiles)
 * are Vault's business and never drift. Members are changed incrementally, never replaced, so a
 * member someone added in the UI to a group no file declares is never touched.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { DesiredGroup, DesiredGroupMember, DesiredState, DesiredUser, GroupValues, LiveGroup, LiveState, LiveUser } from '../model.js';
import { liveRecordDigest } from './digest.js';
import { formatFieldPath } from './field-paths.js';
import { isAdminProfile } from './risks.js';
import type { Change, ChangeAction, ChangeRisk, FieldChange, GroupMemberRef, JsonValue } from './types.js';

/** Group values in the order plans list them, with their Vault names for messages. */
const GROUP_VALUE_KEYS = ['label', 'description', 'active', 'allow_delegation', 'security_profiles'] as const;
type GroupValueKey = (typeof GROUP_VALUE_KEYS)[number];

/** What the operation builder needs to act on one group change. */
export interface GroupPlanItem {
  readonly change: Change;
  readonly key: string;
  /** The label as declared (as Vault has it, for an undeclared group). */
  readonly label: string;
  /** Absent: the plan creates the group. */
  readonly group_id?: number;
  /** Values to send: all declared ones for a new group, the differing ones otherwise. */
  readonly values: GroupValues;
  /** Explicit members to add and to remove, sorted by user name. */
  readonly add: readonly GroupMemberRef[];
  readonly remove: readonly GroupMemberRef[];
}

export interface GroupDiff {
  readonly items: GroupPlanItem[];
  readonly unchanged: number;
  readonly unmanaged: number;
  readonly diagnostics: Diagnostic[];
  /** Live groups the plan relied on, by key (null: relied on its absence). */
  readonly digests: Record<string, string | null>;
}

/** Users the plan creates or promotes: group members who have no id until apply. */
export type UsersCreatedByPlan = ReadonlySet<string>;

const LIST_LIMIT = 20;

function where(source: { readonly file: string; readonly line: number }): string {
  return `${source.file}:${source.line}`;
}

function positionOf(source: DesiredGroupMember['source']): Pick<Diagnostic, 'position'> {
  return { position: { file: source.file, line: source.line, col: source.col } };
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function asJson(value: GroupValues[GroupValueKey]): JsonValue {
  if (value === undefined) return null;
  return Array.isArray(value) ? [...(value as readonly string[])] : (value as JsonValue);
}

/** The declared values that differ from the live group (every declared value for a new group). */
function valueChanges(desired: DesiredGroup, current: LiveGroup | undefined): { values: GroupValues; fields: FieldChange[] } {
  const values: Record<string, unknown> = {};
  const fields: FieldChange[] = [];
  for (const key of GROUP_VALUE_KEYS) {
    const wanted = desired[key];
    if (wanted === undefined) continue;
    const have = current?.[key];
    const same = key === 'security_profiles' ? sameList(wanted as readonly string[], have as readonly string[] | undefined) : wanted === have;
    if (current !== undefined && same) continue;
    values[key] = wanted;
    fields.push({ path: key, before: asJson(have), after: asJson(wanted) });
  }
  return { values: values, fields };
}

/** Everything the member checks need about users, built once per plan. */
interface UserIndex {
  readonly declared: ReadonlyMap<string, DesiredUser>;
  readonly live: ReadonlyMap<string, LiveUser>;
  readonly nameOfId: ReadonlyMap<number, string>;
  readonly created: UsersCreatedByPlan;
  readonly vaultId: number;
  /** Each member's access after the plan, worked out once per user (a user is in many groups). */
  readonly access: Map<string, MemberAccess>;
}

/** `declared-inactive` / `inactive`: the user will not be active; `no-vault`: no active membership of the group's vault. */
type MemberAccess = 'ok' | 'declared-inactive' | 'inactive' | 'no-vault';

function indexUsers(desired: DesiredState, live: LiveState, created: UsersCreatedByPlan): UserIndex {
  const nameOfId = new Map<number, string>();
  for (const user of live.users.values()) nameOfId.set(user.id, user.user_name);
  return { declared: new Map(desired.users.map((u) => [u.user_name, u])), live: live.users, nameOfId, created, vaultId: live.vault_id, access: new Map() };
}

function accessOf(userName: string, users: UserIndex): MemberAccess {
  const known = users.access.get(userName);
  if (known !== undefined) return known;
  const declared = users.declared.get(userName);
  const current = users.live.get(userName);
  const memberships = declared?.memberships ?? current?.memberships;
  const access: MemberAccess =
    declared?.active === false
      ? 'declared-inactive'
      : (declared?.active ?? current?.active) === false
        ? 'inactive'
        : memberships !== undefined && !memberships.some((m) => m.vault_id === users.vaultId && m.active)
          ? 'no-vault'
          : 'ok';
  users.access.set(userName, access);
  return access;
}

/** Warns when a member will be inactive, or without an active membership of the group's vault, after the plan. */
function checkMemberAccess(member: DesiredGroupMember, group: DesiredGroup, users: UserIndex, out: Diagnostic[]): void {
  const access = accessOf(member.user_name, users);
  if (access === 'ok') return;
  const label = `"${group.label}"`;
  if (access === 'no-vault') {
    out.push({
      severity: 'warning',
      code: 'group-member-no-vault-access',
      summary: `${member.user_name} is a member of group ${label} but has no active membership of vault ${users.vaultId}, the group's vault`,
      hint: `give the user a membership of vault ${users.vaultId}, or remove them from the group`,
      ...positionOf(member.source),
    });
    return;
  }
  out.push({
    severity: 'warning',
    code: 'group-member-inactive',
    summary: `${member.user_name} is a member of group ${label} but ${access === 'declared-inactive' ? 'is declared active: false' : 'is inactive in Vault'}`,
    hint: 'remove the member, or make the user active; an inactive member keeps the group but cannot use it',
    ...positionOf(member.source),
  });
}

/** A declared member as a reference apply can send, or a diagnostic when none can be made. */
function memberRef(member: DesiredGroupMember, group: DesiredGroup, users: UserIndex): GroupMemberRef | Diagnostic {
  const current = users.live.get(member.user_name);
  if (current !== undefined) return { user_name: member.user_name, user_id: current.id };
  if (users.created.has(member.user_name)) return { user_name: member.user_name };
  if (users.declared.has(member.user_name)) {
    return {
      severity: 'warning',
      code: 'group-member-held-back',
      summary: `${member.user_name} is not added to group "${group.label}": the user is not in Vault and this plan does not create them`,
      hint: 'fix the problem the plan reports for this user; the membership follows once the user exists',
      ...positionOf(member.source),
    };
  }
  return {
    severity: 'error',
    code: 'group-member-unknown',
    summary: `group "${group.label}" lists ${member.user_name}, who is neither declared in a users file nor a user in Vault`,
    hint: 'check the spelling of the user name, or declare the user',
    ...positionOf(member.source),
  };
}

function isDiagnostic(value: GroupMemberRef | Diagnostic): value is Diagnostic {
  return 'code' in value;
}

interface MemberDelta {
  readonly add: GroupMemberRef[];
  readonly remove: GroupMemberRef[];
  /** Explicit members after apply (known ones), for the last-member risk. */
  readonly after: number;
}

function memberDelta(group: DesiredGroup, current: LiveGroup | undefined, users: UserIndex, out: Diagnostic[]): MemberDelta {
  const liveNames = new Map<string, number>();
  let unnamed = 0;
  for (const id of current?.members ?? []) {
    const name = users.nameOfId.get(id);
    // A member the user listing does not show (a system-owned user): never removed, never counted.
    if (name === undefined) unnamed += 1;
    else liveNames.set(name, id);
  }
  if (group.members === undefined) return { add: [], remove: [], after: liveNames.size + unnamed };
  const add: GroupMemberRef[] = [];
  const wanted = new Set<string>();
  for (const member of group.members) {
    wanted.add(member.user_name);
    checkMemberAccess(member, group, users, out);
    if (liveNames.has(member.user_name)) continue;
    const ref = memberRef(member, group, users);
    if (isDiagnostic(ref)) out.push(ref);
    else add.push(ref);
  }
  const remove: GroupMemberRef[] = [];
  for (const [name, id] of liveNames) if (!wanted.has(name)) remove.push({ user_name: name, user_id: id });
  remove.sort((a, b) => (a.user_name < b.user_name ? -1 : 1));
  if (unnamed > 0 && current !== undefined) {
    out.push({
      severity: 'info',
      code: 'group-member-not-listed',
      summary: `group "${group.label}" has ${unnamed} explicit member(s) the user listing does not show (system-owned users); they are left as they are`,
      hint: 'nothing to do; vault-roster never changes users it cannot see',
    });
  }
  return { add, remove, after: liveNames.size - remove.length + add.length + unnamed };
}

function memberFields(delta: MemberDelta): FieldChange[] {
  const fields: FieldChange[] = [
    ...delta.add.map((m) => ({ path: formatFieldPath(['members', m.user_name]), before: false, after: true })),
    ...delta.remove.map((m) => ({ path: formatFieldPath(['members', m.user_name]), before: true, after: false })),
  ];
  return fields.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function groupRisks(action: ChangeAction, group: GroupValues, delta: MemberDelta, before: number): ChangeRisk[] {
  const risks: ChangeRisk[] = [];
  if (delta.add.length > 0 && (group.security_profiles ?? []).some(isAdminProfile)) risks.push('admin');
  if (action === 'group_deactivate') risks.push('deactivation');
  if (delta.remove.length > 0 && before > 0 && delta.after === 0) risks.push('last_member');
  return risks;
}

function reasonOf(action: ChangeAction, group: DesiredGroup, delta: MemberDelta, current: LiveGroup | undefined): string {
  const declared = `declared in ${where(group.source)}`;
  const counts = [delta.add.length > 0 ? `+${delta.add.length} member${delta.add.length === 1 ? '' : 's'}` : '', delta.remove.length > 0 ? `−${delta.remove.length}` : '']
    .filter((s) => s !== '')
    .join(', ');
  const implied = current !== undefined && current.implied_members.length > 0 ? `; ${current.implied_members.length} implied through security profiles (not managed)` : '';
  if (action === 'group_create') return `${declared}${counts === '' ? '' : ` (${counts})`}`;
  if (action === 'group_deactivate') return `active: false in ${where(group.source)}${implied}`;
  return `${declared}${counts === '' ? '' : `: ${counts}`}${implied}`;
}

/**
 * The live group a declared one stands for: by `name__v` when the YAML gives it (so a new label
 * renames the group), else by label. `undefined`: there is none (a name no group has is an error).
 */
function liveGroupOf(group: DesiredGroup, byLabel: ReadonlyMap<string, LiveGroup>, byName: ReadonlyMap<string, LiveGroup>, out: Diagnostic[]): LiveGroup | undefined | null {
  if (group.name === undefined) return byLabel.get(group.key);
  const named = byName.get(group.name);
  if (named !== undefined) return named;
  out.push({
    severity: 'error',
    code: 'group-name-unknown',
    summary: `group "${group.label}" is declared with name ${group.name}, but no group of the vault has that name__v`,
    hint: 'remove name: to create the group from its label (Vault derives the name), or correct it (vault-roster import writes the names)',
    position: { file: group.source.file, line: group.source.line, col: group.source.col },
  });
  return null;
}

function notUserManaged(group: DesiredGroup, current: LiveGroup): Diagnostic {
  const kind = { system: 'a system-provided group', auto: 'an Auto Managed group', manager: 'a manager group', other: 'a group of a type vault-roster does not manage', user_managed: '' }[current.kind];
  return {
    severity: 'error',
    code: 'group-not-user-managed',
    summary: `"${group.label}" is ${kind} in vault; vault-roster manages only user-managed groups`,
    hint: 'remove the entry (Vault maintains this group itself), or give your group another label',
    position: { file: group.source.file, line: group.source.line, col: group.source.col },
  };
}

/** `changed`: the plan changes the group; `unchanged`: it matches; `refused`: a diagnostic says why not. */
function planDeclared(group: DesiredGroup, current: LiveGroup | undefined, users: UserIndex, out: GroupDiff): 'changed' | 'unchanged' | 'refused' {
  if (current !== undefined && current.kind !== 'user_managed') {
    out.diagnostics.push(notUserManaged(group, current));
    return 'refused';
  }
  const { values, fields } = valueChanges(group, current);
  const delta = memberDelta(group, current, users, out.diagnostics);
  if (current !== undefined && fields.length === 0 && delta.add.length === 0 && delta.remove.length === 0) return 'unchanged';
  const action: ChangeAction = current === undefined ? 'group_create' : values.active === false ? 'group_deactivate' : 'group_update';
  const allFields = [...fields, ...memberFields(delta)];
  const after = { ...current, ...values };
  out.items.push({
    key: group.key,
    label: group.label,
    ...(current === undefined ? {} : { group_id: current.id }),
    values,
    add: delta.add,
    remove: delta.remove,
    change: {
      subject: 'group',
      key: group.key,
      action,
      fields: allFields,
      reason: reasonOf(action, group, delta, current),
      risks: groupRisks(action, after, delta, current?.members.length ?? 0),
      source: group.source,
    },
  });
  return 'changed';
}

function planUnmanaged(desired: DesiredState, liveGroups: ReadonlyMap<string, LiveGroup>, matched: ReadonlySet<number>, out: GroupDiff): number {
  const declared = new Set((desired.groups ?? []).map((g) => g.key));
  const unmanaged = [...liveGroups.values()].filter((g) => g.kind === 'user_managed' && !declared.has(g.key) && !matched.has(g.id));
  const policy = desired.policy.unmanaged_groups;
  if (unmanaged.length === 0 || policy === 'ignore') return unmanaged.length;
  if (policy === 'report') {
    const names = unmanaged.map((g) => `"${g.label}"`);
    out.diagnostics.push({
      severity: 'info',
      code: 'unmanaged-groups',
      summary: `${unmanaged.length} user-managed group(s) of the vault are in no desired file: ${names.slice(0, LIST_LIMIT).join(', ')}${names.length > LIST_LIMIT ? `, and ${names.length - LIST_LIMIT} more` : ''}`,
      hint: 'declare them (vault-roster import writes groups files), or set policy.unmanaged_groups: ignore',
    });
    return unmanaged.length;
  }
  for (const group of unmanaged) {
    out.digests[group.key] = liveRecordDigest(group);
    if (group.active === false) continue;
    out.items.push({
      key: group.key,
      label: group.label,
      group_id: group.id,
      values: { active: false },
      add: [],
      remove: [],
      change: {
        subject: 'group',
        key: group.key,
        action: 'group_deactivate',
        fields: [{ path: 'active', before: true, after: false }],
        reason: 'in no desired file (policy.unmanaged_groups: deactivate; groups are never deleted)',
        risks: ['deactivation'],
      },
    });
  }
  return unmanaged.length;
}

/**
 * The live group a plan's digest for `key` describes: the declared group's, found by name when the
 * YAML names it, else the live group with that label. Admission reads digests back through it.
 */
export function liveGroupForKey(desired: DesiredState, groups: ReadonlyMap<string, LiveGroup> | undefined, key: string): LiveGroup | undefined {
  const name = desired.groups?.find((g) => g.key === key)?.name;
  if (name === undefined) return groups?.get(key);
  for (const group of groups?.values() ?? []) if (group.name === name) return group;
  return undefined;
}

/**
 * Plans the group changes. `created`: user names this plan creates or promotes (their
 * memberships wait for those operations). Returns nothing to do when the repo does not manage
 * groups.
 */
export function diffGroups(desired: DesiredState, live: LiveState, created: UsersCreatedByPlan): GroupDiff {
  const out: GroupDiff = { items: [], unchanged: 0, unmanaged: 0, diagnostics: [], digests: {} };
  if (desired.groups === undefined) return out;
  const liveGroups = live.groups;
  if (liveGroups === undefined) {
    out.diagnostics.push({
      severity: 'error',
      code: 'groups-not-read',
      summary: "the desired files declare groups but the vault's groups were not read",
      hint: 'this is a bug in the caller: plan reads groups whenever a groups file is included',
    });
    return out;
  }
  const users = indexUsers(desired, live, created);
  const byName = new Map([...liveGroups.values()].map((g) => [g.name, g]));
  const matched = new Set<number>();
  let unchanged = 0;
  for (const group of desired.groups) {
    const current = liveGroupOf(group, liveGroups, byName, out.diagnostics);
    if (current === null) continue;
    if (current !== undefined && matched.has(current.id)) {
      out.diagnostics.push({
        severity: 'error',
        code: 'group-name-duplicate',
        summary: `group "${group.label}" names the same Vault group (${current.name}) as another declared group`,
        hint: 'each Vault group may be declared once: check the name: and label: keys',
        position: { file: group.source.file, line: group.source.line, col: group.source.col },
      });
      continue;
    }
    if (current !== undefined) matched.add(current.id);
    out.digests[group.key] = liveRecordDigest(current);
    if (planDeclared(group, current, users, out) === 'unchanged') unchanged += 1;
  }
  const unmanaged = planUnmanaged(desired, liveGroups, matched, out);
  return { ...out, unchanged, unmanaged };
}
