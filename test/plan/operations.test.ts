import { describe, expect, it } from 'vitest';
import type { DesiredUser, LiveUser } from '../../src/model.js';
import { burstLimitNote, packRows, type Operation, type Plan } from '../../src/plan/index.js';
import { wireCall } from '../helpers/wire.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, liveState, liveUser, omit, planOf } from './fixtures.js';

const KATE = 'kate.grossman@veepharm.com';
const M3003 = { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } } as const;
const M4004 = { vault_id: 4004, active: true, security_profile: 'read_only_user__v', license_type: 'read_only__v', apps: { rimSubs_v: { active: true, license_type: 'read_only__v' } } } as const;
const M5005 = { vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v' } as const;

function planFor(desired: Partial<DesiredUser>, live: Partial<LiveUser> | null): Plan {
  const liveUsers = live === null ? [ADMIN] : [ADMIN, liveUser(KATE, 25001, live)];
  return planOf(desiredState({ users: [ADMIN_DESIRED, desiredUser(KATE, desired)] }), liveState({ users: liveUsers }));
}

/** How each kind's call is sent: the verb and the body format people know it by. */
const SHAPE: Record<Operation['kind'], [string, string]> = {
  create_users: ['create', 'json-array'],
  upsert_users: ['upsert', 'json-array'],
  update_users: ['update', 'json-array'],
  update_user: ['update', 'form'],
  promote_persons: ['promote', 'json-array'],
  sitevault_create: ['sitevault_create', 'json-array'],
  sitevault_edit: ['sitevault_edit', 'json-object'],
  create_group: ['create group', 'form'],
  update_group: ['update group', 'form'],
  add_group_members: ['add members', 'form'],
  remove_group_members: ['remove members', 'form'],
};

/** Operations as the requests the client sends for them (without ids), for readable expectations. */
function calls(plan: Plan): unknown[] {
  return plan.operations.map((o) => {
    const wire = wireCall(o, 3003);
    const query = wire.query === undefined ? '' : `?${new URLSearchParams(wire.query).toString()}`;
    expect(o.call).toBe(`${wire.method} ${wire.path}${query}`);
    return { kind: SHAPE[o.kind][0], call: o.call, format: SHAPE[o.kind][1], depends_on: o.depends_on, bodies: wire.bodies };
  });
}

function expectBatchesSound(operations: readonly Operation[]): void {
  const ids = new Set<string>();
  for (const op of operations) {
    expect(op.rows.length).toBeGreaterThan(0);
    expect(op.rows.length).toBeLessThanOrEqual(500);
    expect(new Set(op.rows.map((r) => r.key)).size).toBe(op.rows.length);
    for (const dep of op.depends_on) expect(ids.has(dep), `${op.id} depends on earlier ${dep}`).toBe(true);
    ids.add(op.id);
  }
}

describe('choosing calls for existing users', () => {
  const cases: Record<string, { desired: Partial<DesiredUser>; live?: Partial<LiveUser>; calls: unknown[] }> = {
    'field change → bulk PUT row keyed by id': {
      desired: { first_name: 'Katherine', fields: { company__v: 'Veeva' } },
      calls: [{ kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: [], bodies: [{ id: 25001, user_first_name__v: 'Katherine', company__v: 'Veeva' }] }],
    },
    'cleared value → single-user PUT with null': {
      desired: { fields: { company__v: null } },
      calls: [{ kind: 'update', call: 'PUT /objects/users/25001', format: 'form', depends_on: [], bodies: [{ company__v: null }] }],
    },
    'domain admin → single-user PUT': {
      desired: { domain_admin: true },
      calls: [{ kind: 'update', call: 'PUT /objects/users/25001', format: 'form', depends_on: [], bodies: [{ is_domain_admin__v: true }] }],
    },
    'deactivate → single-user PUT domain_active__v=false': {
      desired: { active: false },
      calls: [{ kind: 'update', call: 'PUT /objects/users/25001', format: 'form', depends_on: [], bodies: [{ domain_active__v: false }] }],
    },
    'profile change → vault_membership with all four parts': {
      desired: { memberships: [{ ...M3003, security_profile: 'system_admin__v' }] },
      calls: [{ kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: [], bodies: [{ id: 25001, vault_membership: '3003:true:system_admin__v:full__v' }] }],
    },
    'dropped vault → membership inactive, profile and license kept': {
      desired: { memberships: [M3003] },
      live: { memberships: [M3003, M4004] },
      calls: [{ kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: [], bodies: [{ id: 25001, vault_membership: '4004:false:read_only_user__v:read_only__v' }] }],
    },
    'app license change → upsert keyed by id, changed apps only': {
      desired: { memberships: [{ ...M3003, apps: { rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: true, license_type: 'read_only__v' } } }] },
      calls: [
        { kind: 'upsert', call: 'POST /objects/users?operation=upsert&idParam=id', format: 'json-array', depends_on: [], bodies: [{ id: 25001, app_licensing: '3003|rimSubs_v:true:read_only__v' }] },
      ],
    },
    'added vault with apps → bulk PUT, then app upsert after it': {
      desired: { memberships: [M3003, M4004] },
      calls: [
        { kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: [], bodies: [{ id: 25001, vault_membership: '4004:true:read_only_user__v:read_only__v' }] },
        { kind: 'upsert', call: 'POST /objects/users?operation=upsert&idParam=id', format: 'json-array', depends_on: ['op-001'], bodies: [{ id: 25001, app_licensing: '4004|rimSubs_v:true:read_only__v' }] },
      ],
    },
    'changes in two vaults → two batches, fields in the first row': {
      desired: { first_name: 'K', memberships: [{ ...M3003, license_type: 'read_only__v', apps: { rimReg_v: { active: true, license_type: 'read_only__v' } } }, M5005] },
      calls: [
        { kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: [], bodies: [{ id: 25001, user_first_name__v: 'K', vault_membership: '3003:true:document_user__v:read_only__v' }] },
        { kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: [], bodies: [{ id: 25001, vault_membership: '5005:true:document_user__v:full__v' }] },
        { kind: 'upsert', call: 'POST /objects/users?operation=upsert&idParam=id', format: 'json-array', depends_on: ['op-001', 'op-002'], bodies: [{ id: 25001, app_licensing: '3003|rimReg_v:true:read_only__v' }] },
      ],
    },
    'reactivate → domain PUT, then memberships re-sent active': {
      desired: { memberships: [M3003, M5005] },
      live: { active: false, memberships: [M3003, { ...M5005, apps: {} }] },
      calls: [
        { kind: 'update', call: 'PUT /objects/users/25001', format: 'form', depends_on: [], bodies: [{ domain_active__v: true }] },
        { kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: ['op-001'], bodies: [{ id: 25001, vault_membership: '3003:true:document_user__v:full__v' }] },
        { kind: 'update', call: 'PUT /objects/users', format: 'json-array', depends_on: ['op-001'], bodies: [{ id: 25001, vault_membership: '5005:true:document_user__v:full__v' }] },
      ],
    },
  };
  it.each(Object.entries(cases))('%s', (_name, c) => {
    expect(calls(planFor(c.desired, c.live ?? {}))).toEqual(c.calls);
  });

  it('revokes domain admin only after granting it to someone else', () => {
    const bob = 'bob@veepharm.com';
    const desired = desiredState({ users: [desiredUser(KATE, { domain_admin: false }), desiredUser(bob, { domain_admin: true })] });
    const live = liveState({ users: [liveUser(KATE, 25001, { domain_admin: true }), liveUser(bob, 25002)], authenticated_user: 'someone@else.com' });
    const plan = planOf(desired, live);
    const grant = plan.operations.find((o) => o.call === 'PUT /objects/users/25002');
    const revoke = plan.operations.find((o) => o.call === 'PUT /objects/users/25001');
    expect(revoke?.depends_on).toContain(grant?.id);
    expect(plan.diagnostics.filter((d) => d.code === 'guard-last-domain-admin')).toEqual([]);
  });
});

describe('choosing calls for new users', () => {
  it('creates in the session vault with one membership, then upserts the other vaults by user name', () => {
    const plan = planFor({ domain_admin: true, memberships: [M4004, M3003] }, null);
    expect(calls(plan)).toEqual([
      {
        kind: 'create',
        call: 'POST /objects/users',
        format: 'json-array',
        depends_on: [],
        bodies: [
          {
            user_name__v: KATE,
            user_first_name__v: 'Kate',
            user_last_name__v: 'Grossman',
            user_email__v: KATE,
            user_timezone__v: 'America/New_York',
            user_locale__v: 'en_US',
            user_language__v: 'en',
            security_policy_id__v: '821',
            license_type__v: 'full__v',
            is_domain_admin__v: true,
            company__v: 'VeevaPharm',
            security_profile__v: 'document_user__v',
            vault_membership: '3003:true:document_user__v:full__v',
            app_licensing: '3003|rimReg_v:true:full__v',
          },
        ],
      },
      {
        kind: 'upsert',
        call: 'POST /objects/users?operation=upsert&idParam=user_name__v',
        format: 'json-array',
        depends_on: ['op-001'],
        bodies: [{ user_name__v: KATE, vault_membership: '4004:true:read_only_user__v:read_only__v', app_licensing: '4004|rimSubs_v:true:read_only__v' }],
      },
    ]);
  });

  it('creates a user outside the session vault without a row-level profile', () => {
    const plan = planFor({ memberships: [M4004] }, null);
    const body = wireCall(plan.operations[0]!, 3003).bodies[0];
    expect(body?.vault_membership).toBe('4004:true:read_only_user__v:read_only__v');
    expect(body).not.toHaveProperty('security_profile__v');
  });

  it('reports required fields missing for a create', () => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, omit(desiredUser(KATE), 'timezone', 'locale')] }), liveState({ users: [ADMIN] }));
    expect(plan.diagnostics.map((d) => [d.code, d.severity, d.subject?.field])).toEqual([['create-missing-field', 'error', 'timezone,locale']]);
  });

  it('puts 10,000 new users of one vault into exactly 20 creates of 500', () => {
    const users = Array.from({ length: 10_000 }, (_, i) => desiredUser(`user${String(i).padStart(5, '0')}@veepharm.com`, { memberships: [M3003] }));
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, ...users] }), liveState({ users: [ADMIN] }));
    expect(plan.operations).toHaveLength(20);
    expect(plan.operations.every((o) => o.kind === 'create_users' && o.rows.length === 500)).toBe(true);
    expect(plan.summary.api_calls).toBe(20);
    expect(burstLimitNote(plan.summary.api_calls, plan.summary.burst_limit)).toBe('20 API calls, within the burst limit of 2,000 calls per 5 minutes.');
    expectBatchesSound(plan.operations);
  });

  it('spreads 600 users × 3 changed vaults over the fewest batches, none above 500, no user twice', () => {
    const users = Array.from({ length: 600 }, (_, i) => `u${String(i).padStart(3, '0')}@veepharm.com`);
    const want = [
      { ...M3003, security_profile: 'system_admin__v' },
      { ...M4004, license_type: 'full__v' as const },
      { ...M5005, active: false },
    ];
    const desired = desiredState({ users: [ADMIN_DESIRED, ...users.map((u) => desiredUser(u, { memberships: want }))] });
    const live = liveState({ users: [ADMIN, ...users.map((u, i) => liveUser(u, 30000 + i, { memberships: [M3003, M4004, { ...M5005, apps: {} }] }))] });
    const plan = planOf(desired, live);
    const updates = plan.operations.filter((o) => o.kind === 'update_users');
    expect(updates).toHaveLength(Math.ceil(1800 / 500));
    expectBatchesSound(plan.operations);
  });

  it.each([
    [0, 2000, 'No API calls needed.'],
    [1, 2000, '1 API call, within the burst limit of 2,000 calls per 5 minutes.'],
    [4500, 2000, '4,500 API calls exceed the burst limit of 2,000 calls per 5 minutes: apply paces itself, so expect it to span at least 3 windows (about 10 minutes or more).'],
  ] as const)('notes %i calls against a burst limit of %i', (count, limit, note) => {
    expect(burstLimitNote(count, limit)).toBe(note);
  });

  it('compares the plan\'s calls with the burst limit it is given', () => {
    const users = Array.from({ length: 3 }, (_, i) => desiredUser(`n${i}@veepharm.com`, { domain_admin: true }));
    const live = liveState({ users: [ADMIN, ...users.map((u, i) => liveUser(u.user_name, 100 + i))] });
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, ...users] }), live, { burst_limit: 2 });
    expect(plan.summary.api_calls).toBe(3);
    expect(plan.summary.burst_limit).toBe(2);
    expect(burstLimitNote(plan.summary.api_calls, plan.summary.burst_limit)).toMatch(/^3 API calls exceed the burst limit of 2 calls/);
  });
});

describe('packRows', () => {
  it.each([
    ['empty', [], 0],
    ['one key once', ['a'], 1],
    ['501 distinct keys', Array.from({ length: 501 }, (_, i) => `k${i}`), 2],
    ['one key 3 times', ['a', 'a', 'a'], 3],
    ['1,000 keys × 2', Array.from({ length: 2000 }, (_, i) => `k${i % 1000}`), 4],
  ] as const)('%s', (_name, keys, batches) => {
    const packed = packRows(keys.map((key) => ({ key, values: {} })));
    expect(packed).toHaveLength(batches);
    expect(packed.flat()).toHaveLength(keys.length);
    for (const batch of packed) {
      expect(batch.length).toBeLessThanOrEqual(500);
      expect(new Set(batch.map((r) => r.key)).size).toBe(batch.length);
    }
  });
});
