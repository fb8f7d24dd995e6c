/**
 * Groups of the session's vault (VAULT-API.md §16.1): reading them and the group writes.
 *
 * Reading takes three calls' worth of pages, at once: VQL `group__sys` (every group and its kind),
 * Retrieve All Groups with implied members (values, explicit and implied members; one call, no
 * paging documented) and VQL `group_membership__sys` (paged). The reads are cross-checked
 * (vault-api/groups.ts) and any disagreement stops the read before anything is planned.
 *
 * Writes, and when they are repeated:
 * - Create Group is never repeated blindly: when its outcome is unknown (no trustworthy answer, or
 *   a transient refusal) the group is looked up by label, and only sent again when it is not there.
 *   With `sentBefore` (an earlier run may have sent it) the lookup comes first.
 * - Update Group and `members__v=add (…)` / `delete (…)` are idempotent: the transport repeats them.
 * A FAILURE answer becomes a failed outcome with Vault's type and message; transport errors are
 * thrown, as for every other write.
 */
import { TransportError, VaultApiError, VaultRosterError } from '../errors.js';
import { normaliseIdentity, type LiveGroup } from '../model.js';
import type { GroupCreateRow, GroupUpdateRow } from '../plan/types.js';
import {
  assembleGroups,
  decodeListedGroup,
  decodeMembershipRow,
  decodeQueriedGroup,
  GROUP_MEMBERSHIP_VQL,
  groupByLabelVql,
  groupCreateForm,
  groupMembersForm,
  groupPath,
  GROUPS_LISTING_QUERY,
  GROUPS_PATH,
  GROUPS_VQL,
  groupUpdateForm,
  listedEntries,
  MAX_MEMBERS_PER_CALL,
  sortedIds,
  WireDecodeError,
  type GroupMembershipRow,
  type ListedGroup,
  type QueriedGroup,
} from '../vault-api/index.js';
import { asId, readCall, type JsonRecord } from './envelope.js';
import { query } from './query.js';
import { PROBLEMS_SHOWN, ReadProblems } from './read-problems.js';
import { RETRYABLE_VAULT_ERRORS } from './retry.js';
import type { VaultTransport } from './transport.js';
import { CREATE_TRIES, type RowOutcome, type WriteContext } from './writes.js';

const NOTHING_PLANNED = 'Nothing was planned or written.';

/** How a problem names a raw group: its label, else its id, else its place. */
function subject(raw: unknown, position: number): string {
  const record = (typeof raw === 'object' && raw !== null ? ((raw as JsonRecord).group ?? raw) : {}) as JsonRecord;
  if (typeof record.label__v === 'string' && record.label__v.trim() !== '') return `group '${record.label__v.trim()}'`;
  const id = asId(record.id);
  return id === undefined ? `group #${position}` : `group id ${id}`;
}

const GROUPS_CALL = 'POST /api/…/query (group__sys)';
const MEMBERSHIP_CALL = 'POST /api/…/query (group_membership__sys)';
const LISTING_CALL = `GET /api/…${GROUPS_PATH}?includeImplied=true (Retrieve All Groups)`;

async function readListing(transport: VaultTransport, redact: (text: string) => string): Promise<ListedGroup[]> {
  const answer = await readCall(transport, { method: 'GET', path: GROUPS_PATH.slice(1), query: GROUPS_LISTING_QUERY, retry: 'idempotent' });
  const problems = new ReadProblems(redact);
  let entries: unknown[] = [];
  try {
    entries = listedEntries(answer.body);
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    problems.add('the answer', error);
  }
  const listed = problems.decodeAll(entries, decodeListedGroup, subject);
  problems.throwIfAny(LISTING_CALL, 'groups');
  return listed;
}

/**
 * Every group of the session's vault, keyed by lower-cased label. Stops with an error naming the
 * groups when the reads disagree, when two labels differ only in case, or when a field cannot be
 * read; once `signal` aborts, no further page is requested and the read fails.
 */
export async function readGroups(transport: VaultTransport, signal?: AbortSignal): Promise<Map<string, LiveGroup>> {
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const watch = <T>(read: Promise<T>): Promise<T> =>
    read.catch((error: unknown) => {
      stop.abort();
      throw error;
    });
  const redact = (text: string): string => transport.settings.redactor.text(text);
  try {
    const [groupRows, listed, membershipRows] = await Promise.all([
      watch(query(transport, GROUPS_VQL, stop.signal)),
      watch(readListing(transport, redact)),
      watch(query(transport, GROUP_MEMBERSHIP_VQL, stop.signal)),
    ]);
    if (stop.signal.aborted) throw new VaultRosterError('vault-response', 'reading groups was stopped before every page was read', { hint: NOTHING_PLANNED });
    const groupProblems = new ReadProblems(redact);
    const queried: QueriedGroup[] = groupProblems.decodeAll(groupRows, (row) => decodeQueriedGroup(row as JsonRecord), subject);
    groupProblems.throwIfAny(GROUPS_CALL, 'groups');
    const memberProblems = new ReadProblems(redact);
    const memberships: GroupMembershipRow[] = memberProblems.decodeAll(membershipRows, (row) => decodeMembershipRow(row as JsonRecord), (_raw, i) => `row ${i}`);
    memberProblems.throwIfAny(MEMBERSHIP_CALL, 'group memberships');
    const { groups, conflicts } = assembleGroups(queried, listed, memberships);
    if (conflicts.length > 0) {
      const shown = conflicts.slice(0, PROBLEMS_SHOWN).map((c) => `\n  - ${redact(c)}`).join('');
      const more = conflicts.length > PROBLEMS_SHOWN ? `\n  - … and ${conflicts.length - PROBLEMS_SHOWN} more` : '';
      throw new VaultRosterError('vault-response', `Vault's group reads (group__sys, group_membership__sys, Retrieve All Groups) disagree:${shown}${more}`, {
        hint: `${NOTHING_PLANNED} Groups may have changed while they were read: run again. If it persists, check the groups named above in Vault and report this with --verbose output.`,
      });
    }
    return groups;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A refusal Vault answered becomes the row's failed outcome; anything else is thrown. */
function refused(error: unknown): RowOutcome {
  if (error instanceof VaultApiError) return { ok: false, error_type: error.errorType, message: error.vaultMessage };
  throw error;
}

/** The call failed without a trustworthy answer: Vault may or may not have created the group. */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return error instanceof VaultApiError && RETRYABLE_VAULT_ERRORS.has(error.errorType);
}

/** The id of the session vault's group with this label (compared trimmed, in any case), if any. */
async function groupIdByLabel(transport: VaultTransport, label: string): Promise<number | undefined> {
  const wanted = normaliseIdentity(label);
  const rows = await query(transport, groupByLabelVql(label));
  const match = rows.find((row) => typeof row.label__v === 'string' && normaliseIdentity(row.label__v) === wanted);
  return match === undefined ? undefined : asId(match.id);
}

async function postGroup(ctx: WriteContext, row: GroupCreateRow): Promise<RowOutcome> {
  const { body } = await ctx.transport.request({ method: 'POST', path: GROUPS_PATH.slice(1), form: groupCreateForm(row.values), retry: 'never' });
  const id = asId(body.id);
  if (id !== undefined) return { ok: true, id: String(id) };
  // Vault said SUCCESS without an id: the group should exist, so its label finds it.
  const found = await groupIdByLabel(ctx.transport, row.values.label);
  if (found !== undefined) return { ok: true, id: String(found) };
  return { ok: false, error_type: 'INVALID_RESPONSE', message: `Vault reported the group '${row.values.label}' created without an id, and no group has that label` };
}

export async function createGroup(ctx: WriteContext, row: GroupCreateRow, options: { readonly sentBefore: boolean }): Promise<RowOutcome> {
  try {
    if (options.sentBefore) {
      const found = await groupIdByLabel(ctx.transport, row.values.label);
      if (found !== undefined) return { ok: true, id: String(found) };
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await postGroup(ctx, row);
      } catch (error) {
        if (attempt + 1 >= CREATE_TRIES || !outcomeUnknown(error)) throw error;
        await ctx.backoff(attempt);
        const found = await groupIdByLabel(ctx.transport, row.values.label);
        if (found !== undefined) return { ok: true, id: String(found) };
      }
    }
  } catch (error) {
    return refused(error);
  }
}

export async function updateGroup(ctx: WriteContext, row: GroupUpdateRow): Promise<RowOutcome> {
  const form = groupUpdateForm(row.values);
  if (Object.keys(form).length === 0) return { ok: true, id: String(row.group_id) };
  try {
    await ctx.transport.request({ method: 'PUT', path: groupPath(row.group_id).slice(1), form, retry: 'idempotent' });
    return { ok: true, id: String(row.group_id) };
  } catch (error) {
    return refused(error);
  }
}

/** Adds or removes explicit members by id, in calls of at most MAX_MEMBERS_PER_CALL users. */
export async function changeGroupMembers(ctx: WriteContext, change: 'add' | 'delete', groupId: number, userIds: readonly number[]): Promise<RowOutcome> {
  const ids = sortedIds(userIds);
  try {
    for (let start = 0; start < ids.length; start += MAX_MEMBERS_PER_CALL) {
      const form = groupMembersForm(change, ids.slice(start, start + MAX_MEMBERS_PER_CALL));
      await ctx.transport.request({ method: 'PUT', path: groupPath(groupId).slice(1), form, retry: 'idempotent' });
    }
    return { ok: true, id: String(groupId) };
  } catch (error) {
    return refused(error);
  }
}
