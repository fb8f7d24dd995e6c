import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/vault/clock.js';
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

describe('burst-limit pacing over real windows', () => {
  it.each([
    ['reject', 'FAILURE + API_LIMIT_EXCEEDED'],
    ['delay', 'X-VaultAPI-ResponseDelay'],
  ] as const)('spreads calls over windows so Vault never has to %s them (%s)', async (mode, _how) => {
    const sim = await simulator({ burstLimit: 30, burstWindowMs: 1000, burstDelayMs: 300, burstMode: mode });
    const { client, events } = clientFor(sim, { clock: systemClock, burstWindowMs: 1000, concurrency: 4 });
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
