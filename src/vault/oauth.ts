/**
 * OAuth 2.0 / OpenID Connect login (VAULT-API.md §2.2, §16.2): an access token from the
 * customer's authorization server is exchanged for a Vault session at
 * `POST {login host}/auth/oauth/session/{profile id}`. The token is either given
 * (VAULT_ACCESS_TOKEN) or obtained here with the client-credentials grant (RFC 6749 §4.4).
 *
 * The grant goes through oauth4webapi: it encodes client_secret_basic as RFC 6749 §2.3.1
 * wants (form-encoding id and secret before base64, which hand-written clients often skip and
 * which breaks secrets holding `:` or `%`), checks the token answer strictly (a bearer token,
 * a numeric expires_in) and reads RFC 6749 §5.2 error answers. Its fetch is ours (see
 * `TokenFetch`), so the timeout, the deadline, the no-redirect rule and the origin check of
 * every other call hold for this one too.
 */
import * as oauth from 'oauth4webapi';
import { VaultRosterError } from '../errors.js';
import { excerpt } from '../vault-api/index.js';

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** Client-credentials grant settings; the secret goes to `tokenUrl`'s origin only. */
export interface ClientCredentialsGrant {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes; many authorization servers need one for this grant. */
  readonly scope: string | undefined;
  readonly clientAuth: ClientAuthMethod;
}

export interface OAuthCredentials {
  /** The OAuth 2.0 / OpenID Connect profile id configured in Vault (Admin > Settings). */
  readonly profileId: string;
  /** Origin of Vault's login service, e.g. `https://login.veevavault.com`; the token goes there only. */
  readonly loginOrigin: string;
  /** A ready access token, or the grant that obtains one (and a fresh one for every re-login). */
  readonly token: { readonly accessToken: string } | ClientCredentialsGrant;
  /** Sent to Vault as `client_id`, for its token introspection; `undefined` sends none. */
  readonly clientId: string | undefined;
}

/** The login path of an OAuth profile (no `/api/{version}`: it is not a versioned API call). */
export function oauthSessionPath(profileId: string): string {
  return `/auth/oauth/session/${encodeURIComponent(profileId)}`;
}

/** One HTTP exchange with the token endpoint, as the transport makes it (timeout, deadline, no redirects). */
export type TokenFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface AccessToken {
  readonly value: string;
  /** Seconds the authorization server says the token lasts, when it says. */
  readonly expiresIn: number | undefined;
}

const TOKEN_HINTS: Readonly<Record<string, string>> = {
  invalid_client: 'Check VAULT_OAUTH_CLIENT_ID and VAULT_OAUTH_CLIENT_SECRET, and VAULT_OAUTH_CLIENT_AUTH (client_secret_basic or client_secret_post, whichever the authorization server expects for this client).',
  unauthorized_client: 'Allow the client-credentials grant for this client in the authorization server.',
  invalid_scope: 'Set VAULT_OAUTH_SCOPE to a scope the authorization server grants this client (e.g. api://…/.default on Azure AD).',
  unsupported_grant_type: 'The authorization server does not offer the client-credentials grant at this endpoint: check VAULT_OAUTH_TOKEN_URL, or obtain a token another way and pass it as VAULT_ACCESS_TOKEN.',
  invalid_request: 'Check VAULT_OAUTH_TOKEN_URL and VAULT_OAUTH_SCOPE; the authorization server says what is missing above.',
};

/** `POST {host}{path}` of the token endpoint, without its query (it may carry anything). */
export function tokenCall(tokenUrl: string): string {
  const url = new URL(tokenUrl);
  return `POST ${url.pathname} (token endpoint ${url.host})`;
}

function tokenError(grant: ClientCredentialsGrant, detail: string, hint: string, cause?: unknown): VaultRosterError {
  return new VaultRosterError('oauth-token', `OAuth login failed at step 1 of 2, the token endpoint: ${tokenCall(grant.tokenUrl)}: ${detail}; no Vault session was requested`, {
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

function refusal(grant: ClientCredentialsGrant, status: number, code: string, description: string | undefined): VaultRosterError {
  const said = description === undefined ? code : `${code}: ${description}`;
  return tokenError(grant, `HTTP ${status}, the authorization server answered ${excerpt(said, 200)}`, TOKEN_HINTS[code] ?? 'Check the OAuth client settings (VAULT_OAUTH_*) against the authorization server.');
}

/** An RFC 6749 §5.2 error from a 401 that also carried a WWW-Authenticate challenge (body first, then the challenge). */
async function challengeRefusal(grant: ClientCredentialsGrant, error: oauth.WWWAuthenticateChallengeError): Promise<VaultRosterError> {
  let body: unknown;
  try {
    body = JSON.parse(await error.response.text()) as unknown;
  } catch {
    body = undefined;
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const params = error.cause[0]?.parameters;
  const code = typeof fields.error === 'string' ? fields.error : (params?.error ?? `a ${error.cause[0]?.scheme ?? 'WWW-Authenticate'} challenge`);
  const description = typeof fields.error_description === 'string' ? fields.error_description : params?.error_description;
  return refusal(grant, error.status, code, description);
}

/** What went wrong at the token endpoint, as an error naming the call and an excerpt of the answer. */
export async function describeTokenFailure(grant: ClientCredentialsGrant, error: unknown): Promise<VaultRosterError> {
  if (error instanceof VaultRosterError) return error;
  if (error instanceof oauth.ResponseBodyError) return refusal(grant, error.status, error.error, error.error_description);
  if (error instanceof oauth.WWWAuthenticateChallengeError) return challengeRefusal(grant, error);
  const message = error instanceof Error ? error.message : String(error);
  return tokenError(
    grant,
    `the answer is not a usable token response (${excerpt(message, 160)})`,
    'Check that VAULT_OAUTH_TOKEN_URL is the token endpoint of the authorization server (not its authorize or discovery URL).',
  );
}

/**
 * Runs the client-credentials grant once. Throws `oauth-token` naming the call and what the
 * authorization server said; transport failures (no answer, HTTP 5xx) are the caller's to retry.
 */
export async function requestAccessToken(grant: ClientCredentialsGrant, fetch: TokenFetch, insecureLoopback: boolean): Promise<AccessToken> {
  const url = new URL(grant.tokenUrl);
  const as: oauth.AuthorizationServer = { issuer: url.origin, token_endpoint: grant.tokenUrl };
  const client: oauth.Client = { client_id: grant.clientId };
  const auth = grant.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(grant.clientSecret) : oauth.ClientSecretBasic(grant.clientSecret);
  const parameters: Record<string, string> = grant.scope === undefined ? {} : { scope: grant.scope };
  const options = {
    [oauth.customFetch]: (target: string, init: RequestInit) => fetch(target, init),
    // Plain http only ever reaches this for a loopback token URL (connection.ts refuses any other):
    // the simulator and local test servers. Deprecated upstream for exactly that reason.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- loopback http only, see above
    ...(insecureLoopback ? { [oauth.allowInsecureRequests]: true } : {}),
  };
  // The fetch throws TokenEndpointUnavailable for an answer worth another try (5xx, 408, 429).
  const response = await oauth.clientCredentialsGrantRequest(as, client, auth, parameters, options);
  try {
    const answer = await oauth.processClientCredentialsResponse(as, client, response);
    return { value: answer.access_token, expiresIn: answer.expires_in };
  } catch (error) {
    throw await describeTokenFailure(grant, error);
  }
}

/** The token endpoint gave no usable answer in a way worth another try (no answer, HTTP 5xx, 408, 429). */
export class TokenEndpointUnavailable extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'TokenEndpointUnavailable';
  }
}

/** The token endpoint kept failing after the retries. */
export function tokenUnavailableError(grant: ClientCredentialsGrant, detail: string): VaultRosterError {
  return tokenError(grant, `${detail}, after retries`, 'Check VAULT_OAUTH_TOKEN_URL and that the authorization server is reachable from here; then run again.');
}

/** A failure of the session endpoint (step 2), with what to do about it. */
export function sessionStepError(credentials: OAuthCredentials, detail: string): VaultRosterError {
  const direct = 'accessToken' in credentials.token;
  const hint = direct
    ? 'The access token was refused: it may have expired or be meant for another audience. Get a fresh VAULT_ACCESS_TOKEN, or set VAULT_OAUTH_TOKEN_URL, VAULT_OAUTH_CLIENT_ID and VAULT_OAUTH_CLIENT_SECRET so vault-roster obtains one itself; also check VAULT_OAUTH_PROFILE_ID (Admin > Settings > OAuth 2.0 / OpenID Connect Profiles) and VAULT_OAUTH_LOGIN_HOST.'
    : 'The token endpoint gave a token but Vault refused it: check VAULT_OAUTH_PROFILE_ID (Admin > Settings > OAuth 2.0 / OpenID Connect Profiles), that the profile trusts this authorization server, that the token maps to an active Vault user (the profile\'s User ID Type), VAULT_OAUTH_SCOPE (the token\'s audience) and VAULT_OAUTH_LOGIN_HOST.';
  const step = direct ? "Vault's session endpoint (with the token from VAULT_ACCESS_TOKEN)" : "step 2 of 2, Vault's session endpoint";
  return new VaultRosterError('oauth-session', `OAuth login failed at ${step}: ${detail}`, { hint });
}
