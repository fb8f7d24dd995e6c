/**
 * What the client reports while it works: one event per request, response, retry, pacing
 * decision and authentication. `--verbose`, `DEBUG=vault-roster` and the apply journal subscribe
 * through `onEvent`. Every event is redacted before it is delivered.
 */

/** Fields shared by the events of one HTTP exchange. */
interface ExchangeFields {
  /** Sequence number of the logical request; retries keep it. */
  readonly requestId: number;
  readonly method: string;
  /** Path and query, without secrets, e.g. `/api/v25.2/objects/users?limit=1000&start=0`. */
  readonly path: string;
  /** 0 for the first try, 1 for the first retry, … */
  readonly attempt: number;
}

export interface RequestEvent extends ExchangeFields {
  readonly type: 'request';
}

export interface ResponseEvent extends ExchangeFields {
  readonly type: 'response';
  /** HTTP status; 0 when the connection failed before any answer. */
  readonly status: number;
  /** Vault's `responseStatus` (SUCCESS, WARNING, FAILURE, EXCEPTION) when the body had one. */
  readonly responseStatus: string | undefined;
  /** Vault error type of a failed request, or the transport failure in words. */
  readonly error: string | undefined;
  readonly durationMs: number;
  readonly executionId: string | undefined;
  readonly burstLimit: number | undefined;
  readonly burstRemaining: number | undefined;
  /** `X-VaultAPI-ResponseDelay`: Vault slowed this response down because the burst limit was spent. */
  readonly responseDelayMs: number | undefined;
}

export interface RetryEvent extends ExchangeFields {
  readonly type: 'retry';
  /** Why: a Vault error type, `HTTP 503`, `connection`, `timeout`, or `rows:RACE_CONDITION`. */
  readonly reason: string;
  readonly delayMs: number;
}

/** A pacing decision: the client waits for the burst window to roll instead of being throttled. */
export interface PaceEvent {
  readonly type: 'pace';
  readonly action: 'wait' | 'throttled';
  /** How long the client waits (`wait`) or Vault delayed a response (`throttled`). */
  readonly delayMs: number;
  readonly burstLimit: number | undefined;
  readonly burstRemaining: number | undefined;
  readonly inFlight: number;
}

export interface AuthEvent {
  readonly type: 'auth';
  /** `login` on first use, `reauth` after Vault answered INVALID_SESSION_ID. */
  readonly action: 'login' | 'reauth';
  readonly vaultId: number;
  readonly userId: number | undefined;
}

/** What a `wait` event waits for. */
export type WaitReason = 'burst-window' | 'retry' | 'relogin' | 'auth-limit' | 'answer';

/**
 * A wait long enough for a person to wonder (more than a few seconds): sent when it starts and
 * then every so often until it ends, so stderr always says what the client waits for and how
 * much longer. Printed even without `--verbose` (see `createWaitNotifier`).
 */
export interface WaitEvent {
  readonly type: 'wait';
  readonly reason: WaitReason;
  /** The call concerned (`GET /api/v26.2/objects/users`), when the wait is about one call. */
  readonly call: string | undefined;
  /** Why, in a few words: `HTTP 503`, `the session expired 3 times in this run`. */
  readonly cause: string | undefined;
  /** Waited so far; 0 on the first event of a wait. */
  readonly waitedMs: number;
  /** Left until the wait ends; for `answer`, until the call times out. */
  readonly leftMs: number;
}

export type ClientEvent = RequestEvent | ResponseEvent | RetryEvent | PaceEvent | AuthEvent | WaitEvent;

/** `850 ms`, `12s`, `4m 50s`, `1h 5m`: short enough for a countdown line. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
}

function waitSubject(event: WaitEvent): string {
  switch (event.reason) {
    case 'burst-window':
      return "for Vault's burst window to roll (the API calls it allows are nearly spent; vault-roster keeps a reserve)";
    case 'retry':
      return `before retrying ${event.call ?? 'the call'}${event.cause === undefined ? '' : ` (${event.cause})`}`;
    case 'relogin':
      return `before logging in again${event.cause === undefined ? '' : ` (${event.cause})`}`;
    case 'auth-limit':
      return "for Vault's login limit to reset (API_LIMIT_EXCEEDED at login)";
    case 'answer':
      return `for Vault to answer ${event.call ?? 'a call'}`;
    default: {
      const unreachable: never = event.reason;
      return String(unreachable);
    }
  }
}

/** One line for a wait: what is waited for, how long it has lasted and how long it may still last. */
export function formatWaitEvent(event: WaitEvent): string {
  if (event.reason === 'answer') {
    return `vault: no answer yet to ${event.call ?? 'a call'} after ${formatDuration(event.waitedMs)}; giving up on this try in ${formatDuration(event.leftMs)}`;
  }
  const waited = event.waitedMs > 0 ? ` (waited ${formatDuration(event.waitedMs)})` : '';
  return `vault: waiting ${waitSubject(event)}: ${formatDuration(event.leftMs)} left${waited}`;
}

/** One line per event for `--verbose` / `DEBUG=vault-roster` (the event is already redacted). */
export function formatClientEvent(event: ClientEvent): string {
  switch (event.type) {
    case 'request':
      return `vault #${event.requestId} → ${event.method} ${event.path}${event.attempt > 0 ? ` (retry ${event.attempt})` : ''}`;
    case 'response': {
      const outcome = event.error === undefined ? (event.responseStatus ?? 'OK') : `${event.responseStatus ?? 'ERROR'} ${event.error}`;
      const burst =
        event.burstRemaining === undefined ? '' : ` burst ${event.burstRemaining}/${event.burstLimit ?? '?'}`;
      const delayed = event.responseDelayMs === undefined ? '' : ` delayed ${event.responseDelayMs} ms`;
      const exec = event.executionId === undefined ? '' : ` exec ${event.executionId}`;
      return `vault #${event.requestId} ← ${event.status} ${outcome} in ${Math.round(event.durationMs)} ms${burst}${delayed}${exec}`;
    }
    case 'retry':
      return `vault #${event.requestId} retry ${event.attempt} of ${event.method} ${event.path} in ${Math.round(event.delayMs)} ms (${event.reason})`;
    case 'pace':
      return event.action === 'wait'
        ? `vault pacing: ${event.burstRemaining ?? '?'}/${event.burstLimit ?? '?'} calls left in the burst window, ${event.inFlight} in flight; waiting ${Math.round(event.delayMs)} ms for the window to roll`
        : `vault pacing: Vault delayed a response by ${event.delayMs} ms (burst limit spent)`;
    case 'auth':
      return `vault ${event.action === 'login' ? 'authenticated' : 're-authenticated'} into vault ${event.vaultId}${event.userId === undefined ? '' : ` as user ${event.userId}`}`;
    case 'wait':
      return formatWaitEvent(event);
    default: {
      const unreachable: never = event;
      return String(unreachable);
    }
  }
}

/** True when `DEBUG` names vault-roster (comma or space separated, `*` and `vault-roster*` too). */
export function debugEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const names = (env.DEBUG ?? '').split(/[\s,]+/).filter((n) => n !== '');
  return names.some((n) => n === '*' || n === 'vault-roster' || n.startsWith('vault-roster:') || n === 'vault-roster*');
}

/** An `onEvent` that writes one line per event, e.g. `createEventLogger((l) => stderr.write(l))`. */
export function createEventLogger(write: (line: string) => void): (event: ClientEvent) => void {
  return (event) => {
    write(`${formatClientEvent(event)}\n`);
  };
}

/**
 * An `onEvent` that prints only waits, one line each: what a command shows on stderr without
 * `--verbose`, so a long wait is never silent.
 */
export function createWaitNotifier(write: (line: string) => void): (event: ClientEvent) => void {
  return (event) => {
    if (event.type === 'wait') write(`${formatWaitEvent(event)}\n`);
  };
}
