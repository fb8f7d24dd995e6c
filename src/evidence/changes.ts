/**
 * `changes.json` of a bundle: per user, group or SiteVault person the plan touches, the before
 * and intended after (from the plan), the after as read back from Vault (only when it was read:
 * never made up), and the calls and row results the journal holds for it.
 */
import type { LiveGroup, LiveUser } from '../model.js';
import { groupRowKey, parseFieldPath, type Change, type JsonValue, type Plan } from '../plan/index.js';
import type { CallRecord, JournalRuns, RowRecord } from './journal-runs.js';

/** What was read back from Vault after the apply, or why nothing was. */
export type ReadBack =
  | {
      readonly status: 'read';
      readonly at: string;
      readonly vault_id: number;
      readonly users: ReadonlyMap<string, LiveUser>;
      /** undefined when groups were not read (the plan changes none). */
      readonly groups?: ReadonlyMap<string, LiveGroup> | undefined;
    }
  | { readonly status: 'skipped'; readonly why: string };

export type AfterReadBack =
  | { readonly status: 'read'; readonly at: string; readonly values: Readonly<Record<string, JsonValue>>; readonly matches_intended: boolean }
  | { readonly status: 'absent'; readonly at: string; readonly why: string }
  | { readonly status: 'not-read'; readonly why: string };

export interface ChangeEvidence {
  readonly subject: Change['subject'];
  readonly key: string;
  readonly action: Change['action'];
  readonly reason: string;
  readonly risks: readonly string[];
  readonly before: Readonly<Record<string, JsonValue>>;
  readonly intended_after: Readonly<Record<string, JsonValue>>;
  readonly after_read_back: AfterReadBack;
  /** `applied` (every row ok), `failed` (a row failed), `not-sent` (no row result in the journal). */
  readonly outcome: 'applied' | 'failed' | 'not-sent';
  readonly calls: readonly CallRecord[];
  readonly rows: readonly RowRecord[];
}

type Tree = { [key: string]: JsonValue };

/** A live user as the plan's field paths name its parts (`memberships[3003].apps.rimReg_v`). */
function userTree(user: LiveUser): Tree {
  const tree: Tree = {};
  for (const [key, value] of Object.entries(user)) {
    if (key === 'memberships' || key === 'fields' || key === 'last_login' || key === 'id' || value === undefined) continue;
    tree[key] = value as JsonValue;
  }
  // Vault lists active users without a flag only when it omits domain_active__v: the reader sets it.
  tree.fields = { ...user.fields };
  const memberships: Tree = {};
  for (const m of user.memberships) {
    const apps: Tree = {};
    for (const [code, app] of Object.entries(m.apps ?? {})) apps[code] = { active: app.active, license_type: app.license_type };
    memberships[String(m.vault_id)] = { active: m.active, security_profile: m.security_profile, license_type: m.license_type, apps };
  }
  tree.memberships = memberships;
  return tree;
}

/** A live group as the plan's paths name it; members by user name (`members[ana@x]` is true or false). */
function groupTree(group: LiveGroup, users: ReadonlyMap<string, LiveUser>): Tree {
  const names = new Map([...users.values()].map((u) => [u.id, u.user_name]));
  const members: Tree = {};
  for (const id of group.members) members[names.get(id) ?? `id ${id}`] = true;
  return {
    label: group.label,
    ...(group.description === undefined ? {} : { description: group.description }),
    ...(group.active === undefined ? {} : { active: group.active }),
    ...(group.allow_delegation === undefined ? {} : { allow_delegation: group.allow_delegation }),
    ...(group.security_profiles === undefined ? {} : { security_profiles: [...group.security_profiles] }),
    members,
  };
}

/** The value at a field path; null when the record lacks it (a member not listed: false). */
function valueAt(tree: Tree, path: string): JsonValue {
  const segments = parseFieldPath(path);
  let node: JsonValue = tree;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
    node = (node)[segment] ?? null;
  }
  if (node === null && segments[0] === 'members' && segments.length === 2) return false;
  return node;
}

function same(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function readBackOf(change: Change, readBack: ReadBack): AfterReadBack {
  if (readBack.status === 'skipped') return { status: 'not-read', why: readBack.why };
  let tree: Tree | undefined;
  if (change.subject === 'sitevault_person') {
    return { status: 'not-read', why: 'SiteVault has no read API for persons (VAULT-API.md §8): the after is not known from Vault' };
  }
  if (change.subject === 'user') {
    const user = readBack.users.get(change.key);
    if (user !== undefined) tree = userTree(user);
  } else {
    if (readBack.groups === undefined) return { status: 'not-read', why: 'groups were not read back' };
    const group = readBack.groups.get(change.key);
    if (group !== undefined) tree = groupTree(group, readBack.users);
  }
  if (tree === undefined) return { status: 'absent', at: readBack.at, why: `no ${change.subject} ${change.key} in vault ${readBack.vault_id} when read back` };
  const values: Record<string, JsonValue> = {};
  let matches = true;
  for (const field of change.fields) {
    const value = valueAt(tree, field.path);
    values[field.path] = value;
    if (!same(value, field.after)) matches = false;
  }
  return { status: 'read', at: readBack.at, values, matches_intended: matches };
}

function rowKeyOf(change: Change): string {
  return change.subject === 'group' ? groupRowKey(change.key) : change.key;
}

/** Operations of the plan with a row for each row key. */
function opsByKey(plan: Plan): Map<string, Set<string>> {
  const byKey = new Map<string, Set<string>>();
  for (const op of plan.operations) {
    for (const row of op.rows) {
      const set = byKey.get(row.key) ?? new Set<string>();
      set.add(op.id);
      byKey.set(row.key, set);
    }
  }
  return byKey;
}

export function changesEvidence(plan: Plan, journal: JournalRuns, readBack: ReadBack): ChangeEvidence[] {
  const byKey = opsByKey(plan);
  const callsByOp = new Map<string, CallRecord[]>();
  for (const call of journal.calls) callsByOp.set(call.op_id, [...(callsByOp.get(call.op_id) ?? []), call]);
  return plan.changes.map((change) => {
    const key = rowKeyOf(change);
    const ops = byKey.get(key) ?? new Set<string>();
    const rows = journal.rows.filter((r) => r.key === key && ops.has(r.op_id));
    const calls = [...ops].flatMap((op) => callsByOp.get(op) ?? []);
    // The last result of each row counts: a resumed run retries what failed.
    const last = new Map(rows.map((r) => [r.op_id, r]));
    const outcome = last.size === 0 ? 'not-sent' : [...last.values()].every((r) => r.ok) && last.size === ops.size ? 'applied' : [...last.values()].some((r) => !r.ok) ? 'failed' : 'not-sent';
    return {
      subject: change.subject,
      key: change.key,
      action: change.action,
      reason: change.reason,
      risks: change.risks,
      before: Object.fromEntries(change.fields.map((f) => [f.path, f.before])),
      intended_after: Object.fromEntries(change.fields.map((f) => [f.path, f.after])),
      after_read_back: readBackOf(change, readBack),
      outcome,
      calls,
      rows,
    };
  });
}
