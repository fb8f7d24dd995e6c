/**
 * The applier's port onto the real client: one typed operation in, one outcome per row out.
 * It only maps operation kinds to client calls and fills in the ids earlier operations of this
 * apply returned (new users, new groups); how each call is encoded, paced, retried and repeated
 * lives in src/vault/ (writes.ts, groups.ts).
 */
import type { GroupMembersRow, Operation } from '../plan/index.js';
import type { RowOutcome, VaultClient } from '../vault/index.js';
import type { ApplyPort, SendOptions } from './execute.js';

/** The id an operation this one depends on returned for `key` (a new user's or group's). */
function idFromDependencies(op: Operation, key: string, idOf: SendOptions['idOf']): number | undefined {
  for (const dep of op.depends_on) {
    const id = idOf(dep, key);
    if (id !== undefined && /^\d+$/.test(id)) return Number(id);
  }
  return undefined;
}

/**
 * One incremental member change. Members whose user id is unknown (their create or promotion
 * failed) are left out and named in a failed outcome; the others are still sent, which is safe:
 * add and delete by id may be repeated.
 */
async function sendMembers(client: VaultClient, op: Operation, row: GroupMembersRow, change: 'add' | 'delete', idOf: SendOptions['idOf']): Promise<RowOutcome> {
  const groupId = row.group_id ?? idFromDependencies(op, row.key, idOf);
  if (groupId === undefined) {
    return { ok: false, error_type: 'GROUP_ID_UNKNOWN', message: `the group ${row.key.slice('group:'.length)} was not created in this run, so its members could not be changed` };
  }
  const ids: number[] = [];
  const missing: string[] = [];
  for (const member of row.members) {
    const id = member.user_id ?? idFromDependencies(op, member.user_name, idOf);
    if (id === undefined) missing.push(member.user_name);
    else ids.push(id);
  }
  const outcome = ids.length === 0 ? ({ ok: true } as const) : await client.changeGroupMembers(change, groupId, ids);
  if (!outcome.ok || missing.length === 0) return outcome;
  return {
    ok: false,
    error_type: 'USER_ID_UNKNOWN',
    message: `not ${change === 'add' ? 'added' : 'removed'}: ${missing.join(', ')} (the operation creating ${missing.length === 1 ? 'this user' : 'these users'} failed); the others were sent`,
  };
}

/**
 * Runs one operation through the client. `sentBefore`: an earlier run may have sent it already
 * (its answer lost); the client then sends it in a form that is safe to repeat.
 */
export function sendOperation(client: VaultClient, op: Operation, options: SendOptions): Promise<readonly RowOutcome[]> {
  const { sentBefore } = options;
  switch (op.kind) {
    case 'create_users':
      return client.createUsers(op.rows, { sentBefore });
    case 'upsert_users':
      return client.upsertUsers(op.match, op.rows);
    case 'update_users':
      return client.updateUsers(op.rows);
    case 'update_user':
      return Promise.all(op.rows.map((row) => client.updateDomainUser(row)));
    case 'promote_persons':
      return client.promotePersons(op.rows);
    case 'sitevault_create':
      return Promise.all(op.rows.map((row) => client.createSiteVaultPerson(row)));
    case 'sitevault_edit':
      return Promise.all(op.rows.map((row) => client.editSiteVaultPerson(row)));
    case 'create_group':
      return Promise.all(op.rows.map((row) => client.createGroup(row, { sentBefore })));
    case 'update_group':
      return Promise.all(op.rows.map((row) => client.updateGroup(row)));
    case 'add_group_members':
      return Promise.all(op.rows.map((row) => sendMembers(client, op, row, 'add', options.idOf)));
    case 'remove_group_members':
      return Promise.all(op.rows.map((row) => sendMembers(client, op, row, 'delete', options.idOf)));
    default: {
      const unknown: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

export function vaultPort(client: VaultClient): ApplyPort {
  return { send: (op, options) => sendOperation(client, op, options) };
}
