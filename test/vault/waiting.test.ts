/**
 * Bounded, visible waiting: a server that never answers ends in a bounded number of tries or at
 * the deadline, long waits emit `wait` events (start and countdown), and once the client stops
 * (deadline or close) nothing more is sent. Short real timeouts or the injectable clock only.
 */
import { describe, expect, it } from 'vitest';
import { TransportError, VaultRosterError } from '../../src/errors.js';
import { createVaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import type { Clock } from '../../src/vault/clock.js';
import type { ClientEvent, PaceEvent, RequestEvent, RetryEvent, WaitEvent } from '../../src/vault/events.js';
import { capturingClock } from './capturing-clock.js';
import { answerLogin, hostileServer, json, seen, silence, type HostileServer } from './hostile-server.js';
import { clientFor, simulator } from './support.js';

function clientAt(server: HostileServer, overrides: Partial<VaultClientOptions> = {}) {
  const events: ClientEvent[] = [];
  const clock = capturingClock();
  const client = createVaultClient({
    baseUrl: server.url,
    apiVersion: 'v26.2',
    credentials: { username: 'admin@sim.veevavault.local', password: 'pw' },
    vaultDns: 'veepharm-clinical.veevavault.com',
    expectedVaultId: 5005,
    clock,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return { client, events, clock };
}

const waits = (events: readonly ClientEvent[]): WaitEvent[] => events.filter((e): e is WaitEvent => e.type === 'wait');

/** Logs in, then never answers anything else. */
function loginThenSilence(): Parameters<typeof hostileServer>[0] {
  return (req, res) => {
    if (req.path.endsWith('/auth')) answerLogin(res);
  };
}

describe('a server that never answers', () => {
  it('ends after the per-request timeout and at most two more tries, naming the call', async () => {
    const server = await hostileServer(silence());
    const { client, events, clock } = clientAt(server, { timeoutMs: 150 });
    const error = await client.session().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe(`POST /api/v26.2/auth failed: no answer within 150 ms (host ${new URL(server.url).host})`);
    // Three tries, not the six other failures get: each silent try costs a whole timeout.
    expect(events.filter((e) => e.type === 'request')).toHaveLength(3);
    // (On a loaded machine a try can be given up before the server has even read it.)
    expect(server.requests.length).toBeLessThanOrEqual(3);
    expect(server.requests.every((r) => r.path === '/api/v26.2/auth')).toBe(true);
    expect(events.filter((e): e is RetryEvent => e.type === 'retry').map((e) => e.reason)).toEqual([
      'no answer within 150 ms',
      'no answer within 150 ms',
    ]);
    expect(clock.delays).toEqual([125, 250]);
  });

  it('stops at the command deadline even when the per-request timeout is longer', async () => {
    const server = await hostileServer(silence());
    const { client } = clientAt(server, { timeoutMs: 60_000, deadlineMs: 300 });
    const error = await client.session().catch((e: unknown) => e);
    expect((error as VaultRosterError).code).toBe('deadline-exceeded');
    expect((error as Error).message).toBe(
      'vault-roster stopped at its 300 ms deadline for this command, waiting for an answer to POST /api/v26.2/auth',
    );
    expect((error as VaultRosterError).hint).toMatch(/--deadline \(or VAULT_DEADLINE\)/);
    expect(server.requests.length).toBeLessThanOrEqual(1);
    // Stopped for good: a later call is refused without a request.
    const before = server.requests.length;
    const later = await client.getDomain().catch((e: unknown) => e);
    expect((later as VaultRosterError).code).toBe('deadline-exceeded');
    expect(server.requests).toHaveLength(before);
  });

  it('says what it waits for while an answer does not come', async () => {
    const server = await hostileServer(silence());
    const { client, events } = clientAt(server, { timeoutMs: 400, maxRetries: 0, waitNotice: { afterMs: 50, everyMs: 100 } });
    await client.session().catch(() => undefined);
    const notices = waits(events);
    expect(notices.length).toBeGreaterThanOrEqual(1);
    const first = notices[0] as WaitEvent;
    expect(first).toMatchObject({ reason: 'answer', call: 'POST /api/v26.2/auth', cause: undefined });
    // The 50 ms notice timer may fire a millisecond early against the clock the wait is measured with.
    expect(first.waitedMs).toBeGreaterThanOrEqual(45);
    expect(first.leftMs).toBe(400 - first.waitedMs);
  });

  it('at the deadline, every call in flight stops and queued calls are never sent', async () => {
    const server = await hostileServer(loginThenSilence());
    const { client, events } = clientAt(server, { timeoutMs: 60_000, deadlineMs: 600, concurrency: 2 });
    await client.session();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.getLicenseUsage().catch((e: unknown) => e)));
    expect(results.map((e) => (e as VaultRosterError).code)).toEqual(Array(5).fill('deadline-exceeded'));
    // The login and the two calls the concurrency let through; the three queued never went out.
    expect(events.filter((e): e is RequestEvent => e.type === 'request').map((e) => e.method)).toEqual(['POST', 'GET', 'GET']);
    const sent = server.requests.length;
    expect(sent).toBeLessThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toHaveLength(sent);
  });
});

describe('closing the client', () => {
  it('aborts the call in flight, sends nothing more, and leaves no wait behind', async () => {
    const server = await hostileServer(loginThenSilence());
    const { client } = clientAt(server, { timeoutMs: 60_000 });
    await client.session();
    const pending = client.getDomain().catch((e: unknown) => e);
    await seen(server, 2);
    client.close();
    expect(((await pending) as VaultRosterError).code).toBe('client-closed');
    const after = await client.listSecurityPolicies().catch((e: unknown) => e);
    expect((after as VaultRosterError).code).toBe('client-closed');
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });
});

describe('waits that would pass the deadline', () => {
  it('fail at once instead of sleeping first', async () => {
    const server = await hostileServer((req, res) => {
      if (req.path.endsWith('/auth')) answerLogin(res);
      else json(res, { responseStatus: 'FAILURE', errors: [{ type: 'API_LIMIT_EXCEEDED', message: 'burst limit reached' }] });
    });
    const { client, clock } = clientAt(server, { deadlineMs: 60_000 });
    const error = await client.getDomain().catch((e: unknown) => e);
    expect((error as VaultRosterError).code).toBe('deadline-exceeded');
    expect((error as Error).message).toMatch(
      /^vault-roster stopped at its 1m deadline for this command, as waiting 5m( \d+s)? for Vault's burst window to roll would pass it \((\d+s|1m) left\)$/,
    );
    expect(clock.delays).toEqual([]);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });
});

/** One virtual time for simulator and client: the client's waits move it forward. */
function sharedClock(): { clock: Clock & { delays: number[] }; now: () => number } {
  let t = 1_700_000_000_000;
  const delays: number[] = [];
  const now = (): number => t;
  return {
    now,
    clock: {
      delays,
      now,
      sleep: async (ms) => {
        delays.push(ms);
        t += ms;
        await new Promise((resolve) => setImmediate(resolve));
      },
    },
  };
}

describe('a spent burst budget', () => {
  it('shows a countdown while the client waits for the window to roll', async () => {
    const time = sharedClock();
    const sim = await simulator({ burstLimit: 10, clock: time.now });
    const { client, events } = clientFor(sim, { clock: time.clock, concurrency: 1 });
    for (let i = 0; i < 12; i += 1) await client.listSecurityPolicies();

    const pace = events.find((e): e is PaceEvent => e.type === 'pace' && e.action === 'wait');
    expect(pace).toBeDefined();
    const countdown = waits(events).filter((e) => e.reason === 'burst-window');
    const total = (pace as PaceEvent).delayMs;
    // A notice when the wait starts, then one every 30 s until the window rolls.
    expect(countdown.map((e) => e.waitedMs)).toEqual(Array.from({ length: Math.ceil(total / 30_000) }, (_, i) => i * 30_000));
    expect(countdown.map((e) => e.leftMs)).toEqual(countdown.map((e) => total - e.waitedMs));
    expect(time.clock.delays.reduce((a, b) => a + b, 0)).toBe(total);
    expect(sim.requestLog().filter((e) => (e.delayedMs ?? 0) > 0)).toEqual([]);
  });
});
