import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BurstPacer, observeBurst, paceDelay, reserveFor, UNKNOWN_WINDOW, type PacerState } from '../../src/vault/pacing.js';
import type { PaceNotice } from '../../src/vault/pacing.js';

const W = 1000;
const at = (windowStart: number, limit: number, remaining: number): PacerState => ({ windowStart, limit, remaining });

describe('paceDelay', () => {
  it.each([
    ['nothing known yet', UNKNOWN_WINDOW, 0, 100, 0],
    ['plenty left', at(0, 30, 20), 0, 100, 0],
    ['exactly the reserve left after this call', at(0, 30, 4), 0, 100, 0],
    ['this call would eat into the reserve', at(0, 30, 3), 0, 100, 900 + 10],
    ['in-flight calls count as spent', at(0, 30, 8), 5, 100, 900 + 10],
    ['spent window already over', at(0, 30, 0), 0, 1000, 0],
    ['spent window, waits to its end plus margin', at(500, 30, 0), 2, 600, 900 + 10],
    ['large limit keeps a tenth in reserve', at(0, 2000, 201), 0, 100, 0],
    ['large limit, reserve reached', at(0, 2000, 200), 0, 100, 900 + 10],
  ])('%s', (_name, state, inFlight, now, expected) => {
    expect(paceDelay(state, inFlight, now, W)).toBe(expected);
  });
});

describe('observeBurst', () => {
  it.each([
    ['first reading starts a window at receipt', UNKNOWN_WINDOW, { limit: 30, remaining: 29 }, 10, 15, at(15, 30, 29)],
    ['later reading keeps the window, lowest remaining wins', at(15, 30, 20), { limit: 30, remaining: 18 }, 100, 120, at(15, 30, 18)],
    ['out-of-order reading does not raise remaining', at(15, 30, 18), { limit: 30, remaining: 20 }, 100, 130, at(15, 30, 18)],
    ['sent after the estimated end: new window', at(15, 30, 2), { limit: 30, remaining: 29 }, 1015, 1020, at(1020, 30, 29)],
    ['sent before the end, answered after: old window', at(15, 30, 2), { limit: 30, remaining: 1 }, 1000, 1030, at(15, 30, 1)],
    ['jump beyond reordering: window rolled early', at(15, 30, 5), { limit: 30, remaining: 28 }, 500, 510, at(510, 30, 28)],
  ])('%s', (_name, state, reading, sentAt, receivedAt, expected) => {
    expect(observeBurst(state, reading, sentAt, receivedAt, W, 4)).toEqual(expected);
  });

  it('never estimates a window start before the response that revealed it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ remaining: fc.nat(30), sent: fc.nat(5000), took: fc.nat(200) }), { minLength: 1, maxLength: 40 }),
        (readings) => {
          let state: PacerState = UNKNOWN_WINDOW;
          let lastReceipt = 0;
          for (const r of readings) {
            const receivedAt = Math.max(lastReceipt, r.sent + r.took);
            lastReceipt = receivedAt;
            const next = observeBurst(state, { limit: 30, remaining: r.remaining }, r.sent, receivedAt, W, 4);
            expect(next.windowStart).toBeDefined();
            if (next.windowStart !== state.windowStart) expect(next.windowStart).toBe(receivedAt);
            state = next;
          }
        },
      ),
    );
  });
});

describe('reserveFor', () => {
  it.each([
    [1, 1],
    [5, 1],
    [30, 3],
    [2000, 200],
  ])('limit %d keeps %d', (limit, reserve) => {
    expect(reserveFor(limit)).toBe(reserve);
  });
});

describe('BurstPacer', () => {
  function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
    let t = 0;
    const slept: number[] = [];
    return {
      now: () => t,
      sleep: (ms) => {
        slept.push(ms);
        t += ms;
        return Promise.resolve();
      },
      slept,
    };
  }

  it('waits for the window to roll when the reserve is reached, then forgets the old window', async () => {
    const clock = fakeClock();
    const notices: PaceNotice[] = [];
    const pacer = new BurstPacer({ clock, windowMs: W, concurrency: 1, notify: (n) => notices.push(n) });
    for (let remaining = 29; remaining >= 3; remaining -= 1) {
      const ticket = await pacer.beforeSend();
      pacer.afterResponse(ticket, { limit: 30, remaining }, undefined);
    }
    expect(clock.slept).toEqual([]);
    await pacer.beforeSend();
    expect(clock.slept).toEqual([W + 10]);
    expect(notices).toEqual([{ action: 'wait', delayMs: W + 10, burstLimit: 30, burstRemaining: 3, inFlight: 0 }]);
    expect(pacer.state).toEqual(UNKNOWN_WINDOW);
  });

  it('ignores a late answer from before the wait', async () => {
    const clock = fakeClock();
    const pacer = new BurstPacer({ clock, windowMs: W, concurrency: 2, notify: () => undefined });
    const early = await pacer.beforeSend();
    const ticket = await pacer.beforeSend();
    pacer.afterResponse(ticket, { limit: 30, remaining: 1 }, undefined);
    await pacer.beforeSend();
    pacer.afterResponse(early, { limit: 30, remaining: 2 }, undefined);
    expect(pacer.state).toEqual(UNKNOWN_WINDOW);
  });

  it('reports throttled responses', async () => {
    const notices: PaceNotice[] = [];
    const pacer = new BurstPacer({ clock: fakeClock(), windowMs: W, concurrency: 1, notify: (n) => notices.push(n) });
    const ticket = await pacer.beforeSend();
    pacer.afterResponse(ticket, { limit: 30, remaining: 0 }, 500);
    expect(notices).toEqual([{ action: 'throttled', delayMs: 500, burstLimit: 30, burstRemaining: 0, inFlight: 0 }]);
  });

  it('markExhausted waits out the current window', async () => {
    const clock = fakeClock();
    const pacer = new BurstPacer({ clock, windowMs: W, concurrency: 1, notify: () => undefined });
    const ticket = await pacer.beforeSend();
    pacer.afterResponse(ticket, { limit: 30, remaining: 12 }, undefined);
    await clock.sleep(400);
    expect(pacer.markExhausted()).toBe(600 + 10);
  });
});
