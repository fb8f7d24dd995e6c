import { describe, expect, it } from 'vitest';
import type { DesiredSiteVaultPerson } from '../../src/model.js';
import type { Plan } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, appliedPerson, desiredState, desiredUser, liveState, liveUser, planOf, sitevaultPerson } from './fixtures.js';
import { wireCall } from '../helpers/wire.js';

const OLIVIA = 'olivia.rue@veepharm.com';
const KATE = 'kate.grossman@veepharm.com';
const M3003 = { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } } as const;
const M4004 = { vault_id: 4004, active: true, security_profile: 'read_only_user__v', license_type: 'read_only__v' } as const;
const PERSON = (id: string, userId: string | null) => ({ id, email: null, first_name: 'P', last_name: 'Q', user_id: userId });

describe('Clinical promotions', () => {
  const desired = desiredState({
    users: [
      ADMIN_DESIRED,
      desiredUser(KATE, { promote_from_person: 'V0B00000000D001', memberships: [M3003, M4004] }),
      desiredUser(OLIVIA, { promote_from_person: 'V0B00000000D002' }),
      desiredUser('nobody@veepharm.com', { promote_from_person: 'V0B00000000D999' }),
    ],
  });
  const live = liveState({ users: [ADMIN], persons: [PERSON('V0B00000000D001', null), PERSON('V0B00000000D002', '39')] });

  it('promotes a person without a user, carrying the user fields under __sys names', () => {
    const plan = planOf(desired, live);
    expect(plan.changes.map((c) => [c.key, c.action])).toEqual([[KATE, 'promote']]);
    const [promote, upsert] = plan.operations;
    expect(promote).toMatchObject({ id: 'op-001', kind: 'promote_persons', call: 'POST /app/clinical/persons/actions/promote_to_user' });
    expect(wireCall(promote!).bodies).toEqual([
      {
        source_person_id: 'V0B00000000D001',
        username__sys: KATE,
        first_name__sys: 'Kate',
        last_name__sys: 'Grossman',
        email__sys: KATE,
        license_type__sys: 'full__v',
        language__sys: 'en',
        timezone__sys: 'America/New_York',
        locale__sys: 'en_US',
        security_profile__sys: 'document_user__v',
      },
    ]);
    // The rest follows as upserts keyed by user name: policy, extra fields, every vault.
    expect(upsert).toMatchObject({ kind: 'upsert_users', match: 'user_name', call: 'POST /objects/users?operation=upsert&idParam=user_name__v', depends_on: ['op-001'] });
    expect(plan.operations.filter((o) => o.kind === 'upsert_users').flatMap((o) => wireCall(o).bodies)).toEqual([
      { user_name__v: KATE, security_policy_id__v: '821', company__v: 'VeevaPharm', vault_membership: '3003:true:document_user__v:full__v', app_licensing: '3003|rimReg_v:true:full__v' },
      { user_name__v: KATE, vault_membership: '4004:true:read_only_user__v:read_only__v' },
    ]);
    expect(plan.summary.promote).toBe(1);
    expect(plan.live_digests.users[KATE]).toBeNull();
    expect(plan.live_digests.persons.V0B00000000D001).toMatch(/^[0-9a-f]{64}$/);
  });

  it('turns a person that has a user, or does not exist, into a warning, not an operation', () => {
    const plan = planOf(desired, live);
    const warnings = plan.diagnostics.filter((d) => d.code.startsWith('promote-'));
    expect(warnings.map((d) => [d.code, d.severity, d.subject?.user])).toEqual([
      ['promote-person-has-user', 'warning', OLIVIA],
      ['promote-person-not-found', 'warning', 'nobody@veepharm.com'],
    ]);
    expect(plan.operations.some((o) => o.rows.some((r) => r.key === OLIVIA || r.key === 'nobody@veepharm.com'))).toBe(false);
  });

  it('manages a promoted user that already exists like any other', () => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED, desiredUser(KATE, { promote_from_person: 'V0B00000000D001', first_name: 'K' })] }), liveState({ users: [ADMIN, liveUser(KATE, 39)], persons: [PERSON('V0B00000000D001', '39')] }));
    expect(plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(plan.operations.map((o) => o.kind)).toEqual(['update_users']);
    expect(plan.diagnostics).toEqual([]);
  });
});

function svPlan(desired: readonly DesiredSiteVaultPerson[], applied: readonly DesiredSiteVaultPerson[], refresh = false): Plan {
  return planOf(
    desiredState({ users: [ADMIN_DESIRED], sitevault: desired }),
    liveState({ users: [ADMIN], sitevault: applied.map((p, i) => appliedPerson(p, `V0B00000000100${i}`)) }),
    { refresh_sitevault: refresh },
  );
}

const JERRY = sitevaultPerson('jerry.cotter@company.com');

describe('SiteVault', () => {
  it('creates a person absent from the state file: one call, body per §8.1', () => {
    const plan = svPlan([JERRY], []);
    expect(plan.changes.map((c) => [c.subject, c.key, c.action])).toEqual([['sitevault_person', JERRY.email, 'sitevault_create']]);
    expect(plan.operations.map((o) => [o.id, o.kind, o.call, o.depends_on, o.rows.map((r) => r.key)])).toEqual([
      ['op-001', 'sitevault_create', 'POST /app/sitevault/useradmin/persons', [], [JERRY.email]],
    ]);
    expect(wireCall(plan.operations[0]!).bodies).toEqual([
      {
        user: { email: JERRY.email, first_name: 'Jerry', last_name: 'Cotter', security_policy_id: 'VeevaID', person_type: 'staff__v' },
        person_type: 'staff__v',
        is_investigator: false,
        assignments: {
          org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_full__v' },
          site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] }],
          study_assignments: [{ id: 'V0S000000001001', study_role: 'clinical_research_coordinator__v' }],
        },
      },
    ]);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(['sitevault-state-only']);
  });

  it.each([
    [
      'add-on change sends that site whole',
      { sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v', 'site_patients__v'] }] },
      [{ path: 'sites[US-NC-0001].addons', before: ['site_budgets__v'], after: ['site_budgets__v', 'site_patients__v'] }],
      { is_investigator: false, assignments: { site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v', 'site_patients__v'] }] } },
    ],
    [
      'dropped site is revoked with no_access__v',
      { sites: [] },
      [
        { path: 'sites[US-NC-0001].role', before: 'regulatory__v', after: 'no_access__v' },
        { path: 'sites[US-NC-0001].addons', before: ['site_budgets__v'], after: [] },
      ],
      { is_investigator: false, assignments: { site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'no_access__v' }] } },
    ],
    [
      'org role change sends the org assignment',
      { org: { org_id: 'V42000000001001', role: 'org_admin__v', addons: ['org_patients__v'] } },
      [
        { path: 'org.role', before: 'org_full__v', after: 'org_admin__v' },
        { path: 'org.addons', before: [], after: ['org_patients__v'] },
      ],
      { is_investigator: false, assignments: { org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_admin__v', addons: ['org_patients__v'] } } },
    ],
    [
      'study role change',
      { studies: [{ study_id: 'V0S000000001001', role: 'research_nurse__v' }] },
      [{ path: 'studies[V0S000000001001].role', before: 'clinical_research_coordinator__v', after: 'research_nurse__v' }],
      { is_investigator: false, assignments: { study_assignments: [{ id: 'V0S000000001001', study_role: 'research_nurse__v' }] } },
    ],
    ['investigator flag', { investigator: true }, [{ path: 'is_investigator', before: false, after: true }], { is_investigator: true }],
  ] as const)('edit: %s', (_name, over, fields, body) => {
    const plan = svPlan([{ ...JERRY, ...over }], [JERRY]);
    expect(plan.changes.map((c) => [c.action, c.fields])).toEqual([['sitevault_edit', fields]]);
    expect(plan.operations.map((o) => [o.kind, o.call, wireCall(o).bodies[0]])).toEqual([
      ['sitevault_edit', 'PUT /app/sitevault/useradmin/persons/V0B000000001000', body],
    ]);
  });

  it('shows nothing when the state file matches, add-on order aside', () => {
    const plan = svPlan([{ ...JERRY, sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_profiles__v', 'site_budgets__v'] }] }], [
      { ...JERRY, sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v', 'site_profiles__v'] }] },
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.summary.unchanged).toBe(2);
  });

  it('revokes a person removed from YAML with the no-access roles, reported as a removal', () => {
    const plan = svPlan([], [JERRY]);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: 'sitevault_edit', risks: ['deactivation'] });
    expect(plan.changes[0]?.reason).toContain('removed from YAML');
    expect(wireCall(plan.operations[0]!).bodies[0]).toEqual({
      is_investigator: false,
      assignments: {
        org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_no_access__v' },
        site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'no_access__v' }],
      },
    });
    const revoked = { ...JERRY, org: { ...JERRY.org, role: 'org_no_access__v' }, sites: [{ site_usn: 'US-NC-0001', role: 'no_access__v', addons: [] }] };
    expect(svPlan([], [revoked]).changes).toEqual([]);
  });

  it('re-sends every assignment of every person on refresh', () => {
    const plan = svPlan([JERRY], [JERRY], true);
    expect(plan.changes.map((c) => [c.action, c.fields.length])).toEqual([['sitevault_edit', 0]]);
    const body = wireCall(plan.operations[0]!).bodies[0] as { assignments: Record<string, unknown> };
    expect(Object.keys(body.assignments)).toEqual(['org_assignment', 'site_assignments', 'study_assignments']);
  });

  it('moves an org in two calls: revoke the old org, then assign the new one', () => {
    const plan = svPlan([{ ...JERRY, org: { org_id: 'V42000000002002', role: 'org_full__v', addons: [] } }], [JERRY]);
    expect(plan.operations.map((o) => [o.id, o.depends_on, wireCall(o).bodies[0]])).toEqual([
      ['op-001', [], { is_investigator: false, assignments: { org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_no_access__v' } } }],
      ['op-002', ['op-001'], { is_investigator: false, assignments: { org_assignment: { org_id: 'V42000000002002', system_role_id: 'org_full__v' } } }],
    ]);
  });

  it.each([
    ['a name SiteVault cannot edit', { first_name: 'Gerald' }, 'sitevault-not-editable'],
    ['a dropped study (no no-access study role)', { studies: [] }, 'sitevault-study-not-removable'],
  ] as const)('warns about %s and plans no change', (_name, over, code) => {
    const plan = svPlan([{ ...JERRY, ...over }], [JERRY]);
    expect(plan.changes).toEqual([]);
    // Diagnostics without a position sort first.
    expect(plan.diagnostics.map((d) => d.code)).toEqual(['sitevault-state-only', code]);
  });
});
