/**
 * No redirect is ever followed: a 3xx is a transport error naming where it pointed, and the
 * password, the session and the request body go to the configured origin only. A second
 * loopback server plays "another origin" and must see nothing.
 */
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { createVaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import type { ClientEvent } from '../../src/vault/events.js';
import { capturingClock } from './capturing-clock.js';
import { answerLogin, HOSTILE_SESSION, hostileServer, json, type HostileServer } from './hostile-server.js';

const PASSWORD = 'redirect-Pa55word';

function clientAt(server: HostileServer, overrides: Partial<VaultClientOptions> = {}) {
  const events: ClientEvent[] = [];
  const client = createVaultClient({
    baseUrl: server.url,
    apiVersion: 'v26.2',
    credentials: { username: 'admin@sim.veevavault.local', password: PASSWORD },
    vaultDns: 'veepharm-clinical.veevavault.com',
    expectedVaultId: 5005,
    clock: capturingClock(),
    random: () => 0.5,
    timeoutMs: 5_000,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return { client, events };
}

/** Whatever reaches it answers like Vault would, so a followed redirect would succeed. */
async function anotherOrigin(): Promise<HostileServer> {
  return hostileServer((req, res) => {
    if (req.path.endsWith('/auth')) answerLogin(res);
    else json(res, { responseStatus: 'SUCCESS', security_policies__v: [] });
  });
}

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])('a %i on the login call is an error and never re-posts the password', async (status) => {
    const other = await anotherOrigin();
    const vault = await hostileServer((_req, res) => {
      res.writeHead(status, { Location: `${other.url}/api/v26.2/auth?next=1` });
      res.end();
    });
    const { client, events } = clientAt(vault);
    const error = await client.session().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    const transport = error as TransportError;
    expect(transport.code).toBe('transport-redirect');
    expect(transport.status).toBe(status);
    expect(transport.message).toBe(
      `POST /api/v26.2/auth failed: Vault answered HTTP ${status}, a redirect to ${other.host}, which vault-roster never follows (credentials and sessions go to the configured origin only)`,
    );
    expect(transport.hint).toMatch(/Point VAULT_URL .* at the vault itself/);
    expect(other.requests).toEqual([]);
    // Sent once, not retried; the password only ever went to the configured origin.
    expect(vault.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v26.2/auth']);
    expect(vault.requests[0]?.body).toContain(PASSWORD);
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  it('a 302 on a read is an error; the session never leaves the configured origin', async () => {
    const other = await anotherOrigin();
    const vault = await hostileServer((req, res) => {
      if (req.path.endsWith('/auth')) {
        answerLogin(res);
        return;
      }
      res.writeHead(302, { Location: `${other.url}/api/v26.2/objects/securitypolicies` });
      res.end('moved');
    });
    const { client } = clientAt(vault);
    const error = await client.listSecurityPolicies().catch((e: unknown) => e);

    expect((error as TransportError).code).toBe('transport-redirect');
    expect((error as Error).message).toContain(`GET /api/v26.2/objects/securitypolicies failed: Vault answered HTTP 302, a redirect to ${other.host}`);
    expect(other.requests).toEqual([]);
    expect(vault.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v26.2/auth', 'GET /api/v26.2/objects/securitypolicies']);
    expect(vault.requests[1]?.authorization).toBe(HOSTILE_SESSION);
  });

  it('a redirect within the same origin is refused too, and one without a Location says so', async () => {
    const vault = await hostileServer((req, res) => {
      if (req.path.endsWith('/auth')) {
        answerLogin(res);
        return;
      }
      res.writeHead(req.path.includes('securitypolicies') ? 301 : 307, req.path.includes('securitypolicies') ? { Location: '/elsewhere' } : {});
      res.end();
    });
    const { client } = clientAt(vault);
    const relative = await client.listSecurityPolicies().catch((e: unknown) => e);
    expect((relative as Error).message).toContain(`a redirect to ${vault.host},`);
    const bare = await client.getDomain().catch((e: unknown) => e);
    expect((bare as Error).message).toContain('a redirect to nowhere (no Location header)');
    expect(vault.requests.filter((r) => r.path.includes('elsewhere'))).toEqual([]);
    expect(vault.requests).toHaveLength(3);
  });
});
