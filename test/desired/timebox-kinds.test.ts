/**
 * Time boxes on application licences, group members (both forms) and SiteVault assignments in the
 * loader: the object forms read with their positions, the string forms unchanged, bad dates and
 * misplaced time-box keys refused at file:line:col with a hint naming where time boxes go.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { TIMEBOX_PLACES } from '../../src/model.js';
import { expectDiagnostic, makeRepo, removeRepo, summarise } from './temp-repo.js';

const roots: string[] = [];
afterAll(() => {
  roots.forEach(removeRepo);
});

const ROSTER = `vault:
  api_version: v26.2
include:
  - users/*.yaml
  - sitevault/*.yaml
  - groups/*.yaml
`;

const USERS = `users:
  - user_name: ann.lee@veepharm.com
    memberships:
      - vault: 3003
        apps:
          rimSubs_v: full__v
          rimReg_v: { license_type: read_only__v, valid_until: 2027-01-31, reason: CHG-1 }
    groups:
      - Auditors
      - { group: Reviewers, valid_from: 2026-12-01, valid_until: 2026-12-31 }
  - user_name: bob.ray@veepharm.com
`;

const GROUPS = `groups:
  - label: Auditors
    members:
      - bob.ray@veepharm.com
  - label: Reviewers
  - label: Inspectors
    members:
      - { user: Bob.Ray@veepharm.com, valid_until: 2027-02-28, reason: inspection }
`;

const SITEVAULT = `sitevault_users:
  - email: jerry@site.example
    username: jerry@site.example
    first_name: Jerry
    last_name: Cotter
    security_policy: VeevaID
    person_type: staff__v
    investigator: false
    org: { id: V42000000001001, role: org_full__v }
    sites:
      - { usn: US-NC-0001, role: regulatory__v }
      - { usn: US-NC-0002, role: study_team__v, valid_until: 2027-03-31, reason: monitoring }
    studies:
      - { id: V0S000000001001, role: research_nurse__v, valid_from: 2026-12-01 }
`;

async function load(files: { users?: string; groups?: string; sitevault?: string; roster?: string }) {
  const root = makeRepo({
    'roster.yaml': files.roster ?? ROSTER,
    'users/team.yaml': files.users ?? USERS,
    'groups/teams.yaml': files.groups ?? GROUPS,
    'sitevault/staff.yaml': files.sitevault ?? SITEVAULT,
  });
  roots.push(root);
  return loadDesiredState('roster.yaml', { cwd: root });
}

describe('time boxes on app licences, group members and SiteVault assignments: loading', () => {
  it('reads the object forms with their positions and keeps the string forms', async () => {
    const result = await load({});
    expect(summarise(result.diagnostics)).toEqual([]);
    if (!result.ok) throw new Error('expected ok');
    const ann = result.state.users.find((u) => u.user_name === 'ann.lee@veepharm.com');
    expect(ann?.memberships?.[0]?.apps).toEqual({ rimReg_v: { active: true, license_type: 'read_only__v' }, rimSubs_v: { active: true, license_type: 'full__v' } });
    expect(ann?.app_grants).toEqual([{ vault_id: 3003, app: 'rimReg_v', valid_until: '2027-01-31', reason: 'CHG-1', source: { file: 'users/team.yaml', line: 7, col: 51 } }]);
    const groups = new Map((result.state.groups ?? []).map((g) => [g.key, g]));
    expect(groups.get('auditors')?.members).toEqual([
      { user_name: 'ann.lee@veepharm.com', source: { file: 'users/team.yaml', line: 9, col: 9 } },
      { user_name: 'bob.ray@veepharm.com', source: { file: 'groups/teams.yaml', line: 4, col: 9 } },
    ]);
    expect(groups.get('reviewers')?.members).toEqual([
      {
        user_name: 'ann.lee@veepharm.com',
        grant: { valid_from: '2026-12-01', valid_until: '2026-12-31', source: { file: 'users/team.yaml', line: 10, col: 53 } },
        source: { file: 'users/team.yaml', line: 10, col: 18 },
      },
    ]);
    expect(groups.get('inspectors')?.members).toEqual([
      {
        user_name: 'bob.ray@veepharm.com',
        grant: { valid_until: '2027-02-28', reason: 'inspection', source: { file: 'groups/teams.yaml', line: 8, col: 39 } },
        source: { file: 'groups/teams.yaml', line: 8, col: 17 },
      },
    ]);
    const [jerry] = result.state.sitevault;
    expect(jerry?.sites.map((s) => s.site_usn)).toEqual(['US-NC-0001', 'US-NC-0002']);
    expect(jerry?.site_grants).toEqual([{ site_usn: 'US-NC-0002', valid_until: '2027-03-31', reason: 'monitoring', source: { file: 'sitevault/staff.yaml', line: 12, col: 49 } }]);
    expect(jerry?.study_grants).toEqual([{ study_id: 'V0S000000001001', valid_from: '2026-12-01', source: { file: 'sitevault/staff.yaml', line: 14, col: 57 } }]);
  });

  it.each([
    ['an app licence with a day that does not exist', { users: USERS.replace('2027-01-31', '2027-02-30') }, 'grant-invalid-date', 'users/team.yaml:7:64'],
    ['a group item ending before it starts', { users: USERS.replace('valid_until: 2026-12-31', 'valid_until: 2026-11-30') }, 'grant-ends-before-start', 'users/team.yaml:10:66'],
    ['a group member with a reason and no dates', { groups: GROUPS.replace('valid_until: 2027-02-28, ', '') }, 'grant-reason-without-dates', 'groups/teams.yaml:8:39'],
    ['a site with a day that does not exist', { sitevault: SITEVAULT.replace('2027-03-31', '2027-04-31') }, 'grant-invalid-date', 'sitevault/staff.yaml:12:62'],
    ['a study with a month that does not exist', { sitevault: SITEVAULT.replace('valid_from: 2026-12-01', 'valid_from: 2026-00-01') }, 'grant-invalid-date', 'sitevault/staff.yaml:14:69'],
    ['an app licence object without its licence type', { users: USERS.replace('license_type: read_only__v, ', '') }, 'missing-key', 'users/team.yaml:7:21'],
    ['a misspelt key in an app licence object', { users: USERS.replace('valid_until: 2027-01-31', 'valid_untill: 2027-01-31') }, 'unknown-key', 'users/team.yaml:7:51'],
  ])('refuses %s', async (_name, files, code, at) => {
    const result = await load(files);
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, code, at);
    expect(found.hint).not.toBe('');
  });

  it('refuses one group membership declared in both places with different time boxes', async () => {
    const users = USERS.replace('      - Auditors\n', '      - { group: Inspectors, valid_until: 2027-01-15 }\n').replace('  - user_name: bob.ray@veepharm.com\n', '');
    const groups = GROUPS.replace('Bob.Ray@veepharm.com', 'ann.lee@veepharm.com').replace('      - bob.ray@veepharm.com\n', '');
    const result = await load({ users, groups });
    const found = expectDiagnostic(result.diagnostics, 'grant-declared-twice', 'users/team.yaml:9:18');
    expect(found.summary).toContain('valid_until 2027-02-28 in the group\'s members: at groups/teams.yaml:7:17 but valid_until 2027-01-15');
    expect(result.ok).toBe(false);
  });

  it.each([
    ['a group definition', { groups: GROUPS.replace('  - label: Reviewers\n', '  - label: Reviewers\n    valid_until: 2027-01-01\n') }, 'groups/teams.yaml:6:5', 'groups[1]'],
    ['roster.yaml', { roster: `${ROSTER}valid_until: 2027-01-01\n` }, 'roster.yaml:7:1', 'the top level'],
    ['the organization assignment', { sitevault: SITEVAULT.replace('role: org_full__v }', 'role: org_full__v, valid_until: 2027-01-01 }') }, 'sitevault/staff.yaml:9:52', 'sitevault_users[0].org'],
    ['a user field', { users: USERS.replace('  - user_name: bob.ray@veepharm.com\n', '  - user_name: bob.ray@veepharm.com\n    first_name: { value: Bob, valid_until: 2027-01-01 }\n') }, 'users/team.yaml:12:17', 'users[1].first_name'],
  ])('refuses a time box on %s, naming where time boxes are allowed', async (_name, files, at, where) => {
    const result = await load(files);
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, 'grant-not-allowed', at);
    expect(found.summary).toContain(`${where}, which cannot be time-boxed`);
    expect(found.hint).toContain(TIMEBOX_PLACES);
  });
});

describe('policy.require_valid_until on application licences', () => {
  const roster = `${ROSTER}policy:\n  require_valid_until:\n    external_licenses: { max_days: 90 }\n`;
  const withApp = (value: string): string => USERS.replace('rimSubs_v: full__v', `rimSubs_v: ${value}`);

  it('needs a valid_until on an external app licence whose membership and user have none', async () => {
    const result = await load({ roster, users: withApp('external__v') });
    const found = expectDiagnostic(result.diagnostics, 'grant-required', 'users/team.yaml:6:11');
    expect(found.summary).toBe('application licence rimSubs_v (external__v) in vault 3003 of ann.lee@veepharm.com needs a valid_until: policy.require_valid_until.external_licenses in roster.yaml requires one');
    expect(found.hint).toBe('Add valid_until: YYYY-MM-DD (at most 90 days ahead) to it (rimSubs_v: { license_type: external__v, valid_until: YYYY-MM-DD }), to its membership or to the user, with a reason.');
  });

  it('is satisfied by the licence\'s own valid_until, or its membership\'s', async () => {
    expect(summarise((await load({ roster, users: withApp('{ license_type: external__v, valid_until: 2027-01-01 }') })).diagnostics)).toEqual([]);
    const onMembership = withApp('external__v').replace('      - vault: 3003\n', '      - vault: 3003\n        valid_until: 2027-01-01\n');
    expect(summarise((await load({ roster, users: onMembership })).diagnostics)).toEqual([]);
  });

  it('says where a time box goes when it is written among the app codes', async () => {
    const result = await load({ users: USERS.replace('rimSubs_v: full__v', 'rimSubs_v: full__v\n          valid_until: 2027-01-01') });
    const found = expectDiagnostic(result.diagnostics, 'grant-not-allowed', 'users/team.yaml:7:11');
    expect(found.hint).toBe('In apps:, a time box goes inside one application\'s object form: rimReg_v: { license_type: full__v, valid_until: … }.');
  });
});
