/**
 * Group changes as calls: one Create Group or Update Group per group, then member additions and
 * removals by id, incrementally (`add (…)` / `delete (…)`), at most {@link MAX_BATCH_ROWS}
 * ids a call. Each call has one row, so apply journals and resumes group by group.
 */
import { MAX_BATCH_ROWS } from '../vault-api/index.js';
import type { OperationDraft } from './batch.js';
import type { GroupPlanItem } from './diff-groups.js';
import { groupRowKey, type GroupMemberRef } from './types.js';

export interface GroupStages {
  readonly create: OperationDraft[];
  readonly update: OperationDraft[];
  readonly add: OperationDraft[];
  readonly remove: OperationDraft[];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `userDrafts`: the drafts that create or promote each new user, by user name; a member
 * without an id waits for them (their answers carry the id apply sends).
 */
export function buildGroupOperations(items: readonly GroupPlanItem[], userDrafts: ReadonlyMap<string, readonly OperationDraft[]>): GroupStages {
  const stages: GroupStages = { create: [], update: [], add: [], remove: [] };
  for (const item of items) {
    const key = groupRowKey(item.key);
    const values = item.values;
    if (item.group_id === undefined) {
      stages.create.push({ kind: 'create_group', rows: [{ key, values: { ...values, label: item.label } }] });
    } else if (Object.keys(values).length > 0) {
      stages.update.push({ kind: 'update_group', rows: [{ key, group_id: item.group_id, values }] });
    }
    const groupId = item.group_id === undefined ? {} : { group_id: item.group_id };
    for (const members of chunks(item.add, MAX_BATCH_ROWS)) {
      stages.add.push({ kind: 'add_group_members', rows: [{ key, ...groupId, members }], after: creatorsOf(members, userDrafts) });
    }
    for (const members of chunks(item.remove, MAX_BATCH_ROWS)) {
      stages.remove.push({ kind: 'remove_group_members', rows: [{ key, ...groupId, members }] });
    }
  }
  return stages;
}

function creatorsOf(members: readonly GroupMemberRef[], userDrafts: ReadonlyMap<string, readonly OperationDraft[]>): OperationDraft[] {
  const drafts = new Set<OperationDraft>();
  for (const member of members) {
    if (member.user_id !== undefined) continue;
    for (const draft of userDrafts.get(member.user_name) ?? []) drafts.add(draft);
  }
  return [...drafts];
}

/** The drafts that create or promote each user, by user name (rows name users by key). */
export function draftsByUser(drafts: readonly OperationDraft[]): Map<string, OperationDraft[]> {
  const byUser = new Map<string, OperationDraft[]>();
  for (const draft of drafts) {
    for (const row of draft.rows) {
      const list = byUser.get(row.key);
      if (list === undefined) byUser.set(row.key, [draft]);
      else list.push(draft);
    }
  }
  return byUser;
}
