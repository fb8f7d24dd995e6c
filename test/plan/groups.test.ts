import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, desiredGroup, desiredState, desiredUser, liveGroup, liveState, liveUser, planOf } from './fixtures.js';

const KATE = 'kate@veepharm.com';
const BOB = 'bob@veepharm.com';
const NEW = 'new.hire@veepharm.com';
const kate = liveUser(KATE, 25001);
const bob = liveUser(BOB, 25002);
const users = [ADMIN_DESIRED, desiredUser(KATE), desiredUser(BOB)];

function ops(plan: Plan): unknown[] {
  return plan.operations.map((o) => ({ id: o.id, kind: o.kind, depends_on: o.depends_on, rows: o.rows }));
}

function codes(plan: Plan): string[] {
  return plan.diagnostics.map((d) => `${d.severity}:${d.code}`);
}

describe('group changes as operations', () => {
  it('creates a group, then adds existing members by id and a new user once it is created', () => {
    const plan = planOf(
      desiredState({ users: [...users, desiredUser(NEW)], groups: [desiredGroup('Cholecap Team', [KATE, NEW], { description: 'Brand team' })] }),
      liveState({ users: [ADMIN, kate, bob], groups: [] }),
    );
    expect(ops(plan)).toEqual([
      { id: 'op-001', kind: 'create_users', depends_on: [], rows: [expect.objectContaining({ key: NEW })] },
      { id: 'op-002', kind: 'create_group', depends_on: [], rows: [{ key: 'group:cholecap team', values: { label: 'Cholecap Team', description: 'Brand team' } }] },
      {
        id: 'op-003',
        kind: 'add_group_members',
        depends_on: ['op-001', 'op-002'],
        rows: [{ key: 'group:cholecap team', members: [{ user_name: KATE, user_id: 25001 }, { user_name: NEW }] }],
      },
    ]);
    const change = plan.changes.find((c) => c.subject === 'group');
    expect(change).toMatchObject({ key: 'cholecap team', action: 'group_create', reason: 'declared in groups/teams.yaml:2 (+2 members)' });
    expect(plan.summary.groups).toEqual({ create: 1, update: 0, deactivate: 0, members_added: 2, members_removed: 0, unchanged: 0, unmanaged: 0 });
    expect(plan.live_digests.groups).toEqual({ 'cholecap team': null });
    expect(plan.summary.api_calls).toBe(3);
  });

  it('adds and removes explicit members incrementally and never counts implied members as drift', () => {
    const live = liveGroup('QA', 900, [25001], { implied_members: [1, 25002] });
    const plan = planOf(desiredState({ users, groups: [desiredGroup('QA', [BOB])] }), liveState({ users: [ADMIN, kate, bob], groups: [live] }));
    expect(ops(plan)).toEqual([
      { id: 'op-001', kind: 'add_group_members', depends_on: [], rows: [{ key: 'group:qa', group_id: 900, members: [{ user_name: BOB, user_id: 25002 }] }] },
      { id: 'op-002', kind: 'remove_group_members', depends_on: ['op-001'], rows: [{ key: 'group:qa', group_id: 900, members: [{ user_name: KATE, user_id: 25001 }] }] },
    ]);
    const change = plan.changes.find((c) => c.subject === 'group');
    expect(change?.fields).toEqual([
      { path: `members[${BOB}]`, before: false, after: true },
      { path: `members[${KATE}]`, before: true, after: false },
    ]);
    expect(change?.reason).toBe('declared in groups/teams.yaml:2: +1 member, −1; 2 implied through security profiles (not managed)');
  });

  it('shows no change for a group whose explicit members match, whatever its implied members', () => {
    const live = liveGroup('QA', 900, [25001], { implied_members: [25002] });
    const plan = planOf(desiredState({ users, groups: [desiredGroup('QA', [KATE])] }), liveState({ users: [ADMIN, kate, bob], groups: [live] }));
    expect(plan.operations).toEqual([]);
    expect(plan.summary.groups?.unchanged).toBe(1);
  });

  it('leaves members alone when the group does not manage them, and sends only the values that differ', () => {
    const live = liveGroup('QA', 900, [25001, 25002], { description: 'old' });
    const plan = planOf(desiredState({ users, groups: [desiredGroup('qa', undefined, { description: 'new' })] }), liveState({ users: [ADMIN, kate, bob], groups: [live] }));
    expect(ops(plan)).toEqual([{ id: 'op-001', kind: 'update_group', depends_on: [], rows: [{ key: 'group:qa', group_id: 900, values: { label: 'qa', description: 'new' } }] }]);
  });

  it('matches a group by name__v when the YAML gives it: a new label renames the group, and a name no group has is an error', () => {
    const live = liveGroup('QA Team', 900, [25001]);
    const renamed = planOf(desiredState({ users, groups: [desiredGroup('Quality Team', [KATE], { name: live.name })] }), liveState({ users: [ADMIN, kate, bob], groups: [live] }));
    expect(ops(renamed)).toEqual([{ id: 'op-001', kind: 'update_group', depends_on: [], rows: [{ key: 'group:quality team', group_id: 900, values: { label: 'Quality Team' } }] }]);
    expect(renamed.diagnostics.filter((d) => d.code === 'unmanaged-groups')).toEqual([]);
    const unknown = planOf(desiredState({ users, groups: [desiredGroup('Quality Team', [KATE], { name: 'no_such__c' })] }), liveState({ users: [ADMIN, kate, bob], groups: [live] }));
    expect(unknown.diagnostics.find((d) => d.code === 'group-name-unknown')).toMatchObject({ severity: 'error', position: { file: 'groups/teams.yaml', line: 2 } });
    expect(unknown.operations).toEqual([]);
    const twice = planOf(
      desiredState({ users, groups: [desiredGroup('QA Team', [KATE]), desiredGroup('Quality Team', [KATE], { name: live.name })] }),
      liveState({ users: [ADMIN, kate, bob], groups: [live] }),
    );
    expect(twice.diagnostics.find((d) => d.code === 'group-name-duplicate')).toMatchObject({ severity: 'error' });
  });

  it('splits a large member addition into calls of at most 500 ids', () => {
    const many = Array.from({ length: 1200 }, (_, i) => liveUser(`u${String(i).padStart(4, '0')}@veepharm.com`, 30000 + i));
    const plan = planOf(
      desiredState({ users: [ADMIN_DESIRED], groups: [desiredGroup('All', many.map((u) => u.user_name))] }),
      liveState({ users: [ADMIN, ...many], groups: [liveGroup('All', 901, [])] }),
    );
    expect(plan.operations.map((o) => [o.kind, o.rows[0] !== undefined && 'members' in o.rows[0] ? o.rows[0].members.length : 0])).toEqual([
      ['add_group_members', 500],
      ['add_group_members', 500],
      ['add_group_members', 200],
    ]);
  });
});

describe('group diagnostics and guards', () => {
  it('refuses to manage a system, auto or manager group', () => {
    for (const kind of ['system', 'auto', 'manager', 'other'] as const) {
      const plan = planOf(
        desiredState({ users, groups: [desiredGroup('All Internal Users', [KATE])] }),
        liveState({ users: [ADMIN, kate, bob], groups: [liveGroup('All Internal Users', 1, [], { kind })] }),
      );
      expect(codes(plan)).toContain('error:group-not-user-managed');
      expect(plan.operations).toEqual([]);
      expect(plan.summary.groups?.unchanged).toBe(0);
    }
  });

  it('names an unknown member at its position, and warns about inactive members or members without access to the vault', () => {
    const noVault = desiredUser(BOB, { memberships: [{ vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v' }] });
    const plan = planOf(
      desiredState({ users: [ADMIN_DESIRED, desiredUser(KATE, { active: false }), noVault], groups: [desiredGroup('QA', [BOB, 'ghost@veepharm.com', KATE])] }),
      liveState({ users: [ADMIN, kate, bob], groups: [liveGroup('QA', 900, [])] }),
    );
    const unknown = plan.diagnostics.find((d) => d.code === 'group-member-unknown');
    expect(unknown).toMatchObject({ severity: 'error', position: { file: 'groups/teams.yaml', line: 5, col: 5 } });
    expect(unknown?.summary).toContain('ghost@veepharm.com');
    expect(codes(plan)).toEqual(expect.arrayContaining(['warning:group-member-inactive', 'warning:group-member-no-vault-access']));
  });

  it('applies policy.unmanaged_groups to live user-managed groups no file declares, and never deletes', () => {
    const live = [liveGroup('Legacy', 902, [25001]), liveGroup('Vault Owners', 3, [], { kind: 'system' })];
    const plan = (unmanaged_groups: 'ignore' | 'report' | 'deactivate'): Plan =>
      planOf(desiredState({ users, groups: [], policy: { unmanaged_groups } }), liveState({ users: [ADMIN, kate, bob], groups: live }));
    expect(plan('ignore').diagnostics.filter((d) => d.code === 'unmanaged-groups')).toEqual([]);
    expect(plan('report').diagnostics.find((d) => d.code === 'unmanaged-groups')?.summary).toBe('1 user-managed group(s) of the vault are in no desired file: "Legacy"');
    const deactivate = plan('deactivate');
    expect(ops(deactivate)).toEqual([{ id: 'op-001', kind: 'update_group', depends_on: [], rows: [{ key: 'group:legacy', group_id: 902, values: { active: false } }] }]);
    expect(deactivate.changes[0]).toMatchObject({ subject: 'group', action: 'group_deactivate', risks: ['deactivation'] });
    expect(deactivate.summary.groups).toMatchObject({ deactivate: 1, unmanaged: 1 });
  });

  it('blocks a plan that removes more explicit memberships than policy allows, unless --allow-mass-removal', () => {
    const many = Array.from({ length: 30 }, (_, i) => liveUser(`u${i}@veepharm.com`, 40000 + i));
    const desired = desiredState({ users: [ADMIN_DESIRED], groups: [desiredGroup('Big', [])] });
    const live = liveState({ users: [ADMIN, ...many], groups: [liveGroup('Big', 903, many.map((u) => u.id))] });
    const blocked = planOf(desired, live);
    expect(blocked.diagnostics.find((d) => d.code === 'guard-mass-group-member-removal')).toMatchObject({ severity: 'error' });
    const allowed = planOf(desired, live, { allow: { mass_removal: true } });
    expect(allowed.diagnostics.find((d) => d.code === 'guard-mass-group-member-removal')).toMatchObject({ severity: 'warning' });
    expect(allowed.changes[0]?.risks).toEqual(['last_member']);
  });

  it('flags members joining a group whose security profiles administer the vault', () => {
    const plan = planOf(
      desiredState({ users, groups: [desiredGroup('Admins', [KATE], { security_profiles: ['system_admin__v'] })] }),
      liveState({ users: [ADMIN, kate, bob], groups: [liveGroup('Admins', 904, [], { security_profiles: ['system_admin__v'] })] }),
    );
    expect(plan.changes[0]?.risks).toEqual(['admin']);
  });

  it('records nothing about groups when the repo does not manage them', () => {
    const plan = planOf(desiredState({ users }), liveState({ users: [ADMIN, kate, bob], groups: [liveGroup('QA', 900, [25001])] }));
    expect(plan.summary.groups).toBeUndefined();
    expect(plan.live_digests.groups).toBeUndefined();
    expect(plan.operations).toEqual([]);
  });
});
