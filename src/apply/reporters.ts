/**
 * Apply reporters: subscribers to apply events. A progress line on a TTY, JSON lines with
 * `--format json`, nothing otherwise (the final count line is printed by the command).
 */
import { formatDuration } from '../vault/index.js';
import type { ApplyEvent, ApplyListener } from './events.js';

/** Where a reporter writes: a stream, or anything with `write`. */
export interface OutputStream {
  write(chunk: string): unknown;
}

/** One JSON object per event and line, for machines. */
export function jsonLinesReporter(out: OutputStream): ApplyListener {
  return (event) => out.write(JSON.stringify(event) + '\n');
}

/** How the progress line keeps time while a wait counts down (injectable for tests). */
export interface ProgressClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(tick: () => void, ms: number): () => void;
}

const REAL_CLOCK: ProgressClock = {
  now: () => Date.now(),
  every: (tick, ms) => {
    const timer = setInterval(tick, ms);
    // A countdown must never keep the process alive.
    timer.unref();
    return () => { clearInterval(timer); };
  },
};

const WAIT_WORDS: Readonly<Record<string, string>> = {
  'burst-window': "Vault's burst window",
  retry: 'a retry',
  relogin: 'another login',
  'auth-limit': "Vault's login limit",
};

/**
 * A single progress line redrawn in place: rows done of rows total, failures so far, and while
 * the client waits (the burst window, a retry) what it waits for with a countdown, redrawn each
 * second, so a 5-minute pacing wait never looks like a frozen bar. Failures are also printed
 * on their own line as they happen so none scroll away unseen.
 */
export function progressReporter(out: OutputStream, totalRows: number, clock: ProgressClock = REAL_CLOCK): ApplyListener {
  let done = 0;
  let failed = 0;
  let ended = false;
  let wait: { readonly until: number; readonly what: string } | undefined;
  let stopTicking: (() => void) | undefined;
  const width = 30;
  const endWait = (): void => {
    wait = undefined;
    stopTicking?.();
    stopTicking = undefined;
  };
  const waitText = (): string => {
    if (wait === undefined) return '';
    const left = wait.until - clock.now();
    if (left <= 0) {
      endWait();
      return '';
    }
    return `; waiting for ${wait.what}: ${formatDuration(left)} left`;
  };
  const draw = (): void => {
    if (ended) return;
    const share = totalRows === 0 ? 1 : Math.min(1, done / totalRows);
    const filled = Math.round(share * width);
    out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${totalRows} rows, ${failed} failed${waitText()}`);
    if (done >= totalRows) {
      ended = true;
      endWait();
      out.write('\n');
    }
  };
  return (event: ApplyEvent) => {
    switch (event.type) {
      case 'wait':
        endWait();
        wait = { until: clock.now() + event.left_ms, what: WAIT_WORDS[event.reason] ?? event.reason };
        stopTicking = clock.every(draw, 1000);
        draw();
        break;
      case 'interrupted':
        endWait();
        if (!ended) out.write('\n');
        ended = true;
        break;
      case 'row_result':
        done += 1;
        if (!event.ok) {
          failed += 1;
          out.write(`\r\x1b[2K  failed: ${event.key}: ${event.error_type ?? ''} ${event.message ?? ''}\n`);
        }
        draw();
        break;
      case 'row_skipped':
        done += 1;
        draw();
        break;
      case 'batch_started':
      case 'batch_finished':
        break;
    }
  };
}
