/**
 * Where and as whom to connect: roster.yaml's `vault:` block overridden by the environment
 * (VAULT_URL, VAULT_API_VERSION, VAULT_DNS; VAULT_USERNAME/VAULT_PASSWORD, an OAuth login from
 * VAULT_OAUTH_PROFILE_ID and its VAULT_OAUTH_* / VAULT_ACCESS_TOKEN, or VAULT_SESSION_ID),
 * and how long to wait (VAULT_TIMEOUT per request, VAULT_DEADLINE or --deadline per command).
 * Pure: reads only the `env` it is given.
 */
import { VaultRosterError } from '../errors.js';
import type { VaultTarget } from '../model.js';
import { DEFAULT_TIMEOUT_MS } from './client.js';
import type { ClientAuthMethod, OAuthCredentials } from './oauth.js';
import type { Credentials } from './transport.js';
import { DEFAULT_DEADLINE_MS } from './waits.js';

export interface ConnectionSettings {
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly credentials: Credentials;
  /** Sent as `vaultDNS` on auth; `undefined` lets Vault use the URL's host. */
  readonly vaultDns: string | undefined;
  readonly expectedVaultId: number | undefined;
  /** Per-request timeout, headers and body (VAULT_TIMEOUT; default 120 s). */
  readonly timeoutMs: number;
  /** Overall limit for the command's Vault work (--deadline, else VAULT_DEADLINE; default 1 h). */
  readonly deadlineMs: number;
}

/** The longest deadline accepted: a run that needs more is stuck. */
const MAX_DURATION_MS = 7 * 24 * 60 * 60_000;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `30m`, `2h`, `500ms`, or a bare number of seconds, as milliseconds. */
export function parseDuration(raw: string, source: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[(match[2] ?? 's').toLowerCase()] ?? Number.NaN);
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_DURATION_MS) {
    throw new VaultRosterError('connection-config', `${source} is not a duration from 1 ms to 7 days: '${raw}'`, {
      hint: `Write a number with a unit, e.g. ${source} 90s, 30m or 2h (a bare number counts seconds).`,
    });
  }
  return Math.round(ms);
}

export type Environment = Readonly<Record<string, string | undefined>>;

const API_VERSION = /^v\d{2}\.\d+$/;

function envValue(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Loopback hosts may use plain http (the simulator, an SSH tunnel); everything else needs https. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function parseBaseUrl(raw: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const bare = !raw.includes('://');
    throw new VaultRosterError('connection-config', `${source} is not a URL: '${raw}'${bare ? ' (no https:// in front)' : ''}`, {
      hint: bare ? `Write it with its scheme: https://${raw.replace(/^\/+/, '')}` : 'Use the vault address with its scheme, e.g. https://myvault.veevavault.com',
    });
  }
  // A copied API address (…/api/v25.2/…) would make every call /api/v25.2/api/v25.2/…: refuse it.
  if (/(^|\/)api(\/|$)/i.test(url.pathname.replace(/^\/+/, ''))) {
    throw new VaultRosterError('connection-config', `${source} is an API address, not the vault's: '${url.origin}${url.pathname}'`, {
      hint: `Use the vault's address alone, e.g. ${url.origin}: vault-roster adds /api/<version>/… itself (the version goes in vault.api_version).`,
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw new VaultRosterError('connection-config', `${source} must not carry credentials in the URL`, {
      hint: 'Put the user in VAULT_USERNAME and the password in VAULT_PASSWORD.',
    });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new VaultRosterError('connection-config', `${source} must use https: '${url.origin}'`, {
    hint: 'Vault is only reachable over https; plain http is allowed for loopback hosts only (127.0.0.1, localhost, [::1]), e.g. the simulator.',
  });
}

function credentialsFrom(env: Environment): Credentials {
  const username = envValue(env, 'VAULT_USERNAME');
  const password = env.VAULT_PASSWORD === '' ? undefined : env.VAULT_PASSWORD;
  const sessionId = envValue(env, 'VAULT_SESSION_ID');
  const oauth = oauthFrom(env);
  if (oauth !== undefined) {
    // Two ways to log in at once is a mistake somewhere; guessing which one was meant is worse.
    const other = [username === undefined ? '' : 'VAULT_USERNAME', password === undefined ? '' : 'VAULT_PASSWORD', sessionId === undefined ? '' : 'VAULT_SESSION_ID'].filter((n) => n !== '');
    if (other.length > 0) {
      throw new VaultRosterError('connection-config', `Both an OAuth login (VAULT_OAUTH_PROFILE_ID) and ${other.join(', ')} are set`, {
        hint: `Unset ${other.join(' and ')} to log in with OAuth, or unset the VAULT_OAUTH_* and VAULT_ACCESS_TOKEN variables to log in with them.`,
      });
    }
    return { oauth };
  }
  // A password can log in again when the session expires; a ready session id cannot.
  if (username !== undefined && password !== undefined) return { username, password };
  if (sessionId !== undefined) return { sessionId };
  const missing = username === undefined ? (password === undefined ? 'VAULT_USERNAME and VAULT_PASSWORD' : 'VAULT_USERNAME') : 'VAULT_PASSWORD';
  throw new VaultRosterError('connection-config', `No Vault credentials: ${missing} not set (nor VAULT_SESSION_ID), and no OAuth login (VAULT_OAUTH_PROFILE_ID)`, {
    hint: 'Set VAULT_USERNAME and VAULT_PASSWORD (preferred: the session can be renewed), an OAuth login (VAULT_OAUTH_PROFILE_ID with VAULT_OAUTH_TOKEN_URL, VAULT_OAUTH_CLIENT_ID and VAULT_OAUTH_CLIENT_SECRET, or VAULT_ACCESS_TOKEN), or VAULT_SESSION_ID.',
  });
}

/** Vault's OAuth login service, where the OAuth session endpoint lives (VAULT-API.md §2.2). */
export const DEFAULT_OAUTH_LOGIN_HOST = 'login.veevavault.com';

const OAUTH_VARIABLES = ['VAULT_ACCESS_TOKEN', 'VAULT_OAUTH_CLIENT_ID', 'VAULT_OAUTH_CLIENT_SECRET', 'VAULT_OAUTH_TOKEN_URL', 'VAULT_OAUTH_LOGIN_HOST', 'VAULT_OAUTH_SCOPE', 'VAULT_OAUTH_CLIENT_AUTH'];

function oauthConfigError(message: string, hint: string): VaultRosterError {
  return new VaultRosterError('connection-config', message, { hint });
}

/** `VAULT_OAUTH_LOGIN_HOST`: a host name (https is implied) or an origin; http for loopback only. */
export function parseLoginHost(raw: string): string {
  const url = parseBaseUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`, 'VAULT_OAUTH_LOGIN_HOST');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw oauthConfigError(`VAULT_OAUTH_LOGIN_HOST is a host, not an address with a path: '${raw}'`, `Use the host alone, e.g. ${DEFAULT_OAUTH_LOGIN_HOST} (the default), or ${url.origin}.`);
  }
  return url.origin;
}

/** `VAULT_OAUTH_TOKEN_URL`: the token endpoint, https (http for loopback only), no credentials in it. */
export function parseTokenUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw oauthConfigError(`VAULT_OAUTH_TOKEN_URL is not a URL: '${raw}'`, 'Use the token endpoint of your authorization server, e.g. https://idp.example.com/oauth2/v1/token');
  }
  if (url.username !== '' || url.password !== '') {
    throw oauthConfigError('VAULT_OAUTH_TOKEN_URL must not carry credentials in the URL', 'Put the client id in VAULT_OAUTH_CLIENT_ID and the secret in VAULT_OAUTH_CLIENT_SECRET.');
  }
  if (url.hash !== '') throw oauthConfigError(`VAULT_OAUTH_TOKEN_URL must not have a #fragment: '${url.origin}${url.pathname}'`, 'Remove the part from # on.');
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url.href;
  throw oauthConfigError(`VAULT_OAUTH_TOKEN_URL must use https: '${url.origin}'`, 'The client secret travels to the token endpoint: https only; plain http is allowed for loopback hosts (a local test server).');
}

function clientAuthFrom(env: Environment): ClientAuthMethod {
  const raw = envValue(env, 'VAULT_OAUTH_CLIENT_AUTH');
  if (raw === undefined || raw === 'client_secret_basic') return 'client_secret_basic';
  if (raw === 'client_secret_post') return raw;
  throw oauthConfigError(`VAULT_OAUTH_CLIENT_AUTH is '${raw}'`, 'Use client_secret_basic (the default: id and secret in the Authorization header) or client_secret_post (in the form body), as your authorization server expects.');
}

/** The OAuth settings, when VAULT_OAUTH_PROFILE_ID asks for an OAuth login; refuses half-set ones. */
function oauthFrom(env: Environment): OAuthCredentials | undefined {
  const profileId = envValue(env, 'VAULT_OAUTH_PROFILE_ID');
  const accessToken = envValue(env, 'VAULT_ACCESS_TOKEN');
  const clientId = envValue(env, 'VAULT_OAUTH_CLIENT_ID');
  const clientSecret = env.VAULT_OAUTH_CLIENT_SECRET === '' ? undefined : env.VAULT_OAUTH_CLIENT_SECRET;
  const tokenUrl = envValue(env, 'VAULT_OAUTH_TOKEN_URL');
  if (profileId === undefined) {
    const stray = OAUTH_VARIABLES.filter((name) => envValue(env, name) !== undefined);
    if (stray.length === 0) return undefined;
    throw oauthConfigError(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but VAULT_OAUTH_PROFILE_ID is not`, 'Set VAULT_OAUTH_PROFILE_ID to the id of your Vault OAuth 2.0 / OpenID Connect profile (Admin > Settings > OAuth 2.0 / OpenID Connect Profiles), or unset the OAuth variables.');
  }
  const loginOrigin = parseLoginHost(envValue(env, 'VAULT_OAUTH_LOGIN_HOST') ?? DEFAULT_OAUTH_LOGIN_HOST);
  if (accessToken !== undefined) {
    const grantParts = [tokenUrl === undefined ? '' : 'VAULT_OAUTH_TOKEN_URL', clientSecret === undefined ? '' : 'VAULT_OAUTH_CLIENT_SECRET'].filter((n) => n !== '');
    if (grantParts.length > 0) {
      throw oauthConfigError(`Both VAULT_ACCESS_TOKEN and ${grantParts.join(', ')} are set`, 'Give either a ready VAULT_ACCESS_TOKEN, or VAULT_OAUTH_TOKEN_URL with VAULT_OAUTH_CLIENT_ID and VAULT_OAUTH_CLIENT_SECRET (preferred: a fresh token for every login).');
    }
    return { profileId, loginOrigin, token: { accessToken }, clientId };
  }
  const missing = [tokenUrl === undefined ? 'VAULT_OAUTH_TOKEN_URL' : '', clientId === undefined ? 'VAULT_OAUTH_CLIENT_ID' : '', clientSecret === undefined ? 'VAULT_OAUTH_CLIENT_SECRET' : ''].filter((n) => n !== '');
  if (tokenUrl === undefined || clientId === undefined || clientSecret === undefined) {
    throw oauthConfigError(`VAULT_OAUTH_PROFILE_ID is set but there is no access token: VAULT_ACCESS_TOKEN is not set, nor ${missing.join(', ')}`, 'Set VAULT_OAUTH_TOKEN_URL, VAULT_OAUTH_CLIENT_ID and VAULT_OAUTH_CLIENT_SECRET (the client-credentials grant; preferred), or VAULT_ACCESS_TOKEN.');
  }
  const grant = { tokenUrl: parseTokenUrl(tokenUrl), clientId, clientSecret, scope: envValue(env, 'VAULT_OAUTH_SCOPE'), clientAuth: clientAuthFrom(env) };
  return { profileId, loginOrigin, token: grant, clientId };
}

/** Settings given on the command line, which win over the environment. */
export interface ConnectionFlags {
  /** `--deadline`, unparsed. */
  readonly deadline?: string | undefined;
}

function durationFrom(flag: string | undefined, flagName: string, env: Environment, envName: string, fallback: number): number {
  if (flag !== undefined) return parseDuration(flag, flagName);
  const fromEnv = envValue(env, envName);
  return fromEnv === undefined ? fallback : parseDuration(fromEnv, envName);
}

export function resolveConnection(target: VaultTarget, env: Environment, flags: ConnectionFlags = {}): ConnectionSettings {
  const envUrl = envValue(env, 'VAULT_URL');
  const rawUrl = envUrl ?? target.url;
  if (rawUrl === undefined) {
    throw new VaultRosterError('connection-config', 'No Vault URL: set vault.url in roster.yaml or VAULT_URL', {
      hint: 'e.g. vault: { url: https://myvault.veevavault.com } or VAULT_URL=https://myvault.veevavault.com',
    });
  }
  const url = parseBaseUrl(rawUrl, envUrl === undefined ? 'vault.url' : 'VAULT_URL');
  const configUrl = envUrl === undefined || target.url === undefined ? url : parseBaseUrl(target.url, 'vault.url');
  const apiVersion = envValue(env, 'VAULT_API_VERSION') ?? target.api_version;
  if (!API_VERSION.test(apiVersion)) {
    const close = /^[vV]?(\d{2}\.\d+)$/.exec(apiVersion.trim());
    throw new VaultRosterError('connection-config', `Invalid Vault API version '${apiVersion}'`, {
      hint:
        close === null
          ? 'Use the form vYY.R, e.g. v25.2 (vault.api_version or VAULT_API_VERSION).'
          : `Did you mean v${close[1] ?? ''}? The version starts with a lower-case v (vault.api_version or VAULT_API_VERSION).`,
    });
  }
  // The config url names the vault even when VAULT_URL points the traffic elsewhere (a proxy,
  // the simulator), so its host is what Vault must log in to.
  const configHost = target.url === undefined ? undefined : configUrl.hostname;
  const fallbackHost = target.url === undefined && !isLoopbackHost(url.hostname) ? url.hostname : undefined;
  return {
    baseUrl: (url.origin + url.pathname).replace(/\/+$/, ''),
    apiVersion,
    credentials: credentialsFrom(env),
    vaultDns: envValue(env, 'VAULT_DNS') ?? target.dns ?? configHost ?? fallbackHost,
    expectedVaultId: target.vault_id,
    timeoutMs: durationFrom(undefined, '', env, 'VAULT_TIMEOUT', DEFAULT_TIMEOUT_MS),
    deadlineMs: durationFrom(flags.deadline, '--deadline', env, 'VAULT_DEADLINE', DEFAULT_DEADLINE_MS),
  };
}
