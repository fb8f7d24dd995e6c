/**
 * Bad input: every case is a small repo on disk, and the loader must answer with a diagnostic
 * of a stable code at the exact position, never an exception or a stack trace.
 */
import { mkdirSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { BASE_ROSTER, expectDiagnostic, makeRepo, removeRepo, type RepoFiles } from './temp-repo.js';

interface BadCase {
  readonly files: RepoFiles;
  readonly code: string;
  /** `file:line:col` relative to the repo, or undefined when the diagnostic has no position. */
  readonly at: string | undefined;
  /** Config path passed to the loader; default roster.yaml. */
  readonly config?: string;
  /** Something the hint must contain. */
  readonly hint?: RegExp;
  /** Extra set-up inside the repo before loading. */
  readonly prepare?: (root: string) => void;
}

const users = (body: string | Uint8Array): RepoFiles => ({ 'roster.yaml': BASE_ROSTER, 'users/team.yaml': body });
const sitevault = (body: string): RepoFiles => ({ 'roster.yaml': BASE_ROSTER, 'sitevault/site.yaml': body });
const roster = (body: string): RepoFiles => ({ 'roster.yaml': body, 'users/team.yaml': 'users: []\n' });
const groups = (body: string): RepoFiles => ({
  'roster.yaml': 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml, groups/*.yaml]\n',
  'users/none.yaml': 'users: []\n',
  'groups/teams.yaml': body,
});

const ALIAS_BOMB = [
  'users:',
  '  - user_name: a@b.c',
  '    fields:',
  '      x0__c: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  '      x1__c: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  '      x2__c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  '      x3__c: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  '      x4__c: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  '      x5__c: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  '      x6__c: [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
  '',
].join('\n');

const BOM = '\uFEFF';

const CASES: Record<string, BadCase> = {
  'unclosed flow sequence': { files: users('users:\n  - user_name: [a@b.c\n'), code: 'yaml-syntax', at: 'users/team.yaml:3:1' },
  'unclosed double quote': { files: users('users:\n  - user_name: "a@b.c\n'), code: 'yaml-syntax', at: 'users/team.yaml:3:1' },
  'item without dash': {
    files: users('users:\n  - user_name: a@b.c\n   first_name: A\n'),
    code: 'yaml-syntax',
    at: 'users/team.yaml:3:1',
  },
  'nested mapping on one line': { files: users('users:\n  - user_name: a: b\n'), code: 'yaml-syntax', at: 'users/team.yaml:2:16' },
  'tab as indentation': { files: users('users:\n\t- user_name: a@b.c\n'), code: 'yaml-tab-indent', at: 'users/team.yaml:2:1', hint: /spaces/ },
  'duplicate key in a user': {
    files: users('users:\n  - user_name: a@b.c\n    first_name: A\n    first_name: B\n'),
    code: 'yaml-duplicate-key',
    at: 'users/team.yaml:4:5',
  },
  'duplicate top-level key in config': {
    files: roster(`${BASE_ROSTER}include: [users/*.yaml]\n`),
    code: 'yaml-duplicate-key',
    at: 'roster.yaml:6:1',
  },
  'two YAML documents in one file': { files: users('users: []\n---\nusers: []\n'), code: 'yaml-multiple-documents', at: 'users/team.yaml:2:1' },
  'unknown tag': { files: users('users:\n  - user_name: !secret a@b.c\n'), code: 'yaml-unknown-tag', at: 'users/team.yaml:2:16' },
  'alias without anchor': { files: users('users:\n  - user_name: *who\n'), code: 'yaml-undefined-alias', at: 'users/team.yaml:2:16' },
  'alias expansion bomb': { files: users(ALIAS_BOMB), code: 'yaml-alias-limit', at: 'users/team.yaml:5:18', hint: /anchors and aliases/ },
  'empty users file': { files: users(''), code: 'empty-file', at: 'users/team.yaml:1:1' },
  'users file with only comments': { files: users('# nobody yet\n\n'), code: 'empty-file', at: 'users/team.yaml:1:1' },
  'empty config': { files: roster(''), code: 'empty-file', at: 'roster.yaml:1:1' },
  'BOM keeps line 1 columns': { files: users(`${BOM}user: []\n`), code: 'unknown-file-kind', at: 'users/team.yaml:1:1', hint: /"users"/ },
  'BOM keeps later positions': {
    files: users(`${BOM}users:\n  - user_nam: a@b.c\n`),
    code: 'unknown-key',
    at: 'users/team.yaml:2:5',
    hint: /user_name/,
  },
  'invalid UTF-8 (Latin-1 byte)': {
    files: users(new Uint8Array([...Buffer.from('users:\n  - user_name: a@b.c\n    last_name: Ren'), 0xe9, 0x0a])),
    code: 'invalid-utf8',
    at: 'users/team.yaml:3:19',
    hint: /UTF-8/,
  },
  'invalid UTF-8 (truncated sequence at the end)': {
    files: users(new Uint8Array([...Buffer.from('users:\n  - user_name: a@b.c # caf\u00e9 '), 0xe2, 0x82])),
    code: 'invalid-utf8',
    at: 'users/team.yaml:2:29',
  },
  'invalid UTF-8 (encoded surrogate)': {
    files: users(new Uint8Array([...Buffer.from('users: []\n# '), 0xed, 0xa0, 0x80, 0x0a])),
    code: 'invalid-utf8',
    at: 'users/team.yaml:2:3',
  },
  'file above 32 MiB (sparse 50 MB)': {
    files: { 'roster.yaml': BASE_ROSTER },
    prepare: (root) => {
      mkdirSync(join(root, 'users'));
      const fd = openSync(join(root, 'users', 'huge.yaml'), 'w');
      ftruncateSync(fd, 50 * 1000 * 1000);
      closeSync(fd);
    },
    code: 'file-too-large',
    at: 'users/huge.yaml:1:1',
    hint: /[Ss]plit/,
  },
  'include glob matching nothing': {
    files: { 'roster.yaml': 'vault: { api_version: v26.2 }\ninclude:\n  - users/*.yaml\n  - user/*.yml\n', 'users/a.yaml': 'users: []\n' },
    code: 'include-no-match',
    at: 'roster.yaml:4:5',
  },
  'include pattern leaving the repo': {
    files: { 'roster.yaml': 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml, ../shared/*.yaml]\n', 'users/a.yaml': 'users: []\n' },
    code: 'include-outside-repo',
    at: 'roster.yaml:2:25',
  },
  'absolute include pattern': {
    files: { 'roster.yaml': 'vault: { api_version: v26.2 }\ninclude:\n  - /etc/*.conf\n' },
    code: 'include-outside-repo',
    at: 'roster.yaml:3:5',
  },
  'include with only exclusions': {
    files: { 'roster.yaml': 'vault: { api_version: v26.2 }\ninclude: ["!users/*.yaml"]\n' },
    code: 'include-no-match',
    at: 'roster.yaml:2:1',
  },
  'missing config': { files: {}, code: 'file-not-found', at: undefined, hint: /--config/ },
  'directory given as config': { files: { 'conf/x.yaml': 'users: []\n' }, config: 'conf', code: 'not-a-file', at: undefined },
  'users file that is a list': { files: users('- user_name: a@b.c\n'), code: 'top-level-not-mapping', at: 'users/team.yaml:1:1' },
  'users file that is a scalar': { files: users('just some text\n'), code: 'top-level-not-mapping', at: 'users/team.yaml:1:1' },
  'config that is a list': { files: roster('- vault: {}\n'), code: 'top-level-not-mapping', at: 'roster.yaml:1:1' },
  'neither users nor sitevault_users nor groups': {
    files: users('# team\npeople: []\n'),
    code: 'unknown-file-kind',
    at: 'users/team.yaml:2:1',
    hint: /"users:".*"sitevault_users:".*"groups:"/,
  },
  'both users and sitevault_users': { files: users('users: []\nsitevault_users: []\n'), code: 'mixed-file-kind', at: 'users/team.yaml:2:1' },
  'both groups and users': { files: groups('groups: []\nusers: []\n'), code: 'mixed-file-kind', at: 'groups/teams.yaml:2:1', hint: /one kind per file/ },
  'groups misspelt at the top': { files: groups('group:\n  - label: A\n'), code: 'unknown-file-kind', at: 'groups/teams.yaml:1:1', hint: /"groups"/ },
  'groups is a mapping, not a list': { files: groups('groups:\n  label: A\n'), code: 'wrong-type', at: 'groups/teams.yaml:2:3' },
  'group without label': { files: groups('groups:\n  - description: A team\n'), code: 'missing-key', at: 'groups/teams.yaml:2:5', hint: /label/ },
  'group label empty': { files: groups('groups:\n  - label: ""\n'), code: 'invalid-value', at: 'groups/teams.yaml:2:12' },
  'group label only spaces': { files: groups('groups:\n  - label: "   "\n'), code: 'invalid-value', at: 'groups/teams.yaml:2:12' },
  'group label a number': { files: groups('groups:\n  - label: 42\n'), code: 'wrong-type', at: 'groups/teams.yaml:2:12' },
  'unknown key in a group': { files: groups('groups:\n  - label: A\n    membres: [a@b.c]\n'), code: 'unknown-key', at: 'groups/teams.yaml:3:5', hint: /"members"/ },
  'group member not a user name': { files: groups('groups:\n  - label: A\n    members: [alice]\n'), code: 'invalid-value', at: 'groups/teams.yaml:3:15' },
  'group security profile misspelt': {
    files: groups('groups:\n  - label: A\n    security_profiles: [document_user]\n'),
    code: 'invalid-value',
    at: 'groups/teams.yaml:3:25',
    hint: /document_user__v/,
  },
  'group security profile listed twice': {
    files: groups('groups:\n  - label: A\n    security_profiles: [document_user__v, document_user__v]\n'),
    code: 'duplicate-item',
    at: 'groups/teams.yaml:3:43',
  },
  'group active in quotes': { files: groups('groups:\n  - label: A\n    active: "true"\n'), code: 'wrong-type', at: 'groups/teams.yaml:3:13', hint: /true or false/ },
  "user's groups is a single label": {
    files: users('users:\n  - user_name: a@b.c\n    groups: Brand\n'),
    code: 'wrong-type',
    at: 'users/team.yaml:3:13',
  },
  "empty label in a user's groups": { files: users('users:\n  - user_name: a@b.c\n    groups: [""]\n'), code: 'invalid-value', at: 'users/team.yaml:3:14' },
  'unmanaged_groups misspelt': {
    files: roster(`${BASE_ROSTER}policy:\n  unmanaged_groups: deactivated\n`),
    code: 'invalid-value',
    at: 'roster.yaml:7:21',
    hint: /"deactivate"/,
  },
  'max_group_member_removals negative': { files: roster(`${BASE_ROSTER}policy:\n  max_group_member_removals: -1\n`), code: 'invalid-value', at: 'roster.yaml:7:30' },
  'users is a mapping, not a list': { files: users('users:\n  user_name: a@b.c\n'), code: 'wrong-type', at: 'users/team.yaml:2:3', hint: /one mapping|- / },
  'users is null': { files: users('users:\n'), code: 'wrong-type', at: 'users/team.yaml:1:7' },
  'user item is a string': { files: users('users:\n  - user_name a@b.c\n'), code: 'wrong-type', at: 'users/team.yaml:2:5' },
  'vault id in quotes': {
    files: users('users:\n  - user_name: a@b.c\n    memberships:\n      - vault: "3003"\n'),
    code: 'wrong-type',
    at: 'users/team.yaml:4:16',
    hint: /without quotes/,
  },
  'yes instead of true': { files: users('users:\n  - user_name: a@b.c\n    active: yes\n'), code: 'wrong-type', at: 'users/team.yaml:3:13', hint: /true or false/ },
  'float where an integer is needed': { files: roster(`${BASE_ROSTER}policy:\n  max_deactivations: 2.5\n`), code: 'wrong-type', at: 'roster.yaml:7:22' },
  'field value that is a mapping': {
    files: users('users:\n  - user_name: a@b.c\n    fields:\n      company__v: { name: X }\n'),
    code: 'wrong-type',
    at: 'users/team.yaml:4:19',
  },
  'unknown key in a user': {
    files: users('users:\n  - user_name: a@b.c\n    frist_name: Ann\n'),
    code: 'unknown-key',
    at: 'users/team.yaml:3:5',
    hint: /first_name/,
  },
  'unknown key in config': { files: roster(`${BASE_ROSTER}polcy: {}\n`), code: 'unknown-key', at: 'roster.yaml:6:1', hint: /policy/ },
  '__proto__ key': { files: users('users:\n  - user_name: a@b.c\n    __proto__: { x: 1 }\n'), code: 'unknown-key', at: 'users/team.yaml:3:5' },
  'missing user_name': { files: users('users:\n  - first_name: Ann\n    last_name: Lee\n'), code: 'missing-key', at: 'users/team.yaml:2:5' },
  'missing api_version': { files: roster('vault:\n  url: https://x.veevavault.com\ninclude: [users/*.yaml]\n'), code: 'missing-key', at: 'roster.yaml:2:3' },
  'missing include': { files: roster('vault: { api_version: v26.2 }\n'), code: 'missing-key', at: 'roster.yaml:1:1' },
  'misspelt license type': {
    files: users('users:\n  - user_name: a@b.c\n    license_type: full\n'),
    code: 'invalid-value',
    at: 'users/team.yaml:3:19',
    hint: /full__v/,
  },
  'api_version without v': { files: roster('vault: { api_version: "25.2" }\ninclude: [users/*.yaml]\n'), code: 'invalid-value', at: 'roster.yaml:1:23' },
  'unknown security profile': {
    files: users('users:\n  - user_name: a@b.c\n    memberships:\n      - vault: 3003\n        security_profile: sysadmin\n'),
    code: 'invalid-value',
    at: 'users/team.yaml:5:27',
  },
  'vault id zero': {
    files: users('users:\n  - user_name: a@b.c\n    memberships:\n      - vault: 0\n'),
    code: 'invalid-value',
    at: 'users/team.yaml:4:16',
  },
  'bad person id for promotion': {
    files: users('users:\n  - user_name: a@b.c\n    promote_from_person: V0B1\n'),
    code: 'invalid-value',
    at: 'users/team.yaml:3:26',
  },
  'field name not a Vault field name': {
    files: users('users:\n  - user_name: a@b.c\n    fields:\n      Company: X\n'),
    code: 'invalid-key',
    at: 'users/team.yaml:4:7',
  },
  'app code with a leading digit': {
    files: users('users:\n  - user_name: a@b.c\n    memberships:\n      - vault: 3003\n        apps: { 9app: full__v }\n'),
    code: 'invalid-key',
    at: 'users/team.yaml:5:17',
  },
  'protected user listed twice': {
    files: roster(`${BASE_ROSTER}policy:\n  protected_users: [a@b.c, a@b.c]\n`),
    code: 'duplicate-item',
    at: 'roster.yaml:7:28',
  },
  'unknown person type in SiteVault': {
    files: sitevault(
      'sitevault_users:\n  - email: a@b.c\n    first_name: A\n    last_name: B\n    security_policy: VeevaID\n    person_type: staff\n    investigator: false\n    org: { id: V42000000001001, role: org_full__v }\n',
    ),
    code: 'invalid-value',
    at: 'sitevault/site.yaml:6:18',
    hint: /staff__v/,
  },
  'SiteVault person without org': {
    files: sitevault('sitevault_users:\n  - email: a@b.c\n    first_name: A\n    last_name: B\n    security_policy: VeevaID\n    person_type: staff__v\n    investigator: false\n'),
    code: 'missing-key',
    at: 'sitevault/site.yaml:2:5',
  },
  'http URL to a remote host': {
    files: roster('vault: { url: "http://veepharm.veevavault.com", api_version: v26.2 }\ninclude: [users/*.yaml]\n'),
    code: 'insecure-url',
    at: 'roster.yaml:1:15',
  },
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeRepo(root);
});

describe('loadDesiredState on bad input', () => {
  it('has at least 30 distinct cases', () => {
    expect(Object.keys(CASES).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    const root = makeRepo(c.files);
    roots.push(root);
    c.prepare?.(root);
    const result = await loadDesiredState(c.config ?? 'roster.yaml', { cwd: root });
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, c.code, c.at);
    expect(found.severity).toBe('error');
    if (c.hint) expect(found.hint).toMatch(c.hint);
    for (const d of result.diagnostics) {
      expect(d.hint.length).toBeGreaterThan(0);
      expect(`${d.summary}\n${d.hint}`).not.toMatch(/\n\s+at /);
      if (d.position) expect(d.position.file.startsWith('/')).toBe(false);
    }
  });

  it('still checks the included files when the config has a wrong shape', async () => {
    const root = makeRepo({
      'roster.yaml': 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml]\ndefaults: { license_type: full }\n',
      'users/team.yaml': 'users:\n  - user_name: a@b.c\n    frist_name: A\n',
    });
    roots.push(root);
    const result = await loadDesiredState('roster.yaml', { cwd: root });
    expect(result.ok).toBe(false);
    expectDiagnostic(result.diagnostics, 'invalid-value', 'roster.yaml:3:27');
    expectDiagnostic(result.diagnostics, 'unknown-key', 'users/team.yaml:3:5');
  });
});

describe('loadDesiredState on a file where every user has the same mistake', () => {
  it('reports all 130,000 problems (more than push(...spread) takes) at their positions (no stack overflow, no error gathering quadratic in problems)', async () => {
    const lines = Array.from({ length: 130_000 }, (_, i) => `  - { user_name: u${i}@b.c, frist_name: A }\n`);
    const root = makeRepo({ 'roster.yaml': BASE_ROSTER, 'users/team.yaml': `users:\n${lines.join('')}` });
    roots.push(root);
    const result = await loadDesiredState('roster.yaml', { cwd: root });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.filter((d) => d.code === 'unknown-key')).toHaveLength(130_000);
    expect(expectDiagnostic(result.diagnostics, 'unknown-key', 'users/team.yaml:2:26').hint).toBe('Did you mean "first_name"?');
    expectDiagnostic(result.diagnostics, 'unknown-key', 'users/team.yaml:130001:31');
  });
});
