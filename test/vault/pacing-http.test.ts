import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/vault/clock.js';
import type { ClientEvent, PaceEvent } from '../../src/vault/events.js';
import { clientFor, simulator } from './support.js';

/** Calls made per test: more than two windows' worth of a 30-call limit. */
const CALLS = 70;

function maxInFlight(events: readonly ClientEvent[]): number {
  let now = 0;
  let max = 0;
  for (const e of events) {
    if (e.type === 'request' && !e.path.endsWith('/auth')) now += 1;
    if (e.type === 'response' && !e.path.endsWith('/auth')) now -= 1;
    max = Math.max(max, now);
  }
  return max;
}

/**
 * One virtual time for simulator and client: the client's waits move it forward, so windows
 * roll exactly when the client waits for them, however loaded the machine is.
 */
function sharedClock(): { clock: Clock; now: () => number } {
  let t = 1_700_000_000_000;
  const now = (): number => t;
  const clock: Clock = {
    now,
    sleep: async (ms) => {
      t += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return { clock, now };
}

describe('burst-limit pacing over burst windows', () => {
  it.each([
    ['reject', 'FAILURE + API_LIMIT_EXCEEDED'],
    ['delay', 'X-VaultAPI-ResponseDelay'],
  ] as const)('spreads calls over windows so Vault never has to %s them (%s)', async (mode, _how) => {
    const time = sharedClock();
    const sim = await simulator({ burstLimit: 30, burstWindowMs: 1000, burstDelayMs: 300, burstMode: mode, clock: time.now });
    const { client, events } = clientFor(sim, { clock: time.clock, burstWindowMs: 1000, concurrency: 4 });
    await Promise.all(Array.from({ length: CALLS }, () => client.listSecurityPolicies()));

    const api = sim.requestLog().filter((e) => !e.path.endsWith('/auth'));
    expect(api).toHaveLength(CALLS);
    expect(api.filter((e) => e.delayedMs !== undefined && e.delayedMs > 0)).toEqual([]);
    expect(api.filter((e) => e.status !== 'SUCCESS')).toEqual([]);
    const waits = events.filter((e): e is PaceEvent => e.type === 'pace' && e.action === 'wait');
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.type === 'pace' && e.action === 'throttled')).toEqual([]);
    expect(maxInFlight(events)).toBeLessThanOrEqual(4);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const sim = await simulator({ latencyMs: 20 });
    const { client, events } = clientFor(sim, { concurrency: 2 });
    await Promise.all(Array.from({ length: 12 }, () => client.getLicenseUsage()));
    expect(maxInFlight(events)).toBe(2);
  });
});
