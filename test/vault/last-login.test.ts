import { describe, expect, it } from 'vitest';
import { lastLoginOf, readLiveState } from '../../src/vault/live-state.js';
import { liveRecordDigest } from '../../src/plan/digest.js';
import { ADMIN, clientFor, seedWithUsers, simulator } from './support.js';

describe('lastLoginOf: every reading of last_login__v kept apart', () => {
  it.each([
    [{}, { kind: 'not_reported' }],
    [{ last_login__v: null }, { kind: 'never' }],
    [{ last_login__v: '2022-05-23T20:49:06.000Z' }, { kind: 'at', at: '2022-05-23T20:49:06.000Z' }],
    [{ last_login__v: '2022-05-23T20:49:06Z' }, { kind: 'at', at: '2022-05-23T20:49:06.000Z' }],
    [{ last_login__v: '2022-05-23' }, { kind: 'unreadable', excerpt: '"2022-05-23"' }],
    [{ last_login__v: '2022-13-40T99:00:00Z' }, { kind: 'unreadable', excerpt: '"2022-13-40T99:00:00Z"' }],
    [{ last_login__v: 1653338946000 }, { kind: 'unreadable', excerpt: '1653338946000' }],
    [{ last_login__v: '' }, { kind: 'unreadable', excerpt: '""' }],
  ])('%j → %j', (raw, expected) => {
    expect(lastLoginOf(raw)).toEqual(expected);
  });
});

describe('last login over HTTP', () => {
  it('reads what the simulator reports, and a login changes it without changing the digest', async () => {
    const sim = await simulator({ seed: seedWithUsers(1) });
    const first = await readLiveState(clientFor(sim).client, { promotions: false });
    const before = first.users.get(ADMIN);
    expect(first.users.get('user000000@veepharm.com')?.last_login).toEqual({ kind: 'never' });
    // The reading session logged the admin in: the simulator stamps its clock's time.
    expect(before?.last_login?.kind).toBe('at');

    const second = await readLiveState(clientFor(sim).client, { promotions: false });
    const after = second.users.get(ADMIN);
    expect(after?.last_login?.kind).toBe('at');
    expect(liveRecordDigest(after)).toBe(liveRecordDigest(before));
    expect(liveRecordDigest({ ...after!, last_login: { kind: 'never' } })).toBe(liveRecordDigest(before));
  });
});
