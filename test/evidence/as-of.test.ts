// as-of without Vault: DATE parsing (table), time boxes judged at DATE (a grant expired on DATE
// is not access), the YAML read from git objects (not the working tree), and loud refusals.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asOf, parseAsOfDate } from '../../src/evidence/index.js';
import { VaultRosterError } from '../../src/errors.js';
import { runCliCaptured } from '../helpers/cli.js';
import { EXAMPLES_DIR } from '../helpers/roster.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');

describe('parseAsOfDate', () => {
  it.each([
    ['2026-03-01', '2026-03-01T23:59:59.999Z'],
    ['2026-06-15', '2026-06-15T12:00:00.000Z'],
    ['2026-03-01T08:30:00Z', '2026-03-01T08:30:00.000Z'],
    ['2026-03-01T08:30+02:00', '2026-03-01T06:30:00.000Z'],
    ['2026-03-01T08:30:00.250Z', '2026-03-01T08:30:00.250Z'],
  ])('%s is %s', (text, iso) => {
    expect(new Date(parseAsOfDate(text, NOW)).toISOString()).toBe(iso);
  });

  it.each([
    ['yesterday', 'is not a date'],
    ['2026-02-30', 'is not a date'],
    ['2026-03-01T08:30:00', 'is not a date'],
    ['', 'is not a date'],
    ['2026-06-16', 'is in the future'],
    ['2026-06-15T12:00:01Z', 'is in the future'],
  ])('%s is refused: %s', (text, why) => {
    expect(() => parseAsOfDate(text, NOW)).toThrow(why);
  });
});

function git(dir: string, args: readonly string[], date: string): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, env: { ...process.env, GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date }, stdio: 'ignore' });
}

describe('as-of from git history', () => {
  it('judges time boxes at DATE, reads committed files only, and says nothing was applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-as-of-'));
    cpSync(join(EXAMPLES_DIR, 'full'), dir, { recursive: true });
    const file = join(dir, 'users', 'clinical-team.yaml');
    const text = readFileSync(file, 'utf8');
    // chloe's membership of vault 5005 is valid 2026-02-01 to 2026-02-28 (inclusive).
    writeFileSync(file, text.replace('apps: { ctms_v: full__v }\n', 'apps: { ctms_v: full__v }\n        valid_from: 2026-02-01\n        valid_until: 2026-02-28\n        reason: CHG-7\n'));
    git(dir, ['init', '-q', '-b', 'main'], '2026-01-10T00:00:00Z');
    git(dir, ['add', '.'], '2026-01-10T00:00:00Z');
    git(dir, ['commit', '-q', '-m', 'one'], '2026-01-10T00:00:00Z');
    // The working tree is broken afterwards: as-of must not read it.
    writeFileSync(file, 'users: [\n');

    const chloe = async (date: string): Promise<{ active: boolean; grant?: { state: string } } | undefined> => {
      const report = await asOf({ configPath: join(dir, 'roster.yaml'), date, vaultId: 5005, now: Date.parse('2026-06-01T00:00:00Z') });
      expect(report.basis).toBe('declared-unapplied');
      expect(report.warnings).toContain('no apply had finished by DATE: the listing is what the YAML declared, not what Vault held');
      return report.users.find((u) => u.user_name === 'chloe.martin@veepharm.com')?.memberships[0];
    };
    expect(await chloe('2026-01-31')).toMatchObject({ active: false, grant: { state: 'not-yet-valid' } });
    expect(await chloe('2026-02-01')).toMatchObject({ active: true, grant: { state: 'valid' } });
    expect(await chloe('2026-02-28')).toMatchObject({ active: true, grant: { state: 'valid' } });
    expect(await chloe('2026-03-01T00:00:00Z')).toMatchObject({ active: false, grant: { state: 'expired' } });

    await expect(asOf({ configPath: join(dir, 'roster.yaml'), date: '2026-01-09', now: NOW })).rejects.toThrow('is before the first commit of the repo');
    const plain = mkdtempSync(join(tmpdir(), 'vr-as-of-nogit-'));
    const refused = await runCliCaptured(['evidence', 'as-of', '2026-01-09'], { cwd: plain });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not in a git repository');
    await expect(asOf({ configPath: join(plain, 'roster.yaml'), date: '2026-01-09', now: NOW })).rejects.toBeInstanceOf(VaultRosterError);
  });

  it('judges time-boxed app licences and group memberships at DATE too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-as-of-kinds-'));
    cpSync(join(EXAMPLES_DIR, 'full'), dir, { recursive: true });
    const users = join(dir, 'users', 'clinical-team.yaml');
    writeFileSync(users, readFileSync(users, 'utf8').replace('apps: { ctms_v: full__v }\n', 'apps: { ctms_v: { license_type: full__v, valid_until: 2026-02-28, reason: CHG-8 } }\n'));
    const groups = join(dir, 'groups', 'clinical-teams.yaml');
    writeFileSync(groups, readFileSync(groups, 'utf8').replace('      - chloe.martin@veepharm.com\n', '      - { user: chloe.martin@veepharm.com, valid_from: 2026-02-10, reason: CHG-9 }\n'));
    git(dir, ['init', '-q', '-b', 'main'], '2026-01-10T00:00:00Z');
    git(dir, ['add', '.'], '2026-01-10T00:00:00Z');
    git(dir, ['commit', '-q', '-m', 'one'], '2026-01-10T00:00:00Z');

    const chloe = async (date: string) => {
      const report = await asOf({ configPath: join(dir, 'roster.yaml'), date, vaultId: 5005, now: Date.parse('2026-06-01T00:00:00Z') });
      return report.users.find((u) => u.user_name === 'chloe.martin@veepharm.com');
    };
    const early = await chloe('2026-02-05');
    expect(early?.memberships[0]?.apps.ctms_v).toMatchObject({ active: true, grant: { state: 'valid', valid_until: '2026-02-28' } });
    expect(early?.groups).not.toContain('CTMS Data Stewards');
    const mid = await chloe('2026-02-10');
    expect(mid?.groups).toContain('CTMS Data Stewards');
    const late = await chloe('2026-03-01');
    expect(late?.memberships[0]?.apps.ctms_v).toMatchObject({ active: false, grant: { state: 'expired' } });
    expect(late?.memberships[0]?.active).toBe(true);
    expect(late?.groups).toContain('CTMS Data Stewards');
  });
});
