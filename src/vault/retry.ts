/**
 * What may be repeated and how long to wait. Only failures that mean "not processed" or
 * "no answer" are retried, and only for requests that are safe to send twice (VAULT-API.md §3,
 * DESIGN.md §6): a plain create is never repeated, because a lost answer may hide a user that
 * was created.
 */

/** Vault error types that say the request was not processed and may succeed later. */
export const RETRYABLE_VAULT_ERRORS: ReadonlySet<string> = new Set([
  'API_LIMIT_EXCEEDED',
  'RACE_CONDITION',
  'UNEXPECTED_ERROR',
]);

/** Whether a request may be sent again after a failure that might have been processed. */
export type RetryPolicy = 'idempotent' | 'never';

export const DEFAULT_MAX_RETRIES = 5;
/**
 * Retries after a try that got no answer within the whole per-request timeout: a server silent
 * for that long is seldom back a moment later, and each try costs a full timeout.
 */
export const MAX_TIMEOUT_RETRIES = 2;
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 20_000;
/** Auth has its own one-minute budget (§4.2); once spent, auth fails until the minute is over. */
export const AUTH_LIMIT_WAIT_MS = 60_000;

/**
 * Backoff between re-logins after the first: short, since each one is already counted against
 * the run's budget and most runs that need several need them quickly.
 */
export const RELOGIN_BACKOFF = { baseMs: 100, capMs: 5_000 } as const;

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(
  attempt: number,
  random: () => number,
  scale: { readonly baseMs: number; readonly capMs: number } = { baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS },
): number {
  const ceiling = Math.min(scale.capMs, scale.baseMs * 2 ** attempt);
  return Math.floor(Math.min(0.999_999, Math.max(0, random())) * ceiling);
}

/** HTTP statuses worth another try: the server or a proxy failed, not the request. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
