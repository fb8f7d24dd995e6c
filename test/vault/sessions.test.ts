/**
 * Sessions that Vault ends: the client logs in again each time (not just once per request),
 * within a budget per run and with backoff, and when sessions keep expiring the error names the
 * real cause, never "set credentials" (they are set). Played by the simulator's
 * expire-session-every fault.
 */
import { describe, expect, it } from 'vitest';
import type { VaultRosterError } from '../../src/errors.js';
import type { AuthEvent, WaitEvent } from '../../src/vault/events.js';
import { readLiveState } from '../../src/vault/live-state.js';
import { calls, clientFor, seedWithUsers, simulator } from './support.js';

describe('sessions that expire', () => {
  it('with a session ending every 2 calls, a full read still completes', async () => {
    const sim = await simulator({ seed: seedWithUsers(1500) });
    const { client, events } = clientFor(sim);
    await client.session();
    sim.setFaults('expire-session-every=2');
    const live = await readLiveState(client, { promotions: false });
    expect(live.users.size).toBe(1501);
    const refused = sim.requestLog().filter((e) => e.errorTypes.includes('INVALID_SESSION_ID')).length;
    const logins = calls(sim, 'POST', '/auth').length;
    // Requests holding the same ended session share one re-login, so there are fewer logins
    // than refusals, yet more than one per request would allow: some requests needed two.
    expect(logins).toBeGreaterThan(2);
    expect(logins).toBeLessThanOrEqual(refused + 1);
    expect(events.filter((e): e is AuthEvent => e.type === 'auth').map((e) => e.action)).toEqual([
      'login',
      ...Array<string>(logins - 1).fill('reauth'),
    ]);
  });

  it('when every new session is refused at once, stops after the budget with a hint about the session, not the credentials', async () => {
    const sim = await simulator();
    const { client, events, clock } = clientFor(sim, { maxRelogins: 3 });
    await client.session();
    sim.setFaults('expire-session-every=1');
    const error = await client.listSecurityPolicies().catch((e: unknown) => e);

    const failure = error as VaultRosterError;
    expect(failure.code).toBe('session-expiring');
    expect(failure.message).toBe(
      'GET /api/v26.2/objects/securitypolicies: Vault ended the session 4 times in this run (each lasted 0.0 successful call(s) and ' +
        `${failure.message.match(/and (\d+\.\d) s on average/)?.[1] ?? '?'} s on average); vault-roster stopped logging in again after 3 re-logins`,
    );
    expect(failure.hint).toMatch(/^Every new session was refused on its first call/);
    expect(failure.hint).not.toMatch(/VAULT_USERNAME|VAULT_PASSWORD/);
    // One login plus the three re-logins of the budget; each session was tried once.
    expect(calls(sim, 'POST', '/auth')).toHaveLength(4);
    expect(calls(sim, 'GET', '/objects/securitypolicies')).toHaveLength(4);
    // No wait before the first re-login, then backoff (half of 100 ms · 2^n at random 0.5).
    expect(clock.delays).toEqual([50, 100]);
    expect(events.filter((e): e is WaitEvent => e.type === 'wait')).toEqual([]);
  });

  it('when sessions last a few calls each, the hint says they expire faster than calls complete', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { maxRelogins: 2, concurrency: 1 });
    await client.session();
    sim.setFaults('expire-session-every=3');
    let error: unknown;
    let done = 0;
    for (let i = 0; i < 20 && error === undefined; i += 1) {
      await client.getDomain().then(
        () => (done += 1),
        (e: unknown) => (error = e),
      );
    }
    const failure = error as VaultRosterError;
    expect(failure.code).toBe('session-expiring');
    expect(failure.message).toMatch(/Vault ended the session 3 times in this run \(each lasted 2\.0 successful call\(s\) and/);
    expect(failure.hint).toMatch(/^Sessions are expiring faster than calls complete/);
    expect(done).toBe(6);
    expect(calls(sim, 'POST', '/auth')).toHaveLength(3);
  });

  it('a ready session id that expires is still reported as such', async () => {
    const sim = await simulator();
    const { client: login } = clientFor(sim);
    const { sessionId } = await login.session();
    const { client } = clientFor(sim, { credentials: { sessionId } });
    sim.setFaults('expire-session-every=1');
    const error = await client.getDomain().catch((e: unknown) => e);
    expect((error as VaultRosterError).code).toBe('session-invalid');
    expect(calls(sim, 'POST', '/auth')).toHaveLength(1);
  });
});
