/**
 * The authentication answer (VAULT-API.md §2.1) and the check that it is the intended vault.
 * Vault's "auth defaulting" returns a session for the user's most relevant vault when the
 * requested DNS is unknown to them, so a plain SUCCESS is not enough: the vault id must match.
 */
import { VaultRosterError } from '../errors.js';
import { asArray, asId, asRecord, asString, type JsonRecord } from './envelope.js';

export interface SessionVault {
  readonly id: number;
  readonly name: string | undefined;
  readonly url: string | undefined;
}

/** What the client knows about its session; never holds the password. */
export interface SessionInfo {
  readonly sessionId: string;
  /** Vault the session is in; `undefined` for a ready session id until a response names it. */
  readonly vaultId: number | undefined;
  readonly userId: number | undefined;
  /** `vaultIds` from the auth answer: every vault the user may use. Empty for a ready session id. */
  readonly vaults: readonly SessionVault[];
}

export function parseAuthResponse(body: JsonRecord): Omit<SessionInfo, 'vaultId'> & { vaultId: number } {
  const sessionId = asString(body.sessionId);
  const vaultId = asId(body.vaultId);
  if (sessionId === undefined || sessionId === '' || vaultId === undefined) {
    throw new VaultRosterError('vault-response', 'POST /auth: Vault answered SUCCESS without a session id or vault id');
  }
  const vaults = asArray(body.vaultIds).flatMap((raw) => {
    const v = asRecord(raw);
    const id = asId(v.id);
    return id === undefined ? [] : [{ id, name: asString(v.name), url: asString(v.url) }];
  });
  return { sessionId, vaultId, userId: asId(body.userId), vaults };
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function describe(id: number, vaults: readonly SessionVault[]): string {
  const name = vaults.find((v) => v.id === id)?.name;
  return name === undefined ? `vault ${id}` : `vault ${id} (${name})`;
}

/**
 * Throws `auth-wrong-vault` when the session is not in the intended vault: the configured
 * `vault_id`, or the vault the requested vaultDNS belongs to according to Vault's own list.
 */
/** The vault of the session's list whose URL host is `dns` (compared case-insensitively), if any. */
export function vaultNamedBy(vaults: readonly SessionVault[], dns: string | undefined): SessionVault | undefined {
  const host = dns?.toLowerCase();
  return host === undefined ? undefined : vaults.find((v) => hostOf(v.url) === host);
}

export function verifySessionVault(
  session: { vaultId: number; vaults: readonly SessionVault[] },
  intent: { expectedVaultId: number | undefined; vaultDns: string | undefined },
): void {
  const dns = intent.vaultDns?.toLowerCase();
  if (intent.expectedVaultId !== undefined && intent.expectedVaultId !== session.vaultId) {
    throw wrongVault(session.vaultId, intent.expectedVaultId, session.vaults, dns);
  }
  const byDns = vaultNamedBy(session.vaults, dns);
  if (byDns !== undefined && byDns.id !== session.vaultId) {
    throw wrongVault(session.vaultId, byDns.id, session.vaults, dns);
  }
}

export function wrongVault(
  actual: number,
  wanted: number,
  vaults: readonly SessionVault[],
  dns: string | undefined,
): VaultRosterError {
  const via = dns === undefined ? '' : ` for vaultDNS ${dns}`;
  return new VaultRosterError(
    'auth-wrong-vault',
    `Vault logged in to ${describe(actual, vaults)}${via}, not the intended ${describe(wanted, vaults)}; ` +
      'Vault falls back to the user\'s most relevant vault when the requested one is unknown or the user is not an active member of it ("auth defaulting"), so nothing was read or changed',
    {
      hint: `Check vault.vault_id and vault.dns in roster.yaml (or VAULT_DNS) and that the API user is an active member of vault ${wanted}.`,
    },
  );
}

/**
 * Vault ends every session 48 hours after it began, whatever its activity (VAULT-API.md §2.4);
 * a session this client made is replaced half an hour before, between two calls.
 */
export const SESSION_RENEW_AFTER_MS = 47.5 * 60 * 60_000;

/** Re-logins allowed in one run: plenty for sessions that time out, few enough to stop a loop. */
export const DEFAULT_MAX_RELOGINS = 10;

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The sessions of one run: how many re-logins are left, and how long each session lasted, so
 * that when sessions keep expiring the error can say why instead of "set credentials".
 */
export class SessionBudget {
  readonly #max: number;
  #relogins = 0;
  #calls = 0;
  #startedAt: number | undefined;
  /** Successful calls and lifetime (ms) of each session that ended. */
  readonly #ended: { calls: number; ms: number }[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  /** A session was made (login or re-login) at `now`. */
  started(now: number): void {
    this.#startedAt = now;
    this.#calls = 0;
  }

  /** A call succeeded with the current session. */
  served(): void {
    this.#calls += 1;
  }

  /**
   * Vault ended the current session and another login is wanted: returns how many re-logins
   * came before this one (for the backoff), or throws `session-expiring` once the budget is spent.
   */
  take(call: string, now: number): number {
    this.#ended.push({ calls: this.#calls, ms: now - (this.#startedAt ?? now) });
    this.#calls = 0;
    this.#startedAt = now;
    if (this.#relogins >= this.#max) throw this.#exhausted(call);
    this.#relogins += 1;
    return this.#relogins - 1;
  }

  #exhausted(call: string): VaultRosterError {
    const calls = average(this.#ended.map((e) => e.calls));
    const seconds = average(this.#ended.map((e) => e.ms)) / 1000;
    const lasted = `${calls.toFixed(1)} successful call(s) and ${seconds.toFixed(1)} s on average`;
    const refusedAtOnce = this.#ended.every((e) => e.calls === 0);
    return new VaultRosterError(
      'session-expiring',
      `${call}: Vault ended the session ${this.#ended.length} times in this run (each lasted ${lasted}); vault-roster stopped logging in again after ${this.#max} re-logins`,
      {
        hint: refusedAtOnce
          ? 'Every new session was refused on its first call, so the session does not reach Vault intact or is ended at once: check that VAULT_URL reaches the vault the login went to (no proxy or gateway dropping or rewriting the Authorization header) and that nothing else ends this API user\'s sessions.'
          : "Sessions are expiring faster than calls complete: something ends this API user's sessions (another integration or script signed in as the same user that ends its session, a password or security change, a very short Session Duration). Give vault-roster its own API user, then run again: re-running is safe.",
      },
    );
  }
}
