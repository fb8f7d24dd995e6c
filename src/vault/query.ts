/** VQL (VAULT-API.md §6.2): POST the query, then follow `next_page` until Vault stops giving one. */
import { asArray, asRecord, asString, type JsonRecord } from './envelope.js';
import type { VaultTransport } from './transport.js';

export async function* queryPages(transport: VaultTransport, vql: string): AsyncGenerator<JsonRecord[]> {
  let response = await transport.request({ method: 'POST', path: 'query', form: { q: vql }, retry: 'idempotent' });
  for (;;) {
    yield asArray(response.body.data).map(asRecord);
    const next = asString(asRecord(response.body.responseDetails).next_page);
    if (next === undefined || next === '') return;
    // The docs say POST for page URLs (VAPIL uses GET); both work on Vault.
    response = await transport.request({ method: 'POST', path: next, retry: 'idempotent' });
  }
}

export async function query(transport: VaultTransport, vql: string): Promise<JsonRecord[]> {
  const rows: JsonRecord[] = [];
  for await (const page of queryPages(transport, vql)) rows.push(...page);
  return rows;
}
