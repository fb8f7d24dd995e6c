/**
 * Where and as whom to connect: roster.yaml's `vault:` block overridden by the environment
 * (VAULT_URL, VAULT_API_VERSION, VAULT_DNS, VAULT_USERNAME/VAULT_PASSWORD or VAULT_SESSION_ID),
 * and how long to wait (VAULT_TIMEOUT per request, VAULT_DEADLINE or --deadline per command).
 * Pure: reads only the `env` it is given.
 */
import { VaultRosterError } from '../errors.js';
import type { VaultTarget } from '../model.js';
import { DEFAULT_TIMEOUT_MS } from './client.js';
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
  // A password can log in again when the session expires; a ready session id cannot.
  if (username !== undefined && password !== undefined) return { username, password };
  if (sessionId !== undefined) return { sessionId };
  const missing = username === undefined ? (password === undefined ? 'VAULT_USERNAME and VAULT_PASSWORD' : 'VAULT_USERNAME') : 'VAULT_PASSWORD';
  throw new VaultRosterError('connection-config', `No Vault credentials: ${missing} not set (nor VAULT_SESSION_ID)`, {
    hint: 'Set VAULT_USERNAME and VAULT_PASSWORD (preferred: the session can be renewed), or VAULT_SESSION_ID.',
  });
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
