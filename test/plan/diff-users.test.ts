import { describe, expect, it } from 'vitest';
import type { DesiredUser, LiveUser } from '../../src/model.js';
import type { ChangeAction, FieldChange } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, liveState, liveUser, omit, planOf } from './fixtures.js';

const KATE = 'kate.grossman@veepharm.com';
const M3003 = { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } } as const;
const M4004 = { vault_id: 4004, active: true, security_profile: 'read_only_user__v', license_type: 'read_only__v', apps: { rimSubs_v: { active: true, license_type: 'read_only__v' } } } as const;

interface DiffCase {
  readonly desired: Partial<DesiredUser>;
  /** Properties left out of YAML. */
  readonly unset?: readonly (keyof DesiredUser)[];
  readonly live: Partial<LiveUser>;
  /** Properties Vault did not report. */
  readonly unsetLive?: readonly (keyof LiveUser)[];
  /** null: no change expected. */
  readonly action: ChangeAction | null;
  readonly fields?: readonly FieldChange[];
}

const cases: Record<string, DiffCase> = {
  'identical records': { desired: {}, live: {}, action: null },
  'first name changed': {
    desired: { first_name: 'Katherine' },
    live: {},
    action: 'update',
    fields: [{ path: 'first_name', before: 'Kate', after: 'Katherine' }],
  },
  'first name case is drift': { desired: { first_name: 'KATE' }, live: {}, action: 'update', fields: [{ path: 'first_name', before: 'Kate', after: 'KATE' }] },
  'e-mail case is not drift': { desired: { email: 'Kate.Grossman@VeePharm.com' }, live: {}, action: null },
  'surrounding whitespace is not drift': { desired: { first_name: '  Kate ', fields: { company__v: 'VeevaPharm ' } }, live: {}, action: null },
  'field absent from YAML is not shown': {
    desired: { fields: {} },
    unset: ['first_name'],
    live: { first_name: 'Somebody', fields: { company__v: 'Other', site__v: 'Boston' } },
    action: null,
  },
  'extra field changed': {
    desired: { fields: { company__v: 'Veeva' } },
    live: {},
    action: 'update',
    fields: [{ path: 'fields.company__v', before: 'VeevaPharm', after: 'Veeva' }],
  },
  'extra field added': {
    desired: { fields: { company__v: 'VeevaPharm', user_title__v: 'PM' } },
    live: {},
    action: 'update',
    fields: [{ path: 'fields.user_title__v', before: null, after: 'PM' }],
  },
  'extra field cleared': {
    desired: { fields: { company__v: null } },
    live: {},
    action: 'update',
    fields: [{ path: 'fields.company__v', before: 'VeevaPharm', after: null }],
  },
  'clearing an empty field is no change': { desired: { fields: { company__v: null } }, live: { fields: { company__v: '' } }, action: null },
  'number and numeric text are the same': { desired: { fields: { office_phone__v: 5551234 } }, live: { fields: { office_phone__v: '5551234' } }, action: null },
  'security policy changed': { desired: { security_policy: '822' }, live: {}, action: 'update', fields: [{ path: 'security_policy', before: '821', after: '822' }] },
  // The user-level license is a ceiling and a default in YAML; Vault's license_type__v is per vault.
  'user-level license type is never compared': { desired: { license_type: 'read_only__v', memberships: [] }, live: { memberships: [] }, action: null },
  'license type Vault does not report is not compared': { desired: { license_type: 'read_only__v' }, live: {}, unsetLive: ['license_type'], action: null },
  'domain admin granted': { desired: { domain_admin: true }, live: {}, action: 'update', fields: [{ path: 'domain_admin', before: false, after: true }] },
  'deactivated': { desired: { active: false }, live: {}, action: 'deactivate', fields: [{ path: 'active', before: true, after: false }] },
  'reactivated': { desired: {}, live: { active: false }, action: 'reactivate', fields: [{ path: 'active', before: false, after: true }] },
  'security profile changed': {
    desired: { memberships: [{ ...M3003, security_profile: 'system_admin__v' }] },
    live: {},
    action: 'update',
    fields: [{ path: 'memberships[3003].security_profile', before: 'document_user__v', after: 'system_admin__v' }],
  },
  'membership license changed': {
    desired: { memberships: [{ ...M3003, license_type: 'read_only__v', apps: { rimReg_v: { active: true, license_type: 'read_only__v' } } }] },
    live: {},
    action: 'update',
    fields: [
      { path: 'memberships[3003].license_type', before: 'full__v', after: 'read_only__v' },
      { path: 'memberships[3003].apps.rimReg_v', before: { active: true, license_type: 'full__v' }, after: { active: true, license_type: 'read_only__v' } },
    ],
  },
  'membership made inactive': {
    desired: { memberships: [{ ...M3003, active: false }] },
    live: {},
    action: 'update',
    fields: [{ path: 'memberships[3003].active', before: true, after: false }],
  },
  'vault added': {
    desired: { memberships: [M3003, M4004] },
    live: {},
    action: 'update',
    fields: [
      { path: 'memberships[4004].active', before: null, after: true },
      { path: 'memberships[4004].security_profile', before: null, after: 'read_only_user__v' },
      { path: 'memberships[4004].license_type', before: null, after: 'read_only__v' },
      { path: 'memberships[4004].apps.rimSubs_v', before: null, after: { active: true, license_type: 'read_only__v' } },
    ],
  },
  'vault missing from YAML is set inactive, never removed': {
    desired: { memberships: [M3003] },
    live: { memberships: [M3003, M4004] },
    action: 'update',
    fields: [{ path: 'memberships[4004].active', before: true, after: false }],
  },
  'vault missing from YAML and already inactive': { desired: { memberships: [M3003] }, live: { memberships: [M3003, { ...M4004, active: false }] }, action: null },
  'memberships unmanaged': { desired: {}, unset: ['memberships'], live: { memberships: [M3003, M4004] }, action: null },
  'app license changed': {
    desired: { memberships: [{ ...M3003, apps: { rimReg_v: { active: true, license_type: 'read_only__v' } } }] },
    live: {},
    action: 'update',
    fields: [{ path: 'memberships[3003].apps.rimReg_v', before: { active: true, license_type: 'full__v' }, after: { active: true, license_type: 'read_only__v' } }],
  },
  'live app missing from YAML turns inactive': {
    desired: { memberships: [M3003] },
    live: { memberships: [{ ...M3003, apps: { ...M3003.apps, rimSubs_v: { active: true, license_type: 'full__v' } } }] },
    action: 'update',
    fields: [{ path: 'memberships[3003].apps.rimSubs_v', before: { active: true, license_type: 'full__v' }, after: { active: false, license_type: 'full__v' } }],
  },
  'disabled user: membership active flags are not compared': {
    desired: { active: false, memberships: [M3003] },
    live: { active: false, memberships: [{ ...M3003, active: false }, { ...M4004, active: true }] },
    action: null,
  },
  'deactivating leaves memberships alone': {
    desired: { active: false, memberships: [{ ...M3003, active: false }] },
    live: {},
    action: 'deactivate',
    fields: [{ path: 'active', before: true, after: false }],
  },
  'reactivating re-activates memberships Vault turned off': {
    desired: { active: true },
    live: { active: false, memberships: [{ ...M3003, active: false }] },
    action: 'reactivate',
    fields: [
      { path: 'active', before: false, after: true },
      { path: 'memberships[3003].active', before: false, after: true },
    ],
  },
  'apps unmanaged when YAML has no apps': {
    desired: { memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v' }] },
    live: { memberships: [{ ...M3003, apps: { qualityQms_v: { active: true, license_type: 'full__v' } } }] },
    action: null,
  },
};

describe('user diff', () => {
  it.each(Object.entries(cases))('%s', (_name, c) => {
    const desired = desiredState({ users: [ADMIN_DESIRED, omit(desiredUser(KATE, c.desired), ...(c.unset ?? []))] });
    const reported: Record<string, unknown> = { ...liveUser(KATE, 25001, c.live) };
    for (const key of c.unsetLive ?? []) Reflect.deleteProperty(reported, key);
    const live = liveState({ users: [ADMIN, reported as unknown as LiveUser] });
    const plan = planOf(desired, live);
    const change = plan.changes.find((ch) => ch.key === KATE);
    if (c.action === null) {
      expect(change).toBeUndefined();
      expect(plan.summary.unchanged).toBe(2);
      return;
    }
    expect(change?.action).toBe(c.action);
    expect(change?.fields).toEqual(c.fields);
    expect(plan.live_digests.users[KATE]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches user names case-insensitively', () => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, desiredUser('Kate.Grossman@VeePharm.com ')] }), liveState({ users: [ADMIN, liveUser(KATE, 25001)] }));
    expect(plan.changes).toEqual([]);
    expect(plan.summary.unchanged).toBe(2);
  });

  it('creates a user that is not in Vault, listing every managed field', () => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, desiredUser(KATE)] }), liveState({ users: [ADMIN] }));
    expect(plan.changes).toHaveLength(1);
    const change = plan.changes[0]!;
    expect(change).toMatchObject({ subject: 'user', key: KATE, action: 'create', source: { file: 'users/team.yaml', line: 3, col: 5 } });
    expect(change.fields.map((f) => f.path)).toEqual([
      'first_name', 'last_name', 'email', 'timezone', 'locale', 'language', 'security_policy', 'domain_admin', 'active',
      'fields.company__v', 'memberships[3003].active', 'memberships[3003].security_profile', 'memberships[3003].license_type', 'memberships[3003].apps.rimReg_v',
    ]);
    expect(change.fields.every((f) => f.before === null)).toBe(true);
    expect(plan.live_digests).toEqual({ users: { [KATE]: null }, persons: {}, sitevault: {} });
    expect(plan.summary).toMatchObject({ create: 1, unchanged: 1, api_calls: 1 });
  });

  it('does not create a user declared inactive', () => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, desiredUser(KATE, { active: false })] }), liveState({ users: [ADMIN] }));
    expect(plan.changes).toEqual([]);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(['inactive-user-not-created']);
  });

  it.each([
    ['security profile', { memberships: [{ ...M3003, security_profile: 'system_admin__v' }] }, ['admin', 'security_profile']],
    ['membership license', { memberships: [{ ...M3003, license_type: 'read_only__v' as const }] }, ['license']],
    ['app license', { memberships: [{ ...M3003, apps: { rimReg_v: { active: true, license_type: 'read_only__v' as const } } }] }, ['license']],
    ['domain admin', { domain_admin: true }, ['admin']],
    ['deactivation', { active: false }, ['deactivation']],
    ['lost vault', { memberships: [{ ...M3003, active: false }] }, ['deactivation']],
    ['plain field', { first_name: 'K' }, []],
  ] as const)('flags %s risks', (_name, over, risks) => {
    const live = 'license_type' in over ? { memberships: [] } : {};
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, desiredUser(KATE, over)] }), liveState({ users: [ADMIN, liveUser(KATE, 25001, live)] }));
    expect(plan.changes[0]?.risks).toEqual(risks);
  });
});

describe('unmanaged users', () => {
  const OTHER = liveUser('other@veepharm.com', 25002);
  const GONE = liveUser('gone@veepharm.com', 25003, { active: false });
  const live = liveState({ users: [ADMIN, OTHER, GONE] });

  it.each([
    ['ignore', [], []],
    ['report', [], ['unmanaged-users']],
    ['deactivate', ['other@veepharm.com'], []],
  ] as const)('policy %s', (policy, deactivated, codes) => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED], policy: { unmanaged_users: policy } }), live);
    expect(plan.changes.filter((c) => c.action === 'deactivate').map((c) => c.key)).toEqual(deactivated);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(codes);
    expect(plan.summary.unmanaged).toBe(2);
    if (policy === 'report') expect(plan.diagnostics[0]?.summary).toContain('other@veepharm.com');
    if (policy === 'report') expect(plan.diagnostics[0]?.summary).not.toContain('gone@veepharm.com');
  });

  it('never sweeps the authenticated user or a protected one', () => {
    const desired = desiredState({ users: [], policy: { unmanaged_users: 'deactivate', protected_users: ['other@veepharm.com'] } });
    const plan = planOf(desired, live);
    expect(plan.changes).toEqual([]);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(['unmanaged-user-spared']);
  });
});

describe('reference checks', () => {
  it('names the user and field of an unknown vault and an unknown security policy', () => {
    const user = desiredUser(KATE, { security_policy: '999', memberships: [M3003, { ...M4004, vault_id: 9999 }] });
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, user] }), liveState({ users: [ADMIN, liveUser(KATE, 25001)] }));
    const errors = plan.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.subject?.user, d.subject?.field])).toEqual([
      ['unknown-security-policy', KATE, 'security_policy'],
      ['unknown-vault', KATE, 'memberships[9999]'],
    ]);
    expect(errors[0]?.position).toEqual({ file: 'users/team.yaml', line: 3, col: 5 });
  });
});
