/**
 * Vault's JSON envelope and per-row results (VAULT-API.md §3), turned into typed values at the
 * boundary. Vault answers HTTP 200 even when it refuses a request; `responseStatus` says what
 * happened, and bulk calls answer one entry per input row, in input order.
 */
import { VaultRosterError } from '../errors.js';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Vault ids arrive as numbers or numeric strings (§1.3). */
export function asId(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** The first error of a non-success envelope. */
export interface EnvelopeError {
  /** `FAILURE`, `EXCEPTION`, or what else Vault sent. */
  readonly status: string;
  readonly type: string;
  readonly message: string;
}

/** `undefined` when the envelope reports success (SUCCESS or WARNING). */
export function envelopeError(body: JsonRecord): EnvelopeError | undefined {
  const status = asString(body.responseStatus);
  if (status === 'SUCCESS' || status === 'WARNING') return undefined;
  const first = asRecord(asArray(body.errors)[0]);
  const type = asString(first.type) ?? asString(body.errorType) ?? (status === undefined ? 'INVALID_RESPONSE' : 'UNKNOWN');
  const message =
    asString(first.message) ?? asString(body.responseMessage) ?? (status === undefined ? 'the response has no responseStatus' : 'no message');
  return { status: status ?? 'MISSING', type, message };
}

/** One row a bulk write sends: `key` is the caller's (usually the user name), `body` uses Vault field names. */
export interface WriteRow<Body = Record<string, unknown>> {
  readonly key: string;
  readonly body: Body;
}

/** Vault's outcome for one input row, in input order. Failed update rows may echo the id. */
export type RowResult =
  | { readonly index: number; readonly key: string; readonly ok: true; readonly id: number }
  | {
      readonly index: number;
      readonly key: string;
      readonly ok: false;
      readonly id?: number;
      readonly errorType: string;
      readonly message: string;
    };

/**
 * Pairs Vault's per-row entries with the input rows by position. A count mismatch means the
 * pairing cannot be trusted, so it is an error rather than a guess.
 */
export function parseRowResults(
  keys: readonly string[],
  data: unknown,
  context: { method: string; path: string; idField?: string },
): RowResult[] {
  const entries = asArray(data);
  if (!Array.isArray(data) || entries.length !== keys.length) {
    throw new VaultRosterError(
      'vault-response',
      `${context.method} ${context.path}: Vault returned ${entries.length} row results for ${keys.length} rows`,
      { hint: 'The outcome of this batch is unknown; re-run plan to see what changed.' },
    );
  }
  return keys.map((key, index) => parseRow(index, key, asRecord(entries[index]), context.idField ?? 'id'));
}

function parseRow(index: number, key: string, entry: JsonRecord, idField: string): RowResult {
  const id = asId(entry[idField]) ?? asId(asRecord(entry.data).id);
  const status = asString(entry.responseStatus) ?? asString(entry.status);
  const ok = status === undefined ? id !== undefined && entry.errors === undefined : /^(success|warning)$/i.test(status);
  if (ok && id !== undefined) return { index, key, ok: true, id };
  const error = ok
    ? { type: 'INVALID_RESPONSE', message: 'Vault reported success without an id' }
    : envelopeError({ ...entry, responseStatus: 'FAILURE' });
  const type = error?.type ?? 'UNKNOWN';
  const message = error?.message ?? 'no message';
  return id === undefined
    ? { index, key, ok: false, errorType: type, message }
    : { index, key, ok: false, id, errorType: type, message };
}
