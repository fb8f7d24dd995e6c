/**
 * The applier's port onto the real client: turns one plan operation into the matching typed
 * Vault call and Vault's answers into one outcome per row. The only apply file that knows
 * endpoint shapes; retries and pacing stay inside the client.
 *
 * The client never repeats a call that creates something (a lost answer may hide a record that
 * now exists). The port knows how to make each of them safe to repeat, and does so when a call
 * failed without a trustworthy answer (a connection failure, a 5xx, RACE_CONDITION, …):
 * - a user create is sent again as an upsert keyed by user_name__v;
 * - a SiteVault create is sent again: Vault matches the person by email, so none is made twice;
 * - a promotion is sent again: Vault refuses to promote a person who already has a user, and a
 *   refusal whose user is the one the row asked for (read back) means the promotion was done.
 */
import { TransportError, VaultApiError, VaultRosterError } from '../errors.js';
import type { FieldValue } from '../model.js';
import { RETRYABLE_VAULT_ERRORS, type RowResult, type VaultClient } from '../vault/index.js';
import type { ApplyOperation, ApplyPort, RowOutcome } from './execute.js';

/** Tries of a create-like call whose failure left its outcome unknown. */
const CREATE_TRIES = 4;

type Row = ApplyOperation['rows'][number];

function outcomes(results: readonly RowResult[]): RowOutcome[] {
  return results.map((r) => (r.ok ? { ok: true, id: String(r.id) } : { ok: false, error_type: r.errorType, message: r.message }));
}

function userRows(rows: readonly Row[]): { key: string; body: Readonly<Record<string, FieldValue>> }[] {
  // Plan rows for the users API are flat (scalars and encoded strings), as Vault takes them.
  return rows.map((r) => ({ key: r.key, body: r.body as Readonly<Record<string, FieldValue>> }));
}

function onlyRow(operation: ApplyOperation): Row {
  const [row, ...rest] = operation.rows;
  if (row === undefined || rest.length > 0) {
    throw new VaultRosterError('plan-invalid', `${operation.id}: a ${operation.body_format} call takes exactly one row`);
  }
  return row;
}

function lastSegment(path: string): string {
  return decodeURIComponent(path.split('/').pop() ?? '');
}

/** The call failed without a trustworthy answer: Vault may or may not have processed it. */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return error instanceof VaultApiError && RETRYABLE_VAULT_ERRORS.has(error.errorType);
}

/** Runs a call that is safe to repeat but that the client will not repeat, a few times. */
async function repeatWhileUnknown<T>(client: VaultClient, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt + 1 >= CREATE_TRIES || !outcomeUnknown(error)) throw error;
      await client.backoff(attempt);
    }
  }
}

/**
 * Creates users; when the create's outcome is unknown (or rows failed with a transient error),
 * those rows go again as an upsert keyed by user name, which Vault may safely repeat.
 */
async function createUsers(client: VaultClient, rows: ReturnType<typeof userRows>): Promise<RowOutcome[]> {
  let results: RowResult[];
  try {
    results = await client.createUsers(rows);
  } catch (error) {
    if (!outcomeUnknown(error)) throw error;
    return outcomes(await client.createUsers(rows, { upsertKey: 'user_name__v' }));
  }
  const transient = results.filter((r) => !r.ok && RETRYABLE_VAULT_ERRORS.has(r.errorType));
  if (transient.length > 0) {
    const again = await client.createUsers(
      transient.map((r) => rows[r.index] ?? { key: r.key, body: {} }),
      { upsertKey: 'user_name__v' },
    );
    transient.forEach((r, i) => {
      const retried = again[i];
      if (retried !== undefined) results[r.index] = { ...retried, index: r.index };
    });
  }
  return outcomes(results);
}

/** The user a Clinical person is linked to, if its name is `userName`: the promotion happened. */
async function promotedUserId(client: VaultClient, personId: string, userName: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9]+$/.test(personId)) return undefined;
  const [person] = await client.query(`SELECT id, vault_user__sys FROM person__sys WHERE id = '${personId}'`);
  const linked = Number(person?.vault_user__sys);
  if (!Number.isSafeInteger(linked) || linked <= 0) return undefined;
  const user = await client.getUser(linked);
  const name = user.user_name__v;
  return typeof name === 'string' && name.toLowerCase() === userName.toLowerCase() ? String(linked) : undefined;
}

/** Promotes persons; a refusal because the person already has the intended user counts as done. */
async function promote(client: VaultClient, rows: readonly Row[]): Promise<RowOutcome[]> {
  const results = await repeatWhileUnknown(client, () => client.promotePersons(rows.map((r) => ({ key: r.key, body: r.body }))));
  return Promise.all(
    results.map(async (r, i): Promise<RowOutcome> => {
      if (r.ok || r.errorType !== 'OPERATION_NOT_ALLOWED') return outcomes([r])[0] as RowOutcome;
      const row = rows[i];
      const personId = row?.body.source_person_id;
      const userName = row?.body.username__sys ?? row?.key;
      const id = typeof personId === 'string' && typeof userName === 'string' ? await promotedUserId(client, personId, userName) : undefined;
      return id === undefined ? { ok: false, error_type: r.errorType, message: r.message } : { ok: true, id };
    }),
  );
}

export function vaultPort(client: VaultClient): ApplyPort {
  return {
    async send(operation) {
      switch (operation.kind) {
        case 'create':
          return createUsers(client, userRows(operation.rows));
        case 'upsert': {
          const key = operation.query?.idParam;
          if (key !== 'user_name__v' && key !== 'id') {
            throw new VaultRosterError('plan-invalid', `${operation.id}: an upsert needs idParam user_name__v or id`);
          }
          // Both keys are safe to repeat, and the client repeats them itself.
          return outcomes(await client.createUsers(userRows(operation.rows), { upsertKey: key }));
        }
        case 'update': {
          if (operation.body_format === 'json-array') return outcomes(await client.updateUsers(userRows(operation.rows)));
          const row = onlyRow(operation);
          const id = Number(lastSegment(operation.path));
          if (!Number.isSafeInteger(id)) throw new VaultRosterError('plan-invalid', `${operation.id}: no user id in ${operation.path}`);
          const echoed = await client.updateUser(id, row.body as Readonly<Record<string, FieldValue>>);
          return [{ ok: true, id: String(echoed) }];
        }
        case 'promote':
          return promote(client, operation.rows);
        case 'sitevault_create': {
          const row = onlyRow(operation);
          const created = await repeatWhileUnknown(client, () => client.sitevaultCreatePerson(row.body));
          return [{ ok: true, id: created.personId }];
        }
        case 'sitevault_edit': {
          const row = onlyRow(operation);
          const edited = await client.sitevaultEditPerson(lastSegment(operation.path), row.body);
          return [{ ok: true, id: edited.personId }];
        }
        default: {
          const unknown: never = operation.kind;
          throw new VaultRosterError('plan-invalid', `unknown operation kind ${String(unknown)}`);
        }
      }
    },
  };
}
