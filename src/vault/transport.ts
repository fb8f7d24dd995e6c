/**
 * One HTTP exchange with Vault, done carefully: session handling (login, and a re-login whenever
 * Vault ends the session, within a budget per run), burst pacing, bounded concurrency, retries
 * with backoff, per-request timeout and an overall deadline, visible waits, no redirects (the
 * session and the password go to the configured origin only), envelope checks, redacted events
 * and errors. Endpoint modules build requests; only this file sends them.
 */
import { isAscii } from 'node:buffer';
import ky, { type KyInstance } from 'ky';
import pLimit, { type LimitFunction } from 'p-limit';
import { TransportError, VaultApiError, VaultRosterError } from '../errors.js';
import type { BodyFormat } from '../model.js';
import { DEFAULT_MAX_RELOGINS, parseAuthResponse, SESSION_RENEW_AFTER_MS, SessionBudget, verifySessionVault, wrongVault, type SessionInfo } from './auth.js';
import type { Clock } from './clock.js';
import { asId, envelopeError, isRecord, type EnvelopeError, type JsonRecord } from './envelope.js';
import type { ClientEvent } from './events.js';
import { BurstPacer, type BurstReading, type PaceTicket } from './pacing.js';
import { safePath, type Redactor } from './redact.js';
import { AUTH_LIMIT_WAIT_MS, backoffDelay, isRetryableStatus, MAX_TIMEOUT_RETRIES, RELOGIN_BACKOFF, RETRYABLE_VAULT_ERRORS, type RetryPolicy } from './retry.js';
import { excerpt } from '../vault-api/index.js';
import { closedError, DEFAULT_DEADLINE_MS, DEFAULT_WAIT_NOTICE, RunControl, type WaitNoticeSettings, type WaitSubject } from './waits.js';
import { DEFAULT_KEEP_ALIVE, KeepAlive, type KeepAliveSettings } from './keep-alive.js';
import {
  oauthSessionPath,
  requestAccessToken,
  sessionStepError,
  TokenEndpointUnavailable,
  tokenCall,
  tokenUnavailableError,
  type ClientCredentialsGrant,
  type OAuthCredentials,
} from './oauth.js';

export type Credentials =
  | { readonly username: string; readonly password: string }
  | { readonly sessionId: string }
  | { readonly oauth: OAuthCredentials };

/** Whether vault-roster can make sessions itself (and so renew them, and should end them). */
export function canLogIn(credentials: Credentials): boolean {
  return !('sessionId' in credentials);
}

export interface TransportSettings {
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly credentials: Credentials;
  readonly vaultDns: string | undefined;
  readonly expectedVaultId: number | undefined;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly burstWindowMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly clientId: string;
  readonly redactor: Redactor;
  readonly emit: (event: ClientEvent) => void;
  /** Overall limit for everything this transport does (default one hour). */
  readonly deadlineMs?: number | undefined;
  /** Re-logins allowed in this run after Vault ended the session (default 10). */
  readonly maxRelogins?: number | undefined;
  /** When waits are announced with `wait` events (default: after 5 s, then every 30 s). */
  readonly waitNotice?: WaitNoticeSettings | undefined;
  /** Aborting it stops the transport as `close()` does. */
  readonly signal?: AbortSignal | undefined;
  /** How the bulk user calls send their rows (default JSON); read by users.ts. */
  readonly bodyFormat?: BodyFormat | undefined;
  /** When an idle session is kept alive (default: after 5 minutes idle, checked every minute). */
  readonly keepAlive?: KeepAliveSettings | undefined;
}

export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to `/api/{version}/` (`objects/users`), or an absolute `/api/...` path Vault handed out. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly form?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly csv?: string;
  readonly retry: RetryPolicy;
  /**
   * The OAuth session call: sent to the configured login origin (never the vault's) with this
   * access token as its Bearer, and never with the session.
   */
  readonly login?: { readonly accessToken: string };
  /** Sent without waiting for the burst window (keep-alive, end session: one call each). */
  readonly unpaced?: boolean;
  /**
   * Sees the first bytes of a 2xx body (at least BODY_HEAD_BYTES, as text) as soon as they
   * arrive, so a caller can act on what it starts with: the user lister asks for the next page
   * while this one is still arriving and being parsed. Must not throw.
   */
  readonly onBodyStart?: (head: string) => void;
  /** `false`: a session Vault ended is not renewed for this request (keep-alive, end session). */
  readonly renew?: boolean;
  /** A shorter per-try timeout than the client's, for calls nobody should wait long for. */
  readonly timeoutMs?: number;
}

/** Ending the session is a courtesy: a command never waits long for it before exiting. */
const END_SESSION_TIMEOUT_MS = 10_000;

export interface TransportResponse {
  readonly body: JsonRecord;
  readonly headers: Headers;
}

type Attempt =
  | { readonly kind: 'ok'; readonly body: JsonRecord; readonly headers: Headers }
  | { readonly kind: 'vault'; readonly error: EnvelopeError; readonly executionId: string | undefined }
  | {
      readonly kind: 'transport';
      readonly status: number | undefined;
      readonly detail: string;
      readonly retryable: boolean;
      /** The try timed out waiting for an answer (retried fewer times than other failures). */
      readonly timedOut?: boolean;
      /** The host a 3xx pointed at: never followed, so no secret goes there. */
      readonly redirectHost?: string;
    }
  /** The client stopped (deadline, or closed) while this try was under way. */
  | { readonly kind: 'stopped'; readonly error: VaultRosterError };

/** Hints for the Vault errors a user can do something about. */
const ERROR_HINTS: Readonly<Record<string, string>> = {
  INSUFFICIENT_ACCESS:
    'The API user lacks a permission: vault-roster needs a user with API access who is System Admin (and Domain Admin for domain-level changes) in every managed vault.',
  API_LIMIT_EXCEEDED: "Vault's API limit is spent; wait for the burst window (5 minutes) to pass and run again.",
  USERNAME_OR_PASSWORD_INCORRECT: 'Check VAULT_USERNAME and VAULT_PASSWORD.',
  USER_LOCKED_OUT: 'The API user is locked out; an administrator must unlock it in Vault.',
  PASSWORD_CHANGE_REQUIRED: 'Log in to Vault once in a browser to change the password, then update VAULT_PASSWORD.',
  INACTIVE_USER: 'The API user is inactive in this vault; use an active admin user.',
};

function header(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** How much of a body `onBodyStart` sees: enough for the counts a Vault envelope starts with. */
export const BODY_HEAD_BYTES = 512;

/** How a non-Vault answer (an HTML error page, a proxy's text) starts, for the error message. */
function answerStart(text: string): string {
  const head = text.trim();
  return head === '' ? '' : `; the answer starts ${excerpt(head.slice(0, 200), 120)}`;
}

/** The body as text, showing its start to `onStart` while the rest is still on the way. */
/**
 * ASCII bytes read the same as Latin-1 and as UTF-8, and a Latin-1 read is a plain copy: on a
 * 1.2 MB user page `TextDecoder` took 4–5 ms against 0.1 ms (plus 0.1 ms for `isAscii`), and
 * `JSON.parse` of its result was no faster. Any other byte goes through the UTF-8 decoder.
 */
function decodeBody(decoder: InstanceType<typeof TextDecoder>, bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : decoder.decode(bytes);
}

export async function readText(response: Response, onStart: ((head: string) => void) | undefined): Promise<string> {
  if (onStart === undefined || response.body === null) return response.text();
  const decoder = new TextDecoder();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let started = false;
  for await (const chunk of response.body as ReadableStream<Uint8Array>) {
    chunks.push(chunk);
    length += chunk.length;
    if (!started && length >= BODY_HEAD_BYTES) {
      started = true;
      // A character cut at the end of the head decodes as U+FFFD; the caller only looks for ASCII.
      onStart(decoder.decode(Buffer.concat(chunks, length).subarray(0, BODY_HEAD_BYTES)));
    }
  }
  const text = decodeBody(decoder, Buffer.concat(chunks, length));
  if (!started) onStart(text);
  return text;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `connection failed${code}`;
}

/** Where a 3xx points, as a host (never the whole URL: its query may carry a token). */
function redirectHost(response: Response, url: URL): string {
  const location = response.headers.get('Location');
  if (location === null || location.trim() === '') return 'nowhere (no Location header)';
  try {
    return new URL(location, url).host || 'an unnamed host';
  } catch {
    return 'an unreadable Location';
  }
}

export class VaultTransport {
  readonly #s: TransportSettings;
  readonly #ky: KyInstance;
  readonly #limit: LimitFunction;
  readonly #pacer: BurstPacer;
  readonly #run: RunControl;
  readonly #budget: SessionBudget;
  #session: Promise<SessionInfo> | undefined;
  /** The session once a login made it (never a ready VAULT_SESSION_ID), and when. */
  #made: { readonly session: SessionInfo; readonly at: number } | undefined;
  readonly #renewals = new Map<string, Promise<SessionInfo>>();
  readonly #keepAlive: KeepAlive;
  #observedVaultId: number | undefined;
  #sequence = 0;

  constructor(settings: TransportSettings) {
    this.#s = settings;
    // ky's own timeout is off: each try gets a signal that also ends at the deadline or on close.
    this.#ky = ky.create({ retry: 0, timeout: false, throwHttpErrors: false });
    this.#limit = pLimit(settings.concurrency);
    this.#run = new RunControl({
      clock: settings.clock,
      deadlineMs: settings.deadlineMs ?? DEFAULT_DEADLINE_MS,
      notice: settings.waitNotice ?? DEFAULT_WAIT_NOTICE,
      emit: settings.emit,
      signal: settings.signal,
    });
    this.#budget = new SessionBudget(settings.maxRelogins ?? DEFAULT_MAX_RELOGINS);
    this.#pacer = new BurstPacer({
      clock: settings.clock,
      windowMs: settings.burstWindowMs,
      concurrency: settings.concurrency,
      notify: (notice) => {
        settings.emit({ type: 'pace', ...notice });
      },
      sleep: (ms) => this.#run.sleep(ms, { reason: 'burst-window' }),
    });
    this.#keepAlive = new KeepAlive(settings.keepAlive ?? DEFAULT_KEEP_ALIVE, settings.clock, async () => {
      await this.#send({ method: 'POST', path: 'keep-alive', retry: 'never', unpaced: true, renew: false }, true);
    });
    registerSecrets(settings.credentials, settings.redactor);
  }

  get settings(): TransportSettings {
    return this.#s;
  }

  /** How bulk user rows are sent: JSON unless the client was asked for CSV. */
  get bodyFormat(): BodyFormat {
    return this.#s.bodyFormat ?? 'json';
  }

  /** The vault the session is in, once known. */
  get vaultId(): number | undefined {
    return this.#observedVaultId;
  }

  /**
   * The current session, logging in on first use. A session this client made is replaced
   * shortly before Vault's 48-hour cap, as Veeva's session guidance asks of long integrations.
   */
  session(): Promise<SessionInfo> {
    const made = this.#made;
    const aged = made !== undefined && this.#session !== undefined && this.#s.clock.now() - made.at >= SESSION_RENEW_AFTER_MS;
    if (aged) {
      this.#made = undefined;
      this.#session = undefined;
    }
    if (this.#session === undefined) {
      const started = this.#login(aged ? 'reauth' : 'login');
      this.#session = started;
      // A failed login is not cached: the next call tries again.
      started.catch(() => {
        if (this.#session === started) this.#session = undefined;
      });
    }
    return this.#session;
  }

  /** Sends one logical request (with retries) and returns the successful envelope. */
  async request(req: TransportRequest): Promise<TransportResponse> {
    return this.#send(req, true);
  }

  /**
   * Stops the transport: requests in flight are aborted, sleeps end, and every later call fails
   * at once. Called when a command ends, so no background request outlives it.
   */
  close(error: VaultRosterError = closedError('the command ended')): void {
    this.#keepAlive.stop();
    this.#run.stop(error);
  }

  /**
   * Ends the session this client made (`DELETE /api/{v}/session`), then closes. A ready
   * VAULT_SESSION_ID is left alone: it is the caller's. Never throws; a failure shows in the events.
   */
  async end(): Promise<void> {
    this.#keepAlive.stop();
    const made = this.#made;
    // A session at its 48-hour cap is Vault's to end; sending would first log in again.
    if (made !== undefined && this.#run.stopped === undefined && this.#s.clock.now() - made.at < SESSION_RENEW_AFTER_MS) {
      this.#made = undefined;
      try {
        const timeoutMs = Math.min(this.#s.timeoutMs, END_SESSION_TIMEOUT_MS);
        await this.#send({ method: 'DELETE', path: 'session', retry: 'never', unpaced: true, renew: false, timeoutMs }, true);
      } catch {
        // The session ends by itself at its idle timeout; nothing for the user to do.
      }
    }
    this.close();
  }

  /** Sends a keep-alive if the session has been idle for the configured time; true when sent. */
  keepAliveIfIdle(): Promise<boolean> {
    return this.#keepAlive.tick();
  }

  /** Backoff before another try of failed rows; `undefined` once `maxRetries` is spent. */
  rowRetryDelay(attempt: number): number | undefined {
    return attempt >= this.#s.maxRetries ? undefined : backoffDelay(attempt, this.#s.random);
  }

  /** Waits before re-sending failed rows, reported as a retry of the request that will carry them. */
  async pause(req: TransportRequest, attempt: number, reason: string, delayMs: number): Promise<void> {
    const requestId = this.#sequence + 1;
    const path = this.path(req);
    this.#s.emit({ type: 'retry', requestId, method: req.method, path, attempt, reason, delayMs });
    await this.#run.sleep(delayMs, { reason: 'retry', call: `${req.method} ${path}`, cause: reason });
  }

  /** A caller's own wait before repeating a call (the client's backoff), bounded and visible. */
  async backoff(attempt: number): Promise<void> {
    await this.#run.sleep(backoffDelay(attempt, this.#s.random), { reason: 'retry' });
  }

  path(req: Pick<TransportRequest, 'path' | 'query' | 'login'>): string {
    const url = this.#url(req);
    return safePath(url.pathname + url.search, this.#s.redactor);
  }

  #url(req: Pick<TransportRequest, 'path' | 'query' | 'login'>): URL {
    const base = req.login === undefined ? this.#s.baseUrl.replace(/\/+$/, '') : this.#loginOrigin();
    let path = req.path;
    // Vault hands out next_page as a path; never follow it to another host with our session.
    if (/^https?:\/\//i.test(path)) {
      const u = new URL(path);
      path = u.pathname + u.search;
    }
    const url = new URL(path.startsWith('/') ? `${base}${path}` : `${base}/api/${this.#s.apiVersion}/${path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) url.searchParams.set(key, String(value));
    return url;
  }

  async #send(req: TransportRequest, authenticated: boolean): Promise<TransportResponse> {
    this.#sequence += 1;
    const requestId = this.#sequence;
    const call = `${req.method} ${this.path(req)}`;
    let attempt = 0;
    /** Sessions this request saw refused: a renewal handing one back again would loop. */
    const refused = new Set<string>();
    for (;;) {
      this.#run.check(`before sending ${call}`);
      const session = authenticated ? await this.session() : undefined;
      this.#checkOrigin(req, session);
      const result =
        session === undefined
          ? await this.#attempt(req, requestId, attempt, undefined)
          : await this.#limit(() => this.#attempt(req, requestId, attempt, session));
      if (result.kind === 'ok') {
        if (session !== undefined) this.#budget.served();
        return result;
      }
      if (result.kind === 'stopped') throw result.error;
      const canRenew = session !== undefined && req.renew !== false && canLogIn(this.#s.credentials) && !refused.has(session.sessionId);
      if (canRenew && result.kind === 'vault' && result.error.type === 'INVALID_SESSION_ID') {
        // The request was refused, not processed, so repeating it is safe even for a create.
        refused.add(session.sessionId);
        await this.#renew(session, call);
        continue;
      }
      const delay = this.#retryDelay(req, result, attempt, authenticated);
      if (delay === undefined) throw this.#toError(req, result);
      const reason =
        result.kind === 'vault' ? result.error.type : result.status === undefined ? result.detail : `HTTP ${result.status}`;
      attempt += 1;
      this.#s.emit({ type: 'retry', requestId, method: req.method, path: this.path(req), attempt, reason, delayMs: delay });
      await this.#run.sleep(delay, this.#retryWait(result, call, reason));
    }
  }

  #retryWait(result: Exclude<Attempt, { kind: 'ok' | 'stopped' }>, call: string, cause: string): WaitSubject {
    if (result.kind === 'vault' && result.error.type === 'API_LIMIT_EXCEEDED') {
      return call.endsWith('/auth') ? { reason: 'auth-limit', call } : { reason: 'burst-window', call };
    }
    return { reason: 'retry', call, cause };
  }

  #retryDelay(req: TransportRequest, result: Attempt, attempt: number, authenticated: boolean): number | undefined {
    if (attempt >= this.#s.maxRetries || req.retry === 'never' || result.kind === 'ok' || result.kind === 'stopped') return undefined;
    if (result.kind === 'transport') {
      // A server that did not answer for a whole timeout is seldom back a moment later.
      if (result.timedOut === true && attempt >= MAX_TIMEOUT_RETRIES) return undefined;
      return result.retryable ? backoffDelay(attempt, this.#s.random) : undefined;
    }
    if (!RETRYABLE_VAULT_ERRORS.has(result.error.type)) return undefined;
    if (result.error.type === 'API_LIMIT_EXCEEDED') return authenticated ? this.#pacer.markExhausted() : AUTH_LIMIT_WAIT_MS;
    return backoffDelay(attempt, this.#s.random);
  }

  async #attempt(req: TransportRequest, requestId: number, attempt: number, session: SessionInfo | undefined): Promise<Attempt> {
    let ticket: PaceTicket | undefined;
    try {
      ticket = session === undefined || req.unpaced === true ? undefined : await this.#pacer.beforeSend();
    } catch (error) {
      if (error instanceof VaultRosterError) return { kind: 'stopped', error };
      throw error;
    }
    const url = this.#url(req);
    const path = safePath(url.pathname + url.search, this.#s.redactor);
    const call = `${req.method} ${path}`;
    if (this.#run.stopped !== undefined) {
      if (ticket !== undefined) this.#pacer.afterResponse(ticket, undefined, undefined);
      return { kind: 'stopped', error: this.#run.stopped };
    }
    this.#s.emit({ type: 'request', requestId, method: req.method, path, attempt });
    const started = this.#s.clock.now();
    if (session !== undefined) this.#keepAlive.started();
    const timeout = this.#run.attemptSignal(req.timeoutMs ?? this.#s.timeoutMs);
    const stopWatching = this.#run.watchAnswer(call, timeout.ms);
    let result: Attempt;
    let status = 0;
    let headers: Headers | undefined;
    try {
      const response = await this.#ky(url, {
        method: req.method,
        headers: this.#headers(req, session),
        ...this.#body(req),
        // Never follow a redirect: the password or session would go wherever it points.
        redirect: 'manual',
        // Covers the headers and the whole body; also ends at the deadline and when the client stops.
        signal: timeout.signal,
      });
      status = response.status;
      headers = response.headers;
      if (status >= 300 && status < 400) {
        await response.body?.cancel();
        result = { kind: 'transport', status, detail: `HTTP ${status}`, retryable: false, redirectHost: redirectHost(response, url) };
      } else {
        const text = await readText(response, response.ok ? req.onBodyStart : undefined);
        result = this.#interpret(response, text);
      }
    } catch (error) {
      result = this.#failure(error, call, timeout);
    } finally {
      timeout.release();
      stopWatching();
      if (session !== undefined) this.#keepAlive.finished();
    }
    const reading = this.#reading(headers);
    const responseDelayMs = headers === undefined ? undefined : header(headers, 'X-VaultAPI-ResponseDelay');
    if (ticket !== undefined) this.#pacer.afterResponse(ticket, reading, responseDelayMs);
    const observed = headers === undefined ? undefined : asId(headers.get('X-VaultAPI-VaultId'));
    if (session !== undefined && observed !== undefined) this.#observedVaultId = observed;
    this.#s.emit({
      type: 'response',
      requestId,
      method: req.method,
      path,
      attempt,
      status,
      responseStatus: result.kind === 'ok' ? String(result.body.responseStatus) : result.kind === 'vault' ? result.error.status : undefined,
      error: this.#outcome(result),
      durationMs: this.#s.clock.now() - started,
      executionId: headers?.get('X-VaultAPI-ExecutionId') ?? undefined,
      burstLimit: reading?.limit,
      burstRemaining: reading?.remaining,
      responseDelayMs,
    });
    if (result.kind === 'ok' && session !== undefined && 'sessionId' in this.#s.credentials) this.#checkReadySession(observed);
    return result;
  }

  /** What went wrong in a try, in a few words, for the response event. */
  #outcome(result: Attempt): string | undefined {
    switch (result.kind) {
      case 'ok':
        return undefined;
      case 'vault':
        return result.error.type;
      case 'stopped':
        return result.error.code;
      case 'transport':
        return result.redirectHost === undefined ? result.detail : `${result.detail} redirect to ${result.redirectHost} (not followed)`;
      default: {
        const unreachable: never = result;
        return String(unreachable);
      }
    }
  }

  /** A try that threw: stopped, timed out (by the per-request timeout or the deadline), or no connection. */
  #failure(error: unknown, call: string, timeout: { ms: number; deadline: boolean }): Attempt {
    if (this.#run.stopped !== undefined) return { kind: 'stopped', error: this.#run.stopped };
    if (isTimeout(error) && timeout.deadline) {
      return { kind: 'stopped', error: this.#run.expire(`waiting for an answer to ${call}`) };
    }
    return { kind: 'transport', status: undefined, detail: describeFailure(error, timeout.ms), retryable: true, timedOut: isTimeout(error) };
  }

  #headers(req: TransportRequest, session: SessionInfo | undefined): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'X-VaultAPI-ClientID': this.#s.clientId };
    // #checkOrigin made sure the token goes to the login origin only, and the session to Vault's.
    if (req.login !== undefined) headers.Authorization = `Bearer ${req.login.accessToken}`;
    else if (session !== undefined) headers.Authorization = session.sessionId;
    if (req.csv !== undefined) headers['Content-Type'] = 'text/csv';
    return headers;
  }

  #body(req: TransportRequest): { body?: string | URLSearchParams; json?: unknown } {
    if (req.form !== undefined) return { body: new URLSearchParams(req.form) };
    if (req.csv !== undefined) return { body: req.csv };
    if (req.json !== undefined) return { json: req.json };
    return {};
  }

  #reading(headers: Headers | undefined): BurstReading | undefined {
    if (headers === undefined) return undefined;
    const limit = header(headers, 'X-VaultAPI-BurstLimit');
    const remaining = header(headers, 'X-VaultAPI-BurstLimitRemaining');
    return limit === undefined || remaining === undefined ? undefined : { limit, remaining };
  }

  #interpret(response: Response, text: string): Attempt {
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const executionId = response.headers.get('X-VaultAPI-ExecutionId') ?? undefined;
    if (!response.ok) {
      // Vault answers 200 for everything it processed (§3.2); a non-2xx came from the network path.
      if (response.status < 500 && isRecord(body) && envelopeError(body) !== undefined) {
        return { kind: 'vault', error: envelopeError(body) as EnvelopeError, executionId };
      }
      return { kind: 'transport', status: response.status, detail: `HTTP ${response.status}${answerStart(text)}`, retryable: isRetryableStatus(response.status) };
    }
    if (!isRecord(body)) {
      return { kind: 'transport', status: response.status, detail: 'the answer is not a Vault JSON envelope', retryable: false };
    }
    const error = envelopeError(body);
    return error === undefined ? { kind: 'ok', body, headers: response.headers } : { kind: 'vault', error, executionId };
  }

  #toError(req: TransportRequest, result: Exclude<Attempt, { kind: 'ok' | 'stopped' }>): VaultRosterError {
    const path = this.path({ path: req.path });
    const redact = (text: string): string => this.#s.redactor.text(text);
    if (result.kind === 'transport' && result.redirectHost !== undefined) {
      return new TransportError({
        code: 'transport-redirect',
        method: req.method,
        path,
        status: result.status,
        detail: `Vault answered HTTP ${result.status ?? '3xx'}, a redirect to ${redact(result.redirectHost)}, which vault-roster never follows (credentials and sessions go to the configured origin only)`,
        hint: 'Point VAULT_URL (or vault.url) at the vault itself, with https:// and the final host name; a proxy in between must forward requests, not redirect them.',
      });
    }
    if (result.kind === 'transport') {
      // The host, so a wrong VAULT_URL (or a proxy answering in its place) shows at once.
      return new TransportError({ method: req.method, path, status: result.status, detail: `${redact(result.detail)} (host ${new URL(this.#s.baseUrl).host})` });
    }
    if (result.error.type === 'INVALID_SESSION_ID' && 'sessionId' in this.#s.credentials) {
      return new VaultRosterError('session-invalid', `${req.method} ${path}: VAULT_SESSION_ID is not a valid session (expired or ended)`, {
        hint: 'Get a fresh session id, or set VAULT_USERNAME and VAULT_PASSWORD instead so vault-roster can log in again by itself.',
      });
    }
    if (result.error.type === 'INVALID_SESSION_ID') {
      // With a password a re-login was made; getting here means Vault refused the new session too.
      return new VaultRosterError('session-expiring', `${req.method} ${path}: Vault refused the session it had just handed out`, {
        hint: "The session does not reach Vault intact or is ended at once: check that VAULT_URL reaches the vault the login went to (no proxy dropping or rewriting the Authorization header) and that nothing else ends this API user's sessions.",
      });
    }
    const hint = ERROR_HINTS[result.error.type];
    return new VaultApiError({
      method: req.method,
      path,
      errorType: result.error.type,
      vaultMessage: redact(result.error.message),
      executionId: result.executionId,
      ...(hint === undefined ? {} : { hint }),
    });
  }

  async #login(action: 'login' | 'reauth'): Promise<SessionInfo> {
    const credentials = this.#s.credentials;
    if ('sessionId' in credentials) {
      return { sessionId: credentials.sessionId, vaultId: undefined, userId: undefined, vaults: [] };
    }
    const body = 'oauth' in credentials ? await this.#oauthLogin(credentials.oauth) : await this.#passwordLogin(credentials);
    const session = parseAuthResponse(body);
    this.#s.redactor.add(session.sessionId);
    verifySessionVault(session, { expectedVaultId: this.#s.expectedVaultId, vaultDns: this.#s.vaultDns });
    this.#observedVaultId = session.vaultId;
    const now = this.#s.clock.now();
    this.#budget.started(now);
    this.#made = { session, at: now };
    this.#keepAlive.start();
    this.#s.emit({ type: 'auth', action, vaultId: session.vaultId, userId: session.userId });
    return session;
  }

  async #passwordLogin(credentials: { readonly username: string; readonly password: string }): Promise<JsonRecord> {
    const form: Record<string, string> = { username: credentials.username, password: credentials.password };
    if (this.#s.vaultDns !== undefined) form.vaultDNS = this.#s.vaultDns;
    return (await this.#send({ method: 'POST', path: 'auth', form, retry: 'idempotent' }, false)).body;
  }

  /**
   * OAuth 2.0 / OIDC: a token (given, or fresh from the token endpoint for every login, so a
   * re-login never reuses one that may have expired), then Vault's session endpoint on the
   * login origin. Each step's failure names that step.
   */
  async #oauthLogin(credentials: OAuthCredentials): Promise<JsonRecord> {
    const accessToken = 'accessToken' in credentials.token ? credentials.token.accessToken : await this.#grantToken(credentials.token);
    const form: Record<string, string> = {};
    if (this.#s.vaultDns !== undefined) form.vaultDNS = this.#s.vaultDns;
    if (credentials.clientId !== undefined) form.client_id = credentials.clientId;
    const req: TransportRequest = { method: 'POST', path: oauthSessionPath(credentials.profileId), form, retry: 'idempotent', login: { accessToken } };
    try {
      return (await this.#send(req, false)).body;
    } catch (error) {
      if (!(error instanceof VaultRosterError) || error.code === 'deadline-exceeded' || error.code === 'client-closed') throw error;
      throw sessionStepError(credentials, this.#s.redactor.text(error.message));
    }
  }

  /** The client-credentials grant, retried like any call when the endpoint does not answer. */
  async #grantToken(grant: ClientCredentialsGrant): Promise<string> {
    const call = tokenCall(grant.tokenUrl);
    const url = new URL(grant.tokenUrl);
    const insecureLoopback = url.protocol === 'http:';
    for (let attempt = 0; ; attempt += 1) {
      this.#run.check(`before sending ${call}`);
      try {
        const token = await requestAccessToken(grant, (target, init) => this.#tokenFetch(grant, target, init), insecureLoopback);
        this.#s.redactor.add(token.value);
        return token.value;
      } catch (error) {
        if (!(error instanceof TokenEndpointUnavailable)) throw this.#redacted(error);
        if (attempt >= this.#s.maxRetries) throw this.#redacted(tokenUnavailableError(grant, error.message));
        const delayMs = backoffDelay(attempt, this.#s.random);
        this.#s.emit({ type: 'retry', requestId: this.#sequence, method: 'POST', path: url.pathname, attempt: attempt + 1, reason: error.message, delayMs });
        await this.#run.sleep(delayMs, { reason: 'retry', call, cause: error.message });
      }
    }
  }

  /**
   * The token endpoint's one HTTP exchange: to the token URL's origin only, no redirects,
   * within the per-request timeout and the deadline, the whole body read before it returns.
   */
  async #tokenFetch(grant: ClientCredentialsGrant, target: string, init: RequestInit): Promise<Response> {
    const url = new URL(target);
    if (url.origin !== new URL(grant.tokenUrl).origin) throw originError('the client secret', url, 'VAULT_OAUTH_TOKEN_URL');
    this.#sequence += 1;
    const requestId = this.#sequence;
    const call = `POST ${url.pathname}`;
    this.#s.emit({ type: 'request', requestId, method: 'POST', path: url.pathname, attempt: 0 });
    const started = this.#s.clock.now();
    const timeout = this.#run.attemptSignal(this.#s.timeoutMs);
    const stopWatching = this.#run.watchAnswer(call, timeout.ms);
    let status = 0;
    try {
      const response = await fetch(url, { ...init, redirect: 'manual', signal: timeout.signal });
      status = response.status;
      if (status >= 300 && status < 400) {
        await response.body?.cancel();
        throw new TransportError({
          code: 'transport-redirect',
          method: 'POST',
          path: `${url.pathname} (token endpoint ${url.host})`,
          status,
          detail: `the token endpoint answered HTTP ${status}, a redirect to ${redirectHost(response, url)}, which vault-roster never follows (the client secret goes to the configured origin only)`,
          hint: 'Set VAULT_OAUTH_TOKEN_URL to the final token endpoint address, with https://.',
        });
      }
      const text = await response.text();
      if (status >= 500 || status === 429 || status === 408) throw new TokenEndpointUnavailable(`HTTP ${status}${answerStart(text)}`);
      return new Response(text, { status, headers: response.headers });
    } catch (error) {
      if (error instanceof VaultRosterError || error instanceof TokenEndpointUnavailable) throw error;
      if (this.#run.stopped !== undefined) throw this.#run.stopped;
      if (isTimeout(error) && timeout.deadline) throw this.#run.expire(`waiting for an answer to ${call} (token endpoint ${url.host})`);
      throw new TokenEndpointUnavailable(`${describeFailure(error, timeout.ms)} (host ${url.host})`);
    } finally {
      timeout.release();
      stopWatching();
      this.#s.emit({
        type: 'response',
        requestId,
        method: 'POST',
        path: url.pathname,
        attempt: 0,
        status,
        responseStatus: undefined,
        error: status === 0 || status >= 300 ? (status === 0 ? 'no answer' : `HTTP ${status}`) : undefined,
        durationMs: this.#s.clock.now() - started,
        executionId: undefined,
        burstLimit: undefined,
        burstRemaining: undefined,
        responseDelayMs: undefined,
      });
    }
  }

  #redacted(error: unknown): unknown {
    if (!(error instanceof VaultRosterError)) return error;
    const message = this.#s.redactor.text(error.message);
    return message === error.message ? error : new VaultRosterError(error.code, message, error.hint === undefined ? {} : { hint: error.hint });
  }

  #loginOrigin(): string {
    const credentials = this.#s.credentials;
    if (!('oauth' in credentials)) throw new VaultRosterError('transport-origin', 'an OAuth login call without OAuth settings was refused before sending');
    return new URL(credentials.oauth.loginOrigin).origin;
  }

  /**
   * The rule every request passes before it is sent: the session only ever goes to the vault's
   * origin, the access token only to the OAuth login origin, and never both in one request.
   */
  #checkOrigin(req: TransportRequest, session: SessionInfo | undefined): void {
    const url = this.#url(req);
    if (req.login !== undefined) {
      if (session !== undefined) throw originError('the access token and the session together', url, 'VAULT_OAUTH_LOGIN_HOST');
      if (url.origin !== this.#loginOrigin()) throw originError('the access token', url, 'VAULT_OAUTH_LOGIN_HOST');
      return;
    }
    if (session !== undefined && url.origin !== new URL(this.#s.baseUrl).origin) throw originError('the session', url, 'VAULT_URL');
  }

  /**
   * One re-login per expired session, shared by every request that saw it expire. Each one
   * counts against the run's budget; after the first, they back off, so sessions that keep
   * expiring end in a clear error instead of a login storm.
   */
  #renew(stale: SessionInfo, call: string): Promise<SessionInfo> {
    let renewal = this.#renewals.get(stale.sessionId);
    if (renewal === undefined) {
      renewal = this.#relogin(call);
      this.#renewals.set(stale.sessionId, renewal);
      this.#session = renewal;
    }
    return renewal;
  }

  async #relogin(call: string): Promise<SessionInfo> {
    const before = this.#budget.take(call, this.#s.clock.now());
    if (before > 0) {
      const cause = `Vault ended the session ${before + 1} times in this run`;
      await this.#run.sleep(backoffDelay(before - 1, this.#s.random, RELOGIN_BACKOFF), { reason: 'relogin', cause });
    }
    return this.#login('reauth');
  }

  /** A ready session id carries no vault id: check the vault each answer names. */
  #checkReadySession(observed: number | undefined): void {
    const expected = this.#s.expectedVaultId;
    if (expected !== undefined && observed !== undefined && observed !== expected) {
      throw wrongVault(observed, expected, [], this.#s.vaultDns);
    }
  }
}

/** Registers every secret the credentials hold, so no message or event can show one. */
function registerSecrets(credentials: Credentials, redactor: Redactor): void {
  if ('sessionId' in credentials) redactor.add(credentials.sessionId);
  else if ('password' in credentials) redactor.add(credentials.password);
  else if ('accessToken' in credentials.oauth.token) redactor.add(credentials.oauth.token.accessToken);
  else redactor.add(credentials.oauth.token.clientSecret);
}

function originError(what: string, url: URL, setting: string): VaultRosterError {
  return new VaultRosterError('transport-origin', `refused to send ${what} to ${url.host}: it goes to its configured origin only`, {
    hint: `Check ${setting}; this is a bug in vault-roster if the settings are right, so please report it.`,
  });
}
