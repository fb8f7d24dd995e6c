import { existsSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { acquireLock, emptyState, readStateFile, writeStateFile } from '../../src/state/index.js';
import { VaultRosterError } from '../../src/errors.js';
import type { AppliedSiteVaultPerson } from '../../src/model.js';

const person: AppliedSiteVaultPerson = {
  person_id: 'V0B000000001001',
  email: 'jerry.cotter@company.com',
  first_name: 'Jerry',
  last_name: 'Cotter',
  security_policy: 'VeevaID',
  person_type: 'staff__v',
  investigator: false,
  org: { org_id: 'V42000000001001', role: 'org_admin__v', addons: ['org_patients__v'] },
  sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: [] }],
  studies: [],
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vr-state-'));
}

describe('last-applied state file', () => {
  it('reads a missing file as empty state of the vault', () => {
    const state = readStateFile(join(tempDir(), 'nope.json'), 5005);
    expect(state).toEqual(emptyState(5005));
  });

  it('round-trips, sorted by email, and leaves no temp files', () => {
    const dir = tempDir();
    const path = join(dir, 'state.json');
    const b = { ...person, email: 'b@x.com' };
    const a = { ...person, email: 'a@x.com' };
    writeStateFile(path, { ...emptyState(5005), sitevault: { 'b@x.com': b, 'a@x.com': a } });
    const back = readStateFile(path, 5005);
    expect(Object.keys(back.sitevault)).toEqual(['a@x.com', 'b@x.com']);
    expect(back.sitevault['a@x.com']).toEqual(a);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it.each([
    ['not JSON', '{oops', /not JSON/],
    ['wrong format version', JSON.stringify({ format_version: 9, vault_id: 5005, sitevault: {} }), /format_version 9/],
    ['another vault', JSON.stringify({ format_version: 1, vault_id: 3003, sitevault: {} }), /belongs to vault 3003/],
    ['no sitevault', JSON.stringify({ format_version: 1, vault_id: 5005 }), /must have required property 'updated_at'/],
  ])('refuses a state file that is %s', (_name, content, message) => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(path, content);
    expect(() => readStateFile(path, 5005)).toThrow(message);
    expect(() => readStateFile(path, 5005)).toThrow(VaultRosterError);
  });
});

describe('lock file', () => {
  it('refuses a second holder while the first is alive, and frees on release', () => {
    const path = join(tempDir(), 'state.json');
    const lock = acquireLock(path, 'apply');
    // A second process (a live pid other than ours) holding it is refused:
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), purpose: 'apply plan.json', since: '2026-11-30T10:00:00.000Z' }));
    expect(() => acquireLock(path, 'apply')).toThrow(`held by process ${process.ppid} on ${hostname()} since 2026-11-30T10:00:00.000Z (apply plan.json)`);
    lock.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over a lock whose owner is gone', () => {
    const path = join(tempDir(), 'state.json');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: Number(dead), host: hostname(), purpose: 'apply', since: '2026-11-30T10:00:00.000Z' }));
    const lock = acquireLock(path, 'apply');
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
  });

  it('refuses a lock held on another host: its process cannot be checked from here', () => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'ci-runner-7', purpose: 'apply', since: '2026-11-30T10:00:00.000Z' }));
    expect(() => acquireLock(path, 'plan')).toThrow(/held by process 1 on ci-runner-7/);
  });

  it.each(['', 'null', '[]', '{"pid":"x"}', '{"pid":1', 'garbage'])('an unreadable lock (%j) is held while fresh and taken over once old', (content) => {
    const path = join(tempDir(), 'state.json');
    writeFileSync(`${path}.lock`, content);
    expect(() => acquireLock(path, 'plan')).toThrow(/was just taken by another vault-roster run/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    acquireLock(path, 'plan').release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
