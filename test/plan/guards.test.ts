import { describe, expect, it } from 'vitest';
import type { DesiredUser, LiveUser, Policy } from '../../src/model.js';
import type { Plan, PlanAllowFlags } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, liveState, liveUser, planOf } from './fixtures.js';

const names = (n: number, prefix = 'u'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}@veepharm.com`);

function guardsOf(plan: Plan): [string, string][] {
  return plan.diagnostics.filter((d) => d.code.startsWith('guard-')).map((d) => [d.code, d.severity]);
}

function deactivating(count: number, liveTotal: number, policy: Partial<Policy>, allow: PlanAllowFlags = {}): Plan {
  const all = names(liveTotal);
  const desired = desiredState({ users: [ADMIN_DESIRED, ...all.map((u, i) => desiredUser(u, { active: i >= count }))], policy });
  const live = liveState({ users: [ADMIN, ...all.map((u, i) => liveUser(u, 100 + i))] });
  return planOf(desired, live, { allow });
}

const M3003 = { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } } as const;
const M4004 = { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: {} } as const;

/** `count` of `liveTotal` users lose something while staying active: their 4004 membership, or an app. */
function removing(count: number, liveTotal: number, what: 'membership' | 'app', policy: Partial<Policy> = {}, allow: PlanAllowFlags = {}): Plan {
  const all = names(liveTotal);
  const keep = (i: number): NonNullable<DesiredUser['memberships']> =>
    i >= count ? [M3003, M4004] : what === 'membership' ? [M3003] : [{ ...M3003, apps: {} }, M4004];
  const desired = desiredState({ users: [ADMIN_DESIRED, ...all.map((u, i) => desiredUser(u, { memberships: keep(i) }))], policy });
  const live = liveState({ users: [ADMIN, ...all.map((u, i) => liveUser(u, 100 + i, { memberships: [M3003, M4004] }))] });
  return planOf(desired, live, { allow });
}

describe('guard: mass removal of memberships and app licences', () => {
  it.each([
    ['60 of 100 users losing a vault membership', 60, 100, 'membership', {}, {}, [['guard-mass-removal', 'error']]],
    ['60 of 100 users losing their app licence', 60, 100, 'app', {}, {}, [['guard-mass-removal', 'error']]],
    ['at the count and share limits', 10, 100, 'membership', {}, {}, []],
    ['above the share limit only', 3, 9, 'app', { max_access_removals: 10, max_access_removal_share: 0.25 }, {}, [['guard-mass-removal', 'error']]],
    ['allowed by the flag', 60, 100, 'membership', {}, { mass_removal: true }, [['guard-mass-removal', 'warning']]],
  ] as const)('%s', (_name, count, total, what, policy, allow, expected) => {
    const plan = removing(count, total, what, policy, allow);
    expect(plan.summary.update).toBe(count);
    expect(plan.summary.deactivate).toBe(0);
    expect(guardsOf(plan)).toEqual(expected);
    if (expected.length > 0) {
      const d = plan.diagnostics.find((x) => x.code === 'guard-mass-removal');
      expect(`${d?.summary} ${d?.hint}`).toContain('--allow-mass-removal');
      expect(d?.summary).toContain(`from ${count} users`);
    }
  });
});

describe('guard: mass deactivation', () => {
  it.each([
    ['at the count limit', 10, 100, { max_deactivations: 10 }, {}, []],
    ['above the count limit', 11, 100, { max_deactivations: 10 }, {}, [['guard-mass-deactivation', 'error']]],
    ['above the share limit', 3, 9, { max_deactivations: 10, max_deactivation_share: 0.25 }, {}, [['guard-mass-deactivation', 'error']]],
    ['allowed by the flag', 11, 100, { max_deactivations: 10 }, { mass_deactivation: true }, [['guard-mass-deactivation', 'warning']]],
  ] as const)('%s', (_name, count, total, policy, allow, expected) => {
    const plan = deactivating(count, total, policy, allow);
    expect(plan.summary.deactivate).toBe(count);
    expect(guardsOf(plan)).toEqual(expected);
    if (expected.length > 0) {
      const d = plan.diagnostics.find((x) => x.code === 'guard-mass-deactivation');
      expect(`${d?.summary} ${d?.hint}`).toContain('--allow-mass-deactivation');
    }
  });

  it('counts unmanaged users swept by policy', () => {
    const extra = names(12, 'x');
    const plan = planOf(
      desiredState({ users: [ADMIN_DESIRED], policy: { unmanaged_users: 'deactivate', max_deactivations: 10 } }),
      liveState({ users: [ADMIN, ...extra.map((u, i) => liveUser(u, 200 + i))] }),
    );
    expect(guardsOf(plan)).toEqual([['guard-mass-deactivation', 'error']]);
  });
});

describe('guard: last domain admin', () => {
  const bob = 'bob@veepharm.com';
  const live = liveState({ users: [liveUser(bob, 2, { domain_admin: true }), liveUser('carol@veepharm.com', 3)], authenticated_user: 'carol@veepharm.com' });

  it.each([
    ['removing the only admin', { domain_admin: false }, {}, [['guard-last-domain-admin', 'error']]],
    ['deactivating the only admin', { active: false }, {}, [['guard-last-domain-admin', 'error']]],
    ['allowed by the flag', { domain_admin: false }, { last_domain_admin: true }, [['guard-last-domain-admin', 'warning']]],
    ['keeping the admin', { first_name: 'Bobby' }, {}, []],
  ] as const)('%s', (_name, over, allow, expected) => {
    const desired = desiredState({ users: [desiredUser(bob, { ...(over as Partial<DesiredUser>), domain_admin: 'domain_admin' in over ? over.domain_admin : true }), desiredUser('carol@veepharm.com')] });
    expect(guardsOf(planOf(desired, live, { allow }))).toEqual(expected);
  });

  it('is satisfied by a new admin created in the same plan', () => {
    const desired = desiredState({ users: [desiredUser(bob, { domain_admin: false }), desiredUser('carol@veepharm.com'), desiredUser('dan@veepharm.com', { domain_admin: true })] });
    expect(guardsOf(planOf(desired, live))).toEqual([]);
  });
});

describe('guard: protected and authenticated users', () => {
  const kate = 'kate@veepharm.com';
  function plan(desiredAdmin: Partial<DesiredUser>, kateOver: Partial<DesiredUser>, allow: PlanAllowFlags, protectedUsers: string[] = []): Plan {
    return planOf(
      desiredState({ users: [{ ...ADMIN_DESIRED, ...desiredAdmin }, desiredUser(kate, kateOver), desiredUser('second.admin@veepharm.com', { domain_admin: true })], policy: { protected_users: protectedUsers } }),
      liveState({ users: [ADMIN, liveUser(kate, 2), liveUser('second.admin@veepharm.com', 3, { domain_admin: true })] }),
      { allow },
    );
  }
  it.each([
    ['changing a protected user', {}, { first_name: 'K' }, {}, [kate], [['guard-protected-user', 'error']]],
    ['allowed by the flag', {}, { first_name: 'K' }, { protected_users: true }, [kate], [['guard-protected-user', 'warning']]],
    ['changing the authenticated user', { first_name: 'Integration' }, {}, {}, [], [['guard-protected-user', 'error']]],
    ['the authenticated user deactivating itself, even with the flag', { active: false }, {}, { protected_users: true }, [], [['guard-protected-user', 'error']]],
    ['the authenticated user losing domain admin, even with the flag', { domain_admin: false }, {}, { protected_users: true }, [], [['guard-protected-user', 'error']]],
    ['no protected user touched', {}, { first_name: 'K' }, {}, ['someone@else.com'], []],
  ] as const)('%s', (_name, adminOver, kateOver, allow, protectedUsers, expected) => {
    const p = plan(adminOver, kateOver, allow, [...protectedUsers]);
    expect(guardsOf(p)).toEqual(expected);
  });

  it('says no flag allows locking out the authenticated user', () => {
    const d = plan({ active: false }, {}, { protected_users: true }).diagnostics.find((x) => x.code === 'guard-protected-user');
    expect(d?.hint).toContain('no flag allows this');
  });
});

describe('guard: license seats', () => {
  const licenses = [{ application: 'rimReg_v', license_type: 'full__v', licensed: 3, used: 2 }];
  const newUsers = (n: number): DesiredUser[] => names(n, 'n').map((u) => desiredUser(u));
  const seated = (over: Partial<LiveUser> = {}): LiveUser => liveUser('seated@veepharm.com', 50, over);

  it.each([
    ['one new seat fits', newUsers(1), [seated()], {}, []],
    ['two new seats exceed', newUsers(2), [seated()], {}, [['guard-license-seats', 'error']]],
    ['allowed by the flag', newUsers(2), [seated()], { license_overuse: true }, [['guard-license-seats', 'warning']]],
    ['a freed seat makes room', [...newUsers(2), desiredUser('seated@veepharm.com', { active: false })], [seated()], {}, []],
  ] as const)('%s', (_name, users, liveUsers, allow, expected) => {
    const live = liveState({ users: [ADMIN, ...liveUsers], licenses });
    const desired = desiredState({ users: [ADMIN_DESIRED, ...users, ...(users.some((u) => u.user_name === 'seated@veepharm.com') ? [] : [desiredUser('seated@veepharm.com')])] });
    const plan = planOf(desired, live, { allow });
    expect(guardsOf(plan)).toEqual(expected);
    if (expected.length > 0) expect(plan.diagnostics.find((d) => d.code === 'guard-license-seats')?.summary).toContain('rimReg_v full__v');
  });
});
