/**
 * Vault's JSON envelope and per-row results (VAULT-API.md §3), turned into typed values at the
 * boundary. Vault answers HTTP 200 even when it refuses a request; `responseStatus` says what
 * happened, and bulk calls answer one entry per input row, in input order.
 */
import { TransportError, VaultRosterError } from '../errors.js';
import { excerpt, WireDecodeError } from '../vault-api/value-decode.js';
import type { TransportRequest, VaultTransport } from './transport.js';

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

/** Longest excerpt of a whole answer in an error message. */
const ANSWER_EXCERPT_CHARS = 160;

const MALFORMED_HINT =
  "Vault's answer cannot be trusted, so nothing was planned or written. Run again; if it persists, run with --verbose and report the call and excerpt.";
const NOT_JSON_HINT =
  'Something other than Vault answered (a proxy, a login or maintenance page?). Check that VAULT_URL points at the Vault itself, then run again.';

/**
 * A successful read: the envelope, and how to refuse it. Every error names the call (method and
 * path, which carry no secrets) and a redacted excerpt of what Vault sent.
 */
export interface ReadAnswer {
  readonly body: JsonRecord;
  /** `GET /api/v26.2/objects/users?…` */
  readonly call: string;
  /** An error saying the answer lacks or garbles what the call needs; `value` defaults to the whole body. */
  malformed(what: string, value?: unknown): VaultRosterError;
  /** A redacted, single-line excerpt of a raw value. */
  excerpt(value: unknown, max?: number): string;
}

/**
 * Sends a read and returns its envelope. An answer that is not JSON at all is refused with its
 * first bytes as the excerpt: the transport only knows it could not parse it.
 */
export async function readCall(transport: VaultTransport, req: TransportRequest): Promise<ReadAnswer> {
  let head: string | undefined;
  const onBodyStart = (text: string): void => {
    head = text;
    req.onBodyStart?.(text);
  };
  const call = `${req.method} ${transport.path(req)}`;
  const redact = (text: string): string => transport.settings.redactor.text(text);
  const cut = (value: unknown, max = EXCERPT_OF_VALUE): string => redact(excerpt(value, max));
  try {
    const { body } = await transport.request({ ...req, onBodyStart });
    return {
      body,
      call,
      malformed: (what, value = body) =>
        new VaultRosterError('vault-response', `${call}: ${what}; Vault sent ${cut(value, ANSWER_EXCERPT_CHARS)}`, { hint: MALFORMED_HINT }),
      excerpt: cut,
    };
  } catch (error) {
    const status = error instanceof TransportError ? error.status : undefined;
    if (status !== undefined && status >= 200 && status < 300 && head !== undefined) {
      throw new VaultRosterError('vault-response', `${call}: the answer is not a Vault JSON envelope; it starts ${cut(head, ANSWER_EXCERPT_CHARS)}`, {
        hint: NOT_JSON_HINT,
        cause: error,
      });
    }
    throw error;
  }
}

const EXCERPT_OF_VALUE = 80;

/** The array under `key`, or an error: a missing collection is never read as "none". */
export function requireArray(answer: ReadAnswer, key: string): unknown[] {
  const value = answer.body[key];
  if (!Array.isArray(value)) {
    throw answer.malformed(value === undefined ? `the answer has no "${key}" list` : `"${key}" is not a list`);
  }
  return value as unknown[];
}

/** The object under `key`, or an error. */
export function requireRecord(answer: ReadAnswer, key: string): JsonRecord {
  const value = answer.body[key];
  if (!isRecord(value)) throw answer.malformed(value === undefined ? `the answer has no "${key}" object` : `"${key}" is not an object`);
  return value;
}

/** Runs a strict decoder; its `WireDecodeError` becomes an error naming the call, the place and the value. */
export function decodeIn<T>(answer: ReadAnswer, where: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    throw answer.malformed(`${where}: ${error.field}: ${error.reason}`, error.value);
  }
}
