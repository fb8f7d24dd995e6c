/**
 * `vault-roster schemas --write DIR` and the schema files it copies: every file of specs/ (not a
 * fixed list), stable `$id`s, a foreign file never overwritten without --force, and the editor
 * completions the YAML schemas offer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { AJV_OPTIONS, specsDirectory } from '../../src/specs.js';
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

describe('editor completions in the schemas', () => {
  type Field = { examples?: unknown[] };
  const users = JSON.parse(readFileSync(join(specsDirectory(), 'users.schema.json'), 'utf8')) as {
    definitions: { user: { properties: Record<string, Field> }; membership: { properties: Record<string, Field> } };
  };
  const roster = JSON.parse(readFileSync(join(specsDirectory(), 'roster.schema.json'), 'utf8')) as { properties: { defaults: { properties: Record<string, Field> } } };
  const sitevault = JSON.parse(readFileSync(join(specsDirectory(), 'sitevault.schema.json'), 'utf8')) as Record<string, unknown>;

  it('suggest the time zones, locales and languages of the Vault API reference, for users and defaults alike', () => {
    const user = users.definitions.user.properties;
    expect(user.timezone?.examples).toEqual(expect.arrayContaining(['America/Los_Angeles', 'America/Denver', 'Pacific/Niue']));
    expect(user.locale?.examples).toEqual(expect.arrayContaining(['en_US', 'pt_BR', 'es_ES']));
    expect(user.language?.examples).toEqual(['en', 'ja']);
    for (const field of ['timezone', 'locale', 'language']) expect(roster.properties.defaults.properties[field]?.examples, field).toEqual(user[field]?.examples);
  });

  it('suggest app codes under apps: and the standard SiteVault security policies', () => {
    const apps = users.definitions.membership.properties.apps?.examples as Record<string, string>[];
    expect(apps.flatMap((example) => Object.keys(example)).sort()).toEqual(['qualityQms_v', 'rimReg_v', 'rimSubsArch_v', 'rimSubs_v']);
    expect(JSON.stringify(sitevault)).toContain('"security_policy":{"description"');
    expect(JSON.stringify(sitevault)).toContain('"examples":["VeevaID","noUser"]');
  });

  it('only suggest values the schema accepts', () => {
    const ajv = new Ajv(AJV_OPTIONS);
    const validate = ajv.compile(users);
    const user = users.definitions.user.properties;
    const apps = users.definitions.membership.properties.apps?.examples as Record<string, string>[];
    const doc = {
      users: (user.timezone?.examples ?? []).map((timezone, i) => ({
        user_name: `u${i}@veepharm.com`,
        timezone,
        locale: user.locale?.examples?.[i % 3],
        language: user.language?.examples?.[i % 2],
        memberships: [{ vault: 3003, apps: apps[i % apps.length] }],
      })),
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });
});
