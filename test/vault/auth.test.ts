import { describe, expect, it } from 'vitest';
import { VaultApiError, VaultRosterError } from '../../src/errors.js';
import type { AuthEvent } from '../../src/vault/events.js';
import { ADMIN, calls, clientFor, simulator } from './support.js';

describe('authentication', () => {
  it('logs in with vaultDNS of the intended vault while the traffic goes to a loopback URL', async () => {
    const sim = await simulator();
    const { client, events } = clientFor(sim);
    const session = await client.session();
    expect(session.vaultId).toBe(5005);
    expect(session.vaults.map((v) => v.id)).toContain(5005);
    expect(client.vaultId).toBe(5005);
    const me = await client.getUser('me');
    expect(me.user_name__v).toBe(ADMIN);
    expect(events.filter((e): e is AuthEvent => e.type === 'auth')).toEqual([
      { type: 'auth', action: 'login', vaultId: 5005, userId: session.userId },
    ]);
    const auth = calls(sim, 'POST', '/auth');
    expect(auth).toHaveLength(1);
    expect(auth[0]?.clientId).toBe('vault-roster');
  });

  it('refuses a wrong password with a clear error that does not repeat the password', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: { username: ADMIN, password: 'not-the-Pa55word' } });
    const error = await client.getUser('me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultApiError);
    const apiError = error as VaultApiError;
    expect(apiError.errorType).toBe('USERNAME_OR_PASSWORD_INCORRECT');
    expect(apiError.path).toBe('/api/v26.2/auth');
    expect(apiError.hint).toMatch(/VAULT_USERNAME and VAULT_PASSWORD/);
    expect(JSON.stringify({ message: apiError.message, hint: apiError.hint, vault: apiError.vaultMessage })).not.toContain('not-the-Pa55word');
    // Not retried, and nothing else was sent.
    expect(sim.requestLog().map((e) => `${e.method} ${e.path}`)).toEqual(['POST /api/v26.2/auth']);
  });

  it('refuses a session that auth defaulting put in another vault, before reading anything', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { vaultDns: 'veepharm-unknown.veevavault.com' });
    const error = await client.listSecurityPolicies().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultRosterError);
    expect((error as VaultRosterError).code).toBe('auth-wrong-vault');
    expect((error as Error).message).toMatch(/not the intended vault 5005/);
    expect((error as Error).message).toMatch(/auth defaulting/);
    expect(sim.requestLog().every((e) => e.path.endsWith('/auth'))).toBe(true);
  });

  it('refuses a session in a vault other than vault_id even when the DNS was honoured', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { vaultDns: 'veepharm-rim.veevavault.com' });
    const error = await client.session().catch((e: unknown) => e);
    expect((error as VaultRosterError).code).toBe('auth-wrong-vault');
    expect((error as Error).message).toMatch(/logged in to vault 3003 .*not the intended vault 5005/);
  });

  it('uses a ready session id and checks the vault each answer names', async () => {
    const sim = await simulator();
    const { client: login } = clientFor(sim);
    const { sessionId } = await login.session();
    const { client } = clientFor(sim, { credentials: { sessionId } });
    expect((await client.getUser('me')).user_name__v).toBe(ADMIN);
    expect(client.vaultId).toBe(5005);
    expect(calls(sim, 'POST', '/auth')).toHaveLength(1);

    const { client: wrong } = clientFor(sim, { credentials: { sessionId }, expectedVaultId: 3003 });
    const error = await wrong.getUser('me').catch((e: unknown) => e);
    expect((error as VaultRosterError).code).toBe('auth-wrong-vault');
  });

  it('fails clearly when a ready session id expires (nothing to log in again with)', async () => {
    const sim = await simulator();
    const { client: login } = clientFor(sim);
    const { sessionId } = await login.session();
    sim.expireSessions();
    const { client } = clientFor(sim, { credentials: { sessionId } });
    const error = await client.getUser('me').catch((e: unknown) => e);
    expect((error as VaultRosterError).code).toBe('session-invalid');
    expect((error as VaultRosterError).hint).toMatch(/VAULT_USERNAME and VAULT_PASSWORD/);
    expect((error as Error).message).not.toContain(sessionId);
    expect(calls(sim, 'GET', '/objects/users/me')).toHaveLength(1);
  });

  it('logs in again once when the session expires mid-run and repeats the request', async () => {
    const sim = await simulator();
    const { client, events } = clientFor(sim);
    const first = await client.session();
    await client.getUser('me');
    sim.expireSessions();
    const policies = await client.listSecurityPolicies();
    expect(policies.map((p) => p.name)).toEqual(['821', '822']);
    const second = await client.session();
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(sim.requestLog().map((e) => `${e.method} ${e.path.replace('/api/v26.2', '')} ${e.status}`)).toEqual([
      'POST /auth SUCCESS',
      'GET /objects/users/me SUCCESS',
      'GET /objects/securitypolicies FAILURE',
      'POST /auth SUCCESS',
      'GET /objects/securitypolicies SUCCESS',
    ]);
    expect(events.filter((e): e is AuthEvent => e.type === 'auth').map((e) => e.action)).toEqual(['login', 'reauth']);
  });

  it('shares one re-login between concurrent requests that saw the session expire', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { concurrency: 4 });
    await client.session();
    sim.expireSessions();
    await Promise.all([client.getUser('me'), client.listSecurityPolicies(), client.getLicenseUsage(), client.getDomain()]);
    expect(calls(sim, 'POST', '/auth')).toHaveLength(2);
  });
});
