/**
 * Keeping an idle session alive (VAULT-API.md §2.4). Vault ends a session once it has been idle
 * for the domain's Session Duration, counted from the end of the last request: 10 minutes at
 * the shortest (Vault Help, Domain Settings: 10, 15, 20, 30, 45 min, 1, 2, 4 or 8 h). A run is
 * idle while it waits (for the burst window to roll, a backoff, the apply prompt), so when no
 * request has been under way for half that shortest duration, one `POST /keep-alive` is sent.
 * A session that still ends is renewed on the next call as usual.
 */
import type { Clock } from './clock.js';

export interface KeepAliveSettings {
  /** Idle time after which a keep-alive is sent (0 turns keep-alive off). */
  readonly idleMs: number;
  /** How often idleness is checked. */
  readonly checkEveryMs: number;
}

/** Half the shortest Session Duration Vault offers (10 minutes), checked every minute. */
export const DEFAULT_KEEP_ALIVE: KeepAliveSettings = { idleMs: 5 * 60_000, checkEveryMs: 60_000 };

export class KeepAlive {
  readonly #settings: KeepAliveSettings;
  readonly #clock: Clock;
  readonly #send: () => Promise<void>;
  #inFlight = 0;
  #lastDoneAt: number | undefined;
  #sending = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(settings: KeepAliveSettings, clock: Clock, send: () => Promise<void>) {
    this.#settings = settings;
    this.#clock = clock;
    this.#send = send;
  }

  /** A request carrying the session started. */
  started(): void {
    this.#inFlight += 1;
  }

  /** A request carrying the session ended (answered or not): idle time counts from here. */
  finished(): void {
    this.#inFlight -= 1;
    this.#lastDoneAt = this.#clock.now();
  }

  /** Sends a keep-alive when the session has been idle long enough; true when one was sent. */
  async tick(): Promise<boolean> {
    if (this.#settings.idleMs <= 0 || this.#sending || this.#inFlight > 0 || this.#lastDoneAt === undefined) return false;
    if (this.#clock.now() - this.#lastDoneAt < this.#settings.idleMs) return false;
    this.#sending = true;
    try {
      await this.#send();
    } catch {
      // Reported through the client's events; a dead session is renewed by the next real call.
    } finally {
      this.#sending = false;
    }
    return true;
  }

  /** Starts checking (once a session exists); the timer never keeps the process alive. */
  start(): void {
    if (this.#timer !== undefined || this.#settings.idleMs <= 0 || this.#settings.checkEveryMs <= 0) return;
    this.#timer = setInterval(() => void this.tick(), this.#settings.checkEveryMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
