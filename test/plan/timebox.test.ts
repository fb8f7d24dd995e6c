/**
 * Time-boxed grants in the planner: the clock is PlanOptions.created_at (fixtures: 2026-01-02T03:04:05Z).
 * An expired grant is treated as absent, a not-yet-valid one is not created, one ending soon is listed.
 */
import { describe, expect, it } from 'vitest';
import type { DesiredUser, Grant, LiveUser, MembershipGrant } from '../../src/model.js';
import { createPlan, entryDigest, type Plan } from '../../src/plan/index.js';
import { daysLeft, grantState, type GrantState } from '../../src/plan/timebox.js';
import { desiredState, desiredUser, liveState, liveUser, planOf, ADMIN, ADMIN_DESIRED, OPTIONS } from './fixtures.js';

const AT = { file: 'users/team.yaml', line: 9, col: 9 } as const;
const NAME = 'ann.lee@veepharm.com';

function membershipGrant(over: Partial<MembershipGrant>): MembershipGrant {
  return { vault_id: 3003, source: AT, ...over };
}

function userWith(over: Partial<DesiredUser>): DesiredUser {
  return desiredUser(NAME, over);
}

/** A plan of ADMIN and `user`; `live` null = the user is not in Vault. */
function plan(user: DesiredUser, live: LiveUser | null = liveUser(NAME, 42), policy = {}, createdAt?: string): Plan {
  return planOf(desiredState({ users: [ADMIN_DESIRED, user], policy }), liveState({ users: [ADMIN, ...(live === null ? [] : [live])] }), createdAt === undefined ? {} : { created_at: createdAt });
}

describe('grantState and daysLeft (UTC days, both inclusive)', () => {
  const at = (iso: string): number => Date.parse(iso);
  const cases: readonly (readonly [Pick<Grant, 'valid_from' | 'valid_until'>, string, GrantState, number | undefined])[] = [
    [{ valid_until: '2026-01-01' }, '2026-01-01T23:59:59.999Z', 'valid', 0],
    [{ valid_until: '2026-01-01' }, '2026-01-02T00:00:00.000Z', 'expired', -1],
    [{ valid_from: '2026-01-03' }, '2026-01-02T23:59:59.999Z', 'not-yet-valid', undefined],
    [{ valid_from: '2026-01-03' }, '2026-01-03T00:00:00.000Z', 'valid', undefined],
    [{ valid_from: '2026-01-01', valid_until: '2026-01-07' }, '2026-01-02T03:04:05.000Z', 'valid', 5],
  ];
  it.each(cases)('%j at %s is %s', (grant, iso, state, left) => {
    expect(grantState(grant, at(iso))).toBe(state);
    expect(daysLeft(grant, at(iso))).toBe(left);
  });
});

describe('time-boxed memberships', () => {
  it('deactivates a membership whose valid_until was yesterday, saying why', () => {
    const p = plan(userWith({ membership_grants: [membershipGrant({ valid_until: '2026-01-01', reason: 'audit CHG-7' })] }));
    const change = p.changes.find((c) => c.key === NAME);
    expect(change?.fields.map((f) => [f.path, f.before, f.after])).toEqual([['memberships[3003].active', true, false]]);
    expect(change?.reason).toMatch(/^membership of vault 3003 expired on 2026-01-01 \(users\/team\.yaml:9; reason: audit CHG-7\); /);
  });

  it('leaves it inactive on the next run: no change, no note', () => {
    const live = liveUser(NAME, 42, { memberships: [{ vault_id: 3003, active: false, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } }] });
    const p = plan(userWith({ membership_grants: [membershipGrant({ valid_until: '2026-01-01' })] }), live);
    expect(p.changes.filter((c) => c.key === NAME)).toEqual([]);
    expect(p.diagnostics.filter((d) => d.subject?.user === NAME)).toEqual([]);
  });

  it('only switches access off: a profile declared differently is not changed with it', () => {
    const user = userWith({ membership_grants: [membershipGrant({ valid_until: '2025-12-31' })] });
    const declared = { ...user, memberships: [{ vault_id: 3003, active: true, security_profile: 'system_admin__v', license_type: 'full__v' as const }] };
    const p = plan(declared);
    expect(p.changes.find((c) => c.key === NAME)?.fields.map((f) => f.path)).toEqual(['memberships[3003].active']);
  });

  it('is still valid on its last day, and listed as ending today', () => {
    const p = plan(userWith({ membership_grants: [membershipGrant({ valid_until: '2026-01-02' })] }));
    expect(p.changes.filter((c) => c.key === NAME)).toEqual([]);
    const soon = p.diagnostics.filter((d) => d.code === 'grant-expiring-soon');
    expect(soon.map((d) => [d.severity, d.summary, d.subject?.field])).toEqual([
      ['info', `membership of vault 3003 of ${NAME} ends today (valid_until 2026-01-02)`, 'memberships[3003].valid_until'],
    ]);
    expect(soon[0]?.position).toEqual(AT);
    expect(soon[0]?.hint).toContain('users/team.yaml:9');
  });

  it('lists a grant ending in 5 days within the default 14, not within policy.expiry_warning_days 5', () => {
    const user = userWith({ membership_grants: [membershipGrant({ valid_until: '2026-01-07', reason: 'contract' })] });
    expect(plan(user).diagnostics.filter((d) => d.code === 'grant-expiring-soon').map((d) => d.summary)).toEqual([
      `membership of vault 3003 of ${NAME} ends in 5 days (valid_until 2026-01-07); reason: contract`,
    ]);
    expect(plan(user, undefined, { expiry_warning_days: 5 }).diagnostics.filter((d) => d.code === 'grant-expiring-soon')).toEqual([]);
  });

  it('does not create a membership before its valid_from, and creates it from that day', () => {
    const user = userWith({
      memberships: [
        { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
        { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
      ],
      membership_grants: [membershipGrant({ vault_id: 4004, valid_from: '2026-01-03' })],
    });
    const before = plan(user, null);
    const created = before.changes.find((c) => c.key === NAME);
    expect(created?.action).toBe('create');
    expect(created?.fields.some((f) => f.path.startsWith('memberships[4004]'))).toBe(false);
    const after = plan(user, null, {}, '2026-01-03T00:00:00.000Z');
    expect(after.changes.find((c) => c.key === NAME)?.fields.some((f) => f.path === 'memberships[4004].active')).toBe(true);
  });
});

describe('time-boxed users', () => {
  const grant = (over: Partial<Grant>): Grant => ({ source: { file: 'users/team.yaml', line: 3, col: 5 }, ...over });

  it('deactivates a live user whose own valid_until passed', () => {
    const p = plan(userWith({ grant: grant({ valid_until: '2025-12-01', reason: 'contractor' }) }));
    const change = p.changes.find((c) => c.key === NAME);
    expect(change?.action).toBe('deactivate');
    expect(change?.reason).toBe('user expired on 2025-12-01 (users/team.yaml:3; reason: contractor)');
  });

  it('does not create an expired or not-yet-valid user, and says why instead of the generic note', () => {
    for (const [g, code] of [
      [grant({ valid_until: '2025-12-01' }), 'grant-expired'],
      [grant({ valid_from: '2026-02-01' }), 'grant-not-yet-valid'],
    ] as const) {
      const p = plan(userWith({ grant: g }), null);
      expect(p.changes.filter((c) => c.key === NAME)).toEqual([]);
      expect(p.diagnostics.filter((d) => d.subject?.user === NAME).map((d) => d.code)).toEqual([code]);
    }
  });

  it('lists the user among those expiring soon', () => {
    const p = plan(userWith({ grant: grant({ valid_until: '2026-01-03' }) }));
    expect(p.diagnostics.filter((d) => d.code === 'grant-expiring-soon').map((d) => d.summary)).toEqual([`access of ${NAME} ends tomorrow (valid_until 2026-01-03)`]);
  });

  it('refuses to judge grants by a time it cannot read', () => {
    // Not through planOf: such a plan does not match the schema, which is the point.
    const p = createPlan(desiredState({ users: [userWith({ grant: grant({ valid_until: '2026-12-01' }) })] }), liveState(), { ...OPTIONS, created_at: 'yesterday' });
    expect(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['grant-clock-invalid']);
  });
});

describe('policy.require_valid_until max_days', () => {
  const external = (grant: Partial<MembershipGrant>): DesiredUser =>
    userWith({
      memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'external__v' }],
      license_type: 'external__v',
      membership_grants: [membershipGrant(grant)],
    });
  const policy = { require_valid_until: { external_licenses: { max_days: 30 }, admin_profiles: { max_days: 7 } } };
  const errors = (p: Plan): string[] => p.diagnostics.filter((d) => d.code === 'grant-too-long').map((d) => `${d.summary} | ${d.hint}`);

  it('counts from the plan day, both ends included: 30 days allowed, 31 refused with the last allowed day', () => {
    // The plan's day is 2026-01-02: 2026-01-31 is the 30th day.
    expect(errors(plan(external({ valid_until: '2026-01-31' }), liveUser(NAME, 42), policy))).toEqual([]);
    expect(errors(plan(external({ valid_until: '2026-02-01' }), liveUser(NAME, 42), policy))).toEqual([
      `valid_until 2026-02-01 of the membership of vault 3003 of ${NAME} gives 31 days of access; policy.require_valid_until.external_licenses.max_days allows 30 | move valid_until to 2026-01-31 or earlier, and renew it when that day comes`,
    ]);
  });

  it('counts from a later valid_from, and takes the smallest cap of the populations a membership is in', () => {
    const admin = userWith({
      memberships: [{ vault_id: 3003, active: true, security_profile: 'system_admin__v', license_type: 'external__v' }],
      membership_grants: [membershipGrant({ valid_from: '2026-03-01', valid_until: '2026-03-08' })],
    });
    const p = plan(admin, liveUser(NAME, 42), policy);
    expect(errors(p)).toEqual([
      `valid_until 2026-03-08 of the membership of vault 3003 of ${NAME} gives 8 days of access; policy.require_valid_until.admin_profiles.max_days allows 7 | move valid_until to 2026-03-07 or earlier, and renew it when that day comes`,
    ]);
    expect(p.diagnostics.find((d) => d.code === 'grant-too-long')?.position).toEqual(AT);
  });
});

describe('drift mode', () => {
  it('applies the same clock: an unchanged entry whose membership expired since the last apply is deactivated', () => {
    const user = userWith({ membership_grants: [membershipGrant({ valid_until: '2026-01-01' })] });
    const desired = desiredState({ users: [ADMIN_DESIRED, user] });
    const live = liveState({ users: [ADMIN, liveUser(NAME, 42)] });
    // The baseline digests the entry as declared (time box included), so the entry counts as unchanged.
    const baseline = { applied_at: '2025-12-20T00:00:00.000Z', users: { [NAME]: entryDigest(user), [ADMIN_DESIRED.user_name]: entryDigest(ADMIN_DESIRED) }, sitevault: {}, live_users: [ADMIN.user_name, NAME] };
    const p = planOf(desired, live, { mode: 'drift', baseline });
    expect(p.changes.map((c) => [c.key, c.fields.map((f) => f.path)])).toEqual([[NAME, ['memberships[3003].active']]]);
    expect(p.changes[0]?.reason).toMatch(/^membership of vault 3003 expired on 2026-01-01 /);
  });
});
