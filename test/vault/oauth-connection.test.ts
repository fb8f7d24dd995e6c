/**
 * OAuth settings from the environment: every combination either gives one clear login or is
 * refused before any call, naming the variables and the fix.
 */
import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import type { VaultTarget } from '../../src/model.js';
import { resolveConnection } from '../../src/vault/connection.js';

const demo: VaultTarget = { url: 'https://veepharm-clinical.veevavault.com', api_version: 'v26.2', vault_id: 5005 };
const grant = {
  VAULT_OAUTH_PROFILE_ID: '_9ad0a091-cbd6-4c59-ab5a-d4f2870f218c',
  VAULT_OAUTH_TOKEN_URL: 'https://idp.example.com/oauth2/v1/token',
  VAULT_OAUTH_CLIENT_ID: 'vault-roster',
  VAULT_OAUTH_CLIENT_SECRET: 's3cret:with%odd+chars',
};

describe('OAuth settings', () => {
  it('client-credentials grant: defaults to login.veevavault.com and client_secret_basic; sends the client id to Vault', () => {
    expect(resolveConnection(demo, grant).credentials).toEqual({
      oauth: {
        profileId: '_9ad0a091-cbd6-4c59-ab5a-d4f2870f218c',
        loginOrigin: 'https://login.veevavault.com',
        clientId: 'vault-roster',
        token: { tokenUrl: 'https://idp.example.com/oauth2/v1/token', clientId: 'vault-roster', clientSecret: 's3cret:with%odd+chars', scope: undefined, clientAuth: 'client_secret_basic' },
      },
    });
  });

  it.each([
    ['a bare host', 'login.example.com', 'https://login.example.com'],
    ['an https origin with a port', 'https://login.example.com:8443/', 'https://login.example.com:8443'],
    ['the simulator on loopback', 'http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
  ])('VAULT_OAUTH_LOGIN_HOST as %s', (_name, host, origin) => {
    const settings = resolveConnection(demo, { ...grant, VAULT_OAUTH_LOGIN_HOST: host });
    expect('oauth' in settings.credentials && settings.credentials.oauth.loginOrigin).toBe(origin);
  });

  it('a ready access token, with the scope and client auth settings of the grant not needed', () => {
    const settings = resolveConnection(demo, { VAULT_OAUTH_PROFILE_ID: 'p1', VAULT_ACCESS_TOKEN: 'tok-0123456789abcdef' });
    expect(settings.credentials).toEqual({ oauth: { profileId: 'p1', loginOrigin: 'https://login.veevavault.com', clientId: undefined, token: { accessToken: 'tok-0123456789abcdef' } } });
  });

  it('scope and client_secret_post', () => {
    const settings = resolveConnection(demo, { ...grant, VAULT_OAUTH_SCOPE: 'api://vault/.default', VAULT_OAUTH_CLIENT_AUTH: 'client_secret_post' });
    expect('oauth' in settings.credentials && settings.credentials.oauth.token).toMatchObject({ scope: 'api://vault/.default', clientAuth: 'client_secret_post' });
  });

  it('empty variables count as unset (a CI step may pass every name)', () => {
    const settings = resolveConnection(demo, { VAULT_USERNAME: 'a@b.c', VAULT_PASSWORD: 'pw', VAULT_OAUTH_PROFILE_ID: '', VAULT_ACCESS_TOKEN: '', VAULT_OAUTH_CLIENT_SECRET: '' });
    expect(settings.credentials).toEqual({ username: 'a@b.c', password: 'pw' });
  });

  it.each([
    ['OAuth and a password', { ...grant, VAULT_USERNAME: 'a@b.c', VAULT_PASSWORD: 'pw' }, /Both an OAuth login \(VAULT_OAUTH_PROFILE_ID\) and VAULT_USERNAME, VAULT_PASSWORD are set/],
    ['OAuth and a session id', { ...grant, VAULT_SESSION_ID: 'ABC' }, /and VAULT_SESSION_ID are set/],
    ['a token and the grant', { ...grant, VAULT_ACCESS_TOKEN: 'tok' }, /Both VAULT_ACCESS_TOKEN and VAULT_OAUTH_TOKEN_URL, VAULT_OAUTH_CLIENT_SECRET are set/],
    ['OAuth variables without a profile', { VAULT_ACCESS_TOKEN: 'tok' }, /VAULT_ACCESS_TOKEN is set but VAULT_OAUTH_PROFILE_ID is not/],
    ['a profile without any token', { VAULT_OAUTH_PROFILE_ID: 'p1', VAULT_OAUTH_CLIENT_ID: 'c' }, /no access token: VAULT_ACCESS_TOKEN is not set, nor VAULT_OAUTH_TOKEN_URL, VAULT_OAUTH_CLIENT_SECRET/],
    ['a token URL over http to a remote host', { ...grant, VAULT_OAUTH_TOKEN_URL: 'http://idp.example.com/token' }, /VAULT_OAUTH_TOKEN_URL must use https/],
    ['a token URL with credentials', { ...grant, VAULT_OAUTH_TOKEN_URL: 'https://u:p@idp.example.com/token' }, /must not carry credentials/],
    ['a token URL that is no URL', { ...grant, VAULT_OAUTH_TOKEN_URL: 'idp.example.com/token' }, /VAULT_OAUTH_TOKEN_URL is not a URL/],
    ['a login host with a path', { ...grant, VAULT_OAUTH_LOGIN_HOST: 'https://login.example.com/auth' }, /VAULT_OAUTH_LOGIN_HOST is a host, not an address with a path/],
    ['a login host over http to a remote host', { ...grant, VAULT_OAUTH_LOGIN_HOST: 'http://login.example.com' }, /VAULT_OAUTH_LOGIN_HOST must use https/],
    ['an unknown client auth method', { ...grant, VAULT_OAUTH_CLIENT_AUTH: 'private_key_jwt' }, /VAULT_OAUTH_CLIENT_AUTH is 'private_key_jwt'/],
  ])('refuses %s', (_name, env, message) => {
    let error: unknown;
    try {
      resolveConnection(demo, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaultRosterError);
    expect((error as VaultRosterError).code).toBe('connection-config');
    expect((error as VaultRosterError).message).toMatch(message);
    expect((error as VaultRosterError).hint).toMatch(/\S/);
    // Never the secret, whatever went wrong.
    expect(`${(error as VaultRosterError).message} ${(error as VaultRosterError).hint ?? ''}`).not.toContain('s3cret');
  });
});
