/** Time as the client sees it. Injectable so tests capture retry and pacing delays instead of sleeping. */
export interface Clock {
  /** Milliseconds, monotonic enough for measuring windows (Date.now() by default). */
  now(): number;
  /**
   * Resolves after `ms`. With a `signal`, an abort ends the sleep early (rejecting with the
   * signal's reason), so a stopped client leaves no timer behind to keep the process alive.
   * Test clocks may ignore the signal: the client races it anyway.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
