/**
 * SiteVault rules of VAULT-API.md §8 that test/desired/rules.test.ts does not already cover
 * (that table has one row per rule for a single file; these are the cross-file and CLI cases,
 * and one gap between the offline rules and what SiteVault accepts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { defaultSeed } from '../../src/simulator/index.js';
import { BASE_ROSTER, expectDiagnostic, makeRepo, removeRepo, summarise, type RepoFiles } from '../desired/temp-repo.js';
import { startRosterFixture } from '../helpers/roster.js';
import { simPersons, writeRepo } from './repo.js';

function personYaml(email: string, extra = ''): string {
  return `sitevault_users:
  - email: ${email}
    first_name: Ann
    last_name: Lee
    security_policy: VeevaID
    person_type: staff__v
    investigator: false
    org: { id: V42000000001001, role: org_full__v }
${extra}`;
}

const NO_LOGIN_WITH_ADDONS = `sitevault_users:
  - email: ben.harlow@veepharm.com
    username: ben.harlow@veepharm.com
    first_name: Ben
    last_name: Harlow
    security_policy: noUser
    person_type: staff__v
    investigator: false
    org: { id: V42000000001001, role: org_cant_login__v }
    sites:
      - { usn: US-CA-0002, role: site_cant_login__v, addons: [site_patients__v] }
`;

interface Row {
  readonly files: RepoFiles;
  readonly code: string;
  readonly at: string;
  /** Text the summary must contain. */
  readonly says: string;
}

const ROWS: Record<string, Row> = {
  'duplicate email across two files (case-insensitive)': {
    files: { 'sitevault/a.yaml': personYaml('ann.lee@site.example'), 'sitevault/b.yaml': `# second site\n${personYaml('ANN.LEE@site.example')}` },
    code: 'duplicate-sitevault-person',
    at: 'sitevault/b.yaml:3:5',
    says: 'SiteVault person ann.lee@site.example is declared twice (first at sitevault/a.yaml:2:5)',
  },
  'duplicate email in three files names the first each time': {
    files: {
      'sitevault/a.yaml': personYaml('ann.lee@site.example'),
      'sitevault/b.yaml': personYaml('bob@site.example'),
      'sitevault/c/deep.yaml': personYaml('Ann.Lee@Site.Example'),
    },
    code: 'duplicate-sitevault-person',
    at: 'sitevault/c/deep.yaml:2:5',
    says: '(first at sitevault/a.yaml:2:5)',
  },
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeRepo(root);
});

async function load(files: RepoFiles) {
  const root = makeRepo({ 'roster.yaml': BASE_ROSTER.replace('sitevault/*.yaml', 'sitevault/**/*.yaml'), 'users/none.yaml': 'users: []\n', ...files });
  roots.push(root);
  return loadDesiredState('roster.yaml', { cwd: root });
}

describe('SiteVault rules across files', () => {
  it.each(Object.entries(ROWS))('%s', async (_name, row) => {
    const result = await load(row.files);
    expect(result.ok).toBe(false);
    const found = expectDiagnostic(result.diagnostics, row.code, row.at);
    expect(found.severity).toBe('error');
    expect(found.summary).toContain(row.says);
    expect(summarise(result.diagnostics)).toEqual([`${row.at} ${row.code}`]);
  });

  it('validate prints the duplicate at file:line:col and exits 1 without calling Vault', async () => {
    const fx = await startRosterFixture({ seed: defaultSeed() });
    const { files } = ROWS['duplicate email across two files (case-insensitive)']!;
    writeRepo(fx, files as Record<string, string>);
    const run = await fx.run(['validate']);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('sitevault/b.yaml:3:5: error [duplicate-sitevault-person] SiteVault person ann.lee@site.example is declared twice');
    expect(fx.sim.requestLog()).toEqual([]);
  });
});

describe('add-ons on the no-login (cant_login) roles', () => {
  it('are refused before any call (SiteVault refuses them too)', async () => {
    const fx = await startRosterFixture({ seed: defaultSeed() });
    writeRepo(fx, { 'sitevault/site.yaml': NO_LOGIN_WITH_ADDONS });
    const run = await fx.run(['apply', '--auto-approve']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('sitevault-addon-not-allowed');
    expect(fx.sim.requestLog()).toEqual([]);
    expect(await simPersons(fx)).toEqual([]);
  });

  it('are refused offline by validate', async () => {
    const result = await load({ 'sitevault/site.yaml': NO_LOGIN_WITH_ADDONS });
    expectDiagnostic(result.diagnostics, 'sitevault-addon-not-allowed', 'sitevault/site.yaml:11:54');
  });
});
