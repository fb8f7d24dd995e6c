/**
 * import after an apply: SiteVault persons come from the state file (the only place they can be
 * read back from), users from Vault, and a plan of the imported repo right away is empty.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultSeed } from '../../src/simulator/index.js';
import { startRosterFixture } from '../helpers/roster.js';
import { readState, writeRepo } from './repo.js';

const PERSONS = `sitevault_users:
  - email: Grace.Kim@veepharm.com
    first_name: Grace
    last_name: Kim
    security_policy: VeevaID
    person_type: staff__v
    investigator: true
    org: { id: V42000000001001, role: org_full__v, addons: [org_patients__v] }
    sites:
      - { usn: US-CA-0002, role: regulatory__v, addons: [site_patients__v, site_budgets__v] }
    studies:
      - { id: V0S000000001002, role: principal_investigator__v }
  - email: ben.harlow@veepharm.com
    username: ben.harlow@veepharm.com
    first_name: Ben
    last_name: Harlow
    security_policy: noUser
    person_type: staff__v
    investigator: false
    language: en
    org: { id: V42000000001001, role: org_cant_login__v }
    sites:
      - { usn: US-CA-0002, role: site_cant_login__v }
      - { usn: US-NC-0001, role: site_cant_login__v }
`;

describe('import with SiteVault persons in the state file', () => {
  it('writes sitevault/persons.yaml and the state file, so a plan of the imported repo shows no changes', async () => {
    const fx = await startRosterFixture({ seed: defaultSeed() });
    writeRepo(fx, { 'sitevault/site.yaml': PERSONS });
    const apply = await fx.run(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    const applied = readState(fx.dir);

    const out = join(mkdtempSync(join(tmpdir(), 'vr-import-')), 'repo');
    const run = await fx.run(['import', '--out', out, '--config', 'roster.yaml']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^imported \d+ users, \d+ groups? and 2 SiteVault persons into \d+ files in /);

    const persons = parse(readFileSync(join(out, 'sitevault/persons.yaml'), 'utf8')) as { sitevault_users: unknown[] };
    expect(persons.sitevault_users).toEqual([
      {
        email: 'ben.harlow@veepharm.com',
        username: 'ben.harlow@veepharm.com',
        first_name: 'Ben',
        last_name: 'Harlow',
        security_policy: 'noUser',
        person_type: 'staff__v',
        investigator: false,
        language: 'en',
        org: { id: 'V42000000001001', role: 'org_cant_login__v' },
        sites: [
          { usn: 'US-CA-0002', role: 'site_cant_login__v' },
          { usn: 'US-NC-0001', role: 'site_cant_login__v' },
        ],
      },
      {
        email: 'grace.kim@veepharm.com',
        first_name: 'Grace',
        last_name: 'Kim',
        security_policy: 'VeevaID',
        person_type: 'staff__v',
        investigator: true,
        org: { id: 'V42000000001001', role: 'org_full__v', addons: ['org_patients__v'] },
        sites: [{ usn: 'US-CA-0002', role: 'regulatory__v', addons: ['site_budgets__v', 'site_patients__v'] }],
        studies: [{ id: 'V0S000000001002', role: 'principal_investigator__v' }],
      },
    ]);
    // Person ids exist only in the state file: the imported repo carries them.
    expect(existsSync(join(out, '.vault-roster/state.json'))).toBe(true);
    expect(readState(out).sitevault).toEqual(applied.sitevault);
    expect(readState(out).vault_id).toBe(5005);

    const validate = await fx.run(['validate', '--config', join(out, 'roster.yaml')]);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const plan = await fx.run(['plan', '--config', join(out, 'roster.yaml'), '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes. Vault matches the desired state.');
  });
});
