/**
 * OAuth 2.0 / OpenID Connect login (VAULT-API.md §2.2) and a minimal token endpoint standing in
 * for the customer's authorization server, so tests need no identity provider.
 *
 * - `POST /auth/oauth/session/{profile_id}` (no /api/{version}: it lives on Vault's login host)
 *   takes `Authorization: Bearer {access token}` and a form with optional `vaultDNS` and
 *   `client_id`; it answers as POST /auth does, auth defaulting included. [INF] An unknown
 *   profile is FAILURE INVALID_DATA; a missing, unknown or expired token is FAILURE
 *   USERNAME_OR_PASSWORD_INCORRECT (Vault documents no error type for either). OAuth logins do
 *   not count against the auth burst limit (§4.2).
 * - `POST /oauth2/token`: the client-credentials grant of RFC 6749 §4.4, client authentication
 *   by HTTP Basic (§2.3.1, form-encoded id and secret) or in the form body, never both; errors
 *   as §5.2 (400 invalid_request / unsupported_grant_type, 401 invalid_client). Tokens are
 *   opaque and expire after the configured lifetime.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { header, openRoute, readForm, VaultFailure, type ApiReply, type RequestContext, type Route } from '../http.js';
import type { SimCore } from '../core.js';
import type { AccessTokens } from '../sessions.js';
import type { RequestLogEntry } from '../types.js';
import { authFailure, openSession, requestedDns } from './auth.js';

/** The one path pattern served outside /api/{version}. */
export const OAUTH_SESSION_PATTERN = '/auth/oauth/session/:profile_id';
export const TOKEN_PATH = '/oauth2/token';

function bearerToken(ctx: RequestContext): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header(ctx, 'authorization') ?? '');
  return match?.[1];
}

function oauthSession(ctx: RequestContext, core: SimCore, tokens: AccessTokens): ApiReply {
  let form: Record<string, string>;
  try {
    form = readForm(ctx);
  } catch (error) {
    if (error instanceof VaultFailure) throw authFailure(error.type, error.message);
    throw error;
  }
  const profile = ctx.params.profile_id ?? '';
  if (!tokens.profiles.has(profile)) {
    throw authFailure('INVALID_DATA', `No active OAuth 2.0 / OpenID Connect profile [${profile}].`);
  }
  const token = bearerToken(ctx);
  const userName = token === undefined ? undefined : tokens.userFor(token);
  const user = userName === undefined ? undefined : core.store.userByName(userName);
  if (user === undefined || user.systemOwned) {
    throw authFailure('USERNAME_OR_PASSWORD_INCORRECT', 'The access token is missing, invalid or expired.');
  }
  return openSession(core, user, requestedDns(ctx, form), 0);
}

export function oauthRoutes(core: SimCore, tokens: AccessTokens): Route[] {
  return [openRoute('POST', OAUTH_SESSION_PATTERN, (ctx) => oauthSession(ctx, core, tokens))];
}

export interface TokenReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

function tokenFailure(status: number, error: string, description: string, basic = false): TokenReply {
  return {
    status,
    headers: basic ? { 'WWW-Authenticate': 'Basic realm="vault-roster-simulator"' } : {},
    body: { error, error_description: description },
  };
}

/** The client id and secret of a client_secret_basic header (each form-decoded, RFC 6749 §2.3.1). */
function basicCredentials(value: string | undefined): { id: string; secret: string } | 'malformed' | undefined {
  const match = /^basic\s+(\S+)$/i.exec(value?.trim() ?? '');
  if (match === null) return value === undefined ? undefined : 'malformed';
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  const formDecode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

function grant(headers: IncomingHttpHeaders, raw: Buffer, tokens: AccessTokens, ttlSeconds: number): TokenReply {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return tokenFailure(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(raw.toString('utf8'));
  const basic = basicCredentials(headers.authorization);
  const inBody = form.get('client_secret');
  if (basic === 'malformed') return tokenFailure(401, 'invalid_client', 'malformed Basic credentials', true);
  if (basic !== undefined && inBody !== null) return tokenFailure(400, 'invalid_request', 'more than one client authentication method');
  const id = basic?.id ?? form.get('client_id') ?? '';
  const secret = basic?.secret ?? inBody ?? '';
  const client = tokens.clients.get(id);
  if (client === undefined || client.secret !== secret) return tokenFailure(401, 'invalid_client', 'client authentication failed', basic !== undefined);
  if (form.get('grant_type') !== 'client_credentials') return tokenFailure(400, 'unsupported_grant_type', 'only client_credentials is offered here');
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    body: { access_token: tokens.issue(client.user), token_type: 'Bearer', expires_in: ttlSeconds },
  };
}

/** Answers `POST /oauth2/token` and logs it (without any secret) in the request log. */
export function handleTokenRequest(core: SimCore, tokens: AccessTokens, method: string, headers: IncomingHttpHeaders, raw: Buffer | undefined): TokenReply {
  const reply =
    method !== 'POST'
      ? tokenFailure(405, 'invalid_request', 'use POST')
      : raw === undefined
        ? tokenFailure(400, 'invalid_request', 'the body is too large')
        : grant(headers, raw, tokens, Math.max(1, Math.round(tokens.ttlMs / 1000)));
  const error = reply.body.error;
  const entry: RequestLogEntry = {
    seq: core.log.nextSeq(),
    method,
    path: TOKEN_PATH,
    query: {},
    status: reply.status === 200 ? 'SUCCESS' : 'FAILURE',
    errorTypes: typeof error === 'string' ? [error] : [],
    httpStatus: reply.status,
    executionId: randomUUID(),
  };
  core.log.add(entry);
  return reply;
}
