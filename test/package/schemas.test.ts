/**
 * `vault-roster schemas --write DIR` and the schema files it copies: every file of specs/ (not a
 * fixed list), stable `$id`s, a foreign file never overwritten without --force, and the editor
 * completions the YAML schemas offer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { specsDirectory } from '../../src/specs.js';
import { runCliCaptured } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vr-schemas-'));
  dirs.push(dir);
  return dir;
}

const SPEC_FILES = readdirSync(specsDirectory()).filter((f) => f.endsWith('.schema.json')).sort();

describe('vault-roster schemas --write', () => {
  it('copies every schema in specs/ byte for byte and prints the $schema lines to use', async () => {
    const repo = tempDir();
    const run = await runCliCaptured(['schemas', '--write', 'schemas'], { cwd: repo });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(join(repo, 'schemas')).sort()).toEqual(SPEC_FILES);
    for (const file of SPEC_FILES) {
      expect(readFileSync(join(repo, 'schemas', file), 'utf8'), file).toBe(readFileSync(join(specsDirectory(), file), 'utf8'));
    }
    expect(run.stdout).toContain('roster.yaml       # yaml-language-server: $schema=schemas/roster.schema.json');
    expect(run.stdout).toContain('users/*.yaml      # yaml-language-server: $schema=../schemas/users.schema.json');
  });

  it('replaces its own earlier copies but refuses a foreign file of the same name unless --force', async () => {
    const repo = tempDir();
    expect((await runCliCaptured(['schemas', '--write', 'out'], { cwd: repo })).code).toBe(0);
    writeFileSync(join(repo, 'out', 'users.schema.json'), '{"$id":"urn:vault-roster:schema:users","old":true}');
    expect((await runCliCaptured(['schemas', '--write', 'out'], { cwd: repo })).code).toBe(0);
    expect(readFileSync(join(repo, 'out', 'users.schema.json'), 'utf8')).not.toContain('"old"');

    writeFileSync(join(repo, 'out', 'roster.schema.json'), '{"title":"someone else\'s"}');
    const refused = await runCliCaptured(['schemas', '--write', 'out'], { cwd: repo });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('roster.schema.json');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(join(repo, 'out', 'roster.schema.json'), 'utf8')).toBe('{"title":"someone else\'s"}');
    expect((await runCliCaptured(['schemas', '--write', 'out', '--force'], { cwd: repo })).code).toBe(0);
    expect(readFileSync(join(repo, 'out', 'roster.schema.json'), 'utf8')).toContain('urn:vault-roster:schema:roster');
  });

  it('says how to call it when --write is missing', async () => {
    const run = await runCliCaptured(['schemas'], { cwd: tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('schemas needs --write DIR');
  });
});

describe('the schema files', () => {
  it('each carry a stable $id named after the file (urn:vault-roster:schema:<name>)', () => {
    for (const file of SPEC_FILES) {
      const schema = JSON.parse(readFileSync(join(specsDirectory(), file), 'utf8')) as { $id?: string };
      expect(schema.$id, file).toBe(`urn:vault-roster:schema:${file.replace('.schema.json', '')}`);
    }
  });
});
