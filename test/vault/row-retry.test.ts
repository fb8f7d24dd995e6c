/**
 * Row-level transient failures: the simulator injects RACE_CONDITION for whole requests only, so
 * this test answers from a tiny loopback server of its own (real HTTP, no mocked fetch).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createVaultClient } from '../../src/vault/client.js';
import { capturingClock } from './capturing-clock.js';

const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function vaultStub(answer: (method: string, url: string, body: unknown) => unknown): Promise<{ url: string; seen: { method: string; url: string; body: unknown }[] }> {
  const seen: { method: string; url: string; body: unknown }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body: unknown = req.headers['content-type']?.includes('json') ? JSON.parse(text) : text;
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-VaultAPI-VaultId', '5005');
      res.end(JSON.stringify(answer(req.method ?? '', req.url ?? '', body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('row-level retries', () => {
  it('re-sends only rows refused with a transient error, for updates, and keeps input order', async () => {
    let put = 0;
    const stub = await vaultStub((method, url, body) => {
      if (url.endsWith('/auth')) return { responseStatus: 'SUCCESS', sessionId: 'S1', vaultId: 5005, userId: 1, vaultIds: [] };
      if (method === 'PUT') {
        put += 1;
        const rows = body as { id: number }[];
        return {
          responseStatus: 'SUCCESS',
          data: rows.map((r) =>
            put === 1 && r.id === 2
              ? { responseStatus: 'FAILURE', id: String(r.id), errors: [{ type: 'RACE_CONDITION', message: 'busy' }] }
              : put === 1 && r.id === 3
                ? { responseStatus: 'FAILURE', id: String(r.id), errors: [{ type: 'INVALID_DATA', message: 'bad' }] }
                : { responseStatus: 'SUCCESS', id: String(r.id) },
          ),
        };
      }
      return { responseStatus: 'FAILURE', errors: [{ type: 'MALFORMED_URL', message: url }] };
    });
    const clock = capturingClock();
    const client = createVaultClient({ baseUrl: stub.url, apiVersion: 'v25.2', credentials: { username: 'u', password: 'p' }, clock, random: () => 0.5 });
    const results = await client.updateUsers([1, 2, 3].map((id) => ({ key: `u${id}`, user_id: id, values: {} })));
    expect(results).toEqual([
      { ok: true, id: '1' },
      { ok: true, id: '2' },
      { ok: false, error_type: 'INVALID_DATA', message: 'bad' },
    ]);
    expect(stub.seen.filter((s) => s.method === 'PUT').map((s) => s.body)).toEqual([[{ id: 1 }, { id: 2 }, { id: 3 }], [{ id: 2 }]]);
    expect(clock.delays).toEqual([125]);
  });

  it('never re-sends rows of a plain create as a create: refused rows go again once as an upsert by user name', async () => {
    const stub = await vaultStub((_method, url, body) => {
      if (url.endsWith('/auth')) return { responseStatus: 'SUCCESS', sessionId: 'S1', vaultId: 5005, vaultIds: [] };
      const rows = body as { user_name__v: string }[];
      const upsert = url.includes('operation=upsert');
      return {
        responseStatus: 'SUCCESS',
        data: rows.map((r) =>
          !upsert && r.user_name__v === 'b@x.com'
            ? { responseStatus: 'FAILURE', errors: [{ type: 'RACE_CONDITION', message: 'busy' }] }
            : r.user_name__v === 'c@x.com'
              ? { responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA', message: upsert ? 'bad again' : 'bad' }] }
              : { responseStatus: 'SUCCESS', id: upsert ? '72' : '71' },
        ),
      };
    });
    const clock = capturingClock();
    const client = createVaultClient({ baseUrl: stub.url, apiVersion: 'v25.2', credentials: { username: 'u', password: 'p' }, clock, random: () => 0.5 });
    const row = (name: string) => ({ key: name, values: { first_name: 'A' } });
    const results = await client.createUsers([row('a@x.com'), row('b@x.com'), row('c@x.com')], { sentBefore: false });
    expect(results).toEqual([
      { ok: true, id: '71' },
      { ok: true, id: '72' },
      { ok: false, error_type: 'INVALID_DATA', message: 'bad (create INVALID_DATA; sent again as an upsert by user name: INVALID_DATA bad again)' },
    ]);
    expect(stub.seen.filter((s) => s.method === 'POST' && s.url.includes('/objects/users')).map((s) => [s.url, s.body])).toEqual([
      [
        '/api/v25.2/objects/users',
        [
          { user_name__v: 'a@x.com', user_first_name__v: 'A' },
          { user_name__v: 'b@x.com', user_first_name__v: 'A' },
          { user_name__v: 'c@x.com', user_first_name__v: 'A' },
        ],
      ],
      [
        '/api/v25.2/objects/users?operation=upsert&idParam=user_name__v',
        [
          { user_name__v: 'b@x.com', user_first_name__v: 'A' },
          { user_name__v: 'c@x.com', user_first_name__v: 'A' },
        ],
      ],
    ]);
  });
});
