/**
 * Bounded, visible waiting for one client (one CLI command):
 * - an overall deadline: no sleep may pass it and no request may outlive it;
 * - a stop switch: once the deadline passes, or the command ends (`stop`), every request in
 *   flight is aborted, every sleep ends and nothing new is sent, so the process can exit;
 * - notices: a wait longer than a few seconds (pacing, backoff, an answer that does not come)
 *   emits `wait` events when it starts and then every so often, so stderr says what the client
 *   waits for and for how long.
 */
import { VaultRosterError } from '../errors.js';
import type { Clock } from './clock.js';
import { formatDuration, type WaitEvent, type WaitReason } from './events.js';

/** When a wait is worth a notice, and how often to repeat it while it lasts. */
export interface WaitNoticeSettings {
  /** Waits shorter than this pass silently. */
  readonly afterMs: number;
  /** A notice every this often while a wait lasts. */
  readonly everyMs: number;
}

export const DEFAULT_WAIT_NOTICE: WaitNoticeSettings = { afterMs: 5_000, everyMs: 30_000 };

/** One hour: long enough for a large apply paced under the burst limit, short of "forever". */
export const DEFAULT_DEADLINE_MS = 60 * 60_000;

export interface WaitSubject {
  readonly reason: Exclude<WaitReason, 'answer'>;
  readonly call?: string | undefined;
  readonly cause?: string | undefined;
}

const DEADLINE_HINT =
  'Raise the limit with --deadline (or VAULT_DEADLINE), e.g. --deadline 2h, if the run is expected to take that long; ' +
  'otherwise check that VAULT_URL answers. Re-running is safe: apply resumes from its journal.';

function describe(subject: WaitSubject): string {
  switch (subject.reason) {
    case 'burst-window':
      return "Vault's burst window to roll";
    case 'retry':
      return `the retry of ${subject.call ?? 'a call'}`;
    case 'relogin':
      return 'another login';
    case 'auth-limit':
      return "Vault's login limit to reset";
    default: {
      const unreachable: never = subject.reason;
      return String(unreachable);
    }
  }
}

export class RunControl {
  readonly #clock: Clock;
  readonly #deadlineMs: number;
  readonly #deadlineAt: number;
  readonly #notice: WaitNoticeSettings;
  readonly #emit: (event: WaitEvent) => void;
  readonly #controller = new AbortController();
  #stopped: VaultRosterError | undefined;

  constructor(options: {
    clock: Clock;
    deadlineMs: number;
    notice: WaitNoticeSettings;
    emit: (event: WaitEvent) => void;
    signal?: AbortSignal | undefined;
  }) {
    this.#clock = options.clock;
    this.#deadlineMs = options.deadlineMs;
    this.#deadlineAt = options.clock.now() + options.deadlineMs;
    this.#notice = options.notice;
    this.#emit = options.emit;
    const outer = options.signal;
    if (outer !== undefined) {
      const onAbort = (): void => {
        this.stop(closedError('the command was stopped'));
      };
      if (outer.aborted) onAbort();
      else outer.addEventListener('abort', onAbort, { once: true });
    }
  }

  /** Aborted once the client is stopped; every request and sleep listens to it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the client stopped, once it has. */
  get stopped(): VaultRosterError | undefined {
    return this.#stopped;
  }

  /** Stops everything: requests in flight are aborted, sleeps end, new calls fail with `error`. */
  stop(error: VaultRosterError): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = error;
    this.#controller.abort(error);
  }

  /** Throws when stopped, or when the deadline has passed (which stops the client). */
  check(doing: string): void {
    if (this.#stopped !== undefined) throw this.#stopped;
    if (this.leftMs() <= 0) throw this.expire(doing);
  }

  /** Time left before the deadline. */
  leftMs(): number {
    return this.#deadlineAt - this.#clock.now();
  }

  /** Stops the client with the deadline error for what it was doing, and returns that error. */
  expire(doing: string): VaultRosterError {
    this.stop(
      new VaultRosterError('deadline-exceeded', `vault-roster stopped at its ${formatDuration(this.#deadlineMs)} deadline for this command, ${doing}`, {
        hint: DEADLINE_HINT,
      }),
    );
    return this.#stopped as VaultRosterError;
  }

  /**
   * Sleeps `ms` on the client's clock, with notices when the wait is long. A wait that would
   * pass the deadline fails at once instead of sleeping first.
   */
  async sleep(ms: number, subject: WaitSubject): Promise<void> {
    if (ms <= 0) return;
    const what = describe(subject);
    this.check(`before waiting for ${what}`);
    const left = this.leftMs();
    if (ms > left) throw this.expire(`as waiting ${formatDuration(ms)} for ${what} would pass it (${formatDuration(left)} left)`);
    if (ms < this.#notice.afterMs) {
      await this.#pause(ms);
      return;
    }
    let waited = 0;
    while (waited < ms) {
      this.#emit({ type: 'wait', reason: subject.reason, call: subject.call, cause: subject.cause, waitedMs: waited, leftMs: ms - waited });
      const chunk = Math.min(this.#notice.everyMs, ms - waited);
      await this.#pause(chunk);
      waited += chunk;
    }
  }

  /**
   * The signal for one try: it aborts with a `TimeoutError` after the per-request timeout, or
   * sooner when the deadline is nearer (`deadline` says which, so the error names the right
   * one), and with the stop reason when the client stops. `release` ends it once the try is over.
   *
   * A plain timer, not `AbortSignal.timeout` combined by `AbortSignal.any`: that combination holds
   * the timeout signal weakly, and a garbage collection in between can keep it from ever firing.
   */
  attemptSignal(timeoutMs: number): { readonly signal: AbortSignal; readonly ms: number; readonly deadline: boolean; release(): void } {
    const left = this.leftMs();
    const deadline = left < timeoutMs;
    const ms = deadline ? Math.max(1, left) : timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
    }, ms);
    const stop = this.#controller.signal;
    const onStop = (): void => {
      controller.abort(stop.reason);
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    return {
      signal: controller.signal,
      ms,
      deadline,
      release: () => {
        clearTimeout(timer);
        stop.removeEventListener('abort', onStop);
      },
    };
  }

  /**
   * Emits `answer` notices while a call waits for its answer (on real time: the network does not
   * run on the injectable clock). Returns the function that ends them.
   */
  watchAnswer(call: string, timeoutMs: number): () => void {
    const { afterMs, everyMs } = this.#notice;
    if (afterMs >= timeoutMs) return () => undefined;
    const started = Date.now();
    const tell = (): void => {
      const waitedMs = Date.now() - started;
      this.#emit({ type: 'wait', reason: 'answer', call, cause: undefined, waitedMs, leftMs: Math.max(0, timeoutMs - waitedMs) });
    };
    let repeat: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      tell();
      repeat = setInterval(tell, everyMs);
      repeat.unref();
    }, afterMs);
    first.unref();
    return () => {
      clearTimeout(first);
      if (repeat !== undefined) clearInterval(repeat);
    };
  }

  /** One sleep on the clock that ends early when the client stops. */
  async #pause(ms: number): Promise<void> {
    const signal = this.#controller.signal;
    if (signal.aborted) throw signal.reason as Error;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#clock.sleep(ms, signal), aborted]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }
}

/** The error a call gets after the client was closed (the command is over, or was stopped). */
export function closedError(why: string): VaultRosterError {
  return new VaultRosterError('client-closed', `the Vault client is closed (${why}); no further call is sent`, {
    hint: 'Nothing to fix: this only shows when a call was still pending as the command ended.',
  });
}
