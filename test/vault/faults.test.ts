import { describe, expect, it } from 'vitest';
import { TransportError, VaultApiError } from '../../src/errors.js';
import type { RetryEvent } from '../../src/vault/events.js';
import { readLiveState } from '../../src/vault/live-state.js';
import { calls, clientFor, newUser as row, seedWithUsers, simulator } from './support.js';

describe('retries', () => {
  it('retries 5xx answers and dropped connections with backoff, and the read completes', async () => {
    const sim = await simulator({ seed: seedWithUsers(2500) });
    const { client, events, clock } = clientFor(sim);
    await client.session();
    sim.setFaults('seed=4,http500=0.2,http503=0.1,drop=0.15');
    const live = await readLiveState(client, { promotions: false });
    expect(live.users.size).toBe(2501);

    const failed = sim.requestLog().filter((e) => ['HTTP_500', 'HTTP_503', 'DROPPED'].includes(e.status));
    expect(failed.length).toBeGreaterThan(0);
    const retries = events.filter((e): e is RetryEvent => e.type === 'retry');
    // A failed page asked for ahead is not retried in the background: the confirmed request
    // that replaces it is (so at most every failure has its retry).
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.length).toBeLessThanOrEqual(failed.length);
    // A reset arrives as ECONNRESET or UND_ERR_SOCKET depending on when it hits the request.
    const reasons = new Set(failed.map((e) => (e.status === 'DROPPED' ? 'connection failed' : `HTTP ${e.httpStatus}`)));
    expect(retries.map((r) => r.reason.replace(/ \((ECONNRESET|UND_ERR_SOCKET)\)$/, '')).filter((r) => !reasons.has(r))).toEqual([]);
    // Full jitter with random() = 0.5: half of 250·2^attempt.
    expect(clock.delays).toEqual(retries.map((r) => 125 * 2 ** (r.attempt - 1)));
  });

  it('retries RACE_CONDITION and UNEXPECTED_ERROR', async () => {
    const sim = await simulator();
    const { client, events } = clientFor(sim, { maxRetries: 10 });
    await client.session();
    sim.setFaults('seed=3,race=0.3,unexpected=0.2');
    for (let i = 0; i < 10; i += 1) await client.listSecurityPolicies();
    const refused = sim.requestLog().filter((e) => e.errorTypes.includes('RACE_CONDITION') || e.errorTypes.includes('UNEXPECTED_ERROR'));
    expect(refused.some((e) => e.errorTypes.includes('RACE_CONDITION'))).toBe(true);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(refused.length);
  });

  it('gives up after maxRetries with a TransportError naming the call', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { maxRetries: 2 });
    await client.session();
    sim.setFaults('http503=1');
    const error = await client.listSecurityPolicies().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toBe(`GET /api/v26.2/objects/securitypolicies failed: HTTP 503; the answer starts "<html><body><h1>503 Service Unavailable</h1></body></html>" (host ${new URL(sim.url).host})`);
    expect(calls(sim, 'GET', '/objects/securitypolicies')).toHaveLength(3);
  });

  it('never repeats a plain create after a 500: its outcome is unknown, so it goes again only as an upsert by user name', async () => {
    const sim = await simulator();
    const { client, events } = clientFor(sim, { maxRetries: 2 });
    await client.session();
    sim.setFaults('http500=1');
    const error = await client.createUsers([row('new.one@veepharm.com')], { sentBefore: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    // One create; then the upsert, which the transport may repeat (1 + maxRetries tries).
    expect(calls(sim, 'POST', '/objects/users').map((e) => [e.query.operation ?? 'create', e.query.idParam ?? '', e.status])).toEqual([
      ['create', '', 'HTTP_500'],
      ['upsert', 'user_name__v', 'HTTP_500'],
      ['upsert', 'user_name__v', 'HTTP_500'],
      ['upsert', 'user_name__v', 'HTTP_500'],
    ]);
    expect(events.filter((e): e is RetryEvent => e.type === 'retry').map((e) => e.path)).toEqual([
      '/api/v26.2/objects/users?operation=upsert&idParam=user_name__v',
      '/api/v26.2/objects/users?operation=upsert&idParam=user_name__v',
    ]);
  });

  it('never repeats a plain create refused with RACE_CONDITION either', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { maxRetries: 1 });
    await client.session();
    sim.setFaults('race=1');
    const error = await client.createUsers([row('new.one@veepharm.com')], { sentBefore: false }).catch((e: unknown) => e);
    expect((error as VaultApiError).errorType).toBe('RACE_CONDITION');
    expect(calls(sim, 'POST', '/objects/users').map((e) => [e.query.operation ?? 'create', e.query.idParam ?? '', e.errorTypes])).toEqual([
      ['create', '', ['RACE_CONDITION']],
      ['upsert', 'user_name__v', ['RACE_CONDITION']],
      ['upsert', 'user_name__v', ['RACE_CONDITION']],
    ]);
    expect((sim.dump().users ?? []).filter((u) => u.user_name__v === 'new.one@veepharm.com')).toEqual([]);
  });

  it('repeats an upsert keyed by user_name__v after a 500 (a create sent before is sent as one)', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { maxRetries: 10 });
    await client.session();
    sim.setFaults('seed=5,http500=0.5');
    const names = Array.from({ length: 8 }, (_, i) => `upsert${i}@veepharm.com`);
    for (const name of names) {
      const results = await client.createUsers([row(name)], { sentBefore: true });
      expect(results).toEqual([{ ok: true, id: expect.stringMatching(/^\d+$/) as string }]);
    }
    const posts = calls(sim, 'POST', '/objects/users');
    expect(posts.filter((e) => e.status === 'HTTP_500').length).toBeGreaterThan(0);
    expect(posts.filter((e) => e.status === 'SUCCESS').map((e) => e.rows)).toEqual(names.map(() => 1));
    expect(posts.every((e) => e.query.operation === 'upsert' && e.query.idParam === 'user_name__v')).toBe(true);
    const made = (sim.dump().users ?? []).filter((u) => names.includes(u.user_name__v));
    expect(made.map((u) => u.user_name__v).sort()).toEqual([...names].sort());
  });

  it('logs in again each time the session expires during long reads, and finishes', async () => {
    const sim = await simulator({ seed: seedWithUsers(2500) });
    const { client, events } = clientFor(sim);
    await client.session();
    // Every 7th call finds its session expired: the repeated call is never the next 7th,
    // since fewer than 7 calls are ever queued (one re-login per request, as Vault advises).
    sim.setFaults('expire-session-every=7');
    for (let run = 0; run < 3; run += 1) {
      const live = await readLiveState(client, { promotions: false });
      expect(live.users.size).toBe(2501);
    }
    const expired = sim.requestLog().filter((e) => e.errorTypes.includes('INVALID_SESSION_ID'));
    expect(expired.length).toBeGreaterThan(1);
    // One login at the start, then at most one per expiry (concurrent requests share it).
    const logins = calls(sim, 'POST', '/auth').length;
    expect(logins).toBeGreaterThan(2);
    expect(logins).toBeLessThanOrEqual(expired.length + 1);
    expect(events.filter((e) => e.type === 'auth')).toHaveLength(logins);
  });
});
