/** Time as the client sees it. Injectable so tests capture retry and pacing delays instead of sleeping. */
export interface Clock {
  /** Milliseconds, monotonic enough for measuring windows (Date.now() by default). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
