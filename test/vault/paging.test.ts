/**
 * The user listing's page sequence at page sizes that make full, short, empty and exact-multiple
 * last pages, over HTTP: every user once, and never a page past the end.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/vault/redact.js';
import { VaultTransport } from '../../src/vault/transport.js';
import { listUserPages } from '../../src/vault/users.js';
import { ADMIN, API_VERSION, calls, capturingClock, CLINICAL_DNS, seedWithUsers, simulator } from './support.js';

// 10 humans + the admin + 3 system-owned users.
const ROWS = 14;

describe('listUserPages', () => {
  it.each([
    [1, 15],
    [3, 5],
    [5, 3],
    [7, 3],
    [14, 2],
    [1000, 1],
  ])('at %i users a page lists every user once in %i calls', async (pageSize, expectedCalls) => {
    const sim = await simulator({ seed: seedWithUsers(10) });
    const transport = new VaultTransport({
      baseUrl: sim.url,
      apiVersion: API_VERSION,
      credentials: { username: ADMIN, password: 'admin' },
      vaultDns: CLINICAL_DNS,
      expectedVaultId: 5005,
      concurrency: 4,
      timeoutMs: 10_000,
      maxRetries: 0,
      burstWindowMs: 300_000,
      clock: capturingClock(),
      random: () => 0.5,
      clientId: 'test',
      redactor: new Redactor(),
      emit: () => undefined,
    });
    const names: string[] = [];
    for await (const page of listUserPages(transport, { pageSize })) {
      expect(page.length).toBeLessThanOrEqual(pageSize);
      for (const user of page) names.push(String(user.user_name__v));
    }
    expect(names).toHaveLength(ROWS);
    expect(new Set(names).size).toBe(ROWS);
    const starts = calls(sim, 'GET', '/objects/users').map((e) => Number(e.query.start));
    expect(starts).toEqual(Array.from({ length: expectedCalls }, (_, i) => i * pageSize));
  });
});
