/**
 * Burst-limit pacing (VAULT-API.md §4.1, §4.4). Vault counts calls in a fixed window (5 minutes
 * by default) and reports `X-VaultAPI-BurstLimit` / `-BurstLimitRemaining` on every response;
 * once the budget is spent it delays every response (or, in legacy mode, rejects them). The pacer
 * keeps a reserve instead: when the calls left, minus those in flight, would drop into the last
 * 10% of the limit, it holds new requests until the window could have rolled.
 *
 * The window's start is never reported, so the pacer estimates it from the first response it
 * sees in a window. That response left the server after the window started, so the estimate is
 * never earlier than the truth and the wait is never too short.
 */
import type { Clock } from './clock.js';

/** Burst-limit headers of one response. */
export interface BurstReading {
  readonly limit: number;
  readonly remaining: number;
}

/** What the pacer knows about the current window. `undefined` start = nothing known yet. */
export interface PacerState {
  readonly windowStart: number | undefined;
  readonly limit: number | undefined;
  /** Lowest remaining count reported in this window (responses can arrive out of order). */
  readonly remaining: number | undefined;
}

export const UNKNOWN_WINDOW: PacerState = { windowStart: undefined, limit: undefined, remaining: undefined };

/** Calls kept in reserve: a tenth of the limit, at least one. */
export function reserveFor(limit: number): number {
  return Math.max(1, Math.ceil(limit / 10));
}

/**
 * How long to wait before sending one more request (0 = send now). Pure, table-tested.
 * `inFlight` requests may not be counted in `remaining` yet, so they are taken off it.
 */
export function paceDelay(state: PacerState, inFlight: number, now: number, windowMs: number): number {
  if (state.windowStart === undefined || state.limit === undefined || state.remaining === undefined) return 0;
  const windowEnd = state.windowStart + windowMs;
  if (now >= windowEnd) return 0;
  const leftAfterThisCall = state.remaining - inFlight - 1;
  if (leftAfterThisCall >= reserveFor(state.limit)) return 0;
  // A small margin covers timer granularity; the estimated end is already conservative.
  return windowEnd - now + Math.min(250, Math.ceil(windowMs / 100));
}

/**
 * The state after a response. `sentAt` is when its request left; `receivedAt` when it came back;
 * `concurrency` bounds how far out of order responses of one window can arrive.
 */
export function observeBurst(
  state: PacerState,
  reading: BurstReading,
  sentAt: number,
  receivedAt: number,
  windowMs: number,
  concurrency: number,
): PacerState {
  const fresh: PacerState = { windowStart: receivedAt, limit: reading.limit, remaining: reading.remaining };
  if (state.windowStart === undefined || state.remaining === undefined) return fresh;
  // Sent after the estimated end: it was counted in a later window.
  if (sentAt >= state.windowStart + windowMs) return fresh;
  // More left than reordering of in-flight calls can explain: the window rolled early.
  if (reading.remaining > state.remaining + concurrency) return fresh;
  return { windowStart: state.windowStart, limit: reading.limit, remaining: Math.min(state.remaining, reading.remaining) };
}

export interface PaceNotice {
  readonly action: 'wait' | 'throttled';
  readonly delayMs: number;
  readonly burstLimit: number | undefined;
  readonly burstRemaining: number | undefined;
  readonly inFlight: number;
}

/** A ticket for one request in flight, handed back with its response. */
export interface PaceTicket {
  readonly sentAt: number;
  readonly generation: number;
}

export class BurstPacer {
  #state: PacerState = UNKNOWN_WINDOW;
  #inFlight = 0;
  /** Bumped after each wait: responses to requests sent before it describe a finished window. */
  #generation = 0;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #concurrency: number;
  readonly #notify: (notice: PaceNotice) => void;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: {
    clock: Clock;
    windowMs: number;
    concurrency: number;
    notify: (notice: PaceNotice) => void;
    /** How to wait for the window (default the clock's sleep); the transport's is bounded and visible. */
    sleep?: (ms: number) => Promise<void>;
  }) {
    this.#clock = options.clock;
    this.#windowMs = options.windowMs;
    this.#concurrency = options.concurrency;
    this.#notify = options.notify;
    this.#sleep = options.sleep ?? ((ms) => options.clock.sleep(ms));
  }

  get state(): PacerState {
    return this.#state;
  }

  /** Waits while sending would eat into the reserve, then counts the request as in flight. */
  async beforeSend(): Promise<PaceTicket> {
    for (;;) {
      const delay = paceDelay(this.#state, this.#inFlight, this.#clock.now(), this.#windowMs);
      if (delay <= 0) break;
      this.#notify({
        action: 'wait',
        delayMs: delay,
        burstLimit: this.#state.limit,
        burstRemaining: this.#state.remaining,
        inFlight: this.#inFlight,
      });
      const generation = this.#generation;
      await this.#sleep(delay);
      // Several waiters wake together; only the first resets the window.
      if (this.#generation === generation) {
        this.#generation += 1;
        this.#state = UNKNOWN_WINDOW;
      }
    }
    this.#inFlight += 1;
    return { sentAt: this.#clock.now(), generation: this.#generation };
  }

  /** Records a response (or a failed attempt, with no reading). */
  afterResponse(ticket: PaceTicket, reading: BurstReading | undefined, responseDelayMs: number | undefined): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (responseDelayMs !== undefined && responseDelayMs > 0) {
      this.#notify({
        action: 'throttled',
        delayMs: responseDelayMs,
        burstLimit: reading?.limit,
        burstRemaining: reading?.remaining,
        inFlight: this.#inFlight,
      });
    }
    if (reading === undefined || ticket.generation !== this.#generation) return;
    this.#state = observeBurst(this.#state, reading, ticket.sentAt, this.#clock.now(), this.#windowMs, this.#concurrency);
  }

  /** Vault refused a call for the burst limit (legacy mode): treat the window as spent. */
  markExhausted(): number {
    const now = this.#clock.now();
    const start = this.#state.windowStart ?? now;
    this.#state = { windowStart: start, limit: this.#state.limit ?? 1, remaining: 0 };
    return Math.max(0, start + this.#windowMs - now) + Math.min(250, Math.ceil(this.#windowMs / 100));
  }
}
