/**
 * The session's life around a run, for every login that makes one (password and OAuth alike):
 * kept alive while the run is idle, replaced before Vault's 48-hour cap, ended when the run
 * finishes. Client and simulator share one hand-moved clock, so no test waits.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM_OAUTH } from '../../src/simulator/sessions.js';
import type { Clock } from '../../src/vault/clock.js';
import { ADMIN, calls, clientFor, simulator } from './support.js';

/** A clock both sides read: `advance` moves time, sleeps return at once. */
function handClock(): Clock & { advance(ms: number): void } {
  let now = Date.UTC(2026, 0, 1);
  return {
    now: () => now,
    sleep: () => Promise.resolve(),
    advance: (ms) => {
      now += ms;
    },
  };
}

const MINUTE = 60_000;
const NO_TIMER = { idleMs: 5 * MINUTE, checkEveryMs: 0 };

function oauth(sim: { url: string }): { oauth: { profileId: string; loginOrigin: string; clientId: undefined; token: { tokenUrl: string; clientId: string; clientSecret: string; scope: undefined; clientAuth: 'client_secret_basic' } } } {
  return {
    oauth: {
      profileId: DEFAULT_SIM_OAUTH.profile,
      loginOrigin: sim.url,
      clientId: undefined,
      token: { tokenUrl: `${sim.url}/oauth2/token`, clientId: DEFAULT_SIM_OAUTH.clientId, clientSecret: DEFAULT_SIM_OAUTH.clientSecret, scope: undefined, clientAuth: 'client_secret_basic' },
    },
  };
}

describe('keep-alive', () => {
  it('keeps an idle session past the domain Session Duration with POST /keep-alive after 5 idle minutes', async () => {
    const clock = handClock();
    const sim = await simulator({ clock: () => clock.now(), sessionIdleMs: 10 * MINUTE });
    const { client } = clientFor(sim, { clock, keepAlive: NO_TIMER, credentials: oauth(sim) });
    await client.getUser('me');

    clock.advance(4 * MINUTE);
    expect(await client.keepAliveIfIdle()).toBe(false);
    clock.advance(2 * MINUTE);
    expect(await client.keepAliveIfIdle()).toBe(true);
    clock.advance(6 * MINUTE);
    expect(await client.keepAliveIfIdle()).toBe(true);
    clock.advance(6 * MINUTE);
    await client.getUser('me');

    // 18 minutes after the login, with a 10-minute Session Duration, still the first session.
    expect(calls(sim, 'POST', '/keep-alive').map((e) => e.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(sim.requestLog().filter((e) => e.path.startsWith('/auth/')).length).toBe(1);
    expect(calls(sim, 'GET', '/objects/users/me').map((e) => e.status)).toEqual(['SUCCESS', 'SUCCESS']);
    client.close();
  });

  it('without keep-alive the same idle time ends the session, and the next call logs in again', async () => {
    const clock = handClock();
    const sim = await simulator({ clock: () => clock.now(), sessionIdleMs: 10 * MINUTE });
    const { client } = clientFor(sim, { clock, keepAlive: { idleMs: 0, checkEveryMs: 0 } });
    await client.getUser('me');
    clock.advance(11 * MINUTE);
    expect(await client.keepAliveIfIdle()).toBe(false);
    await client.getUser('me');
    expect(calls(sim, 'POST', '/auth').length).toBe(2);
    expect(calls(sim, 'POST', '/keep-alive')).toEqual([]);
    client.close();
  });

  it('sends nothing before the first login', async () => {
    const clock = handClock();
    const sim = await simulator({ clock: () => clock.now() });
    const { client } = clientFor(sim, { clock, keepAlive: NO_TIMER });
    clock.advance(60 * MINUTE);
    expect(await client.keepAliveIfIdle()).toBe(false);
    expect(sim.requestLog()).toEqual([]);
    client.close();
  });
});

describe('keep-alive timer', () => {
  it('checks by itself once logged in (the timer is what a real run relies on)', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { keepAlive: { idleMs: 1, checkEveryMs: 10 } });
    await client.getUser('me');
    for (let i = 0; i < 500 && calls(sim, 'POST', '/keep-alive').length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls(sim, 'POST', '/keep-alive').length).toBeGreaterThan(0);
    client.close();
    // One keep-alive may have been on its way when the client closed; none starts after.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen = calls(sim, 'POST', '/keep-alive').length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Closing stops the timer.
    expect(calls(sim, 'POST', '/keep-alive').length).toBe(seen);
  });
});

describe('the 48-hour cap', () => {
  it('replaces a session it made before Vault ends it at 48 hours', async () => {
    const clock = handClock();
    const sim = await simulator({ clock: () => clock.now(), sessionIdleMs: 8 * 60 * MINUTE });
    const { client } = clientFor(sim, { clock, keepAlive: NO_TIMER, deadlineMs: 7 * 24 * 60 * MINUTE });
    await client.getUser('me');
    // A call every 4 hours keeps the session active for 47 hours: no new login.
    for (let hour = 4; hour <= 44; hour += 4) {
      clock.advance(4 * 60 * MINUTE);
      await client.getUser('me');
    }
    clock.advance(3 * 60 * MINUTE);
    await client.getUser('me');
    expect(calls(sim, 'POST', '/auth').length).toBe(1);
    clock.advance(40 * MINUTE);
    await client.getUser('me');
    expect(calls(sim, 'POST', '/auth').length).toBe(2);
    expect(calls(sim, 'GET', '/objects/users/me').every((e) => e.status === 'SUCCESS')).toBe(true);
    client.close();
  });
});

describe('ending the session', () => {
  it('ends the session it logged in to with DELETE /session, and then sends nothing more', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim, { credentials: oauth(sim) });
    await client.getUser('me');
    await client.end();
    expect(sim.requestLog().map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'POST /oauth2/token SUCCESS',
      `POST /auth/oauth/session/${DEFAULT_SIM_OAUTH.profile} SUCCESS`,
      'GET /api/v26.2/objects/users/me SUCCESS',
      'DELETE /api/v26.2/session SUCCESS',
    ]);
    await expect(client.getUser('me')).rejects.toMatchObject({ code: 'client-closed' });
  });

  it('sends nothing when it never logged in', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    await client.end();
    expect(sim.requestLog()).toEqual([]);
  });

  it('leaves a ready VAULT_SESSION_ID alone: it belongs to whoever gave it', async () => {
    const sim = await simulator();
    const { client: first } = clientFor(sim);
    const session = await first.session();
    const { client } = clientFor(sim, { credentials: { sessionId: session.sessionId } });
    await client.getUser('me');
    await client.end();
    expect(calls(sim, 'DELETE', '/session')).toEqual([]);
    // The session still works for its owner.
    expect((await first.getUser('me')).user_name__v).toBe(ADMIN);
    first.close();
  });

  it('does not log in again to end a session Vault already ended', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    await client.getUser('me');
    sim.expireSessions();
    await client.end();
    expect(calls(sim, 'POST', '/auth').length).toBe(1);
    expect(calls(sim, 'DELETE', '/session').map((e) => e.errorTypes)).toEqual([['INVALID_SESSION_ID']]);
  });
});
