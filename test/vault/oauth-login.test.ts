/**
 * OAuth 2.0 / OIDC login over real HTTP: the client-credentials grant at the simulator's token
 * endpoint, the session endpoint on a login origin of its own, re-login with a fresh token, the
 * failures of each step, and where every secret went (each origin behind its own recorder).
 */
import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import { DEFAULT_SIM_OAUTH } from '../../src/simulator/sessions.js';
import type { ClientEvent } from '../../src/vault/events.js';
import type { ClientCredentialsGrant, OAuthCredentials } from '../../src/vault/oauth.js';
import { hostileServer, json } from './hostile-server.js';
import { forwarder, type Forwarder } from './oauth-proxy.js';
import { ADMIN, calls, clientFor, simulator } from './support.js';

const PROFILE = DEFAULT_SIM_OAUTH.profile;

function grant(tokenUrl: string, overrides: Partial<ClientCredentialsGrant> = {}): ClientCredentialsGrant {
  return { tokenUrl, clientId: DEFAULT_SIM_OAUTH.clientId, clientSecret: DEFAULT_SIM_OAUTH.clientSecret, scope: undefined, clientAuth: 'client_secret_basic', ...overrides };
}

function oauthCredentials(loginOrigin: string, token: OAuthCredentials['token'], overrides: Partial<OAuthCredentials> = {}): { oauth: OAuthCredentials } {
  return { oauth: { profileId: PROFILE, loginOrigin, token, clientId: DEFAULT_SIM_OAUTH.clientId, ...overrides } };
}

async function failure(work: Promise<unknown>): Promise<VaultRosterError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof VaultRosterError)) throw new Error(`expected a VaultRosterError, got ${String(error)}`);
  return error;
}

/** The vault, the login host and the token endpoint, each its own origin in front of one simulator. */
async function origins(sim: { url: string }): Promise<{ vault: Forwarder; login: Forwarder; idp: Forwarder }> {
  const [vault, login, idp] = await Promise.all([forwarder(sim.url), forwarder(sim.url), forwarder(sim.url)]);
  return { vault, login, idp };
}

describe('OAuth login with the client-credentials grant', () => {
  it('gets a token, exchanges it on the login origin for a session, and uses the session on the vault origin only', async () => {
    const sim = await simulator();
    const { vault, login, idp } = await origins(sim);
    const { client, events } = clientFor(sim, { baseUrl: vault.url, credentials: oauthCredentials(login.url, grant(`${idp.url}/oauth2/token`)) });

    const me = await client.getUser('me');

    expect(me.user_name__v).toBe(ADMIN);
    expect(client.vaultId).toBe(5005);
    expect(idp.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /oauth2/token']);
    expect(login.seen.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /auth/oauth/session/${PROFILE}`]);
    expect(vault.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v26.2/objects/users/me?exclude_vault_membership=false&exclude_app_licensing=false']);
    // What each origin got: the secret at the token endpoint only, the token at the login host only.
    const token = /^Bearer (\S+)$/.exec(login.seen[0]?.authorization ?? '')?.[1] ?? '';
    const session = vault.seen[0]?.authorization ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(session.length).toBeGreaterThan(20);
    // client_secret_basic: id and secret form-encoded, then base64 (RFC 6749 §2.3.1).
    const basic = Buffer.from(/^Basic (\S+)$/.exec(idp.seen[0]?.authorization ?? '')?.[1] ?? '', 'base64').toString('utf8');
    expect(basic.split(':').map(decodeURIComponent)).toEqual([DEFAULT_SIM_OAUTH.clientId, DEFAULT_SIM_OAUTH.clientSecret]);
    for (const r of [...vault.seen, ...login.seen]) expect(r.everything).not.toContain(DEFAULT_SIM_OAUTH.clientSecret);
    for (const r of [...vault.seen, ...idp.seen]) expect(r.everything).not.toContain(token);
    for (const r of [...login.seen, ...idp.seen]) expect(r.everything).not.toContain(session);
    // The session form names the vault and the client, for Vault's token introspection.
    expect(login.seen[0]?.everything).toContain(`vaultDNS=veepharm-clinical.veevavault.com&client_id=${DEFAULT_SIM_OAUTH.clientId}`);
    // And nothing the client reported holds a secret.
    const reported = JSON.stringify(events);
    for (const secret of [DEFAULT_SIM_OAUTH.clientSecret, token, session]) expect(reported).not.toContain(secret);
    expect(events.filter((e) => e.type === 'auth')).toEqual([{ type: 'auth', action: 'login', vaultId: 5005, userId: expect.any(Number) as number }]);
    client.close();
  });

  it('sends the client secret in the form with client_secret_post, never in a header', async () => {
    const sim = await simulator();
    const { vault, login, idp } = await origins(sim);
    const { client } = clientFor(sim, {
      baseUrl: vault.url,
      credentials: oauthCredentials(login.url, grant(`${idp.url}/oauth2/token`, { clientAuth: 'client_secret_post', scope: 'vault.api' })),
    });
    await client.getUser('me');
    expect(idp.seen[0]?.authorization).toBeUndefined();
    expect(idp.seen[0]?.everything).toContain(`client_secret=${DEFAULT_SIM_OAUTH.clientSecret}`);
    expect(idp.seen[0]?.everything).toContain('scope=vault.api');
    client.close();
  });

  it('logs in again with a fresh token when Vault ends the session after the token expired', async () => {
    let now = Date.UTC(2026, 0, 1);
    const sim = await simulator({ clock: () => now, oauth: { tokenTtlMs: 60_000 } });
    const { client, events } = clientFor(sim, { credentials: oauthCredentials(sim.url, grant(`${sim.url}/oauth2/token`)) });
    await client.getUser('me');
    now += 61_000;
    sim.expireSessions();

    await client.getUser('me');

    expect(calls(sim, 'POST', '/oauth2/token').map((e) => e.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(sim.requestLog().filter((e) => e.path.startsWith('/auth/oauth/')).map((e) => e.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(calls(sim, 'GET', '/objects/users/me').map((e) => e.status)).toEqual(['SUCCESS', 'FAILURE', 'SUCCESS']);
    expect(events.filter((e): e is Extract<ClientEvent, { type: 'auth' }> => e.type === 'auth').map((e) => e.action)).toEqual(['login', 'reauth']);
    client.close();
  });
});

describe('OAuth login with a given access token', () => {
  it('exchanges VAULT_ACCESS_TOKEN for a session without calling any token endpoint', async () => {
    const sim = await simulator({ oauth: { tokens: { 'ready-access-token-0123456789': ADMIN } } });
    const { vault, login } = await origins(sim);
    const { client, events } = clientFor(sim, { baseUrl: vault.url, credentials: oauthCredentials(login.url, { accessToken: 'ready-access-token-0123456789' }, { clientId: undefined }) });
    await client.getUser('me');
    expect(login.seen.map((r) => r.authorization)).toEqual(['Bearer ready-access-token-0123456789']);
    expect(login.seen[0]?.everything).not.toContain('client_id');
    expect(vault.seen.some((r) => r.everything.includes('ready-access-token-0123456789'))).toBe(false);
    expect(sim.requestLog().some((e) => e.path === '/oauth2/token')).toBe(false);
    expect(JSON.stringify(events)).not.toContain('ready-access-token-0123456789');
    client.close();
  });

  it('says the given token was refused, and how to fix it, when Vault refuses it', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauthCredentials(sim.url, { accessToken: 'expired-access-token-0123456789' }) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('oauth-session');
    expect(error.message).toContain("OAuth login failed at Vault's session endpoint (with the token from VAULT_ACCESS_TOKEN)");
    expect(error.message).toContain(`POST /auth/oauth/session/${PROFILE}`);
    expect(error.message).toContain('USERNAME_OR_PASSWORD_INCORRECT');
    expect(error.message).not.toContain('expired-access-token-0123456789');
    expect(error.hint).toContain('Get a fresh VAULT_ACCESS_TOKEN');
    expect(calls(sim, 'GET', '/objects/users/me')).toEqual([]);
    client.close();
  });
});

describe('OAuth login failures name the step, the call and what came back', () => {
  it('token endpoint: a wrong client secret is invalid_client, and no session is asked for', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauthCredentials(sim.url, grant(`${sim.url}/oauth2/token`, { clientSecret: 'wrong-secret-0123456789' })) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('oauth-token');
    expect(error.message).toBe(
      `OAuth login failed at step 1 of 2, the token endpoint: POST /oauth2/token (token endpoint 127.0.0.1:${sim.port}): HTTP 401, the authorization server answered "invalid_client: client authentication failed"; no Vault session was requested`,
    );
    expect(error.hint).toContain('VAULT_OAUTH_CLIENT_SECRET');
    expect(sim.requestLog().map((e) => `${e.method} ${e.path} ${e.httpStatus}`)).toEqual(['POST /oauth2/token 401']);
    client.close();
  });

  it('session endpoint: an unknown profile is step 2, with Vault\'s error type and message', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauthCredentials(sim.url, grant(`${sim.url}/oauth2/token`), { profileId: 'no-such-profile' }) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('oauth-session');
    expect(error.message).toBe(
      "OAuth login failed at step 2 of 2, Vault's session endpoint: POST /auth/oauth/session/no-such-profile failed: INVALID_DATA: No active OAuth 2.0 / OpenID Connect profile [no-such-profile].",
    );
    expect(error.hint).toContain('VAULT_OAUTH_PROFILE_ID');
    client.close();
  });

  it('token endpoint: HTTP 503 is retried, then reported with the start of the answer', async () => {
    const idp = await hostileServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    const sim = await simulator();
    const { client, clock } = clientFor(sim, { maxRetries: 2, credentials: oauthCredentials(sim.url, grant(`${idp.url}/token`)) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('oauth-token');
    expect(error.message).toContain('HTTP 503; the answer starts "<html>maintenance</html>", after retries');
    expect(idp.requests).toHaveLength(3);
    expect(clock.delays).toHaveLength(2);
    expect(error.hint).toContain('VAULT_OAUTH_TOKEN_URL');
    client.close();
  });

  it('token endpoint: a redirect is never followed, so the secret stays with the configured origin', async () => {
    const idp = await hostileServer((_req, res) => {
      res.writeHead(302, { Location: 'https://elsewhere.example.com/token' });
      res.end();
    });
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauthCredentials(sim.url, grant(`${idp.url}/token`)) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('transport-redirect');
    expect(error.message).toContain('a redirect to elsewhere.example.com');
    expect(idp.requests).toHaveLength(1);
    client.close();
  });

  it('token endpoint: an answer that is not a token response is named as such', async () => {
    const idp = await hostileServer((_req, res) => {
      json(res, { token: 'not-an-access-token' });
    });
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauthCredentials(sim.url, grant(`${idp.url}/token`)) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('oauth-token');
    expect(error.message).toContain('the answer is not a usable token response');
    expect(error.hint).toContain('token endpoint of the authorization server');
    client.close();
  });

  it('session endpoint: an answer from a host that is not Vault (HTTP 401 text) is step 2 with an excerpt', async () => {
    const loginHost = await hostileServer((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end('Unauthorized');
    });
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauthCredentials(loginHost.url, grant(`${sim.url}/oauth2/token`)) });
    const error = await failure(client.getUser('me'));
    expect(error.code).toBe('oauth-session');
    expect(error.message).toContain(`POST /auth/oauth/session/${PROFILE} failed: HTTP 401; the answer starts "Unauthorized"`);
    // The session endpoint got the token and nothing else; the token never reached the vault.
    expect(loginHost.requests).toHaveLength(1);
    expect(loginHost.requests[0]?.authorization).toMatch(/^Bearer \S{20,}$/);
    expect(sim.requestLog().map((e) => e.path)).toEqual(['/oauth2/token']);
    client.close();
  });
});
