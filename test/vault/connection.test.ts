import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import type { VaultTarget } from '../../src/model.js';
import { isLoopbackHost, parseDuration, resolveConnection } from '../../src/vault/connection.js';

const demo: VaultTarget = { url: 'https://veepharm-clinical.veevavault.com', api_version: 'v26.2', vault_id: 5005 };
const password = { VAULT_USERNAME: 'admin@sim.veevavault.local', VAULT_PASSWORD: 'pw' };

describe('resolveConnection', () => {
  it.each([
    ['config url alone', demo, password, 'https://veepharm-clinical.veevavault.com', 'veepharm-clinical.veevavault.com'],
    [
      'VAULT_URL overrides the url but vaultDNS stays the config host',
      demo,
      { ...password, VAULT_URL: 'http://127.0.0.1:4321' },
      'http://127.0.0.1:4321',
      'veepharm-clinical.veevavault.com',
    ],
    ['VAULT_DNS wins over config dns and url', { ...demo, dns: 'x.veevavault.com' }, { ...password, VAULT_DNS: 'y.veevavault.com' }, 'https://veepharm-clinical.veevavault.com', 'y.veevavault.com'],
    ['config dns wins over config url host', { ...demo, dns: 'x.veevavault.com' }, password, 'https://veepharm-clinical.veevavault.com', 'x.veevavault.com'],
    ['VAULT_URL alone on https: its host', { api_version: 'v25.2' }, { ...password, VAULT_URL: 'https://a.veevavault.com/' }, 'https://a.veevavault.com', 'a.veevavault.com'],
    ['VAULT_URL alone on loopback: no vaultDNS', { api_version: 'v25.2' }, { ...password, VAULT_URL: 'http://localhost:9000' }, 'http://localhost:9000', undefined],
    ['IPv6 loopback over http', { api_version: 'v25.2' }, { ...password, VAULT_URL: 'http://[::1]:9000' }, 'http://[::1]:9000', undefined],
    ['proxy prefix kept, trailing slash dropped', demo, { ...password, VAULT_URL: 'https://proxy.example.com/vault/' }, 'https://proxy.example.com/vault', 'veepharm-clinical.veevavault.com'],
  ])('%s', (_name, target, env, baseUrl, vaultDns) => {
    const settings = resolveConnection(target, env);
    expect(settings.baseUrl).toBe(baseUrl);
    expect(settings.vaultDns).toBe(vaultDns);
    expect(settings.expectedVaultId).toBe((target as VaultTarget).vault_id);
  });

  it.each([
    ['http to a remote host', { ...demo, url: 'http://veepharm-clinical.veevavault.com' }, password, /must use https/],
    ['http VAULT_URL to a remote host', demo, { ...password, VAULT_URL: 'http://10.0.0.5:8080' }, /VAULT_URL must use https/],
    ['http to a host named like loopback', demo, { ...password, VAULT_URL: 'http://127.0.0.1.example.com' }, /must use https/],
    ['not a URL', demo, { ...password, VAULT_URL: 'veepharm' }, /not a URL/],
    ['credentials inside the URL', demo, { ...password, VAULT_URL: 'https://u:p@x.veevavault.com' }, /must not carry credentials/],
    ['no url anywhere', { api_version: 'v25.2' }, password, /No Vault URL/],
    ['bad API version', demo, { ...password, VAULT_API_VERSION: '25.2' }, /Invalid Vault API version/],
    ['no credentials', demo, {}, /VAULT_USERNAME and VAULT_PASSWORD not set \(nor VAULT_SESSION_ID\)/],
    ['username without password', demo, { VAULT_USERNAME: 'a@b.com' }, /VAULT_PASSWORD not set/],
    ['password without username', demo, { VAULT_PASSWORD: 'x' }, /VAULT_USERNAME not set/],
  ])('refuses %s', (_name, target, env, message) => {
    const run = (): unknown => resolveConnection(target, env);
    expect(run).toThrow(VaultRosterError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (error) {
      expect((error as VaultRosterError).hint).toBeTruthy();
      expect((error as Error).message).not.toContain('u:p');
    }
  });

  it.each([
    ['env version over config', { ...password, VAULT_API_VERSION: 'v25.2' }, 'v25.2'],
    ['config version', password, 'v26.2'],
  ])('api version: %s', (_name, env, version) => {
    expect(resolveConnection(demo, env).apiVersion).toBe(version);
  });

  it.each([
    ['username and password', password, { username: 'admin@sim.veevavault.local', password: 'pw' }],
    ['session id', { VAULT_SESSION_ID: 'S3SS' }, { sessionId: 'S3SS' }],
    ['password preferred over a session id (it can renew)', { ...password, VAULT_SESSION_ID: 'S3SS' }, { username: 'admin@sim.veevavault.local', password: 'pw' }],
    ['password kept verbatim, spaces included', { VAULT_USERNAME: 'a@b.com', VAULT_PASSWORD: ' p w ' }, { username: 'a@b.com', password: ' p w ' }],
  ])('credentials: %s', (_name, env, credentials) => {
    expect(resolveConnection(demo, env).credentials).toEqual(credentials);
  });
});

describe('timeouts and the deadline', () => {
  it.each([
    ['defaults: 120 s per request, 1 h per command', {}, {}, 120_000, 3_600_000],
    ['VAULT_TIMEOUT and VAULT_DEADLINE', { VAULT_TIMEOUT: '30s', VAULT_DEADLINE: '2h' }, {}, 30_000, 7_200_000],
    ['--deadline wins over VAULT_DEADLINE', { VAULT_DEADLINE: '2h' }, { deadline: '90m' }, 120_000, 5_400_000],
    ['an empty VAULT_DEADLINE is unset', { VAULT_DEADLINE: ' ' }, {}, 120_000, 3_600_000],
  ])('%s', (_name, env, flags, timeoutMs, deadlineMs) => {
    const settings = resolveConnection(demo, { ...password, ...env }, flags);
    expect(settings.timeoutMs).toBe(timeoutMs);
    expect(settings.deadlineMs).toBe(deadlineMs);
  });

  it.each([
    ['500ms', 500],
    ['1.5s', 1500],
    ['90', 90_000],
    ['45 s', 45_000],
    ['30m', 1_800_000],
    ['2H', 7_200_000],
    ['168h', 604_800_000],
  ])('parseDuration(%s) = %i ms', (raw, ms) => {
    expect(parseDuration(raw, '--deadline')).toBe(ms);
  });

  it.each(['', 'soon', '-5s', '0', '0.1ms', '1d', '169h', '5 minutes', 'Infinity'])('refuses %j as a duration, naming where it came from', (raw) => {
    const run = (): unknown => resolveConnection(demo, { ...password, VAULT_DEADLINE: 'x' }, { deadline: raw });
    expect(run).toThrow(VaultRosterError);
    expect(run).toThrow(`--deadline is not a duration from 1 ms to 7 days: '${raw}'`);
  });

  it('names VAULT_TIMEOUT when it is the one that is wrong', () => {
    expect(() => resolveConnection(demo, { ...password, VAULT_TIMEOUT: '2 weeks' })).toThrow(/^VAULT_TIMEOUT is not a duration/);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.10.20.30', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['[::1]', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['127.0.0.1.nip.io', false],
    ['myvault.veevavault.com', false],
    ['0.0.0.0', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
