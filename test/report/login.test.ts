import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import { daysSinceLogin, loginStanding } from '../../src/report/index.js';

const AS_OF = '2026-06-30T12:00:00.000Z';

describe('days since last login', () => {
  it.each([
    ['the same instant', '2026-06-30T12:00:00.000Z', 0],
    ['one second short of a day', '2026-06-29T12:00:01.000Z', 0],
    ['exactly one day', '2026-06-29T12:00:00.000Z', 1],
    ['90 days', '2026-04-01T12:00:00.000Z', 90],
    ['a login after the clock (skew) is today', '2026-07-01T00:00:00.000Z', 0],
  ])('%s', (_name, at, days) => {
    expect(daysSinceLogin(at, AS_OF)).toBe(days);
  });

  it('refuses text that is not an instant', () => {
    expect(() => daysSinceLogin('yesterday', AS_OF)).toThrow(RangeError);
  });
});

describe('login standing against a threshold', () => {
  it.each([
    ['a login 89 days ago is recent', { kind: 'at', at: '2026-04-02T12:00:00.000Z' } as const, { kind: 'recent', at: '2026-04-02T12:00:00.000Z', days: 89 }],
    ['a login 90 days ago is dormant', { kind: 'at', at: '2026-04-01T12:00:00.000Z' } as const, { kind: 'dormant', at: '2026-04-01T12:00:00.000Z', days: 90 }],
    ['null is never', { kind: 'never' } as const, { kind: 'never' }],
    ['a missing key is not reported, never "never"', { kind: 'not_reported' } as const, { kind: 'not_reported' }],
    ['a record not read from a listing is not reported', undefined, { kind: 'not_reported' }],
  ])('%s', (_name, login, standing) => {
    expect(loginStanding('kate@veepharm.com', login, AS_OF, 90)).toEqual(standing);
  });

  it('stops on an unreadable value, naming the user, the field and the excerpt', () => {
    let caught: unknown;
    try {
      loginStanding('kate@veepharm.com', { kind: 'unreadable', excerpt: '"last tuesday"' }, AS_OF, 90);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VaultRosterError);
    const error = caught as VaultRosterError;
    expect(error.code).toBe('vault-decode');
    expect(error.message).toBe('user kate@veepharm.com: last_login__v "last tuesday" from GET /api/…/objects/users (Retrieve All Users) is not an ISO-8601 instant or null; the report cannot tell when this user last logged in');
    expect(error.hint).toMatch(/Admin > Users/);
  });

  it('is dormant exactly when the whole days since the login reach the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 * 86_400 }), fc.integer({ min: 1, max: 3650 }), (secondsAgo, threshold) => {
        const at = new Date(Date.parse(AS_OF) - secondsAgo * 1000).toISOString();
        const standing = loginStanding('u', { kind: 'at', at }, AS_OF, threshold);
        expect(standing.kind).toBe(Math.floor(secondsAgo / 86_400) >= threshold ? 'dormant' : 'recent');
      }),
    );
  });
});
