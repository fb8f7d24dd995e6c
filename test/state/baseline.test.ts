import { describe, expect, it } from 'vitest';
import { entryDigest, unchangedSinceBaseline } from '../../src/plan/index.js';
import { nextBaseline } from '../../src/state/index.js';
import { DEFAULT_POLICY, type DesiredState, type DesiredUser } from '../../src/model.js';

const user = (name: string, title: string, line = 1): DesiredUser => ({
  user_name: name,
  first_name: 'A',
  fields: { user_title__v: title },
  source: { file: 'users/a.yaml', line, col: 5 },
});

const desired = (users: DesiredUser[]): DesiredState => ({
  config_path: '/repo/roster.yaml',
  target: { api_version: 'v25.2' },
  policy: { ...DEFAULT_POLICY, unmanaged_users: 'deactivate' },
  state_path: '/repo/.vault-roster/state.json',
  users,
  sitevault: [],
  files: [],
});

describe('drift baseline', () => {
  it('a digest ignores where an entry was declared but not what it declares', () => {
    expect(entryDigest(user('a@x.com', 'T', 1))).toBe(entryDigest(user('a@x.com', 'T', 99)));
    expect(entryDigest(user('a@x.com', 'T'))).not.toBe(entryDigest(user('a@x.com', 'U')));
  });

  it('failed users keep their previous digest; others take today’s', () => {
    const before = nextBaseline(undefined, desired([user('a@x.com', 'old'), user('b@x.com', 'old')]), ['a@x.com'], new Set(), 't0');
    const after = nextBaseline(before, desired([user('a@x.com', 'new'), user('b@x.com', 'new')]), ['a@x.com', 'b@x.com', 'a@x.com'], new Set(['b@x.com']), 't1');
    expect(after.users['a@x.com']).toBe(entryDigest(user('a@x.com', 'new')));
    expect(after.users['b@x.com']).toBe(entryDigest(user('b@x.com', 'old')));
    expect(after.live_users).toEqual(['a@x.com', 'b@x.com']);
    expect(after.applied_at).toBe('t1');
  });

  it('restricts the desired state to unchanged entries and never treats the rest as unmanaged', () => {
    const base = nextBaseline(undefined, desired([user('a@x.com', 'T'), user('b@x.com', 'T')]), [], new Set(), 't0');
    const now = unchangedSinceBaseline(desired([user('a@x.com', 'T'), user('b@x.com', 'edited')]), base);
    expect(now.users.map((u) => u.user_name)).toEqual(['a@x.com']);
    expect(now.policy.unmanaged_users).toBe('ignore');
  });
});
