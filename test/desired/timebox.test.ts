/**
 * Time-boxed grants in the loader: dates kept as declared with their positions, and each bad
 * input refused at its file:line:col with a hint.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { grantDayStart } from '../../src/model.js';
import { BASE_ROSTER, expectDiagnostic, summarise, usersFileLoader } from './temp-repo.js';

const repos = usersFileLoader();
afterAll(() => {
  repos.cleanup();
});
const load = repos.load;

const user = (lines: string): string => `users:\n  - user_name: Ann.Lee@veepharm.com\n${lines}`;

describe('time-boxed grants: loading', () => {
  it('keeps user and membership time boxes, with where they were declared', async () => {
    const result = await load(
      user(
        [
          '    valid_until: 2027-03-31',
          '    reason: contractor, CHG-1',
          '    memberships:',
          '      - vault: 3004',
          '      - vault: 3003',
          '        valid_from: "2026-12-01"',
          '        valid_until: 2026-12-24',
          '        reason: " audit "',
          '',
        ].join('\n'),
      ),
    );
    expect(summarise(result.diagnostics)).toEqual([]);
    if (!result.ok) throw new Error('expected ok');
    const [u] = result.state.users;
    expect(u?.grant).toEqual({ valid_until: '2027-03-31', reason: 'contractor, CHG-1', source: { file: 'users/team.yaml', line: 3, col: 5 } });
    expect(u?.membership_grants).toEqual([
      { vault_id: 3003, valid_from: '2026-12-01', valid_until: '2026-12-24', reason: 'audit', source: { file: 'users/team.yaml', line: 9, col: 9 } },
    ]);
    expect(result.state.policy.expiry_warning_days).toBe(14);
  });

  it('reads policy.expiry_warning_days', async () => {
    const result = await load(user(''), `${BASE_ROSTER}policy:\n  expiry_warning_days: 30\n`);
    expect(result.ok && result.state.policy.expiry_warning_days).toBe(30);
  });

  it.each([
    ['a day that does not exist', '    valid_until: 2027-02-29\n', 'grant-invalid-date', 'users/team.yaml:3:18'],
    ['a month that does not exist', '    memberships:\n      - vault: 3003\n        valid_from: 2026-13-01\n', 'grant-invalid-date', 'users/team.yaml:5:21'],
    ['an end before the start', '    valid_from: 2026-12-10\n    valid_until: 2026-12-09\n', 'grant-ends-before-start', 'users/team.yaml:4:18'],
    ['a reason without dates', '    memberships:\n      - vault: 3003\n        reason: why\n', 'grant-reason-without-dates', 'users/team.yaml:5:9'],
    ['a date in another form', '    valid_until: 31/12/2026\n', 'invalid-value', 'users/team.yaml:3:18'],
  ])('refuses %s', async (_name, lines, code, at) => {
    const result = await load(user(lines));
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, code, at);
    expect(found.hint).not.toBe('');
  });

  it('accepts an end on the start day (both inclusive)', async () => {
    const result = await load(user('    valid_from: 2026-12-10\n    valid_until: 2026-12-10\n'));
    expect(summarise(result.diagnostics)).toEqual([]);
  });
});

describe('policy.require_valid_until', () => {
  const roster = `${BASE_ROSTER}defaults:\n  security_policy: "821"\npolicy:\n  require_valid_until:\n    external_licenses: { max_days: 90 }\n    admin_profiles: {}\n`;

  it('requires a valid_until on a membership in a named population, at its vault key', async () => {
    const result = await load(
      user(
        [
          '    memberships:',
          '      - vault: 3003', // line 4: external, no time box
          '        license_type: external__v',
          '      - vault: 4004', // line 6: admin, no time box
          '        security_profile: system_admin__v',
          '      - vault: 5005', // line 8: neither
          '      - vault: 6006', // external but time-boxed
          '        license_type: external__v',
          '        valid_until: 2026-12-31',
          '      - vault: 7007', // admin but inactive
          '        security_profile: vault_owner__v',
          '        active: false',
          '',
        ].join('\n'),
      ),
      roster,
    );
    expect(summarise(result.diagnostics)).toEqual(['users/team.yaml:4:9 grant-required', 'users/team.yaml:6:9 grant-required']);
    const [external] = result.diagnostics;
    expect(external?.summary).toBe('the membership of vault 3003 of ann.lee@veepharm.com needs a valid_until: policy.require_valid_until.external_licenses in roster.yaml requires one');
    expect(external?.hint).toBe('Add valid_until: YYYY-MM-DD (at most 90 days ahead) to it or to the user, with a reason.');
  });

  it("is met by the user's own valid_until, and asks it of a VeevaID user whose memberships are unmanaged", async () => {
    const veevaid = `${BASE_ROSTER}policy:\n  require_valid_until:\n    veevaid_users: {}\n`;
    const met = await load(user('    security_policy: VeevaID\n    valid_until: 2026-12-31\n    memberships:\n      - vault: 3003\n'), veevaid);
    expect(summarise(met.diagnostics)).toEqual([]);
    const missing = await load(user('    security_policy: VeevaID\n'), veevaid);
    expect(summarise(missing.diagnostics)).toEqual(['users/team.yaml:2:5 grant-required']);
  });
});

describe('grantDayStart', () => {
  it.each([
    ['2026-12-01', Date.UTC(2026, 11, 1)],
    ['2028-02-29', Date.UTC(2028, 1, 29)],
    ['2027-02-29', undefined],
    ['2026-00-10', undefined],
    ['2026-04-31', undefined],
    ['2026-4-30', undefined],
  ])('%s', (text, expected) => {
    expect(grantDayStart(text)).toBe(expected);
  });
});
