/**
 * Reads against a Vault that answers badly: a small loopback server of the test's own plays what
 * the simulator cannot (HTML, cut bodies, missing collections, endless or repeating pages). Every
 * case must stop with an error naming the call and an excerpt, send nothing more, and print no
 * secret.
 */
import { isWrite } from '../helpers/simulator.js';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError, VaultRosterError } from '../../src/errors.js';
import { createVaultClient, type VaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import { readLiveState } from '../../src/vault/live-state.js';
import { runCliCaptured } from '../helpers/cli.js';
import { EXAMPLES_DIR } from '../helpers/roster.js';
import { capturingClock } from './capturing-clock.js';
import { allUsers } from './support.js';

const SESSION = 'S3CR3T-SESSION-ID';
const PASSWORD = 'hunter2-password';

/** What the server answers: JSON (an object), raw text, or a status with a body. */
type Reply = { readonly status?: number; readonly type?: string; readonly text: string; readonly delayMs?: number } | Record<string, unknown>;

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

interface Hostile {
  readonly url: string;
  readonly seen: Seen[];
  /** Requests seen for a path ending. */
  count(pathEnd: string, method?: string): number;
}

const servers: { close: () => void; closeAllConnections: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A person with a valid membership, in the §5.3 shape. */
function user(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    user_name__v: `u${id}@veepharm.com`,
    user_first_name__v: 'U',
    user_last_name__v: String(id),
    user_email__v: `u${id}@veepharm.com`,
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: 821,
    is_domain_admin__v: false,
    domain_active__v: true,
    vault_id__v: [3003],
    vault_membership: [{ vault_id: 3003, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
    app_licensing: [],
    ...extra,
  };
}

const page = (users: readonly Record<string, unknown>[], start: number, limit: number) => ({
  responseStatus: 'SUCCESS',
  size: users.length,
  start,
  limit,
  users: users.map((u) => ({ user: u })),
});

/** The reads readLiveState makes besides the user listing, answered well. */
function reference(path: string): Reply | undefined {
  if (path.endsWith('/auth')) return { responseStatus: 'SUCCESS', sessionId: SESSION, userId: 1, vaultId: 3003, vaultIds: [{ id: 3003, name: 'RIM' }] };
  if (path.endsWith('/objects/users/me')) return { responseStatus: 'SUCCESS', users: [{ user: user(1, { user_name__v: 'admin@sim.veevavault.local' }) }] };
  if (path.endsWith('/objects/domain')) return { responseStatus: 'SUCCESS', domain__v: { domain_name__v: 'veepharm', vaults__v: [{ id: 3003, vault_name__v: 'RIM' }] } };
  if (path.endsWith('/objects/securitypolicies')) return { responseStatus: 'SUCCESS', security_policies__v: [{ name__v: '821', label__v: 'Basic' }] };
  if (path.endsWith('/objects/licenses')) return { responseStatus: 'SUCCESS', applications: [] };
  if (path.endsWith('/metadata/objects/users')) return { responseStatus: 'SUCCESS', properties: [{ name: 'security_profile__v', values: [{ value: 'system_admin__v' }] }] };
  return undefined;
}

async function hostile(answer: (seen: Seen) => Reply | undefined): Promise<Hostile> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const entry = { method: req.method ?? '', path: url.pathname, query: url.searchParams };
      seen.push(entry);
      const reply = answer(entry) ?? reference(url.pathname) ?? { responseStatus: 'FAILURE', errors: [{ type: 'MALFORMED_URL', message: url.pathname }] };
      const raw = typeof reply.text === 'string' ? (reply as { status?: number; type?: string; text: string; delayMs?: number }) : undefined;
      const send = (): void => {
        res.statusCode = raw?.status ?? 200;
        res.setHeader('Content-Type', raw?.type ?? 'application/json');
        res.setHeader('X-VaultAPI-VaultId', '3003');
        res.end(raw?.text ?? JSON.stringify(reply));
      };
      if (raw?.delayMs === undefined) send();
      else setTimeout(send, raw.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, count: (end, method = 'GET') => seen.filter((s) => s.method === method && s.path.endsWith(end) && !s.path.endsWith(`/metadata${end}`)).length };
}

function clientOf(server: Hostile, options: Partial<VaultClientOptions> = {}): VaultClient {
  return createVaultClient({
    baseUrl: server.url,
    apiVersion: 'v26.2',
    credentials: { username: 'admin@sim.veevavault.local', password: PASSWORD },
    clock: capturingClock(),
    random: () => 0.5,
    maxRetries: 2,
    timeoutMs: 5_000,
    ...options,
  });
}

async function failure(read: Promise<unknown>): Promise<VaultRosterError> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof VaultRosterError)) throw new Error(`expected a VaultRosterError, got ${String(error)}`);
  expect(error.message).not.toContain(SESSION);
  expect(error.message).not.toContain(PASSWORD);
  return error;
}

/** Lets anything still on its way reach the server (retries sleep on the capturing clock, so at once). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const USERS = '/api/v26.2/objects/users';

describe('a users page that is not what the call needs', () => {
  it.each([
    ['an HTML page', { type: 'text/html', text: '<html><body><h1>Sign in to continue</h1></body></html>' }, 'vault-response', `GET ${USERS}?`, 'the answer is not a Vault JSON envelope; it starts "<html><body><h1>Sign in to continue'],
    ['a body cut short', { text: '{"responseStatus":"SUCCESS","size":2,"limit":1000,"users":[{"user":{"id":7' }, 'vault-response', 'is not a Vault JSON envelope; it starts "{\\"responseStatus\\":\\"SUCCESS\\",\\"size\\":2', ''],
    ['plain text', { type: 'text/plain', text: 'Service temporarily unavailable' }, 'vault-response', 'it starts "Service temporarily unavailable"', ''],
    ['no users list', { responseStatus: 'SUCCESS', size: 0, start: 0, limit: 1000 }, 'vault-response', 'the answer has no "users" list; Vault sent {"responseStatus":"SUCCESS","size":0', ''],
    ['users as an object', { responseStatus: 'SUCCESS', size: 1, limit: 1000, users: { user: user(2) } }, 'vault-response', '"users" is not a list', ''],
    ['a user that is text', { responseStatus: 'SUCCESS', size: 1, limit: 1000, users: ['u2@veepharm.com'] }, 'vault-response', 'users[0] is not a user object; Vault sent "u2@veepharm.com"', ''],
    ['a limit that is no number', { responseStatus: 'SUCCESS', size: 1, limit: 'all', users: [{ user: user(2) }] }, 'vault-response', '"limit" is not a positive whole number; Vault sent "all"', ''],
    ['FAILURE without errors', { responseStatus: 'FAILURE' }, 'vault-api', `GET ${USERS} failed: UNKNOWN`, ''],
  ])('%s: stops naming the call and an excerpt', async (_case, reply, code, message, more) => {
    const server = await hostile((s) => (s.path === USERS ? reply : undefined));
    const error = await failure(allUsers(clientOf(server)));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.message).toContain(more);
    expect(error.message).toContain('objects/users');
    expect(error.stack === undefined || !error.message.includes(' at ')).toBe(true);
    await settle();
    expect(server.count('/objects/users')).toBe(1);
  });

  it('an HTTP 500 HTML page is a transport error naming the call, after the retries', async () => {
    const server = await hostile((s) => (s.path === USERS ? { status: 500, type: 'text/html', text: '<html>Internal error</html>' } : undefined));
    const error = await failure(allUsers(clientOf(server)));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toBe(`GET ${USERS} failed: HTTP 500; the answer starts "<html>Internal error</html>" (host ${new URL(server.url).host})`);
    expect(server.count('/objects/users')).toBe(3);
  });

  it('believes a missing list past the end only when the page says size 0', async () => {
    const server = await hostile((s) => {
      if (s.path !== USERS) return undefined;
      const start = Number(s.query.get('start'));
      return start === 0 ? page(Array.from({ length: 300 }, (_, i) => user(100 + i)), 0, 1000) : { responseStatus: 'SUCCESS', size: 0, start, limit: 1000 };
    });
    const users = await allUsers(clientOf(server));
    expect(users).toHaveLength(300);
    // 300 users in a 1000-user page could be a cap of 300: the next page is asked for once.
    expect(server.seen.filter((s) => s.path === USERS).map((s) => s.query.get('start'))).toEqual(['0', '300']);
  });

  it.each([
    ['Retrieve User (me)', (c: VaultClient) => c.getUser('me'), '/objects/users/me', { responseStatus: 'SUCCESS', users: [] }, 'expected exactly one user, got 0'],
    ['Retrieve User (me) without users', (c: VaultClient) => c.getUser('me'), '/objects/users/me', { responseStatus: 'SUCCESS' }, 'the answer has no "users" list'],
    ['security policies', (c: VaultClient) => c.listSecurityPolicies(), '/objects/securitypolicies', { responseStatus: 'SUCCESS' }, 'the answer has no "security_policies__v" list'],
    ['a security policy without a name', (c: VaultClient) => c.listSecurityPolicies(), '/objects/securitypolicies', { responseStatus: 'SUCCESS', security_policies__v: [{ label__v: 'Basic' }] }, 'security_policies__v[0]: name__v: expected text'],
    ['domain', (c: VaultClient) => c.getDomain(), '/objects/domain', { responseStatus: 'SUCCESS', domain__v: { domain_name__v: 'x' } }, 'domain__v has no "vaults__v" list'],
    ['a domain vault without an id', (c: VaultClient) => c.getDomain(), '/objects/domain', { responseStatus: 'SUCCESS', domain__v: { vaults__v: [{ vault_name__v: 'RIM' }] } }, 'domain__v.vaults__v[0]: id: expected a positive whole number'],
    ['license usage', (c: VaultClient) => c.getLicenseUsage(), '/objects/licenses', { responseStatus: 'SUCCESS', doc_count: {} }, 'the answer has no "applications" list'],
    [
      'a license count that is missing',
      (c: VaultClient) => c.getLicenseUsage(),
      '/objects/licenses',
      { responseStatus: 'SUCCESS', applications: [{ application_name: 'rimReg_v', user_licensing: { full__v: { licensed: 10 } } }] },
      'applications[0]: user_licensing.full__v.used: expected a positive whole number',
    ],
    ['VQL without data', (c: VaultClient) => c.query('SELECT id FROM person__sys'), '/query', { responseStatus: 'SUCCESS', responseDetails: { size: 0 } }, 'the answer has no "data" list'],
  ])('%s: a missing or garbled collection is an error, never "none"', async (_case, read, path, reply, message) => {
    const server = await hostile((s) => (s.path.endsWith(path) ? reply : undefined));
    const error = await failure(read(clientOf(server)));
    expect(error.code).toBe('vault-response');
    expect(error.message).toMatch(/^(GET|POST) \/api\/v26\.2\//);
    expect(error.message).toContain(message);
  });

  it('VQL that hands out the same next_page again stops', async () => {
    const server = await hostile((s) =>
      s.path.includes('/query') ? { responseStatus: 'SUCCESS', responseDetails: { next_page: '/api/v26.2/query/abc?pageoffset=1' }, data: [{ id: 'V0B1' }] } : undefined,
    );
    const error = await failure(clientOf(server).query('SELECT id FROM person__sys'));
    expect(error.code).toBe('vault-paging');
    expect(error.message).toContain('handed out a next_page it had already given');
    expect(server.count('/query', 'POST') + server.count('/abc', 'POST')).toBe(2);
  });
});

describe('paging that cannot run away', () => {
  it('a server answering full pages of new users forever is stopped at the bound, and then nothing more is sent', async () => {
    const server = await hostile((s) => {
      if (s.path !== USERS) return undefined;
      const start = Number(s.query.get('start'));
      return page(Array.from({ length: 1000 }, (_, i) => user(10_000 + start + i)), start, 1000);
    });
    const error = await failure(allUsers(clientOf(server, { maxListedUsers: 3_500 })));
    expect(error.code).toBe('vault-paging');
    expect(error.message).toContain('Vault listed more than 3,500 users; stopped');
    await settle();
    // Four pages make the error; none is asked for ahead once a full page would break the bound.
    expect(server.seen.filter((s) => s.path === USERS).map((s) => s.query.get('start'))).toEqual(['0', '1000', '2000', '3000']);
    await settle();
    expect(server.count('/objects/users')).toBe(4);
  });

  it('a server ignoring start (the same page again) is stopped at the first repeated user', async () => {
    const server = await hostile((s) => (s.path === USERS ? page(Array.from({ length: 1000 }, (_, i) => user(10_000 + i)), 0, 1000) : undefined));
    const error = await failure(allUsers(clientOf(server)));
    expect(error.code).toBe('vault-paging');
    expect(error.message).toBe(`GET ${USERS}?vaults=all&exclude_vault_membership=false&exclude_app_licensing=false&limit=1000&start=1000: Vault listed user u10000@veepharm.com a second time; its pages overlap`);
    await settle();
    expect(server.count('/objects/users')).toBeLessThanOrEqual(3);
  });

  it('records without an id are known by their name: the same name again means the pages overlap', async () => {
    const withoutIds = (): Record<string, unknown>[] => Array.from({ length: 1000 }, (_, i) => user(10_000 + i, { id: undefined }));
    const server = await hostile((s) => (s.path === USERS ? page(withoutIds(), Number(s.query.get('start')), 1000) : undefined));
    const error = await failure(allUsers(clientOf(server)));
    expect(error.code).toBe('vault-paging');
    expect(error.message).toContain('Vault listed user u10000@veepharm.com a second time; its pages overlap');
  });

  it('one user name under two ids (on different pages, in another case) stops the read before anything is planned', async () => {
    const server = await hostile((s) => {
      if (s.path !== USERS) return undefined;
      const start = Number(s.query.get('start'));
      if (start === 0) return page(Array.from({ length: 1000 }, (_, i) => user(10_000 + i)), 0, 1000);
      return page([user(20_000), user(20_001, { user_name__v: ' U10005@VeePharm.com ' })], start, 1000);
    });
    const error = await failure(readLiveState(clientOf(server), { promotions: false }));
    expect(error.code).toBe('vault-paging');
    expect(error.message).toContain('Vault listed user u10005@veepharm.com twice');
    expect(server.seen.filter((x) => isWrite(x))).toEqual([]);
  });

  it('when another read fails, the listing asks for no further page', async () => {
    const server = await hostile((s) => {
      if (s.path.endsWith('/objects/domain')) return { responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA', message: 'no domain for you' }] };
      if (s.path !== USERS) return undefined;
      const start = Number(s.query.get('start'));
      return { text: JSON.stringify(page(Array.from({ length: 1000 }, (_, i) => user(10_000 + start + i)), start, 1000)), delayMs: 30 };
    });
    const error = await failure(readLiveState(clientOf(server), { promotions: false }));
    expect(error.message).toContain('no domain for you');
    await settle();
    const sent = server.count('/objects/users');
    await settle();
    expect(server.count('/objects/users')).toBe(sent);
    expect(sent).toBeLessThanOrEqual(3);
  });
});

describe('user records that do not decode', () => {
  it('are all named (user, field, excerpt) in one error, capped, and nothing is planned', async () => {
    const bad = [
      user(2, { vault_membership: '3003:true' }),
      user(3, { app_licensing: [{ vault_id: 3003, application_name: 'rimReg_v', active__v: true }] }),
      user(4, { domain_active__v: 'yes' }),
      user(5, { vault_membership: undefined }),
      ...Array.from({ length: 22 }, (_, i) => user(100 + i, { vault_membership: [{ vault_id: 3003, status__v: 'pending__v', security_profile__v: 'document_user__v', license_type__v: 'full__v' }] })),
    ];
    const server = await hostile((s) => (s.path === USERS ? page([user(1, { user_name__v: 'admin@sim.veevavault.local' }), user(6), ...bad], 0, 1000) : undefined));
    const error = await failure(readLiveState(clientOf(server), { promotions: false }));
    expect(error.code).toBe('vault-decode');
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('GET /api/…/objects/users (Retrieve All Users): 26 user records could not be read:');
    expect(lines.slice(1, 5)).toEqual([
      '  - user u2@veepharm.com, field vault_membership: entry does not have the 4 parts vault_id:active:security_profile:license_type (value "3003:true")',
      '  - user u3@veepharm.com, field app_licensing: entry has none of license_type__v, license_type (value {"vault_id":3003,"application_name":"rimReg_v","active__v":true})',
      '  - user u4@veepharm.com, field domain_active__v: expected true or false (value "yes")',
      '  - user u5@veepharm.com, field vault_membership: absent from the answer (value undefined)',
    ]);
    expect(lines[5]).toBe('  - user u100@veepharm.com, field vault_membership.status__v: expected true, false, active__v or inactive__v (value "pending__v")');
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe('  - … and 6 more');
    expect(error.hint).toContain('Nothing was planned or written');
  });

  it('Clinical persons: a row without a field the read asked for, or listed twice, is named too', async () => {
    const server = await hostile((s) =>
      s.path.endsWith('/query')
        ? {
            responseStatus: 'SUCCESS',
            data: [
              { id: 'V0B1', email__sys: 'a@x.com', first_name__sys: 'A', last_name__sys: 'B', vault_user__sys: null },
              { id: 'V0B2', first_name__sys: 'C', last_name__sys: 'D', vault_user__sys: 25001 },
              { id: 'V0B1', email__sys: 'a@x.com', first_name__sys: 'A', last_name__sys: 'B', vault_user__sys: null },
            ],
          }
        : s.path === USERS
          ? page([user(1, { user_name__v: 'admin@sim.veevavault.local' })], 0, 1000)
          : undefined,
    );
    const error = await failure(readLiveState(clientOf(server), { promotions: true }));
    expect(error.code).toBe('vault-decode');
    expect(error.message).toBe(
      [
        'POST /api/…/query (person__sys): 2 person records could not be read:',
        '  - person V0B2, field email__sys: absent from the answer (value undefined)',
        '  - person V0B1, field id: listed twice (value "V0B1")',
      ].join('\n'),
    );
  });

  it('stop `plan`, `apply` and `import` before any write, with the code and no stack trace', async () => {
    const server = await hostile((s) =>
      s.path.endsWith('/objects/users')
        ? page([user(1, { user_name__v: 'admin@sim.veevavault.local' }), user(2, { vault_membership: '3003:false' })], 0, 1000)
        : undefined,
    );
    const dir = mkdtempSync(join(tmpdir(), 'vr-hostile-'));
    cpSync(join(EXAMPLES_DIR, 'minimal'), dir, { recursive: true });
    const env = { NO_COLOR: '1', VAULT_URL: server.url, VAULT_USERNAME: 'admin@sim.veevavault.local', VAULT_PASSWORD: PASSWORD };
    const imported = mkdtempSync(join(tmpdir(), 'vr-hostile-import-'));
    for (const argv of [['plan'], ['apply', '--auto-approve'], ['import', '--out', imported, '--force']]) {
      const run = await runCliCaptured(argv, { env, cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error [vault-decode] GET /api/…/objects/users (Retrieve All Users): 1 user records could not be read:');
      expect(run.stderr).toContain('user u2@veepharm.com, field vault_membership: entry does not have the 4 parts');
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr + run.stdout).not.toContain(PASSWORD);
      expect(run.stderr + run.stdout).not.toContain(SESSION);
    }
    // Nothing but reads, the login and ending the session it made.
    // VQL reads (import reads groups) are POSTs too; none of these calls writes.
    expect(server.seen.filter(isWrite)).toEqual([]);
    expect(readdirSync(imported)).toEqual([]);
  });
});
