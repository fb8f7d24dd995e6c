/** Checks in every vault a plan touches: seats per vault and app, security profiles, app codes (issue #15 item 4). */
import { describe, expect, it } from 'vitest';
import type { DesiredUser, LicenseUsage, LiveUser, Membership } from '../../src/model.js';
import type { Plan, PlanAllowFlags } from '../../src/plan/index.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, liveState, liveUser, planOf, type LiveParts } from './fixtures.js';

const names = (n: number, prefix = 'u'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}@veepharm.com`);

function member(vaultId: number, apps: Record<string, 'full__v' | 'read_only__v'> = {}, profile = 'document_user__v'): Membership {
  return {
    vault_id: vaultId,
    active: true,
    security_profile: profile,
    license_type: 'full__v',
    apps: Object.fromEntries(Object.entries(apps).map(([code, type]) => [code, { active: true, license_type: type }])),
  };
}

function codesOf(plan: Plan): [string, string, number | undefined][] {
  return plan.diagnostics
    .filter((d) => d.severity !== 'info')
    .map((d): [string, string, number | undefined] => [d.code, d.severity, d.subject?.vault_id]);
}

function planNew(users: readonly DesiredUser[], live: LiveParts = {}, allow: PlanAllowFlags = {}, liveUsers: readonly LiveUser[] = []): Plan {
  return planOf(desiredState({ users: [ADMIN_DESIRED, ...users] }), liveState({ users: [ADMIN, ...liveUsers], ...live }), { allow });
}

describe('seat preview and seat guard per vault and application', () => {
  const licenses: LicenseUsage[] = [
    { application: 'rimReg_v', license_type: 'full__v', licensed: 3, used: 2 },
    { application: 'rimSubs_v', license_type: 'full__v', licensed: 10, used: 9 },
  ];
  const newUsers = (n: number, memberships: Membership[]): DesiredUser[] => names(n).map((u) => desiredUser(u, { memberships }));

  it.each([
    ['one seat in the session vault fits', newUsers(1, [member(3003, { rimReg_v: 'full__v' })]), {}, []],
    ['two seats of rimReg_v exceed it', newUsers(2, [member(3003, { rimReg_v: 'full__v' })]), {}, [['guard-license-seats', 'error', 3003]]],
    ['rimSubs_v over while rimReg_v fits', newUsers(1, [member(3003, { rimReg_v: 'full__v', rimSubs_v: 'full__v' })]).concat(newUsers(1, [member(3003, { rimSubs_v: 'full__v' })]).map((u) => ({ ...u, user_name: 'v@veepharm.com', email: 'v@veepharm.com' }))), {}, [['guard-license-seats', 'error', 3003]]],
    ['allowed by --allow-license-overuse', newUsers(2, [member(3003, { rimReg_v: 'full__v' })]), { license_overuse: true }, [['guard-license-seats', 'warning', 3003]]],
    ['seats in another vault: a warning, never a silent pass', newUsers(2, [member(3003), member(4004, { rimReg_v: 'full__v' })]), {}, [['license-seats-unverified', 'warning', 4004]]],
    ['a seat the session vault gives no figures for', newUsers(1, [member(3003, { rimReg_v: 'read_only__v' })]), {}, [['license-seats-unverified', 'warning', 3003]]],
  ] as const)('%s', (_name, users, allow, expected) => {
    const plan = planNew(users, { licenses }, allow);
    expect(codesOf(plan)).toEqual(expected);
  });

  it('previews licensed, used and after per vault, application and licence type; unknown figures are null', () => {
    const users = names(2).map((u) => desiredUser(u, { memberships: [member(3003, { rimReg_v: 'full__v' }), member(4004, { rimReg_v: 'full__v' })] }));
    const plan = planNew(users, { licenses }, { license_overuse: true });
    expect(plan.seats).toEqual([
      { vault_id: 3003, application: 'rimReg_v', license_type: 'full__v', licensed: 3, used: 2, change: 2, after: 4 },
      { vault_id: 4004, application: 'rimReg_v', license_type: 'full__v', licensed: null, used: null, change: 2, after: null },
    ]);
    const warning = plan.diagnostics.find((d) => d.code === 'license-seats-unverified');
    expect(warning?.summary).toBe('seats in vault 4004 are not checked (2 × rimReg_v full__v): Vault reports licence usage only for the vault the session is in (3003)');
  });

  it('counts seats freed by a deactivation against seats taken in the same vault', () => {
    const seated = liveUser('seated@veepharm.com', 50, { memberships: [member(3003, { rimReg_v: 'full__v' })] });
    const users = [...newUsers(2, [member(3003, { rimReg_v: 'full__v' })]), desiredUser('seated@veepharm.com', { active: false, memberships: [member(3003, { rimReg_v: 'full__v' })] })];
    const plan = planNew(users, { licenses }, {}, [seated]);
    expect(codesOf(plan)).toEqual([]);
    expect(plan.seats).toEqual([{ vault_id: 3003, application: 'rimReg_v', license_type: 'full__v', licensed: 3, used: 2, change: 1, after: 3 }]);
  });
});

describe('security profiles known to each target vault', () => {
  const profiles = ['document_user__v', 'system_admin__v', 'rim_author__c'];
  const withProfile = (vaultId: number, profile: string): DesiredUser[] => [desiredUser('p@veepharm.com', { memberships: [member(3003), ...(vaultId === 3003 ? [] : [member(vaultId)])].map((m) => (m.vault_id === vaultId ? { ...m, security_profile: profile } : m)) })];

  it.each([
    ['a profile the session vault lists', 3003, 'rim_author__c', profiles, [], []],
    ['a custom profile the session vault does not list: error', 3003, 'ghost__c', profiles, [], [['unknown-security-profile', 'error', 3003]]],
    ['a standard profile the session vault does not list: error', 3003, 'view_based_user__v', profiles, [], [['unknown-security-profile', 'error', 3003]]],
    ['profiles not read: a custom one is a warning', 3003, 'ghost__c', undefined, [], [['security-profile-unverified', 'warning', 3003]]],
    ['a custom profile in another vault: warning naming profile and vault', 4004, 'ghost__c', profiles, [], [['security-profile-unverified', 'warning', 4004]]],
    ['a standard profile in another vault passes', 4004, 'read_only_user__v', profiles, [], []],
    ['a custom profile a live user holds in that vault passes', 4004, 'ghost__c', profiles, [liveUser('h@veepharm.com', 9, { memberships: [member(4004, {}, 'ghost__c')] })], []],
  ] as const)('%s', (_name, vaultId, profile, listed, liveUsers, expected) => {
    const live: LiveParts = listed === undefined ? {} : { security_profiles: listed };
    const plan = planNew(withProfile(vaultId, profile), live, {}, liveUsers);
    expect(codesOf(plan).filter(([code]) => code !== 'unmanaged-users')).toEqual(expected);
    const d = plan.diagnostics.find((x) => x.code === expected[0]?.[0]);
    if (d !== undefined) {
      expect(d.summary).toContain(profile);
      expect(d.summary).toContain(`vault ${vaultId}`);
      expect(d.position).toEqual({ file: 'users/team.yaml', line: 3, col: 5 });
    }
  });

  it('an unchanged membership is not re-checked', () => {
    const live = liveUser('p@veepharm.com', 9, { memberships: [member(3003, {}, 'legacy__c')] });
    const plan = planNew([desiredUser('p@veepharm.com', { memberships: [member(3003, {}, 'legacy__c')] })], { security_profiles: profiles }, {}, [live]);
    expect(codesOf(plan)).toEqual([]);
  });
});

describe('application codes known to each vault', () => {
  const withApp = (vaultId: number, code: string): DesiredUser[] => [
    desiredUser('a@veepharm.com', { memberships: vaultId === 3003 ? [member(3003, { [code]: 'full__v' })] : [member(3003), member(vaultId, { [code]: 'full__v' })] }),
  ];
  it.each([
    ['an app the domain lists for the vault', 3003, 'rimSubs_v', {}, []],
    ['an app the vault does not have: error', 4004, 'rimSubs_v', {}, [['license-seats-unverified', 'warning', 4004], ['unknown-app', 'error', 4004]]],
    ['a vault the domain lists no applications for: warning', 5005, 'qualityQms_v', {}, [['license-seats-unverified', 'warning', 5005], ['app-unverified', 'warning', 5005]]],
    ['domain not readable: warning', 4004, 'rimReg_v', { vault_apps: null }, [['license-seats-unverified', 'warning', 4004], ['app-unverified', 'warning', 4004]]],
    ['in licence usage of the session vault though the domain omits it', 3003, 'rimReg_v', { vault_apps: new Map([[3003, ['other_v']]]) }, []],
  ] as const)('%s', (_name, vaultId, code, live, expected) => {
    const plan = planNew(withApp(vaultId, code), { licenses: [{ application: 'rimReg_v', license_type: 'full__v', licensed: 9, used: 0 }, { application: 'rimSubs_v', license_type: 'full__v', licensed: 9, used: 0 }], ...live });
    expect(codesOf(plan)).toEqual(expected);
    const unknown = plan.diagnostics.find((d) => d.code === 'unknown-app');
    if (unknown !== undefined) expect(unknown.hint).toBe('use one of the applications the domain lists for vault 4004: rimReg_v');
  });
});
