import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatClientEvent } from '../../src/vault/events.js';
import { readLiveState } from '../../src/vault/live-state.js';
import { ADMIN, clientFor, simulator } from './support.js';

const PASSWORD = 'Known-Secret-Pa55word-7731';

describe('redaction', () => {
  it('never lets the password or a session id into events, debug lines or errors of a full run', async () => {
    const sim = await simulator({ adminPassword: PASSWORD, faults: 'seed=2,http500=0.1,expire-session-every=4' });
    const { client, events } = clientFor(sim, { credentials: { username: ADMIN, password: PASSWORD } });
    const secrets = new Set<string>([PASSWORD]);
    const captured: unknown[] = [];

    secrets.add((await client.session()).sessionId);
    const live = await readLiveState(client, { promotions: true });
    expect(live.users.size).toBeGreaterThan(0);
    const results = await client.createUsers(
      [
        {
          key: 'redact.me@veepharm.com',
          values: {
            first_name: 'Red',
            last_name: 'Act',
            email: 'redact.me@veepharm.com',
            timezone: 'America/New_York',
            locale: 'en_US',
            language: 'en',
            security_policy: '821',
          },
        },
      ],
      { sentBefore: true },
    );
    expect(results).toEqual([{ ok: true, id: expect.stringMatching(/^\d+$/) as string }]);
    captured.push(results);
    secrets.add((await client.session()).sessionId);
    // Errors: a Vault refusal with the live session, and a failed login with a wrong password.
    captured.push(await client.getUser(999_999).catch((e: unknown) => e));
    const { client: wrong, events: wrongEvents } = clientFor(sim, { credentials: { username: ADMIN, password: `${PASSWORD}-wrong` } });
    secrets.add(`${PASSWORD}-wrong`);
    captured.push(await wrong.session().catch((e: unknown) => e));
    // A ready session id that has expired.
    const { sessionId } = await client.session();
    sim.expireSessions();
    const { client: ready } = clientFor(sim, { credentials: { sessionId } });
    captured.push(await ready.getUser('me').catch((e: unknown) => e));

    expect(events.some((e) => e.type === 'auth' && e.action === 'reauth')).toBe(true);
    expect(captured.filter((c) => c instanceof Error)).toHaveLength(3);
    const output = [
      JSON.stringify(events),
      JSON.stringify(wrongEvents),
      events.map(formatClientEvent).join('\n'),
      wrongEvents.map(formatClientEvent).join('\n'),
      ...captured.map((c) => inspect(c, { depth: 10, showHidden: true })),
      ...captured.map((c) => (c instanceof Error ? `${c.message} ${String((c as { hint?: string }).hint)}` : '')),
      JSON.stringify(sim.requestLog()),
    ].join('\n');
    expect(secrets.size).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
