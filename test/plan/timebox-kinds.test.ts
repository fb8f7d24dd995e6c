/**
 * Time boxes on application licences, group members and SiteVault assignments (issue #17 part 1):
 * the clock is PlanOptions.created_at (fixtures: 2026-01-02T03:04:05Z). Outside its days a grant
 * is left out as if it were not declared; one ending soon is listed.
 */
import { describe, expect, it } from 'vitest';
import type { AppGrant, AppLicense, DesiredGroup, DesiredSiteVaultPerson, Grant, LiveUser } from '../../src/model.js';
import type { Plan } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, appliedPerson, desiredGroup, desiredState, desiredUser, liveGroup, liveState, liveUser, planOf, sitevaultPerson } from './fixtures.js';

const NAME = 'ann.lee@veepharm.com';
const AT = { file: 'users/team.yaml', line: 12, col: 24 } as const;

function appGrant(over: Partial<AppGrant>): AppGrant {
  return { vault_id: 3003, app: 'rimReg_v', source: AT, ...over };
}

/** Ann declared with rimReg_v and rimSubs_v in vault 3003; `grants` time-box some of them. */
function appPlan(grants: readonly AppGrant[], live: LiveUser | null): Plan {
  const user = desiredUser(NAME, {
    memberships: [
      {
        vault_id: 3003,
        active: true,
        security_profile: 'document_user__v',
        license_type: 'full__v',
        apps: { rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: true, license_type: 'full__v' } },
      },
    ],
    app_grants: grants,
  });
  return planOf(desiredState({ users: [ADMIN_DESIRED, user] }), liveState({ users: [ADMIN, ...(live === null ? [] : [live])] }));
}

function liveWithApps(apps: Record<string, boolean>): LiveUser {
  const licences: Record<string, AppLicense> = {};
  for (const [code, active] of Object.entries(apps)) licences[code] = { active, license_type: 'full__v' };
  return liveUser(NAME, 42, { memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: licences }] });
}

function fieldsOf(plan: Plan, key: string): [string, unknown, unknown][] {
  return (plan.changes.find((c) => c.key === key)?.fields ?? []).map((f) => [f.path, f.before, f.after]);
}

describe('time-boxed application licences', () => {
  it('makes an expired licence inactive exactly as leaving it out of apps does, saying why', () => {
    const p = appPlan([appGrant({ valid_until: '2026-01-01', reason: 'CHG-9' })], liveWithApps({ rimReg_v: true, rimSubs_v: true }));
    expect(fieldsOf(p, NAME)).toEqual([['memberships[3003].apps.rimReg_v', { active: true, license_type: 'full__v' }, { active: false, license_type: 'full__v' }]]);
    const change = p.changes.find((c) => c.key === NAME);
    expect(change?.reason).toMatch(/^application licence rimReg_v in vault 3003 expired on 2026-01-01 \(users\/team\.yaml:12; reason: CHG-9\); /);
    // The same plan as a declaration without rimReg_v: identical operations.
    const leftOut = planOf(
      desiredState({
        users: [ADMIN_DESIRED, desiredUser(NAME, { memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimSubs_v: { active: true, license_type: 'full__v' } } }] })],
      }),
      liveState({ users: [ADMIN, liveWithApps({ rimReg_v: true, rimSubs_v: true })] }),
    );
    expect(p.operations).toEqual(leftOut.operations);
    expect(p.changes.map((c) => c.fields)).toEqual(leftOut.changes.map((c) => c.fields));
  });

  it('stays inactive on the next run: no change, no note', () => {
    const p = appPlan([appGrant({ valid_until: '2026-01-01' })], liveWithApps({ rimReg_v: false, rimSubs_v: true }));
    expect(p.changes).toEqual([]);
    expect(p.diagnostics.filter((d) => d.subject?.user === NAME)).toEqual([]);
  });

  it('does not grant a licence before its valid_from, and grants it from that day', () => {
    const live = liveWithApps({ rimSubs_v: true });
    const before = appPlan([appGrant({ valid_from: '2026-01-03' })], live);
    expect(before.changes).toEqual([]);
    // Held back, and said so: a note at the grant, not silence.
    const held = before.diagnostics.filter((d) => d.code === 'grant-not-yet-valid');
    expect(held.map((d) => [d.severity, d.subject])).toEqual([['info', { user: NAME, field: 'memberships[3003].apps.rimReg_v.valid_from', vault_id: 3003 }]]);
    expect(held[0]?.summary).toContain('application licence rimReg_v in vault 3003 is not valid before 2026-01-03');
    const on = planOf(
      desiredState({ users: [ADMIN_DESIRED, desiredUser(NAME, { memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: true, license_type: 'full__v' } } }], app_grants: [appGrant({ valid_from: '2026-01-03' })] })] }),
      liveState({ users: [ADMIN, live] }),
      { created_at: '2026-01-03T00:00:00.000Z' },
    );
    expect(fieldsOf(on, NAME).map(([path]) => path)).toEqual(['memberships[3003].apps.rimReg_v']);
  });

  it('lists a licence ending in 5 days under expiring soon, at its valid_until', () => {
    const p = appPlan([appGrant({ valid_until: '2026-01-07', reason: 'audit' })], liveWithApps({ rimReg_v: true, rimSubs_v: true }));
    const soon = p.diagnostics.filter((d) => d.code === 'grant-expiring-soon');
    expect(soon.map((d) => [d.summary, d.subject?.field, d.position])).toEqual([
      [`application licence rimReg_v in vault 3003 of ${NAME} ends in 5 days (valid_until 2026-01-07); reason: audit`, 'memberships[3003].apps.rimReg_v.valid_until', AT],
    ]);
    expect(p.changes).toEqual([]);
  });
});

const MEMBER_AT = { file: 'groups/teams.yaml', line: 7, col: 17 } as const;
const BOB = 'bob.ray@veepharm.com';

/** "Auditors" with Ann (time-boxed by `grant`) and Bob; Vault's group has `liveMembers` (ids: Ann 42, Bob 43). */
function groupPlan(grant: Grant | undefined, liveMembers: readonly number[], policy = {}, createdAt?: string): Plan {
  const base = desiredGroup('Auditors', [NAME, BOB]);
  const group: DesiredGroup = { ...base, members: (base.members ?? []).map((m) => (m.user_name === NAME && grant !== undefined ? { ...m, grant } : m)) };
  const users = [ADMIN, liveUser(NAME, 42), liveUser(BOB, 43)];
  return planOf(
    desiredState({ users: [ADMIN_DESIRED, desiredUser(NAME), desiredUser(BOB)], groups: [group], policy }),
    liveState({ users, groups: [liveGroup('Auditors', 900, liveMembers)] }),
    createdAt === undefined ? {} : { created_at: createdAt },
  );
}

describe('time-boxed group members', () => {
  it('removes an expired member with remove_group_members, saying why', () => {
    const p = groupPlan({ valid_until: '2026-01-01', reason: 'audit CHG-3', source: MEMBER_AT }, [42, 43]);
    expect(fieldsOf(p, 'auditors')).toEqual([[`members[${NAME}]`, true, false]]);
    expect(p.changes[0]?.reason).toMatch(/^membership of group "Auditors" of ann\.lee@veepharm\.com expired on 2026-01-01 \(groups\/teams\.yaml:7; reason: audit CHG-3\); declared in/);
    expect(p.operations.map((o) => [o.kind, JSON.stringify(o).includes('"user_id":42')])).toEqual([['remove_group_members', true]]);
  });

  it('does not add it back on the next run', () => {
    const p = groupPlan({ valid_until: '2026-01-01', source: MEMBER_AT }, [43]);
    expect(p.changes).toEqual([]);
    expect(p.operations).toEqual([]);
  });

  it('does not add a member before valid_from, and adds them from that day', () => {
    const grant = { valid_from: '2026-01-05', source: MEMBER_AT };
    const before = groupPlan(grant, [43]);
    expect(before.operations).toEqual([]);
    expect(before.diagnostics.filter((d) => d.code === 'grant-not-yet-valid').map((d) => [d.subject?.user, d.position])).toEqual([[NAME, MEMBER_AT]]);
    const on = groupPlan(grant, [43], {}, '2026-01-05T00:00:01.000Z');
    expect(fieldsOf(on, 'auditors')).toEqual([[`members[${NAME}]`, false, true]]);
    expect(on.operations.map((o) => o.kind)).toEqual(['add_group_members']);
  });

  it('keeps the mass-removal guard: more expired members than policy.max_group_member_removals is refused', () => {
    const p = groupPlan({ valid_until: '2026-01-01', source: MEMBER_AT }, [42, 43], { max_group_member_removals: 0 });
    expect(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['guard-mass-group-member-removal']);
  });

  it('lists a member whose time box ends soon', () => {
    const p = groupPlan({ valid_until: '2026-01-03', source: MEMBER_AT }, [42, 43]);
    expect(p.diagnostics.filter((d) => d.code === 'grant-expiring-soon').map((d) => [d.summary, d.subject?.user, d.position])).toEqual([
      [`membership of group "Auditors" of ${NAME} ends tomorrow (valid_until 2026-01-03)`, NAME, MEMBER_AT],
    ]);
  });
});

const EMAIL = 'jerry.cotter@site.example';
const SITE_AT = { file: 'sitevault/staff.yaml', line: 14, col: 24 } as const;

function person(over: Partial<DesiredSiteVaultPerson>): DesiredSiteVaultPerson {
  return sitevaultPerson(EMAIL, {
    sites: [
      { site_usn: 'US-NC-0001', role: 'regulatory__v', addons: [] },
      { site_usn: 'US-NC-0002', role: 'study_team__v', addons: [] },
    ],
    ...over,
  });
}

function personPlan(desired: DesiredSiteVaultPerson, applied: DesiredSiteVaultPerson | null, createdAt?: string): Plan {
  return planOf(
    desiredState({ users: [ADMIN_DESIRED], sitevault: [desired] }),
    liveState({ users: [ADMIN], sitevault: applied === null ? [] : [appliedPerson(applied, 'V0P000000000001')] }),
    createdAt === undefined ? {} : { created_at: createdAt },
  );
}

describe('time-boxed SiteVault assignments', () => {
  it('sends no_access__v for an expired site, as for a site left out, saying why', () => {
    const p = personPlan(person({ site_grants: [{ site_usn: 'US-NC-0002', valid_until: '2026-01-01', reason: 'monitoring visit', source: SITE_AT }] }), person({}));
    expect(fieldsOf(p, EMAIL)).toEqual([['sites[US-NC-0002].role', 'study_team__v', 'no_access__v']]);
    expect(p.changes[0]?.reason).toMatch(/^assignment to site US-NC-0002 expired on 2026-01-01 \(sitevault\/staff\.yaml:14; reason: monitoring visit\); /);
    const leftOut = personPlan(person({ sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: [] }] }), person({}));
    expect(p.operations).toEqual(leftOut.operations);
  });

  it('does not send the site again once the state file has it at no_access__v', () => {
    const revoked = person({ sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: [] }, { site_usn: 'US-NC-0002', role: 'no_access__v', addons: [] }] });
    const p = personPlan(person({ site_grants: [{ site_usn: 'US-NC-0002', valid_until: '2026-01-01', source: SITE_AT }] }), revoked);
    expect(p.changes).toEqual([]);
  });

  it('creates a new person without a site before its valid_from', () => {
    const p = personPlan(person({ site_grants: [{ site_usn: 'US-NC-0002', valid_from: '2026-02-01', source: SITE_AT }] }), null);
    expect(p.changes[0]?.action).toBe('sitevault_create');
    expect(p.diagnostics.filter((d) => d.code === 'grant-not-yet-valid').map((d) => [d.subject?.field, d.position])).toEqual([['sites[US-NC-0002].valid_from', SITE_AT]]);
    expect(p.changes[0]?.fields.map((f) => f.path).filter((path) => path.startsWith('sites'))).toEqual(['sites[US-NC-0001].role', 'sites[US-NC-0001].addons']);
  });

  it('treats an expired study as a study left out (SiteVault cannot remove one: a warning says so)', () => {
    const p = personPlan(person({ study_grants: [{ study_id: 'V0S000000001001', valid_until: '2026-01-01', source: SITE_AT }] }), person({}));
    expect(p.diagnostics.filter((d) => d.code === 'sitevault-study-not-removable').map((d) => d.subject?.user)).toEqual([EMAIL]);
  });

  it('lists an assignment ending soon', () => {
    const p = personPlan(person({ site_grants: [{ site_usn: 'US-NC-0001', valid_until: '2026-01-10', source: SITE_AT }] }), person({}));
    expect(p.diagnostics.filter((d) => d.code === 'grant-expiring-soon').map((d) => [d.summary, d.subject?.field])).toEqual([
      [`assignment to site US-NC-0001 of ${EMAIL} ends in 8 days (valid_until 2026-01-10)`, 'sites[US-NC-0001].valid_until'],
    ]);
  });
});

describe('policy.require_valid_until.external_licenses.max_days on application licences', () => {
  it('refuses an external app licence time-boxed for longer, at its valid_until', () => {
    const user = desiredUser(NAME, {
      memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'external__v' } } }],
      app_grants: [appGrant({ valid_until: '2026-04-30' })],
    });
    const p = planOf(desiredState({ users: [ADMIN_DESIRED, user], policy: { require_valid_until: { external_licenses: { max_days: 90 } } } }), liveState({ users: [ADMIN, liveWithApps({ rimReg_v: true })] }));
    const errors = p.diagnostics.filter((d) => d.code === 'grant-too-long');
    expect(errors.map((d) => [d.summary, d.hint, d.position])).toEqual([
      [
        `valid_until 2026-04-30 of application licence rimReg_v in vault 3003 of ${NAME} gives 119 days of access; policy.require_valid_until.external_licenses.max_days allows 90`,
        'move valid_until to 2026-04-01 or earlier, and renew it when that day comes',
        AT,
      ],
    ]);
    const within = planOf(
      desiredState({ users: [ADMIN_DESIRED, { ...user, app_grants: [appGrant({ valid_until: '2026-04-01' })] }], policy: { require_valid_until: { external_licenses: { max_days: 90 } } } }),
      liveState({ users: [ADMIN, liveWithApps({ rimReg_v: true })] }),
    );
    expect(within.diagnostics.filter((d) => d.code === 'grant-too-long')).toEqual([]);
  });
});
