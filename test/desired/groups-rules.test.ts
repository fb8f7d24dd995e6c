/**
 * Group rules: each case is a minimal repo that passes the schema but breaks one rule, and must
 * yield that rule's code, severity and position, with a summary naming both places where there
 * are two. Valid variants yield nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { expectDiagnostic, makeRepo, removeRepo, summarise, type RepoFiles } from './temp-repo.js';

const ROSTER = 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml, groups/*.yaml]\n';

const repo = (groups: string, users = 'users: []\n', extra: RepoFiles = {}): RepoFiles => ({
  'roster.yaml': ROSTER,
  'groups/g.yaml': groups,
  'users/u.yaml': users,
  ...extra,
});

interface GroupRuleCase {
  readonly files: RepoFiles;
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly at: string;
  /** What the summary must say (e.g. the other position). */
  readonly summary: RegExp;
  readonly hint?: RegExp;
  /** The user the diagnostic is about, when it is about one. */
  readonly user?: string;
  /** Codes that rightly come with it (default none). */
  readonly also?: readonly string[];
}

const CASES: Record<string, GroupRuleCase> = {
  'label case variant in one file': {
    files: repo('groups:\n  - label: Cholecap Team US\n  - label: cholecap team us\n'),
    code: 'group-label-duplicate',
    severity: 'error',
    at: 'groups/g.yaml:3:5',
    summary: /"cholecap team us" at groups\/g\.yaml:3:5 is also declared at groups\/g\.yaml:2:5 as "Cholecap Team US"/,
    hint: /case-insensitively/,
  },
  'label with extra spaces in another file': {
    files: repo('groups:\n  - label: Brand\n', 'users: []\n', { 'groups/h.yaml': '# more\ngroups:\n  - label: "  Brand "\n' }),
    code: 'group-label-duplicate',
    severity: 'error',
    at: 'groups/h.yaml:3:5',
    summary: /"Brand" at groups\/h\.yaml:3:5 is also declared at groups\/g\.yaml:2:5$/,
  },
  'user names a misspelt group': {
    files: repo('groups:\n  - label: Cholecap Team US\n', 'users:\n  - user_name: bob@veepharm.com\n    groups: [Cholecap Tem US]\n'),
    code: 'group-undeclared',
    severity: 'error',
    at: 'users/u.yaml:3:14',
    summary: /bob@veepharm\.com names group "Cholecap Tem US", which no groups file declares/,
    hint: /Did you mean "Cholecap Team US"\?/,
    user: 'bob@veepharm.com',
  },
  'user names a group nothing resembles': {
    files: repo('groups:\n  - label: Brand\n', 'users:\n  - user_name: bob@veepharm.com\n    groups:\n      - Brand\n      - Quality Assurance\n'),
    code: 'group-undeclared',
    severity: 'error',
    at: 'users/u.yaml:5:9',
    summary: /"Quality Assurance"/,
    hint: /Declare it in a groups file/,
    user: 'bob@veepharm.com',
  },
  'user names a group but no groups file is included': {
    files: { 'roster.yaml': 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml]\n', 'users/u.yaml': 'users:\n  - user_name: bob@veepharm.com\n    groups: [Brand]\n' },
    code: 'group-undeclared',
    severity: 'error',
    at: 'users/u.yaml:3:14',
    summary: /no groups file is included/,
    hint: /include: in roster\.yaml/,
    user: 'bob@veepharm.com',
  },
  'member listed twice (case variant)': {
    files: repo('groups:\n  - label: Brand\n    members:\n      - alice@veepharm.com\n      - bob@veepharm.com\n      - " Alice@VeePharm.com"\n'),
    code: 'group-member-duplicate',
    severity: 'warning',
    at: 'groups/g.yaml:6:9',
    summary: /alice@veepharm\.com is listed twice in the members of group "Brand" \(first at groups\/g\.yaml:4:9\)/,
    user: 'alice@veepharm.com',
  },
  'user names one group twice': {
    files: repo('groups:\n  - label: Brand\n', 'users:\n  - user_name: bob@veepharm.com\n    groups: [Brand, BRAND]\n'),
    code: 'group-member-duplicate',
    severity: 'warning',
    at: 'users/u.yaml:3:21',
    summary: /bob@veepharm\.com names group "BRAND" twice in groups: \(first at users\/u\.yaml:3:14\)/,
    user: 'bob@veepharm.com',
  },
  'membership in both forms': {
    files: repo('groups:\n  - label: Brand\n    members: [bob@veepharm.com]\n', 'users:\n  - user_name: Bob@VeePharm.com\n    groups: [brand]\n'),
    code: 'group-member-declared-twice',
    severity: 'warning',
    at: 'users/u.yaml:3:14',
    summary: /in the group's members: at groups\/g\.yaml:3:15 and in the user's groups: at users\/u\.yaml:3:14/,
    user: 'bob@veepharm.com',
  },
  'control character in a label': {
    files: repo('groups:\n  - label: "Brand\\u0007"\n'),
    code: 'control-character',
    severity: 'error',
    at: 'groups/g.yaml:2:12',
    summary: /groups\[0\]\.label contains the control character U\+0007 \(BEL\)/,
  },
  'line break in a label (identity), not in a description (text)': {
    files: repo('groups:\n  - label: "Brand\\nUS"\n    description: "one\\ntwo"\n'),
    code: 'control-character',
    severity: 'error',
    at: 'groups/g.yaml:2:12',
    summary: /U\+000A \(LF\)/,
  },
  'zero-width character in a label a user names': {
    files: repo('groups:\n  - label: Brand\n', 'users:\n  - user_name: bob@veepharm.com\n    groups: ["Bra\\u200bnd"]\n'),
    code: 'invalid-character',
    severity: 'error',
    at: 'users/u.yaml:3:14',
    summary: /users\[0\]\.groups\[0\] contains the invisible character U\+200B/,
    user: 'bob@veepharm.com',
    // The invisible character makes it another label, so it names no declared group either.
    also: ['group-undeclared'],
  },
  'member longer than a user name may be': {
    files: repo(`groups:\n  - label: Brand\n    members: [${'a'.repeat(250)}@veepharm.com]\n`),
    code: 'value-too-long',
    severity: 'error',
    at: 'groups/g.yaml:3:15',
    summary: /groups\[0\]\.members\[0\] is 263 characters long, more than the 255 Vault accepts for user_name__v/,
  },
  'custom security profile longer than Vault takes': {
    files: repo(`groups:\n  - label: Brand\n    security_profiles: [${'p'.repeat(40)}__c]\n`),
    code: 'value-too-long',
    severity: 'error',
    at: 'groups/g.yaml:3:25',
    summary: /security_profile__v/,
  },
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

describe('group rules', () => {
  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    const result = await load(c.files);
    const found = expectDiagnostic(result.diagnostics, c.code, c.at);
    expect(found.severity).toBe(c.severity);
    expect(found.summary).toMatch(c.summary);
    if (c.hint) expect(found.hint).toMatch(c.hint);
    expect(found.subject?.user).toBe(c.user);
    expect(result.ok).toBe(c.severity === 'warning');
    // Nothing else: each case breaks exactly one rule.
    expect(result.diagnostics.filter((d) => d !== found).map((d) => d.code)).toEqual(c.also ?? []);
  });

  it('reports every problem of one repo in one run', async () => {
    const result = await load(
      repo(
        'groups:\n  - label: A\n    members: [x@v.com, x@v.com]\n  - label: a\n',
        'users:\n  - user_name: x@v.com\n    groups: [A, B]\n',
      ),
    );
    expect(summarise(result.diagnostics).sort()).toEqual([
      'groups/g.yaml:3:24 group-member-duplicate',
      'groups/g.yaml:4:5 group-label-duplicate',
      'users/u.yaml:3:14 group-member-declared-twice',
      'users/u.yaml:3:17 group-undeclared',
    ]);
  });

  it('points at the unreadable file when no groups file could be read', async () => {
    const result = await load(repo('groups:\n  - label: [Brand\n', 'users:\n  - user_name: bob@veepharm.com\n    groups: [Brand]\n'));
    expectDiagnostic(result.diagnostics, 'yaml-syntax', 'groups/g.yaml:3:1');
    expect(expectDiagnostic(result.diagnostics, 'group-undeclared', 'users/u.yaml:3:14').hint).toMatch(/^If one of the files reported above is your groups file, fix it/);
  });

  it('does not call a group undeclared when its own entry failed the schema (one mistake, one diagnostic)', async () => {
    const result = await load(repo('groups:\n  - label: Brand\n    membrs: [a@b.c]\n', 'users:\n  - user_name: bob@veepharm.com\n    groups: [brand]\n'));
    expect(summarise(result.diagnostics)).toEqual(['groups/g.yaml:3:5 unknown-key']);
  });

  it.each([
    ['the same user in two groups, once each', repo('groups:\n  - label: A\n    members: [x@v.com]\n  - label: B\n', 'users:\n  - user_name: x@v.com\n    groups: [B]\n')],
    ['a group named only by users', repo('groups:\n  - label: Brand Team\n', 'users:\n  - user_name: x@v.com\n    groups: [" BRAND team "]\n  - user_name: y@v.com\n    groups: [brand team]\n')],
    ['a member no users file declares (the planner checks Vault)', repo('groups:\n  - label: A\n    members: [someone.else@v.com]\n')],
    ['a description with line breaks and tabs', repo('groups:\n  - label: A\n    description: "one\\n\\ttwo"\n')],
    ['two users naming the same group', repo('groups:\n  - label: A\n', 'users:\n  - user_name: x@v.com\n    groups: [A]\n  - user_name: y@v.com\n    groups: [A]\n')],
  ])('accepts %s', async (_name, files) => {
    const result = await load(files);
    expect(summarise(result.diagnostics)).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
