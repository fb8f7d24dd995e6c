/** `vault-roster validate` end to end, in-process, on the examples and on a broken copy. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A copy of examples/full in a temp folder whose rim-team.yaml has a misspelt key on line 5. */
function brokenCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vault-roster-validate-'));
  temps.push(dir);
  cpSync(join(ROOT, 'examples/full'), join(dir, 'repo'), { recursive: true });
  writeFileSync(
    join(dir, 'repo/users/rim-team.yaml'),
    'users:\n  - user_name: kate.grossman@veepharm.com\n    first_name: Kate\n    last_name: Grossman\n    emial: kate.grossman@veepharm.com\n',
  );
  return dir;
}

describe('vault-roster validate', () => {
  it('exits 0 on examples/full and counts what it read', async () => {
    const run = await runCliCaptured(['validate', '--config', 'examples/full/roster.yaml'], { cwd: ROOT });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^valid: \d+ users, \d+ SiteVault persons, 3 groups in 10 files\n$/);
    expect(run.code).toBe(0);
  });

  it('uses roster.yaml in the working directory by default', async () => {
    const run = await runCliCaptured(['validate'], { cwd: join(ROOT, 'examples/minimal') });
    expect(run.stdout).toBe('valid: 4 users, 0 SiteVault persons in 2 files\n');
    expect(run.code).toBe(0);
  });

  it('exits 1 on a broken copy, naming file:line:col and the fix', async () => {
    const dir = brokenCopy();
    const run = await runCliCaptured(['validate', '-c', 'repo/roster.yaml'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('repo/users/rim-team.yaml:5:5: error [unknown-key] unknown key "emial"');
    expect(run.stderr).toContain('hint: Did you mean "email"?');
    expect(run.stderr).toMatch(/\n1 error, 0 warnings\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints JSON that parses, for valid and invalid repos', async () => {
    const valid = await runCliCaptured(['validate', '--config', 'examples/full/roster.yaml', '--format', 'json'], { cwd: ROOT });
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toEqual({ valid: true, errors: 0, warnings: 0, diagnostics: [] });

    const dir = brokenCopy();
    const invalid = await runCliCaptured(['validate', '--config', 'repo/roster.yaml', '--format', 'json'], { cwd: dir });
    expect(invalid.code).toBe(1);
    const parsed = JSON.parse(invalid.stdout) as { valid: boolean; diagnostics: { code: string; position: unknown }[] };
    expect(parsed.valid).toBe(false);
    expect(parsed.diagnostics).toEqual([
      expect.objectContaining({ code: 'unknown-key', position: { file: 'repo/users/rim-team.yaml', line: 5, col: 5 } }),
    ]);
  });

  it('reports a missing config without a stack trace', async () => {
    const run = await runCliCaptured(['validate', '--config', 'nope/roster.yaml'], { cwd: ROOT });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error [file-not-found] nope/roster.yaml does not exist');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown format', async () => {
    const run = await runCliCaptured(['validate', '--format', 'xml'], { cwd: ROOT });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown format 'xml'");
  });

  it('has help starting with its usage', async () => {
    const run = await runCliCaptured(['validate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: vault-roster validate/);
  });
});
