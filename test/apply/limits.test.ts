// Real limits, visible waits: the plan's call estimate uses the burst limit Vault reports (and
// what is left of it) and counts the reads apply repeats; a pacing wait during apply is
// journaled (with the login and the pacing decisions) and shows on the progress line with a
// countdown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, progressReporter, vaultPort, type ApplyEvent } from '../../src/apply/index.js';
import { burstLimitNote, type Plan } from '../../src/plan/index.js';
import type { Clock } from '../../src/vault/clock.js';
import { createVaultClient, resolveConnection, type ClientEvent } from '../../src/vault/index.js';
import { startRosterFixture } from '../helpers/roster.js';
import { readFixtureLive, readJournal, journalFiles } from './support.js';

describe('burstLimitNote', () => {
  it.each([
    [12, 2000, {}, '12 API calls, within the burst limit of 2,000 calls per 5 minutes.'],
    [12, 500, { reads: 5 }, '12 API calls plus 5 reads apply repeats first (17 in all), within the burst limit of 500 calls per 5 minutes.'],
    [12, 500, { reads: 5, remaining: 480 }, '12 API calls plus 5 reads apply repeats first (17 in all), within the burst limit of 500 calls per 5 minutes (480 left in the current window).'],
    // 17 calls fit the limit but not what is left above the client's 10% reserve (50).
    [
      12,
      500,
      { reads: 5, remaining: 60 },
      '12 API calls plus 5 reads apply repeats first (17 in all), within the burst limit of 500 calls per 5 minutes, but only 60 were left in the current window: apply may wait up to 5 minutes for it to roll.',
    ],
    [1, 10, { reads: 1, remaining: 10 }, '1 API call plus 1 read apply repeats first (2 in all), within the burst limit of 10 calls per 5 minutes (10 left in the current window).'],
    [90, 100, { reads: 20 }, '90 API calls plus 20 reads apply repeats first (110 in all) exceed the burst limit of 100 calls per 5 minutes: apply paces itself, so expect it to span at least 2 windows (about 5 minutes or more).'],
    [0, 100, { reads: 20 }, 'No API calls needed.'],
  ] as const)('%i writes against a limit of %i with %o', (calls, limit, context, note) => {
    expect(burstLimitNote(calls, limit, context)).toBe(note);
  });
});

describe('the plan uses the burst limit Vault reports', () => {
  it('a vault reporting 500 calls per window: the plan says 500, what was left, and counts its reads', async () => {
    const fx = await startRosterFixture({ sim: { burstLimit: 500 } });
    fx.sim.clearRequestLog();
    const run = await fx.run(['plan', '--out', 'plan.json']);
    expect(run.code, run.stderr).toBe(0);
    // The plan was written before the run ended its session (DELETE /session).
    const reads = fx.sim.requestLog().filter((e) => !e.path.endsWith('/auth') && !e.path.endsWith('/session')).length;
    const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
    expect(plan.summary.burst_limit).toBe(500);
    expect(plan.summary.read_calls).toBe(reads);
    expect(plan.summary.burst_remaining).toBe(500 - reads);
    expect(run.stdout).toContain(
      `${plan.summary.api_calls} API calls plus ${reads} reads apply repeats first (${plan.summary.api_calls + reads} in all), within the burst limit of 500 calls per 5 minutes (${500 - reads} left in the current window).`,
    );
  });
});

/** One virtual time for simulator and client: the client's waits move it, so windows roll on cue. */
function sharedClock(): { clock: Clock; now: () => number; advance: (ms: number) => void } {
  let t = 1_700_000_000_000;
  const now = (): number => t;
  const clock: Clock = {
    now,
    sleep: async (ms) => {
      t += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return { clock, now, advance: (ms) => (t += ms) };
}

describe('pacing waits during apply', () => {
  it('are journaled with the login, and the progress line counts them down', async () => {
    const time = sharedClock();
    // The plan's own reads (users, groups, …) fit one window; its writes do not.
    const fx = await startRosterFixture({ sim: { burstLimit: 16, burstWindowMs: 1000, clock: time.now } });
    const planned = await fx.run(['plan', '--out', 'plan.json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
    expect(plan.operations.length).toBeGreaterThan(16);
    time.advance(1000);

    const desired = await fx.desired();
    const listeners = new Set<(event: ClientEvent) => void>();
    const prior: ClientEvent[] = [];
    listeners.add((event) => prior.push(event));
    const connection = resolveConnection(desired.target, fx.env);
    const client = createVaultClient({
      ...connection,
      clock: time.clock,
      burstWindowMs: 1000,
      concurrency: 1,
      onEvent: (event) => {
        for (const l of listeners) l(event);
      },
    });
    const live = await readFixtureLive(client, desired);
    listeners.clear();
    let screen = '';
    const progress = progressReporter({ write: (s: string) => (screen += s) }, 1000, { now: () => Date.now(), every: () => () => undefined });
    const events: ApplyEvent[] = [];
    const report = await applyPlan({
      plan,
      desired,
      live,
      serverUrl: connection.baseUrl,
      port: vaultPort(client),
      journalDir: join(fx.dir, '.vault-roster', 'journal'),
      concurrency: 1,
      toolVersion: 'test',
      priorClientEvents: prior,
      listener: (event) => {
        events.push(event);
        progress(event);
      },
      subscribeClientEvents: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    client.close();
    expect(report.failures).toEqual([]);

    const [journalPath] = journalFiles(fx.dir);
    const client_entries = readJournal(journalPath ?? '').flatMap((e) => (e.type === 'client' ? [e] : []));
    expect(client_entries.filter((e) => e.event === 'auth').map((e) => e.message)).toEqual([expect.stringMatching(/^vault authenticated into vault \d+/)]);
    const paces = client_entries.filter((e) => e.event === 'pace');
    expect(paces.length).toBeGreaterThanOrEqual(1);
    expect(paces[0]?.message).toMatch(/^vault pacing: \d+\/16 calls left in the burst window, 0 in flight; waiting \d+ ms for the window to roll$/);
    expect(paces[0]?.delay_ms).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'wait' && e.reason === 'burst-window').length).toBe(paces.length);
    expect(screen).toMatch(/rows, 0 failed; waiting for Vault's burst window: \d+ ms left/);
  });
});

describe('progress line countdown', () => {
  it('redraws the time left each tick, and drops it once the wait is over', () => {
    let now = 0;
    let tick: (() => void) | undefined;
    let screen = '';
    const report = progressReporter({ write: (s: string) => (screen += s) }, 10, {
      now: () => now,
      every: (fn) => {
        tick = fn;
        return () => (tick = undefined);
      },
    });
    report({ type: 'wait', reason: 'burst-window', left_ms: 290_000, message: '' });
    expect(screen).toContain("0/10 rows, 0 failed; waiting for Vault's burst window: 4m 50s left");
    now += 60_000;
    tick?.();
    expect(screen).toContain("0/10 rows, 0 failed; waiting for Vault's burst window: 3m 50s left");
    now += 230_001;
    tick?.();
    expect(screen.endsWith('0/10 rows, 0 failed')).toBe(true);
    expect(tick).toBeUndefined();
  });
});
