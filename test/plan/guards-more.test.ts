/** Mass admin grants, security-policy risk, identity collisions and the roster scope (issue #15 item 5). */
import { describe, expect, it } from 'vitest';
import type { DesiredUser, LiveUser, Membership, Policy } from '../../src/model.js';
import type { Plan, PlanAllowFlags } from '../../src/plan/index.js';
import { wireCall } from '../helpers/wire.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, liveState, liveUser, planOf } from './fixtures.js';

const names = (n: number, prefix = 'u'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}@veepharm.com`);
const M = (vaultId: number, profile = 'document_user__v', active = true): Membership => ({ vault_id: vaultId, active, security_profile: profile, license_type: 'full__v', apps: {} });

function errorsAndWarnings(plan: Plan): [string, string][] {
  return plan.diagnostics.filter((d) => d.severity !== 'info' && d.code !== 'unmanaged-users').map((d) => [d.code, d.severity]);
}

function planWith(users: readonly DesiredUser[], liveUsers: readonly LiveUser[], policy: Partial<Policy> = {}, allow: PlanAllowFlags = {}): Plan {
  return planOf(desiredState({ users: [ADMIN_DESIRED, ...users], policy }), liveState({ users: [ADMIN, ...liveUsers] }), { allow });
}

describe('guard: mass admin grants', () => {
  const admins = (n: number, over: Partial<DesiredUser> = {}): DesiredUser[] => names(n).map((u) => desiredUser(u, { memberships: [M(3003, 'system_admin__v')], ...over }));
  it.each([
    ['3 new system admins: at the default limit', admins(3), [], {}, {}, []],
    ['4 new system admins: above the default limit of 3', admins(4), [], {}, {}, [['guard-mass-admin-grants', 'error']]],
    ['4 grants allowed by --allow-mass-admin-grants', admins(4), [], {}, { mass_admin_grants: true }, [['guard-mass-admin-grants', 'warning']]],
    ['a higher policy.max_admin_grants', admins(4), [], { max_admin_grants: 4 }, {}, []],
    ['Domain Admin counts as a grant', [...admins(3), desiredUser('d@veepharm.com', { domain_admin: true })], [], {}, {}, [['guard-mass-admin-grants', 'error']]],
    ['existing admins are not granted again', admins(4), names(4).map((u, i) => liveUser(u, 10 + i, { memberships: [M(3003, 'system_admin__v')] })), {}, {}, []],
    ['document_user__v → business_admin__v on existing users counts', admins(4, { memberships: [M(3003, 'business_admin__v')] }), names(4).map((u, i) => liveUser(u, 10 + i, { memberships: [M(3003)] })), {}, {}, [['guard-mass-admin-grants', 'error']]],
    ['grants in a scoped vault count', admins(4, { memberships: [M(3003), M(4004, 'system_admin__v')] }), [], { scope_vaults: [3003, 4004], max_admin_grants: 3 }, {}, [['guard-mass-admin-grants', 'error']]],
    ['admin in two vaults counts twice', admins(2, { memberships: [M(3003, 'vault_owner__v'), M(4004, 'system_admin__v')] }), [], {}, {}, [['guard-mass-admin-grants', 'error']]],
  ] as const)('%s', (_name, users, live, policy, allow, expected) => {
    const plan = planWith(users, live, policy, allow);
    expect(errorsAndWarnings(plan)).toEqual(expected);
    const d = plan.diagnostics.find((x) => x.code === 'guard-mass-admin-grants');
    if (d !== undefined) expect(`${d.summary} ${d.hint}`).toContain('--allow-mass-admin-grants');
  });

  it('names every grant with its vault', () => {
    const plan = planWith([desiredUser('a@veepharm.com', { domain_admin: true, memberships: [M(3003, 'system_admin__v'), M(4004, 'vault_owner__v')] }), desiredUser('b@veepharm.com', { memberships: [M(3003, 'business_admin__v')] })], []);
    expect(plan.diagnostics.find((d) => d.code === 'guard-mass-admin-grants')?.summary).toBe(
      'plan grants admin rights 4 times, above policy.max_admin_grants (3): a@veepharm.com (Domain Admin), a@veepharm.com (system_admin__v in vault 3003), a@veepharm.com (vault_owner__v in vault 4004), b@veepharm.com (business_admin__v in vault 3003)',
    );
  });
});

describe('risk: security-policy changes', () => {
  it('tags a changed security policy of an existing user, and not a new user', () => {
    const plan = planWith([desiredUser('p@veepharm.com', { security_policy: '822' }), desiredUser('n@veepharm.com', { security_policy: '822' })], [liveUser('p@veepharm.com', 7)]);
    expect(plan.changes.map((c) => [c.key, c.action, c.risks])).toEqual([
      ['n@veepharm.com', 'create', []],
      ['p@veepharm.com', 'update', ['security_policy']],
    ]);
  });
});

describe('identity collisions', () => {
  it('two declared users with one email are errors at both users', () => {
    const plan = planWith([desiredUser('a@veepharm.com', { email: 'Same@VeePharm.com ' }), desiredUser('b@veepharm.com', { email: 'same@veepharm.com' })], []);
    const found = plan.diagnostics.filter((d) => d.code === 'duplicate-email');
    expect(found.map((d) => [d.severity, d.subject?.user])).toEqual([
      ['error', 'a@veepharm.com'],
      ['error', 'b@veepharm.com'],
    ]);
    expect(found[0]?.summary).toBe('email same@veepharm.com of a@veepharm.com is also declared for b@veepharm.com (users/team.yaml:3)');
  });

  it.each([
    ['a new user with the email of a live user under another name', 'kate@veepharm.com', 'k.grossman@veepharm.com', [['email-of-other-user', 'error']]],
    ['a new user with a fresh email', 'kate@veepharm.com', 'someone.else@veepharm.com', []],
  ] as const)('%s', (_name, declared, liveName, expected) => {
    const plan = planWith([desiredUser(declared, { email: 'kate.grossman@veepharm.com' })], [liveUser(liveName, 8, { email: liveName === 'k.grossman@veepharm.com' ? 'Kate.Grossman@veepharm.com' : liveName })]);
    expect(errorsAndWarnings(plan)).toEqual(expected);
    if (expected.length > 0) expect(plan.diagnostics.find((d) => d.code === 'email-of-other-user')?.summary).toBe('new user kate@veepharm.com has the email of existing Vault user k.grossman@veepharm.com');
  });

  it('an existing user keeping its email is no collision', () => {
    const plan = planWith([desiredUser('x@veepharm.com', { first_name: 'New' })], [liveUser('x@veepharm.com', 8)]);
    expect(errorsAndWarnings(plan)).toEqual([]);
  });
});

describe('policy.scope.vaults', () => {
  const scope = { unmanaged_users: 'deactivate', scope_vaults: [3003] } as const;

  it('deactivates an undeclared user only in the scoped vaults, never the domain account', () => {
    const stray = liveUser('stray@veepharm.com', 40, { memberships: [M(3003), M(4004)] });
    const outside = liveUser('outside@veepharm.com', 41, { memberships: [M(4004)] });
    const plan = planWith([], [stray, outside], scope);
    expect(plan.changes.map((c) => [c.key, c.action, c.fields, c.risks])).toEqual([
      ['stray@veepharm.com', 'update', [{ path: 'memberships[3003].active', before: true, after: false }], ['deactivation']],
    ]);
    expect(plan.changes[0]?.reason).toContain('the domain account stays active');
    expect(plan.summary.deactivate).toBe(0);
    expect(plan.operations.map((o) => wireCall(o, 3003).bodies)).toEqual([[{ id: 40, vault_membership: '3003:false:document_user__v:full__v' }]]);
    expect(plan.diagnostics.find((d) => d.code === 'unmanaged-scope-deactivation')?.summary).toBe(
      '1 undeclared user loses their memberships of vaults 3003 only (policy.scope.vaults); domain accounts and other vaults are untouched: stray@veepharm.com',
    );
  });

  it('without a scope the domain account is deactivated', () => {
    const plan = planWith([], [liveUser('stray@veepharm.com', 40, { memberships: [M(3003), M(4004)] })], { unmanaged_users: 'deactivate' });
    expect(plan.changes.map((c) => [c.key, c.action])).toEqual([['stray@veepharm.com', 'deactivate']]);
  });

  it('leaves live memberships of vaults outside the scope alone', () => {
    const live = liveUser('k@veepharm.com', 9, { memberships: [M(3003), M(4004)] });
    const scoped = planWith([desiredUser('k@veepharm.com', { memberships: [M(3003)] })], [live], { scope_vaults: [3003] });
    expect(scoped.changes).toEqual([]);
    const unscoped = planWith([desiredUser('k@veepharm.com', { memberships: [M(3003)] })], [live]);
    expect(unscoped.changes.map((c) => c.fields.map((f) => f.path))).toEqual([['memberships[4004].active']]);
  });

  it('a declared membership outside the scope is an error', () => {
    const plan = planWith([desiredUser('k@veepharm.com', { memberships: [M(3003), M(5005)] })], [], { scope_vaults: [3003, 4004] });
    const d = plan.diagnostics.find((x) => x.code === 'membership-outside-scope');
    expect([d?.severity, d?.subject?.vault_id, d?.summary]).toEqual(['error', 5005, 'k@veepharm.com declares a membership of vault 5005, outside policy.scope.vaults (3003, 4004)']);
  });

  it('the share guards count only users with a membership in the scope', () => {
    const inScope = names(4, 'in').map((u, i) => liveUser(u, 100 + i, { memberships: [M(3003)] }));
    const elsewhere = names(40, 'out').map((u, i) => liveUser(u, 200 + i, { memberships: [M(4004)] }));
    const desired = [...inScope.map((u) => desiredUser(u.user_name, { memberships: [M(3003)] })), ...elsewhere.map((u) => desiredUser(u.user_name, { memberships: [M(4004)] }))];
    desired[0] = desiredUser('in0@veepharm.com', { active: false, memberships: [M(3003)] });
    const policy = { max_deactivation_share: 0.1 };
    expect(errorsAndWarnings(planWith(desired, [...inScope, ...elsewhere], policy))).toEqual([]);
    // 1 of 5 users in vault 3003 (with the admin) is 20%, above 10%; 1 of 45 domain users is not.
    expect(errorsAndWarnings(planWith(desired.filter((u) => !u.user_name.startsWith('out')), [...inScope, ...elsewhere], { ...policy, scope_vaults: [3003] }))).toEqual([['guard-mass-deactivation', 'error']]);
  });
});

describe('policy.scope.vaults and unmanaged_users: report', () => {
  it('reports only undeclared users with a membership in the scope', () => {
    const live = [liveUser('in@veepharm.com', 40, { memberships: [M(3003)] }), liveUser('out@veepharm.com', 41, { memberships: [M(4004)] })];
    const scoped = planWith([], live, { unmanaged_users: 'report', scope_vaults: [3003] });
    expect(scoped.diagnostics.find((d) => d.code === 'unmanaged-users')?.summary).toBe('1 active Vault user is not in the desired state: in@veepharm.com');
    const whole = planWith([], live, { unmanaged_users: 'report' });
    expect(whole.diagnostics.find((d) => d.code === 'unmanaged-users')?.summary).toBe('2 active Vault users are not in the desired state: in@veepharm.com, out@veepharm.com');
  });
});
