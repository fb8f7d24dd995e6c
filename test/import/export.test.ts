import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_FILE_BYTES } from '../../src/desired/source-file.js';
import { parseSubset } from '../../src/desired/yaml-subset.js';
import { IMPORT_FILE_BUDGET_BYTES, exportDesiredState, type ImportOptions } from '../../src/import/index.js';
import type { LiveState, LiveUser } from '../../src/model.js';

function liveUser(name: string, fields: LiveUser['fields']): LiveUser {
  return {
    id: 1,
    user_name: name,
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: name,
    timezone: 'America/New_York',
    locale: 'en_US',
    language: 'en',
    security_policy: '821',
    fields,
    memberships: [{ vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: {} }],
  };
}

function liveState(users: readonly LiveUser[]): LiveState {
  return {
    vault_id: 5005,
    authenticated_user: 'admin@veepharm.com',
    users: new Map(users.map((u) => [u.user_name, u])),
    vault_ids: [3003, 5005],
    security_policies: ['821'],
    persons: new Map(),
    licenses: [],
    sitevault: new Map(),
  };
}

function exportedFields(fields: LiveUser['fields']): unknown {
  const live = liveState([liveUser('ada@veepharm.com', fields)]);
  const result = exportDesiredState(live, { target: { api_version: 'v26.2' }, splitBy: 'none', specsPath: 'specs', protectedUsers: [] });
  const file = parse(result.files.get('users/users.yaml') ?? '') as { users: { fields?: unknown }[] };
  return file.users[0]?.fields;
}

describe('exportDesiredState: which extra fields become desired state', () => {
  it.each([
    ['custom and standard access fields are kept', { company__v: 'VeePharm', site__c: 'Boston' }, { company__v: 'VeePharm', site__c: 'Boston' }],
    ['empty and null values are left out', { company__v: '', site__c: null }, undefined],
    ['a forced password change is not pinned (true)', { user_needs_to_change_password__v: true, company__v: 'VeePharm' }, { company__v: 'VeePharm' }],
    ['nor its everyday value (false)', { user_needs_to_change_password__v: false }, undefined],
  ])('%s', (_case, fields, expected) => {
    expect(exportedFields(fields)).toEqual(expected);
  });
});

/** `count` users, a third of them with vault 3003 first; `padding` characters of title each. */
function manyUsers(count: number, padding = 0): LiveUser[] {
  return Array.from({ length: count }, (_, i) => {
    const user = liveUser(`user${String(i).padStart(6, '0')}@veepharm.com`, padding > 0 ? { title__c: `${i} ${'x'.repeat(padding)}` } : {});
    return i % 3 === 0 ? { ...user, memberships: [{ ...user.memberships[0]!, vault_id: 3003 }] } : user;
  });
}

/** User names per users file, in file order, after checking every file against `limit`. */
function usersByFile(files: ReadonlyMap<string, string>, limit: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, text] of files) {
    expect(Buffer.byteLength(text), path).toBeLessThanOrEqual(limit);
    if (!path.startsWith('users/')) continue;
    const doc = parseSubset(text);
    if (doc === undefined) throw new Error(`${path} is not plain YAML`);
    out.set(path, (doc.data.users as { user_name: string }[]).map((u) => u.user_name));
  }
  return out;
}

describe('exportDesiredState: files stay within the size budget', () => {
  const options = (splitBy: ImportOptions['splitBy'], maxFileBytes?: number): ImportOptions => ({
    target: { api_version: 'v26.2' },
    splitBy,
    specsPath: 'specs',
    protectedUsers: [],
    ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
  });

  it.each([
    ['none', ['users/users-01.yaml', 'users/users-02.yaml', 'users/users-03.yaml']],
    ['vault', ['users/vault-3003.yaml', 'users/vault-5005-01.yaml', 'users/vault-5005-02.yaml']],
  ] as const)('--split-by %s splits a group that does not fit into numbered parts, every user once, in order', (splitBy, expected) => {
    const users = manyUsers(1200);
    const budget = 64 * 1024;
    const result = exportDesiredState(liveState(users), options(splitBy, budget));
    const byFile = usersByFile(result.files, budget);
    expect([...byFile.keys()].sort()).toEqual(expected);
    const all = [...byFile.keys()].sort().flatMap((path) => byFile.get(path) ?? []);
    const names = users.map((u) => u.user_name);
    const wanted = splitBy === 'none' ? names : [...names.filter((_, i) => i % 3 === 0), ...names.filter((_, i) => i % 3 !== 0)];
    expect(all).toEqual(wanted);
    expect(result.users).toBe(1200);
  });

  it('keeps one file per group when it fits (the names import always used)', () => {
    const result = exportDesiredState(liveState(manyUsers(30)), options('vault'));
    expect([...result.files.keys()].sort()).toEqual(['roster.yaml', 'users/vault-3003.yaml', 'users/vault-5005.yaml']);
  });

  it('with the default budget (half the loader limit), a users file over it is split into parts within it', () => {
    // 2,500 users with 7 kB of title each: about 18 MB in one file without the split.
    const result = exportDesiredState(liveState(manyUsers(2_500, 7_000)), options('none'));
    expect(IMPORT_FILE_BUDGET_BYTES).toBeLessThan(MAX_FILE_BYTES);
    const counts = [...result.files].map(([path, text]) => {
      expect(Buffer.byteLength(text), path).toBeLessThanOrEqual(IMPORT_FILE_BUDGET_BYTES);
      return [path, text.split('\n  - user_name: ').length - 1] as const;
    });
    expect(counts.map(([path]) => path).sort()).toEqual(['roster.yaml', 'users/users-01.yaml', 'users/users-02.yaml']);
    expect(counts.reduce((n, [, users]) => n + users, 0)).toBe(2_500);
  });
});
