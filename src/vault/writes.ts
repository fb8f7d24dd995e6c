/**
 * Typed writes: what apply asks of Vault, in the plan's terms, and the one place that decides
 * how each write is repeated when its outcome is unknown.
 *
 * The safe-to-repeat policy, whole:
 * - Reads, updates by id, upserts and SiteVault edits are idempotent: the transport repeats
 *   them after transport failures and 5xx, and users.ts re-sends rows refused with a transient
 *   error (RACE_CONDITION …), within the client's retry budget.
 * - A user create is never repeated as a create (a lost answer may hide a user that now exists).
 *   When its outcome is unknown (no trustworthy answer, or rows refused with a transient error),
 *   those rows are sent again as an upsert keyed by user_name__v, which can only land on one user.
 * - A promotion is repeated up to CREATE_TRIES times while its outcome is unknown: Vault refuses
 *   to promote a person who already has a user, and a refusal is read back — the person's
 *   `vault_user__sys` naming the user the row asked for means the promotion happened.
 * - A SiteVault create is repeated up to CREATE_TRIES times while its outcome is unknown:
 *   SiteVault matches the person by email, so none is made twice.
 * Waits between a caller's own repeats use the client's backoff on its injectable clock.
 */
import { TransportError, VaultApiError, VaultRosterError } from '../errors.js';
import type { DomainUserRow, NewUserRow, PromoteRow, SiteVaultCreateRow, SiteVaultEditRow, UserWriteRow } from '../plan/types.js';
import {
  domainUserFields,
  newUserBody,
  promoteBody,
  sitevaultCreateBody,
  sitevaultEditBody,
  UPSERT_ID_PARAM,
  userWriteBody,
} from '../vault-api/index.js';
import { promotePersons, sitevaultCreatePerson, sitevaultEditPerson } from './clinical.js';
import type { RowResult } from './envelope.js';
import { query } from './query.js';
import { RETRYABLE_VAULT_ERRORS } from './retry.js';
import type { VaultTransport } from './transport.js';
import { createUsers, getUser, updateUser, updateUsers, type UserRow } from './users.js';

/** Tries of a create-like call whose failure left its outcome unknown. */
export const CREATE_TRIES = 4;

/** Vault's outcome for one row of a typed write. */
export type RowOutcome =
  | { readonly ok: true; readonly id?: string }
  | { readonly ok: false; readonly error_type: string; readonly message: string };

function outcomes(results: readonly RowResult[]): RowOutcome[] {
  return results.map((r) => (r.ok ? { ok: true, id: String(r.id) } : { ok: false, error_type: r.errorType, message: r.message }));
}

/** The call failed without a trustworthy answer: Vault may or may not have processed it. */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return error instanceof VaultApiError && RETRYABLE_VAULT_ERRORS.has(error.errorType);
}

export interface WriteContext {
  readonly transport: VaultTransport;
  /** Waits before the caller's own repeat number `attempt` (0 first). */
  backoff(attempt: number): Promise<void>;
}

async function repeatWhileUnknown<T>(ctx: WriteContext, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt + 1 >= CREATE_TRIES || !outcomeUnknown(error)) throw error;
      await ctx.backoff(attempt);
    }
  }
}

/** The vault the session is in: new users' row-level profile and licence describe that vault. */
async function sessionVaultId(transport: VaultTransport): Promise<number> {
  const vaultId = transport.vaultId ?? (await transport.session()).vaultId;
  if (vaultId === undefined) {
    throw new VaultRosterError('vault-unknown', 'cannot create users: Vault has not said which vault this session is in', {
      hint: 'Log in with VAULT_USERNAME and VAULT_PASSWORD (the login answer names the vault), not a ready session id.',
    });
  }
  return vaultId;
}

/**
 * Creates users. A row Vault refused, for any reason, goes again once as an upsert keyed by user
 * name: a transient refusal leaves its outcome unknown, and any other may be Vault refusing a name
 * that exists at domain level but was not listed (a domain-only user, VAULT-API.md §16; the error
 * type of a duplicate name is undocumented, so it cannot be told apart). The upsert can only land
 * on the one user of that name, and a row refused again keeps both answers. With `sentBefore` (an
 * interrupted earlier run may have sent this batch) the first send is already that upsert.
 */
export async function createUserRows(ctx: WriteContext, rows: readonly NewUserRow[], options: { sentBefore: boolean }): Promise<RowOutcome[]> {
  const vaultId = await sessionVaultId(ctx.transport);
  const wire: UserRow[] = rows.map((row) => ({ key: row.key, body: newUserBody(row, vaultId) }));
  const upsertByName = (some: readonly UserRow[]) => createUsers(ctx.transport, some, { upsertKey: UPSERT_ID_PARAM.user_name });
  if (options.sentBefore) return outcomes(await upsertByName(wire));
  let results: RowResult[];
  try {
    results = await createUsers(ctx.transport, wire);
  } catch (error) {
    if (!outcomeUnknown(error)) throw error;
    return outcomes(await upsertByName(wire));
  }
  const refused = results.filter((r): r is Extract<RowResult, { ok: false }> => !r.ok);
  if (refused.length === 0) return outcomes(results);
  const again = await upsertByName(refused.map((r) => wire[r.index] as UserRow));
  refused.forEach((first, i) => {
    const second = again[i];
    if (second === undefined) return;
    results[first.index] = second.ok ? { ...second, index: first.index } : { ...second, index: first.index, message: bothRefusals(first, second) };
  });
  return outcomes(results);
}

/** A create and its upsert by name both refused: the create's answer, and the upsert's when it differs. */
function bothRefusals(create: { errorType: string; message: string }, upsert: RowResult): string {
  if (upsert.ok || (upsert.errorType === create.errorType && upsert.message === create.message)) return create.message;
  return `${create.message} (create ${create.errorType}; sent again as an upsert by user name: ${upsert.errorType} ${upsert.message})`;
}

/** Upserts by user name or by id; both land on one user, so the client repeats them itself. */
export async function upsertUserRows(ctx: WriteContext, match: 'user_name' | 'id', rows: readonly UserWriteRow[]): Promise<RowOutcome[]> {
  const wire = rows.map((row) => ({ key: row.key, body: userWriteBody(row, match) }));
  return outcomes(await createUsers(ctx.transport, wire, { upsertKey: UPSERT_ID_PARAM[match] }));
}

export async function updateUserRows(ctx: WriteContext, rows: readonly UserWriteRow[]): Promise<RowOutcome[]> {
  return outcomes(await updateUsers(ctx.transport, rows.map((row) => ({ key: row.key, body: userWriteBody(row, 'id') }))));
}

/** Fields of a user record that still hold a value, of those asked to be cleared. */
async function notCleared(ctx: WriteContext, userId: number, fields: readonly string[]): Promise<string[]> {
  const user = await getUser(ctx.transport, userId);
  return fields.filter((name) => {
    const value = user[name];
    return !(value === undefined || value === null || (typeof value === 'string' && value.trim() === ''));
  });
}

/**
 * Domain flags and cleared values of one user (Update Single User). How Vault reads a cleared
 * form field is undocumented ([INF] VAULT-API.md §5.6: `null`, or an empty value), so a clear is
 * read back: a field left holding a value (e.g. the text "null") is sent again as an empty
 * value, and one still not cleared after that fails the row loudly instead of passing silently.
 */
export async function updateDomainUser(ctx: WriteContext, row: DomainUserRow): Promise<RowOutcome> {
  const fields = domainUserFields(row);
  const echoed = await updateUser(ctx.transport, row.user_id, fields);
  const clears = Object.keys(fields).filter((name) => fields[name] === null);
  if (clears.length === 0) return { ok: true, id: String(echoed) };
  const left = await notCleared(ctx, row.user_id, clears);
  if (left.length === 0) return { ok: true, id: String(echoed) };
  await updateUser(ctx.transport, row.user_id, Object.fromEntries(left.map((name) => [name, ''])));
  const still = await notCleared(ctx, row.user_id, left);
  if (still.length === 0) return { ok: true, id: String(echoed) };
  return {
    ok: false,
    error_type: 'CLEAR_NOT_APPLIED',
    message: `Vault kept a value in ${still.join(', ')} after being asked to clear it as null and as an empty value; clear it in Vault and report this with --verbose output`,
  };
}

/** The user a Clinical person is linked to, if its name is `userName`: the promotion happened. */
async function promotedUserId(ctx: WriteContext, personId: string, userName: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9]+$/.test(personId)) return undefined;
  const [person] = await query(ctx.transport, `SELECT id, vault_user__sys FROM person__sys WHERE id = '${personId}'`);
  const linked = Number(person?.vault_user__sys);
  if (!Number.isSafeInteger(linked) || linked <= 0) return undefined;
  const user = await getUser(ctx.transport, linked);
  const name = user.user_name__v;
  return typeof name === 'string' && name.toLowerCase() === userName.toLowerCase() ? String(linked) : undefined;
}

/**
 * Promotes persons. Whether a Vault fails one refused person's row or the whole request is
 * undocumented ([INF] VAULT-API.md §9): a whole-request FAILURE for several persons is isolated by
 * sending each person alone, so good persons are promoted and only the refused one fails. A
 * refused row counts as done when the person's `vault_user__sys` is the user the row asked for
 * (read back, whatever the error type).
 */
export async function promotePersonRows(ctx: WriteContext, rows: readonly PromoteRow[]): Promise<RowOutcome[]> {
  let results: RowResult[];
  try {
    results = await repeatWhileUnknown(ctx, () => promotePersons(ctx.transport, rows.map((row) => ({ key: row.key, body: promoteBody(row) }))));
  } catch (error) {
    if (rows.length < 2 || !(error instanceof VaultApiError)) throw error;
    const alone: RowOutcome[] = [];
    for (const row of rows) {
      try {
        alone.push(...(await promotePersonRows(ctx, [row])));
      } catch (single) {
        if (!(single instanceof VaultApiError)) throw single;
        alone.push(await readBack(ctx, row, { ok: false, error_type: single.errorType, message: single.vaultMessage }));
      }
    }
    return alone;
  }
  return Promise.all(
    results.map(async (r, i): Promise<RowOutcome> => (r.ok ? (outcomes([r])[0] as RowOutcome) : readBack(ctx, rows[i], { ok: false, error_type: r.errorType, message: r.message }))),
  );
}

/** A refused promotion that happened anyway (an earlier run's, its answer lost) is done; otherwise the refusal stands. */
async function readBack(ctx: WriteContext, row: PromoteRow | undefined, refusal: RowOutcome): Promise<RowOutcome> {
  const id = row === undefined ? undefined : await promotedUserId(ctx, row.person_id, row.key);
  return id === undefined ? refusal : { ok: true, id };
}

export async function createSiteVaultPerson(ctx: WriteContext, row: SiteVaultCreateRow): Promise<RowOutcome> {
  const created = await repeatWhileUnknown(ctx, () => sitevaultCreatePerson(ctx.transport, sitevaultCreateBody(row.key, row.person)));
  return { ok: true, id: created.personId };
}

export async function editSiteVaultPerson(ctx: WriteContext, row: SiteVaultEditRow): Promise<RowOutcome> {
  const edited = await sitevaultEditPerson(ctx.transport, row.person_id, sitevaultEditBody(row));
  return { ok: true, id: edited.personId };
}
