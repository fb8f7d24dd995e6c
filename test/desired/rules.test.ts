/**
 * Semantic rules: each case is a minimal repo that passes the schema but breaks one rule, and
 * must yield that rule's code at the offending key or value. Valid variants yield nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { BASE_ROSTER, expectDiagnostic, makeRepo, removeRepo, summarise, type RepoFiles } from './temp-repo.js';

/** A valid staff person; `edit` replaces whole lines (1-based within the person block, see below). */
const PERSON_LINES = [
  '  - email: ann.lee@site.example', // line 2 of the file
  '    username: ann.lee@veepharm.com', // 3
  '    first_name: Ann', // 4
  '    last_name: Lee', // 5
  '    security_policy: "821"', // 6
  '    person_type: staff__v', // 7
  '    investigator: false', // 8
  '    org: { id: V42000000001001, role: org_full__v, addons: [org_patients__v] }', // 9
  '    sites:', // 10
  '      - { usn: US-NC-0001, role: regulatory__v, addons: [site_budgets__v] }', // 11
  '    studies:', // 12
  '      - { id: V0S000000001001, role: clinical_research_coordinator__v }', // 13
];

/** A SiteVault file with one person whose file lines `edits` (line number → text, null drops) are changed. */
function person(edits: Readonly<Record<number, string | null>>, extra = ''): string {
  const lines = PERSON_LINES.flatMap((text, i) => {
    const edit = edits[i + 2];
    return edit === undefined ? [text] : edit === null ? [] : [edit];
  });
  return `sitevault_users:\n${lines.join('\n')}\n${extra}`;
}

// Both include globs must match something, so each repo gets an empty file of the other kind.
const sv = (body: string): RepoFiles => ({ 'roster.yaml': BASE_ROSTER, 'sitevault/site.yaml': body, 'users/none.yaml': 'users: []\n' });
const us = (body: string, rosterText = BASE_ROSTER): RepoFiles => ({
  'roster.yaml': rosterText,
  'users/team.yaml': body,
  'sitevault/none.yaml': 'sitevault_users: []\n',
});

const ONE_USER = (extra: string): string => `users:\n  - user_name: ann.lee@veepharm.com\n${extra}`;

interface RuleCase {
  readonly files: RepoFiles;
  readonly code: string;
  readonly at: string;
}

const RULE_CASES: Record<string, RuleCase> = {
  'duplicate user across files': {
    files: {
      ...us('users:\n  - user_name: ann@veepharm.com\n'),
      'users/z.yaml': '# z\nusers:\n  - user_name: ann@veepharm.com\n',
    },
    code: 'duplicate-user',
    at: 'users/z.yaml:3:5',
  },
  'user name case variant': {
    files: us('users:\n  - user_name: Ann@VeePharm.com\n  - user_name: " ann@veepharm.com"\n'),
    code: 'user-name-case-conflict',
    at: 'users/team.yaml:3:5',
  },
  'membership to a vault listed twice': {
    files: us(ONE_USER('    memberships:\n      - vault: 3003\n      - vault: 4004\n      - vault: 3003\n')),
    code: 'duplicate-membership',
    at: 'users/team.yaml:6:16',
  },
  'app license above the membership license': {
    files: us(ONE_USER('    memberships:\n      - vault: 3003\n        license_type: read_only__v\n        apps: { rimReg_v: full__v }\n')),
    code: 'app-license-exceeds-membership',
    at: 'users/team.yaml:6:27',
  },
  'app license above the user license': {
    files: us(ONE_USER('    license_type: external__v\n    memberships:\n      - vault: 3003\n        apps: { rimSubs_v: external__v, rimReg_v: full__v }\n')),
    code: 'app-license-exceeds-user-license',
    at: 'users/team.yaml:6:51',
  },
  'app license above the default user license': {
    files: us(
      ONE_USER('    memberships:\n      - vault: 3003\n        license_type: full__v\n        apps: { rimReg_v: full__v }\n'),
      `${BASE_ROSTER}defaults:\n  license_type: read_only__v\n`,
    ),
    code: 'app-license-exceeds-user-license',
    at: 'users/team.yaml:6:27',
  },
  'learner app license under an external membership': {
    files: us(ONE_USER('    memberships:\n      - vault: 3003\n        license_type: external__v\n        apps: { rimReg_v: learner_user__v }\n')),
    code: 'app-license-exceeds-membership',
    at: 'users/team.yaml:6:27',
  },
  'promotion with api_version below v26.2': {
    files: us(ONE_USER('    promote_from_person: V0B000000000001\n'), 'vault: { api_version: v25.2 }\ninclude: [users/*.yaml]\n'),
    code: 'promotion-needs-api-version',
    at: 'users/team.yaml:3:5',
  },
  'one person promoted twice': {
    files: us('users:\n  - user_name: a@veepharm.com\n    promote_from_person: V0B000000000001\n  - user_name: b@veepharm.com\n    promote_from_person: V0B000000000001\n'),
    code: 'duplicate-promotion',
    at: 'users/team.yaml:5:26',
  },
  'promote_fields without promote_from_person': {
    files: us(ONE_USER('    promote_fields:\n      employee_number__c: E-1\n')),
    code: 'promote-fields-without-promotion',
    at: 'users/team.yaml:3:5',
  },
  'promote_fields naming a field vault-roster sends': {
    files: us(ONE_USER('    promote_from_person: V0B000000000001\n    promote_fields:\n      employee_number__c: E-1\n      language__sys: en\n'), 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml, sitevault/*.yaml]\n'),
    code: 'promote-field-reserved',
    at: 'users/team.yaml:6:7',
  },
  'field covered by a dedicated key': {
    files: us(ONE_USER('    fields:\n      company__v: VeePharm\n      user_email__v: ann@veepharm.com\n')),
    code: 'field-has-dedicated-key',
    at: 'users/team.yaml:5:7',
  },
  'read-only field': {
    files: us(ONE_USER('    fields:\n      last_login__v: "2024-01-01"\n')),
    code: 'field-read-only',
    at: 'users/team.yaml:4:7',
  },
  'duplicate SiteVault email (case variant)': {
    files: sv(person({}, `  - email: Ann.Lee@Site.example\n    first_name: Ann\n    last_name: Lee\n    security_policy: VeevaID\n    person_type: staff__v\n    investigator: false\n    org: { id: V42000000001001, role: org_full__v }\n`)),
    code: 'duplicate-sitevault-person',
    at: 'sitevault/site.yaml:14:5',
  },
  'external person as investigator': {
    files: sv(person({ 7: '    person_type: external__v', 8: '    investigator: true', 9: '    org: { id: V42000000001001, role: org_external__v }', 11: '      - { usn: US-NC-0001, role: external__v }', 13: '      - { id: V0S000000001001, role: sponsor_cro__v }' })),
    code: 'sitevault-external-investigator',
    at: 'sitevault/site.yaml:8:19',
  },
  'add-ons on a site_viewer__v site role': {
    files: sv(person({ 11: '      - { usn: US-NC-0001, role: site_viewer__v, addons: [site_budgets__v] }' })),
    code: 'sitevault-addon-not-allowed',
    at: 'sitevault/site.yaml:11:50',
  },
  'add-ons on an external__v site role': {
    files: sv(person({ 11: '      - { usn: US-NC-0001, role: external__v, addons: [site_patients__v] }' })),
    code: 'sitevault-addon-not-allowed',
    at: 'sitevault/site.yaml:11:47',
  },
  'add-ons on org_external__v': {
    files: sv(person({ 7: '    person_type: external__v', 9: '    org: { id: V42000000001001, role: org_external__v, addons: [org_patients__v] }', 11: '      - { usn: US-NC-0001, role: external__v }', 13: '      - { id: V0S000000001001, role: auditor_inspector__v }' })),
    code: 'sitevault-addon-not-allowed',
    at: 'sitevault/site.yaml:9:56',
  },
  'org_patients__v on a site': {
    files: sv(person({ 11: '      - { usn: US-NC-0001, role: regulatory__v, addons: [site_budgets__v, org_patients__v] }' })),
    code: 'sitevault-addon-wrong-level',
    at: 'sitevault/site.yaml:11:75',
  },
  'site add-on on the organization': {
    files: sv(person({ 9: '    org: { id: V42000000001001, role: org_full__v, addons: [site_budgets__v] }' })),
    code: 'sitevault-addon-wrong-level',
    at: 'sitevault/site.yaml:9:61',
  },
  'external study role on staff': {
    files: sv(person({ 13: '      - { id: V0S000000001001, role: sponsor_cro__v }' })),
    code: 'sitevault-study-role-mismatch',
    at: 'sitevault/site.yaml:13:38',
  },
  'staff study role on an external person': {
    files: sv(person({ 7: '    person_type: external__v', 9: '    org: { id: V42000000001001, role: org_external__v }', 11: '      - { usn: US-NC-0001, role: external__v }', 13: '      - { id: V0S000000001001, role: principal_investigator__v }' })),
    code: 'sitevault-study-role-mismatch',
    at: 'sitevault/site.yaml:13:38',
  },
  'noUser staff with a login org role': {
    files: sv(person({ 6: '    security_policy: noUser', 9: '    org: { id: V42000000001001, role: org_full__v }', 11: '      - { usn: US-NC-0001, role: site_cant_login__v }' })),
    code: 'sitevault-no-login-role-mismatch',
    at: 'sitevault/site.yaml:9:39',
  },
  'noUser staff with a login site role': {
    files: sv(person({ 6: '    security_policy: noUser', 9: '    org: { id: V42000000001001, role: org_cant_login__v }' })),
    code: 'sitevault-no-login-role-mismatch',
    at: 'sitevault/site.yaml:11:34',
  },
  'cant_login role without noUser': {
    files: sv(person({ 11: '      - { usn: US-NC-0001, role: site_cant_login__v }' })),
    code: 'sitevault-no-login-role-mismatch',
    at: 'sitevault/site.yaml:11:34',
  },
  'noUser on an external person': {
    files: sv(person({ 6: '    security_policy: noUser', 7: '    person_type: external__v', 9: '    org: { id: V42000000001001, role: org_external__v }', 11: '      - { usn: US-NC-0001, role: external__v }', 13: '      - { id: V0S000000001001, role: sponsor_cro__v }' })),
    code: 'sitevault-no-login-role-mismatch',
    at: 'sitevault/site.yaml:6:22',
  },
  'username missing without VeevaID': {
    files: sv(person({ 3: null })),
    code: 'sitevault-username-required',
    at: 'sitevault/site.yaml:2:5',
  },
  'site assigned twice': {
    files: sv(person({}).replace('    studies:', '      - { usn: US-NC-0001, role: study_team__v }\n    studies:')),
    code: 'sitevault-duplicate-site',
    at: 'sitevault/site.yaml:12:16',
  },
  'study assigned twice': {
    files: sv(person({}, '      - { id: V0S000000001001, role: data_coordinator__v }\n')),
    code: 'sitevault-duplicate-study',
    at: 'sitevault/site.yaml:14:15',
  },
};

const VALID_CASES: Record<string, RepoFiles> = {
  'the base person': sv(person({})),
  'learner app license under a full membership': us(ONE_USER('    memberships:\n      - vault: 3003\n        apps: { rimReg_v: learner_user__v }\n')),
  'noUser staff with cant_login roles': sv(
    person({ 6: '    security_policy: noUser', 9: '    org: { id: V42000000001001, role: org_cant_login__v }', 11: '      - { usn: US-NC-0001, role: site_cant_login__v }' }),
  ),
  'VeevaID person without username': sv(person({ 3: null, 6: '    security_policy: VeevaID' })),
  'promotion at v26.2': us(ONE_USER('    promote_from_person: V0B000000000001\n')),
  'promotion at v27.1': us(ONE_USER('    promote_from_person: V0B000000000001\n'), 'vault: { api_version: v27.1 }\ninclude: [users/*.yaml]\n'),
  'http URL on loopback': us('users: []\n', 'vault: { url: "http://127.0.0.1:8080", api_version: v26.2 }\ninclude: [users/*.yaml]\n'),
  'custom fields and __c security profile': us(
    ONE_USER('    fields: { company__v: VeePharm, badge__c: 12, remote__c: true, fax__v: null }\n    memberships:\n      - { vault: 3003, security_profile: clinical_lead__c }\n'),
  ),
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeRepo(root);
});

async function load(files: RepoFiles) {
  const root = makeRepo(files);
  roots.push(root);
  return loadDesiredState('roster.yaml', { cwd: root });
}

describe('semantic rules', () => {
  it.each(Object.entries(RULE_CASES))('%s', async (_name, c) => {
    const result = await load(c.files);
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, c.code, c.at);
    expect(found.severity).toBe('error');
    expect(found.subject?.user).toBeDefined();
    // The shape was right: only the rule under test speaks.
    expect(result.diagnostics.every((d) => d.code === c.code), JSON.stringify(summarise(result.diagnostics))).toBe(true);
  });

  it.each(Object.entries(VALID_CASES))('accepts %s', async (_name, files) => {
    const result = await load(files);
    expect(summarise(result.diagnostics)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('names both positions of a duplicate', async () => {
    const result = await load(RULE_CASES['duplicate user across files']!.files);
    const d = expectDiagnostic(result.diagnostics, 'duplicate-user', 'users/z.yaml:3:5');
    expect(d.summary).toContain('users/team.yaml:2:5');
  });

  // Files are checked one by one and each is let go after its turn: what a later file is
  // compared with (first declarations) must be as exact as if every file were still there.
  it('names the first position of a user declared again two files later, also after an error stopped normalising', async () => {
    const files: RepoFiles = {
      ...us('users:\n  - user_name: Ann@VeePharm.com\n    memberships:\n      - vault: 3003\n      - vault: 3003\n'),
      'users/m.yaml': 'users:\n  - user_name: bob@veepharm.com\n',
      'users/z.yaml': '# z\nusers:\n  - user_name: bob@veepharm.com\n  - user_name: " ann@veepharm.com"\n',
    };
    const result = await load(files);
    expect(summarise(result.diagnostics)).toEqual([
      // Rule by rule, as one pass over every user lists them.
      expect.stringContaining('users/z.yaml:3:5'),
      expect.stringContaining('users/z.yaml:4:5'),
      expect.stringContaining('users/team.yaml:5:16'),
    ]);
    const bob = expectDiagnostic(result.diagnostics, 'duplicate-user', 'users/z.yaml:3:5');
    expect(bob.summary).toBe('user bob@veepharm.com is declared twice (first at users/m.yaml:2:5)');
    const ann = expectDiagnostic(result.diagnostics, 'user-name-case-conflict', 'users/z.yaml:4:5');
    expect(ann.summary).toBe('"ann@veepharm.com" and "Ann@VeePharm.com" (at users/team.yaml:2:5) are the same Vault user');
  });

  it('names the first promotion of a person promoted again in another file', async () => {
    const roster = 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml, sitevault/*.yaml]\n';
    const result = await load({
      ...us('users:\n  - user_name: a@veepharm.com\n    promote_from_person: V0B000000000001\n', roster),
      'users/z.yaml': 'users:\n  - user_name: b@veepharm.com\n    promote_from_person: V0B000000000001\n',
    });
    const d = expectDiagnostic(result.diagnostics, 'duplicate-promotion', 'users/z.yaml:3:26');
    expect(d.summary).toBe('person V0B000000000001 is promoted twice (also by a@veepharm.com at users/team.yaml:3:5)');
  });
});

describe('one run shows every problem', () => {
  it('a file with one entry of the wrong shape still has its other entries checked by the rules', async () => {
    const result = await load(
      us(
        'users:\n' +
          '  - user_name: bad@veepharm.com\n' +
          '    active: maybe\n' +
          '  - user_name: ann.lee@veepharm.com\n' +
          '    memberships:\n      - vault: 3003\n      - vault: 3003\n',
      ),
    );
    expect(result.ok).toBe(false);
    expectDiagnostic(result.diagnostics, 'wrong-type', 'users/team.yaml:3:13');
    expectDiagnostic(result.diagnostics, 'duplicate-membership', 'users/team.yaml:7:16');
  });

  it('an envelope error (the list is not a list) checks nothing further in that file', async () => {
    const result = await load(us('users:\n  user_name: ann.lee@veepharm.com\n'));
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['wrong-type']);
  });
});
