/**
 * Values within Vault's limits: each case is a repo that passes the schema but holds a value
 * Vault would refuse or mangle (too long, a control or invisible character, a number too large
 * to hold exactly); validate must name it at its file:line:col without echoing it whole.
 * Boundary cases at exactly the limit must pass.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { BASE_ROSTER, expectDiagnostic, makeRepo, removeRepo, summarise, type RepoFiles } from './temp-repo.js';

const users = (body: string, roster = BASE_ROSTER): RepoFiles => ({ 'roster.yaml': roster, 'users/team.yaml': body, 'sitevault/none.yaml': 'sitevault_users: []\n' });
const persons = (body: string): RepoFiles => ({ 'roster.yaml': BASE_ROSTER, 'users/none.yaml': 'users: []\n', 'sitevault/site.yaml': body });
const roster = (body: string): RepoFiles => ({ 'roster.yaml': body, 'users/team.yaml': 'users: []\n', 'sitevault/none.yaml': 'sitevault_users: []\n' });

/** One user whose extra lines follow its user_name (line 2 of the file). */
const ANN = (extra: string, name = 'ann@veepharm.com'): string => `users:\n  - user_name: ${name}\n${extra}`;
/** One valid staff person; `extra` lines follow its email (line 2 of the file). */
const PERSON = (extra: string): string =>
  `sitevault_users:\n  - email: ann.lee@site.example\n${extra}    first_name: Ann\n    last_name: Lee\n    security_policy: VeevaID\n    person_type: staff__v\n    investigator: false\n    org: { id: V42000000001001, role: org_full__v }\n`;

const LONG_NAME = `${'a'.repeat(100_000 - '@veepharm.com'.length)}@veepharm.com`;

interface LimitCase {
  readonly files: RepoFiles;
  readonly code: string;
  readonly at: string;
  /** What the summary must say. */
  readonly says: RegExp;
}

const CASES: Record<string, LimitCase> = {
  'a 100,000-character user name': {
    files: users(ANN('', LONG_NAME)),
    code: 'value-too-long',
    at: 'users/team.yaml:2:16',
    says: /^users\[0\]\.user_name is 100,000 characters long, more than the 255 Vault accepts for user_name__v \("a{40}…"\)$/,
  },
  'a 256-character user name': {
    files: users(ANN('', `${'b'.repeat(243)}@veepharm.com`)),
    code: 'value-too-long',
    at: 'users/team.yaml:2:16',
    says: /is 256 characters long, more than the 255/,
  },
  'a NUL in a first name': {
    files: users(ANN('    first_name: "An\\0na"\n')),
    code: 'control-character',
    at: 'users/team.yaml:3:17',
    says: /^users\[0\]\.first_name contains the control character U\+0000 \(NUL\) at character 3: "An\\u0000na"$/,
  },
  'a NUL in a user name': {
    files: users(ANN('', '"ann\\0@veepharm.com"')),
    code: 'control-character',
    at: 'users/team.yaml:2:16',
    says: /user_name contains the control character U\+0000 \(NUL\) at character 4/,
  },
  'an escape character in a last name': {
    files: users(ANN('    last_name: "Lee\\e[31m"\n')),
    code: 'control-character',
    at: 'users/team.yaml:3:16',
    says: /U\+001B \(ESC\) at character 4/,
  },
  'a tab in a time zone': {
    files: users(ANN('    timezone: "Europe/\\tBerlin"\n')),
    code: 'control-character',
    at: 'users/team.yaml:3:15',
    says: /U\+0009 \(TAB\) at character 8/,
  },
  'a DEL in a last name': {
    files: users(ANN('    last_name: "Lee\\x7F"\n')),
    code: 'control-character',
    at: 'users/team.yaml:3:16',
    says: /U\+007F \(DEL\)/,
  },
  'a NUL in a field value': {
    files: users(ANN('    fields:\n      company__v: "Vee\\0Pharm"\n')),
    code: 'control-character',
    at: 'users/team.yaml:4:19',
    says: /fields\.company__v contains the control character U\+0000/,
  },
  'a right-to-left override in a last name': {
    files: users(ANN('    last_name: "Lee\\u202Etxt.exe"\n')),
    code: 'invalid-character',
    at: 'users/team.yaml:3:16',
    says: /invisible character U\+202E at character 4/,
  },
  'a zero-width space in an email': {
    files: users(ANN('    email: "ann\\u200B@veepharm.com"\n')),
    code: 'invalid-character',
    at: 'users/team.yaml:3:12',
    says: /U\+200B at character 4/,
  },
  // Written as the characters themselves, not escapes: such files go to the fast subset reader,
  // whose files are cleared by one scan of their text when nothing suspicious is in it.
  'a zero-width space typed into a plain email': {
    files: users(ANN('    email: ann\u200B@veepharm.com\n')),
    code: 'invalid-character',
    at: 'users/team.yaml:3:12',
    says: /U\+200B at character 4/,
  },
  'a right-to-left override typed into a single-quoted last name (the 2nd user)': {
    files: users('users:\n  - user_name: bob@veepharm.com\n  - user_name: ann@veepharm.com\n    last_name: \'Lee\u202Etxt.exe\'\n'),
    code: 'invalid-character',
    at: 'users/team.yaml:4:16',
    says: /invisible character U\+202E at character 4/,
  },
  'an unpaired surrogate in a first name': {
    files: users(ANN('    first_name: "An\\uD800na"\n')),
    code: 'invalid-character',
    at: 'users/team.yaml:3:17',
    says: /unpaired UTF-16 surrogate/,
  },
  'a phone number longer than 20': {
    files: users(ANN('    fields:\n      office_phone__v: "+1 919 555 0100 ext. 12"\n')),
    code: 'value-too-long',
    at: 'users/team.yaml:4:24',
    says: /more than the 20 Vault accepts for office_phone__v/,
  },
  'a custom field above the longest Vault text': {
    files: users(ANN(`    fields:\n      notes__c: "${'n'.repeat(64_001)}"\n`)),
    code: 'value-too-long',
    at: 'users/team.yaml:4:17',
    says: /64,001 characters long, more than the 64000 Vault accepts for notes__c/,
  },
  'a custom security profile longer than 40': {
    files: users(ANN(`    memberships:\n      - vault: 3003\n        security_profile: ${'p'.repeat(38)}__c\n`)),
    code: 'value-too-long',
    at: 'users/team.yaml:5:27',
    says: /more than the 40 Vault accepts for security_profile__v/,
  },
  'a vault id too large to hold exactly': {
    files: users(ANN('    memberships:\n      - vault: 100000000000000000000\n')),
    code: 'number-out-of-range',
    at: 'users/team.yaml:4:16',
    says: /memberships\[0\]\.vault is 100000000000000000000, too large to be held exactly/,
  },
  'a field number too large to hold exactly': {
    files: users(ANN('    fields:\n      badge__c: 12345678901234567890\n')),
    code: 'number-out-of-range',
    at: 'users/team.yaml:4:17',
    says: /too large to be held exactly/,
  },
  'a SiteVault user name longer than 255': {
    files: persons(PERSON(`    username: ${'u'.repeat(250)}@site.example\n`)),
    code: 'value-too-long',
    at: 'sitevault/site.yaml:3:15',
    says: /sitevault_users\[0\]\.username is 263 characters long, more than the 255 Vault accepts for user_name__v/,
  },
  'a NUL in a site number': {
    files: persons(PERSON('    sites: [{ usn: "US-NC\\0-0001", role: regulatory__v }]\n')),
    code: 'control-character',
    at: 'sitevault/site.yaml:3:20',
    says: /sites\[0\]\.usn contains the control character U\+0000/,
  },
  'a federated id longer than 100': {
    files: persons(PERSON(`    federated_id: ${'f'.repeat(101)}\n`)),
    code: 'value-too-long',
    at: 'sitevault/site.yaml:3:19',
    says: /more than the 100 Vault accepts for federated_id__v/,
  },
  'a NUL in a protected user': {
    files: roster(`${BASE_ROSTER}policy:\n  protected_users: ["adm\\0in@veepharm.com"]\n`),
    code: 'control-character',
    at: 'roster.yaml:7:21',
    says: /policy\.protected_users\[0\] contains the control character U\+0000/,
  },
  'a NUL in the state path': {
    files: roster(`${BASE_ROSTER}state: ".vault-roster/st\\0ate.json"\n`),
    code: 'control-character',
    at: 'roster.yaml:6:8',
    says: /^state contains the control character U\+0000/,
  },
  'a NUL in an include pattern': {
    files: roster('vault: { api_version: v26.2 }\ninclude:\n  - users/*.yaml\n  - "sitevault\\0/*.yaml"\n  - sitevault/*.yaml\n'),
    code: 'control-character',
    at: 'roster.yaml:4:5',
    says: /^include\[1\] contains the control character U\+0000/,
  },
  'a vault_id too large to hold exactly': {
    files: roster('vault: { api_version: v26.2, vault_id: 99999999999999999999 }\ninclude: [users/*.yaml, sitevault/*.yaml]\n'),
    code: 'number-out-of-range',
    at: 'roster.yaml:1:40',
    says: /vault\.vault_id is 100000000000000000000/,
  },
};

const VALID: Record<string, RepoFiles> = {
  'a 255-character user name': users(ANN('', `${'b'.repeat(242)}@veepharm.com`)),
  'line breaks and tabs in a field value': users(ANN('    fields:\n      user_title__v: "Lead,\\n\\tRegulatory"\n')),
  'a zero-width joiner in a first name': users(ANN('    first_name: "Ann\\u200Da"\n')),
  'a 64,000-character custom field': users(ANN(`    fields:\n      notes__c: "${'n'.repeat(64_000)}"\n`)),
  'a 40-character custom security profile': users(ANN(`    memberships:\n      - vault: 3003\n        security_profile: ${'p'.repeat(37)}__c\n`)),
  'letters outside ASCII and emoji': users(ANN('    first_name: "Zoë 🧪"\n    last_name: 山田\n')),
  'a right-to-left override in a comment only': users(ANN('    # reviewed by \u202Eeve\n    first_name: Ann\n')),
};

const repos: string[] = [];
afterAll(() => {
  for (const root of repos) removeRepo(root);
});

async function load(files: RepoFiles) {
  const root = makeRepo(files);
  repos.push(root);
  return { root, result: await loadDesiredState('roster.yaml', { cwd: root }) };
}

describe('values within Vault limits', () => {
  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    const { result } = await load(c.files);
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, c.code, c.at);
    expect(found.summary).toMatch(c.says);
    expect(found.hint.length).toBeGreaterThan(10);
    // Never the whole value, never a raw control or invisible character.
    const shown = result.diagnostics.map((d) => `${d.summary} ${d.hint} ${d.subject?.user ?? ''}`).join('\n');
    // eslint-disable-next-line no-control-regex
    expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u200b\u202e\ud800]/u);
    expect(Math.max(...result.diagnostics.map((d) => d.summary.length))).toBeLessThan(400);
  });

  it.each(Object.entries(VALID))('accepts %s', async (_name, files) => {
    const { result } = await load(files);
    expect(summarise(result.diagnostics)).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe('vault-roster validate', () => {
  it('refuses a 100,000-character user name and a NUL in a name, at file:line:col, in one run', async () => {
    const { root } = await load(users(`${ANN('', LONG_NAME)}  - user_name: bob@veepharm.com\n    first_name: "Bo\\0b"\n`));
    const run = await runCliCaptured(['validate'], { cwd: root });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter((l) => l.includes('error ['))).toEqual([
      expect.stringMatching(/^users\/team\.yaml:2:16: error \[value-too-long\] users\[0\]\.user_name is 100,000 characters long/),
      'users/team.yaml:4:17: error [control-character] users[1].first_name contains the control character U+0000 (NUL) at character 3: "Bo\\u0000b" (user bob@veepharm.com)',
    ]);
    expect(run.stderr.length).toBeLessThan(2_000);
  });
});
