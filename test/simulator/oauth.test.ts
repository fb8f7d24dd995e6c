/* eslint-disable @typescript-eslint/no-unsafe-member-access -- contract tests assert on raw JSON */
/**
 * The simulator's OAuth side: the token endpoint (RFC 6749 client-credentials grant and its
 * errors) and Vault's OAuth session endpoint (a Bearer token for a session, auth defaulting
 * included), over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM_OAUTH } from '../../src/simulator/sessions.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startTestSimulator } from '../helpers/simulator.js';

const ADMIN = 'admin@sim.veevavault.local';
const { clientId, clientSecret, profile } = DEFAULT_SIM_OAUTH;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

async function post(sim: RunningSimulator, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const body: unknown = await response.json();
  return { status: response.status, headers: response.headers, body };
}

function basic(id: string, secret: string): string {
  const encode = (text: string): string => encodeURIComponent(text).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

async function token(sim: RunningSimulator): Promise<string> {
  const answer = await post(sim, '/oauth2/token', { grant_type: 'client_credentials' }, { Authorization: basic(clientId, clientSecret) });
  return String(answer.body.access_token);
}

describe('token endpoint', () => {
  it('issues a bearer token for client_secret_basic and for client_secret_post', async () => {
    const sim = await startTestSimulator();
    const byHeader = await post(sim, '/oauth2/token', { grant_type: 'client_credentials', scope: 'vault' }, { Authorization: basic(clientId, clientSecret) });
    const byForm = await post(sim, '/oauth2/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    for (const answer of [byHeader, byForm]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toEqual({ access_token: expect.any(String) as string, token_type: 'Bearer', expires_in: 3600 });
    }
    expect(byHeader.body.access_token).not.toBe(byForm.body.access_token);
    expect(sim.requestLog().map((e) => `${e.method} ${e.path} ${e.httpStatus}`)).toEqual(['POST /oauth2/token 200', 'POST /oauth2/token 200']);
    expect(JSON.stringify(sim.requestLog())).not.toContain(clientSecret);
  });

  it('decodes form-encoded Basic credentials (RFC 6749 §2.3.1)', async () => {
    const sim = await startTestSimulator({ oauth: { clients: { 'id:with space': { secret: 'p@ss:w%rd+', user: ADMIN } } } });
    const answer = await post(sim, '/oauth2/token', { grant_type: 'client_credentials' }, { Authorization: basic('id:with space', 'p@ss:w%rd+') });
    expect(answer.status).toBe(200);
  });

  it.each([
    ['a wrong secret (Basic)', { grant_type: 'client_credentials' }, { Authorization: basic(clientId, 'nope') }, 401, 'invalid_client', true],
    ['a wrong secret (form)', { grant_type: 'client_credentials', client_id: clientId, client_secret: 'nope' }, {}, 401, 'invalid_client', false],
    ['an unknown client', { grant_type: 'client_credentials' }, { Authorization: basic('who', clientSecret) }, 401, 'invalid_client', true],
    ['two authentication methods', { grant_type: 'client_credentials', client_secret: clientSecret }, { Authorization: basic(clientId, clientSecret) }, 400, 'invalid_request', false],
    ['another grant', { grant_type: 'password', username: 'a', password: 'b' }, { Authorization: basic(clientId, clientSecret) }, 400, 'unsupported_grant_type', false],
  ])('refuses %s', async (_name, form, headers, status, error, challenge) => {
    const sim = await startTestSimulator();
    const answer = await post(sim, '/oauth2/token', form, headers);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
    expect(answer.headers.get('www-authenticate') !== null).toBe(challenge);
    expect(sim.requestLog().map((e) => e.errorTypes)).toEqual([[error]]);
  });
});

describe('OAuth session endpoint', () => {
  it('gives a session for a token from the token endpoint, in the vault vaultDNS names, usable on /api', async () => {
    const sim = await startTestSimulator();
    const answer = await post(sim, `/auth/oauth/session/${profile}`, { vaultDNS: 'veepharm-rim.veevavault.com', client_id: clientId }, { Authorization: `Bearer ${await token(sim)}` });
    expect(answer.body).toMatchObject({ responseStatus: 'SUCCESS', vaultId: 3003, sessionId: expect.any(String) as string });
    expect((answer.body.vaultIds as { id: number }[]).map((v) => v.id)).toEqual([3003, 4004, 5005]);
    const me = await fetch(`${sim.url}/api/v25.2/objects/users/me`, { headers: { Authorization: String(answer.body.sessionId) } });
    expect(((await me.json()) as { users: { user: { user_name__v: string } }[] }).users[0]?.user.user_name__v).toBe(ADMIN);
  });

  it('accepts a ready token from the options', async () => {
    const sim = await startTestSimulator({ oauth: { profiles: ['p-1'], tokens: { 'ready-token': ADMIN } } });
    const answer = await post(sim, '/auth/oauth/session/p-1', {}, { Authorization: 'Bearer ready-token' });
    expect(answer.body.responseStatus).toBe('SUCCESS');
  });

  it.each([
    ['an unknown profile', 'other-profile', 'Bearer ready-token', 'INVALID_DATA'],
    ['no token', profile, undefined, 'USERNAME_OR_PASSWORD_INCORRECT'],
    ['an unknown token', profile, 'Bearer made-up', 'USERNAME_OR_PASSWORD_INCORRECT'],
    ['a token without the Bearer scheme', profile, 'ready-token', 'USERNAME_OR_PASSWORD_INCORRECT'],
  ])('refuses %s with Vault\'s envelope', async (_name, path, authorization, type) => {
    const sim = await startTestSimulator({ oauth: { profiles: [profile], tokens: { 'ready-token': ADMIN } } });
    const answer = await post(sim, `/auth/oauth/session/${path}`, {}, authorization === undefined ? {} : { Authorization: authorization });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ responseStatus: 'FAILURE', errorType: 'AUTHENTICATION_FAILED', errors: [{ type }] });
  });

  it('refuses a token once it has expired', async () => {
    let now = Date.UTC(2026, 0, 1);
    const sim = await startTestSimulator({ clock: () => now, oauth: { tokenTtlMs: 1000 } });
    const issued = await token(sim);
    now += 1000;
    const answer = await post(sim, `/auth/oauth/session/${profile}`, {}, { Authorization: `Bearer ${issued}` });
    expect(answer.body.errors[0].type).toBe('USERNAME_OR_PASSWORD_INCORRECT');
  });

  it('is not a versioned API path: /api/{v}/auth/oauth/session is unknown', async () => {
    const sim = await startTestSimulator();
    const answer = await post(sim, `/api/v25.2/auth/oauth/session/${profile}`, {}, { Authorization: `Bearer ${await token(sim)}` });
    expect(answer.body.errors[0].type).toBe('MALFORMED_URL');
  });
});
