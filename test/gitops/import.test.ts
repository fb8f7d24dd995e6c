import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSeed, humanSeedUser, type SeedUser, type SimulatorSeed } from '../../src/simulator/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

/** A deterministic domain of `count` users with 1-3 memberships, app licenses and extra fields. */
function generatedSeed(count: number): SimulatorSeed {
  const base = defaultSeed();
  const profiles = ['document_user__v', 'read_only_user__v', 'business_admin__v', 'system_admin__v'];
  const apps: Record<number, string[]> = { 3003: ['rimReg_v', 'rimSubs_v'], 4004: ['qualityQms_v', 'qualityDocs_v'], 5005: ['ctms_v', 'etmf_v'] };
  const users: SeedUser[] = [];
  for (let i = 0; i < count; i += 1) {
    const vaults = [3003, 4004, 5005].filter((_, k) => (i + k) % 3 !== 2 || k === i % 3);
    const readOnly = i % 7 === 0;
    users.push({
      id: 30000 + i,
      user_name__v: `user${String(i).padStart(5, '0')}@veepharm.com`,
      user_first_name__v: `First${i}`,
      user_last_name__v: `Last${i}`,
      user_email__v: `user${i}@veepharm.com`,
      user_timezone__v: i % 5 === 0 ? 'Europe/Berlin' : 'America/New_York',
      user_locale__v: 'en_US',
      user_language__v: i % 11 === 0 ? 'de' : 'en',
      security_policy_id__v: i % 4 === 0 ? '822' : '821',
      is_domain_admin__v: false,
      domain_active__v: i % 97 !== 0,
      ...(i % 3 === 0 ? { company__v: 'VeePharm', user_title__v: `Title ${i % 13}` } : {}),
      vault_membership: vaults.map((v, k) => ({
        vault_id: v,
        active__v: (i + k) % 17 !== 0,
        security_profile__v: readOnly ? 'read_only_user__v' : (profiles[(i + k) % profiles.length] ?? 'document_user__v'),
        license_type__v: readOnly ? 'read_only__v' : 'full__v',
      })),
      app_licensing: vaults.flatMap((v) =>
        (apps[v] ?? []).slice(0, 1 + (i % 2)).map((app) => ({ vault_id: v, application_name: app, active__v: true, license_type__v: readOnly ? 'read_only__v' : 'full__v' } as const)),
      ),
    });
  }
  return { ...base, users: [...(base.users ?? []), ...users], counters: { ...base.counters, next_user_id: 30000 + count } };
}

describe('vault-roster import', () => {
  it('round trip of examples/full after apply: import, then plan shows no changes (users and SiteVault)', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'vr-import-'));
    const imported = await fx.run(['import', '--out', out, '--config', 'roster.yaml']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^imported \d+ users, \d+ groups? and 7 SiteVault persons into \d+ files/);
    expect(existsSync(join(out, 'sitevault', 'persons.yaml'))).toBe(true);
    // The schemas are copied into the repo and referenced relatively: valid on any machine, whatever the install layout.
    expect(readFileSync(join(out, 'roster.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=schemas\/roster\.schema\.json\n/);
    expect(readFileSync(join(out, 'sitevault', 'persons.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\.\/schemas\/sitevault\.schema\.json\n/);
    expect(existsSync(join(out, 'schemas', 'sitevault.schema.json'))).toBe(true);

    const plan = await runCliCaptured(['plan', '--detailed-exitcode', '--config', join(out, 'roster.yaml')], { env: fx.env, cwd: out });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    const drift = await runCliCaptured(['plan', '--drift', '--config', join(out, 'roster.yaml')], { env: fx.env, cwd: out });
    expect(drift.code, drift.stdout).toBe(0);
  });

  it('round trip of 5,000 generated users split by vault', async () => {
    const fx = await startRosterFixture({ seed: generatedSeed(5000) });
    const out = mkdtempSync(join(tmpdir(), 'vr-import-'));
    const imported = await runCliCaptured(['import', '--out', out], { env: fx.env, cwd: out });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^imported 5001 users, \d+ groups? and 0 SiteVault persons/);
    const plan = await runCliCaptured(['plan', '--detailed-exitcode'], { env: fx.env, cwd: out });
    expect(plan.code, plan.stdout.slice(0, 3000) + plan.stderr).toBe(0);
  });

  it('a read-only majority with a full-licence user: the user keeps a licence above the defaults, and the repo validates', async () => {
    const base = defaultSeed();
    const user = (i: number, license: 'read_only__v' | 'full__v'): SeedUser =>
      humanSeedUser(40000 + i, `reader${i}@veepharm.com`, 3003, {
        vault_membership: [{ vault_id: 3003, active__v: true, security_profile__v: license === 'full__v' ? 'document_user__v' : 'read_only_user__v', license_type__v: license }],
        app_licensing: [{ vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: license }],
      });
    const users = [...Array.from({ length: 12 }, (_, i) => user(i, 'read_only__v')), user(99, 'full__v')];
    const fx = await startRosterFixture({ seed: { ...base, users: [...(base.users ?? []), ...users] } });
    const out = mkdtempSync(join(tmpdir(), 'vr-import-'));
    const imported = await runCliCaptured(['import', '--out', out, '--split-by', 'none'], { env: fx.env, cwd: out });
    expect(imported.code, imported.stderr).toBe(0);
    expect(readFileSync(join(out, 'roster.yaml'), 'utf8')).toContain('license_type: read_only__v');
    const text = readFileSync(join(out, 'users', 'users.yaml'), 'utf8');
    expect(text).toMatch(/user_name: reader99@veepharm.com\n(?: {4}.*\n)*? {4}license_type: full__v/);
    const plan = await runCliCaptured(['plan', '--detailed-exitcode'], { env: fx.env, cwd: out });
    expect(plan.code, plan.stdout.slice(0, 3000) + plan.stderr).toBe(0);
  });

  it('refuses to overwrite an existing repo without --force', async () => {
    const fx = await startRosterFixture({ example: 'minimal' });
    const out = mkdtempSync(join(tmpdir(), 'vr-import-'));
    expect((await runCliCaptured(['import', '--out', out], { env: fx.env, cwd: out })).code).toBe(0);
    const again = await runCliCaptured(['import', '--out', out], { env: fx.env, cwd: out });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exist');
    expect((await runCliCaptured(['import', '--out', out, '--force'], { env: fx.env, cwd: out })).code).toBe(0);
    // Another split: --force replaces import's own earlier files (they carry its marker line).
    const resplit = await runCliCaptured(['import', '--out', out, '--force', '--split-by', 'none'], { env: fx.env, cwd: out });
    expect(resplit.code, resplit.stderr).toBe(0);
    expect(existsSync(join(out, 'users', 'users.yaml'))).toBe(true);
    expect(existsSync(join(out, 'users', 'vault-3003.yaml'))).toBe(false);
    expect((await runCliCaptured(['plan', '--detailed-exitcode'], { env: fx.env, cwd: out })).code).toBe(0);
    // Parts of at most 2 users each, then back to one file: the parts go too.
    const parts = await runCliCaptured(['import', '--out', out, '--force', '--split-by', 'none', '--max-users-per-file', '2'], { env: fx.env, cwd: out });
    expect(parts.code, parts.stderr).toBe(0);
    expect(existsSync(join(out, 'users', 'users-01.yaml'))).toBe(true);
    expect(readFileSync(join(out, 'users', 'users-01.yaml'), 'utf8').split('\n  - user_name: ').length - 1).toBe(2);
    expect(existsSync(join(out, 'users', 'users.yaml'))).toBe(false);
    expect((await runCliCaptured(['plan', '--detailed-exitcode'], { env: fx.env, cwd: out })).code).toBe(0);
    // A file someone wrote by hand (no marker) is never removed: refused, naming it.
    writeFileSync(join(out, 'users', 'team.yaml'), 'users: []\n');
    const hand = await runCliCaptured(['import', '--out', out, '--force'], { env: fx.env, cwd: out });
    expect(hand.code).toBe(1);
    expect(hand.stderr).toMatch(/other YAML file\(s\) .* users\/team\.yaml/);
    expect(existsSync(join(out, 'users', 'team.yaml'))).toBe(true);
    expect((await runCliCaptured(['import', '--out', out, '--max-users-per-file', '0'], { env: fx.env, cwd: out })).stderr).toContain('--max-users-per-file takes a whole number');
  });
});
