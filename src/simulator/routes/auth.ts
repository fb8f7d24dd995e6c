/**
 * Authentication and sessions (VAULT-API.md §2): POST /auth with auth defaulting, the auth
 * burst limit, keep-alive and end session. GET /objects/users/me lives in users-read.ts.
 */
import { authedRoute, header, openRoute, readForm, success, VaultFailure, type ApiReply, type RequestContext, type Route } from '../http.js';
import { isDomainActive, type SimUser, type SimVault } from '../records.js';
import type { SimCore } from '../core.js';

export function authFailure(type: string, message: string): VaultFailure {
  return new VaultFailure(type, message, { errorType: 'AUTHENTICATION_FAILED' });
}

/** The vault the session is made for: the requested one if usable, else auth defaulting. */
function chooseVault(core: SimCore, user: SimUser, dns: string): SimVault | undefined {
  const usable = (v: SimVault | undefined): v is SimVault => v !== undefined && core.canUseVault(user, v.id);
  const requested = core.store.vaultByDns(dns);
  if (usable(requested)) return requested;
  const last = user.lastVaultId === null ? undefined : core.store.vaults.get(user.lastVaultId);
  if (usable(last)) return last;
  return core.store.activeVaults().find((v) => usable(v));
}

function authenticate(ctx: RequestContext, core: SimCore): ApiReply {
  let form: Record<string, string>;
  try {
    form = readForm(ctx);
  } catch (error) {
    if (error instanceof VaultFailure) throw authFailure(error.type, error.message);
    throw error;
  }
  const username = (form.username ?? '').trim();
  const password = form.password ?? '';
  const dns = requestedDns(ctx, form);
  if (username === '') throw authFailure('USERNAME_OR_PASSWORD_INCORRECT', 'No username was provided for the login call.');
  if (password === '') throw authFailure('NO_PASSWORD_PROVIDED', 'No password was provided for the login call.');
  const budget = core.authLimit.consume(`${username.toLowerCase()}|${dns.toLowerCase()}`);
  if (budget.over) {
    throw authFailure('API_LIMIT_EXCEEDED', 'The authentication API limit for this user and vault was reached; wait for the next minute.');
  }
  // From half the per-minute budget on, Vault slows auth calls down before refusing them.
  const delayMs = budget.count > core.settings.authBurstLimit / 2 ? core.settings.burstDelayMs : 0;
  const user = core.store.userByName(username);
  if (user === undefined || user.systemOwned || core.passwordOf(user) !== password) {
    throw authFailure('USERNAME_OR_PASSWORD_INCORRECT', 'Authentication failed for the user name and password provided.');
  }
  return openSession(core, user, dns, delayMs);
}

/** `vaultDNS` from a login form (a URL where a bare name belongs is tolerated), else the Host header's name. */
export function requestedDns(ctx: RequestContext, form: Readonly<Record<string, string>>): string {
  const hostDns = (header(ctx, 'host') ?? '').replace(/:\d+$/, '');
  return (form.vaultDNS ?? '').trim().replace(/^https?:\/\//i, '').replace(/[/:].*$/, '') || hostDns;
}

/** A session for an authenticated user, in the vault auth defaulting picks: the login answer of §2.1. */
export function openSession(core: SimCore, user: SimUser, dns: string, delayMs: number): ApiReply {
  if (!isDomainActive(user)) throw authFailure('INACTIVE_USER', 'The user is inactive.');
  const vault = chooseVault(core, user, dns);
  if (vault === undefined) throw authFailure('INACTIVE_USER', 'The user has no active membership in an active vault.');
  const session = core.sessions.create(user.id, vault.id);
  core.store.putUser({ ...user, fields: { ...user.fields, last_login__v: core.nowIso() }, lastVaultId: vault.id });
  const vaultIds = core.store
    .activeVaults()
    .filter((v) => core.canUseVault(user, v.id))
    .map((v) => ({ id: v.id, name: v.name, url: `https://${v.dns}/api` }));
  return {
    body: { responseStatus: 'SUCCESS', sessionId: session.id, userId: user.id, vaultIds, vaultId: vault.id },
    vaultId: vault.id,
    userId: user.id,
    sessionId: session.id,
    ...(delayMs > 0 ? { delayMs } : {}),
  };
}

export function authRoutes(core: SimCore): Route[] {
  return [
    openRoute('POST', '/auth', (ctx) => authenticate(ctx, core)),
    authedRoute('POST', '/keep-alive', () => success()),
    authedRoute('DELETE', '/session', (ctx) => {
      core.sessions.end(ctx.session.id);
      return success();
    }),
  ];
}
