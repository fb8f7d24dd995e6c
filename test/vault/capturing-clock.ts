import type { Clock } from '../../src/vault/clock.js';

/** A clock whose sleeps return at once and are recorded: tests see the delays, never wait them. */
export function capturingClock(): Clock & { readonly delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    now: () => Date.now(),
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  };
}
