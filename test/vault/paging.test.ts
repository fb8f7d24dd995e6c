/**
 * The user listing's page sequence at page sizes that make full, short, empty and exact-multiple
 * last pages, over HTTP: every user once, and never a page past the end. The readings of Vault's
 * paging the simulator can play are in test/e2e/profiles.test.ts, runaway servers in
 * hostile-read.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/vault/redact.js';
import { VaultTransport } from '../../src/vault/transport.js';
import { listUserPages } from '../../src/vault/users.js';
import { ADMIN, allUsers, API_VERSION, calls, capturingClock, clientFor, CLINICAL_DNS, seedWithUsers, simulator } from './support.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRosterFixture } from '../helpers/roster.js';

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

describe('listing options and page order', () => {
  it('asks for the configured page size, and refuses a page size below 1', async () => {
    const sim = await simulator({ seed: seedWithUsers(10) });
    const { client } = clientFor(sim, { userPageSize: 5 });
    expect(await allUsers(client)).toHaveLength(ROWS);
    expect(calls(sim, 'GET', '/objects/users').map((e) => [e.query.start, e.query.limit])).toEqual([
      ['0', '5'],
      ['5', '5'],
      ['10', '5'],
    ]);
    const error = await allUsers(clientFor(sim, { userPageSize: 0 }).client).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'config', message: 'the user page size must be a whole number of at least 1, got 0' });
  });

  it('never asks ahead from a page that was itself asked for ahead', async () => {
    const events: string[] = [];
    const user = (id: number) => ({ user: { id, user_name__v: `u${id}@veepharm.com`, padding: 'x'.repeat(40) } });
    const body = (start: number, count: number) => JSON.stringify({ responseStatus: 'SUCCESS', size: count, start, limit: 1000, users: Array.from({ length: count }, (_, i) => user(start + i + 1)) });
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      res.setHeader('Content-Type', 'application/json');
      if (url.pathname.endsWith('/auth')) {
        res.end(JSON.stringify({ responseStatus: 'SUCCESS', sessionId: 'S1', vaultId: 3003, vaultIds: [] }));
        return;
      }
      const start = Number(url.searchParams.get('start'));
      events.push(`request ${start}`);
      if (start !== 0) {
        res.end(body(start, start === 1000 ? 1000 : 10));
        return;
      }
      // Page 0 starts at once (its head says "full") but ends only after page 1 was asked for and answered.
      const text = body(0, 1000);
      res.write(text.slice(0, 2000));
      const finish = (): void => {
        if (!events.includes('request 1000')) {
          setTimeout(finish, 5);
          return;
        }
        setTimeout(() => {
          events.push('page 0 ends');
          res.end(text.slice(2000));
        }, 100);
      };
      finish();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const transport = new VaultTransport({
        baseUrl: url,
        apiVersion: API_VERSION,
        credentials: { username: ADMIN, password: 'admin' },
        vaultDns: undefined,
        expectedVaultId: undefined,
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
      let listed = 0;
      for await (const page of listUserPages(transport)) listed += page.length;
      expect(listed).toBe(2010);
      expect(events).toEqual(['request 0', 'request 1000', 'page 0 ends', 'request 2000']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('roster.yaml vault.page_size', () => {
  it('sets the page size plan asks Retrieve All Users for', async () => {
    const fx = await startRosterFixture();
    const roster = join(fx.dir, 'roster.yaml');
    writeFileSync(roster, readFileSync(roster, 'utf8').replace('  vault_id: 5005', '  vault_id: 5005\n  page_size: 7'));
    const run = await fx.run(['plan']);
    expect(run.code, run.stderr).toBe(0);
    const pages = fx.sim.requestLog().filter((e) => e.method === 'GET' && /^\/api\/[^/]+\/objects\/users$/.test(e.path));
    const users = (fx.sim.dump().users ?? []).length;
    expect(pages.every((e) => e.query.limit === '7')).toBe(true);
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(users / 7));
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(users / 7) + 1);
  });
});
