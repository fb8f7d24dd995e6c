/**
 * The legacy users endpoints (VAULT-API.md §5): the bulk and single writes the applier needs,
 * and (from user-list.ts) the reads. Batching is the planner's job; a batch above Vault's
 * 500-row cap is refused here rather than split behind its back.
 */
import { VaultRosterError } from '../errors.js';
import { encodeUserCsv, MAX_BATCH_ROWS } from '../vault-api/index.js';
import type { BodyFormat, FieldValue } from '../model.js';
import { asId, parseRowResults, type RowResult, type WriteRow } from './envelope.js';
import { RETRYABLE_VAULT_ERRORS } from './retry.js';
import type { TransportRequest, VaultTransport } from './transport.js';

export { getUser, listUserPages, listUsers, type UserListOptions, type VaultUser } from './user-list.js';

/** Rows of a bulk write; bodies use Vault field names (the planner builds them with wire.ts). */
export type UserRow = WriteRow<Readonly<Record<string, FieldValue>>>;

export interface CreateUsersOptions {
  /** `user_name__v`: update the user with that name if it exists (safe to retry). `id`: by id. */
  readonly upsertKey?: 'user_name__v' | 'id';
  /** Request body format; the client's `bodyFormat` (JSON unless set) when absent. */
  readonly format?: BodyFormat;
}

/**
 * The body of a bulk call. Either way a row carries only the fields it sets: JSON leaves the
 * others out of its object, CSV leaves their cells blank ("not supplied" to Vault).
 */
function bulkBody(rows: readonly UserRow[], format: BodyFormat): Pick<TransportRequest, 'json' | 'csv'> {
  return format === 'csv' ? { csv: encodeUserCsv(rows) } : { json: rows.map((r) => r.body) };
}

function checkBatch(rows: readonly unknown[], what: string): void {
  if (rows.length > MAX_BATCH_ROWS) {
    throw new VaultRosterError('batch-too-large', `${what}: ${rows.length} rows in one call; Vault takes at most ${MAX_BATCH_ROWS}`);
  }
}

/**
 * Sends rows, then re-sends only the rows Vault refused with a transient error (RACE_CONDITION
 * and the like), with backoff. Only for writes that are safe to repeat.
 */
async function withRowRetries(
  transport: VaultTransport,
  rows: readonly UserRow[],
  request: (rows: readonly UserRow[]) => TransportRequest,
): Promise<RowResult[]> {
  const send = async (subset: readonly UserRow[]): Promise<RowResult[]> => {
    const req = request(subset);
    const { body } = await transport.request(req);
    return parseRowResults(
      subset.map((r) => r.key),
      body.data,
      { method: req.method, path: transport.path(req) },
    );
  };
  const results = await send(rows);
  for (let attempt = 0; ; attempt += 1) {
    const transient = results.filter((r) => !r.ok && RETRYABLE_VAULT_ERRORS.has(r.errorType));
    const delay = transient.length === 0 ? undefined : transport.rowRetryDelay(attempt);
    if (delay === undefined) return results;
    const first = transient[0];
    const reason = first !== undefined && !first.ok ? `rows:${first.errorType}` : 'rows';
    await transport.pause(request(rows), attempt + 1, reason, delay);
    const again = await send(transient.map((r) => rows[r.index] as UserRow));
    transient.forEach((r, i) => {
      const retried = again[i];
      if (retried !== undefined) results[r.index] = { ...retried, index: r.index };
    });
  }
}

/** Create Multiple Users, or upsert with `upsertKey` (§5.5). Per-row results in input order. */
export async function createUsers(transport: VaultTransport, rows: readonly UserRow[], options: CreateUsersOptions = {}): Promise<RowResult[]> {
  checkBatch(rows, 'createUsers');
  if (rows.length === 0) return [];
  const query = options.upsertKey === undefined ? undefined : { operation: 'upsert', idParam: options.upsertKey };
  // A lost answer to a plain create may hide users that now exist. An upsert by name, or by an
  // id every row carries, can only land on one record, so it is safe to repeat (a blank id
  // would create).
  const repeatable =
    options.upsertKey === 'user_name__v' ||
    (options.upsertKey === 'id' && rows.every((r) => r.body.id !== undefined && r.body.id !== null && r.body.id !== ''));
  const format = options.format ?? transport.bodyFormat;
  const request = (subset: readonly UserRow[]): TransportRequest => ({
    method: 'POST',
    path: 'objects/users',
    ...(query === undefined ? {} : { query }),
    ...bulkBody(subset, format),
    retry: repeatable ? 'idempotent' : 'never',
  });
  if (!repeatable) {
    const req = request(rows);
    const { body } = await transport.request(req);
    return parseRowResults(
      rows.map((r) => r.key),
      body.data,
      { method: req.method, path: transport.path(req) },
    );
  }
  return withRowRetries(transport, rows, request);
}

/** Update Multiple Users (§5.7): each body carries `id`. */
export async function updateUsers(transport: VaultTransport, rows: readonly UserRow[], options: { readonly format?: BodyFormat } = {}): Promise<RowResult[]> {
  checkBatch(rows, 'updateUsers');
  if (rows.length === 0) return [];
  const format = options.format ?? transport.bodyFormat;
  return withRowRetries(transport, rows, (subset) => ({
    method: 'PUT',
    path: 'objects/users',
    ...bulkBody(subset, format),
    retry: 'idempotent',
  }));
}

/** Form encoding for single-user writes: `null` clears a field (§5.6). */
export function formFields(fields: Readonly<Record<string, FieldValue>>): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) form[key] = value === null ? 'null' : String(value);
  return form;
}

/** Update Single User (§5.6); returns the user id Vault echoes. */
export async function updateUser(transport: VaultTransport, id: number, fields: Readonly<Record<string, FieldValue>>): Promise<number> {
  const { body } = await transport.request({ method: 'PUT', path: `objects/users/${id}`, form: formFields(fields), retry: 'idempotent' });
  return asId(body.id) ?? id;
}
