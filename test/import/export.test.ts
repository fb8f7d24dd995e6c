import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportDesiredState } from '../../src/import/index.js';
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

function exportedFields(fields: LiveUser['fields']): unknown {
  const live: LiveState = {
    vault_id: 5005,
    authenticated_user: 'admin@veepharm.com',
    users: new Map([['ada@veepharm.com', liveUser('ada@veepharm.com', fields)]]),
    vault_ids: [5005],
    security_policies: ['821'],
    persons: new Map(),
    licenses: [],
    sitevault: new Map(),
  };
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
