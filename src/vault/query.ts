/**
 * VQL (VAULT-API.md §6.2): POST the query, then follow `next_page` until Vault stops giving one.
 * A page without its `data` list is an error, never "no rows"; a `next_page` seen before, or more
 * pages than the query's own `total` can fill, stops with an error instead of looping.
 */
import { VaultRosterError } from '../errors.js';
import { decodeIn, isRecord, readCall, requireArray, type JsonRecord, type ReadAnswer } from './envelope.js';
import type { VaultTransport } from './transport.js';
import { decodeId, decodeText, WireDecodeError } from '../vault-api/index.js';

/** Pages one query may take when Vault gives no total: 10,000 pages of up to 1,000 rows. */
export const MAX_QUERY_PAGES = 10_000;

function rowsOf(answer: ReadAnswer): JsonRecord[] {
  return requireArray(answer, 'data').map((row, i) => {
    if (!isRecord(row)) throw answer.malformed(`data[${i}] is not a record`, row);
    return row;
  });
}

/** `next_page` when there is one; anything but a path is refused. */
function nextPageOf(answer: ReadAnswer): string | undefined {
  const details = answer.body.responseDetails;
  if (details === undefined) return undefined;
  if (!isRecord(details)) throw answer.malformed('"responseDetails" is not an object', details);
  const next = details.next_page;
  if (next === undefined || next === null || next === '') return undefined;
  return decodeIn(answer, 'responseDetails.next_page', () => decodeText(next, 'next_page'));
}

/** Pages the query can fill by its own count (`total` / `pagesize`), when Vault gives both. */
function pagesBound(answer: ReadAnswer): number {
  const details = answer.body.responseDetails;
  if (!isRecord(details) || details.total === undefined || details.pagesize === undefined) return MAX_QUERY_PAGES;
  try {
    const total = details.total === 0 ? 0 : decodeId(details.total, 'total');
    return Math.ceil(total / decodeId(details.pagesize, 'pagesize')) + 1;
  } catch (error) {
    if (error instanceof WireDecodeError) throw answer.malformed(`responseDetails.${error.field}: ${error.reason}`, error.value);
    throw error;
  }
}

export async function* queryPages(transport: VaultTransport, vql: string, signal?: AbortSignal): AsyncGenerator<JsonRecord[]> {
  let answer = await readCall(transport, { method: 'POST', path: 'query', form: { q: vql }, retry: 'idempotent' });
  const bound = pagesBound(answer);
  const seen = new Set<string>();
  for (let pages = 1; ; pages += 1) {
    const rows = rowsOf(answer);
    const next = nextPageOf(answer);
    yield rows;
    if (next === undefined || signal?.aborted === true) return;
    if (seen.has(next) || pages >= bound) {
      const why = seen.has(next) ? 'handed out a next_page it had already given' : `kept giving next_page after ${pages} pages`;
      throw new VaultRosterError('vault-paging', `${answer.call}: Vault ${why}; stopped`, {
        hint: 'Nothing was planned or written. Run again; if it persists, report it with the output of --verbose.',
      });
    }
    seen.add(next);
    // The docs say POST for page URLs (VAPIL uses GET); both work on Vault.
    answer = await readCall(transport, { method: 'POST', path: next, retry: 'idempotent' });
  }
}

export async function query(transport: VaultTransport, vql: string, signal?: AbortSignal): Promise<JsonRecord[]> {
  const rows: JsonRecord[] = [];
  for await (const page of queryPages(transport, vql, signal)) rows.push(...page);
  return rows;
}
