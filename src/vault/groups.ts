/**
 * Groups of the session's vault (VAULT-API.md §16.1): reading them (VQL over `group__sys` and
 * `group_membership__sys`, the Retrieve All Groups listing for values and explicit members) and
 * the group writes. PLACEHOLDER: the groups-wire work replaces this module.
 */
import { VaultRosterError } from '../errors.js';
import type { LiveGroup } from '../model.js';
import type { GroupCreateRow, GroupUpdateRow } from '../plan/types.js';
import type { WriteContext, RowOutcome } from './writes.js';
import type { VaultTransport } from './transport.js';

function notYet(what: string): never {
  throw new VaultRosterError('vault-response', `${what} is not implemented yet`);
}

export function readGroups(_transport: VaultTransport, _signal?: AbortSignal): Promise<Map<string, LiveGroup>> {
  return Promise.resolve(notYet('reading groups'));
}

export function createGroup(_ctx: WriteContext, _row: GroupCreateRow, _options: { readonly sentBefore: boolean }): Promise<RowOutcome> {
  return Promise.resolve(notYet('Create Group'));
}

export function updateGroup(_ctx: WriteContext, _row: GroupUpdateRow): Promise<RowOutcome> {
  return Promise.resolve(notYet('Update Group'));
}

export function changeGroupMembers(_ctx: WriteContext, _change: 'add' | 'delete', _groupId: number, _userIds: readonly number[]): Promise<RowOutcome> {
  return Promise.resolve(notYet('changing group members'));
}
