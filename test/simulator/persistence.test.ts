import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, newUserRow } from './api.js';
import { defaultSeed, SeedError, SEED_FORMAT, startSimulator, type SimulatorSeed } from '../../src/simulator/index.js';
import { writeStateAtomic } from '../../src/simulator/persistence.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vr-sim-'));
}

function readState(path: string): SimulatorSeed {
  return JSON.parse(readFileSync(path, 'utf8')) as SimulatorSeed;
}

describe('state file', () => {
  it('is written at start, after changes and on close, with no temp files left and no secrets', async () => {
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    const sim = await startTestSimulator({ statePath, adminPassword: 's3cret-pw', persistDelayMs: 5 });
    expect(readState(statePath).format).toBe(SEED_FORMAT);
    const sid = await adminSession(sim);
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('kept', { vault_membership: '3003' })] });
    await sim.close();
    const text = readFileSync(statePath, 'utf8');
    expect(readState(statePath).users?.some((u) => u.user_name__v === 'kept@veepharm.com')).toBe(true);
    expect(text).not.toContain('s3cret-pw');
    expect(text).not.toContain(sid);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('is loaded on restart (and wins over a seed); sessions are not carried over', async () => {
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    const first = await startTestSimulator({ statePath });
    const sid = await adminSession(first);
    await call(first, 'PUT', '/objects/users/25001', { sid, form: { user_title__v: 'Keeper' } });
    await first.close();
    const otherSeed = defaultSeed();
    const second = await startTestSimulator({ statePath, seed: { ...otherSeed, domain: { name: 'elsewhere' } } });
    expect(second.dump().domain?.name).toBe('veepharm');
    expect(second.dump().users?.find((u) => u.id === 25001)?.user_title__v).toBe('Keeper');
    expect((await call(second, 'POST', '/keep-alive', { sid })).body).toMatchObject({ errors: [{ type: 'INVALID_SESSION_ID' }] });
  });

  it('is always a whole JSON document while writes are going on (temp file + rename)', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.json');
    const seed = defaultSeed();
    const big: SimulatorSeed = { ...seed, users: [...(seed.users ?? []), ...Array.from({ length: 3000 }, (_, i) => ({ id: 40000 + i, user_name__v: `bulk${i}@veepharm.com` }))] };
    await writeStateAtomic(path, big);
    let parsedReads = 0;
    for (let round = 0; round < 10; round++) {
      const writing = writeStateAtomic(path, { ...big, domain: { name: `round${round}` } });
      const text = readFileSync(path, 'utf8');
      expect(() => JSON.parse(text) as unknown).not.toThrow();
      parsedReads += 1;
      await writing;
    }
    expect(parsedReads).toBe(10);
    expect(readState(path).domain?.name).toBe('round9');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('makes a missing folder (--state .vault-roster/sim.json in a fresh clone)', async () => {
    const path = join(tempDir(), '.vault-roster', 'nested', 'state.json');
    const sim = await startTestSimulator({ statePath: path });
    await sim.close();
    expect(readState(path).format).toBe(SEED_FORMAT);
  });

  it('leaves no file behind when the folder cannot be made', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'a file where the folder should be');
    const path = join(dir, 'blocker', 'state.json');
    await expect(writeStateAtomic(path, defaultSeed())).rejects.toThrow();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual(['blocker']);
  });
});

describe('seeds', () => {
  it('round-trips: replaceState(dump()) gives the same dump', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('rt', { vault_membership: '3003:true:document_user__v:external__v', app_licensing: '3003|rimReg_v:true:external__v', company__v: 'X' })] });
    const before = sim.dump();
    sim.replaceState(before);
    expect(sim.dump()).toEqual(before);
  });

  it('loads a seed file and adds the admin when the seed lacks it', async () => {
    const dir = tempDir();
    const path = join(dir, 'seed.json');
    const seed: SimulatorSeed = { vaults: [{ id: 7007, name: 'Tiny', dns: 'tiny.veevavault.com' }], users: [{ id: 25001, user_name__v: 'first@tiny.com' }] };
    writeFileSync(path, JSON.stringify(seed));
    const sim = await startTestSimulator({ seed: path });
    const users = sim.dump().users ?? [];
    expect(users.map((u) => [u.id, u.user_name__v])).toEqual([
      [25001, 'first@tiny.com'],
      [25002, 'admin@sim.veevavault.local'],
    ]);
    const sid = await adminSession(sim, 'tiny.veevavault.com');
    expect((await call(sim, 'GET', '/objects/users/me', { sid })).body).toMatchObject({ users: [{ user: { is_domain_admin__v: true, vault_id__v: [7007] } }] });
  });

  it('PUT /_sim/state replaces the state and ends sessions', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    const seed = defaultSeed();
    const put = await fetch(`${sim.url}/_sim/state`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...seed, domain: { name: 'swapped' } }) });
    expect(put.status).toBe(200);
    expect(sim.dump().domain?.name).toBe('swapped');
    expect((await call(sim, 'POST', '/keep-alive', { sid })).body).toMatchObject({ errors: [{ type: 'INVALID_SESSION_ID' }] });
    const bad = await fetch(`${sim.url}/_sim/state`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"vaults": 3}' });
    expect(bad.status).toBe(400);
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['no vaults', '{}', /vaults/],
    ['vault without dns', '{"vaults":[{"id":1,"name":"A"}]}', /vaults\[0\]\.dns/],
    ['user in an unknown vault', '{"vaults":[{"id":1,"name":"A","dns":"a"}],"users":[{"id":5,"user_name__v":"u@a.com","vault_membership":[{"vault_id":2}]}]}', /users\[0\]\.vault_membership\[0\]\.vault_id/],
    ['duplicate user name', '{"vaults":[{"id":1,"name":"A","dns":"a"}],"users":[{"id":5,"user_name__v":"u@a.com"},{"id":6,"user_name__v":"U@a.com"}]}', /duplicate user name/],
    ['unknown license type', '{"vaults":[{"id":1,"name":"A","dns":"a"}],"users":[{"id":5,"user_name__v":"u@a.com","vault_membership":[{"vault_id":1,"license_type__v":"gold"}]}]}', /license_type__v/],
  ])('refuses a bad seed file (%s) with a SeedError naming the file and the place', async (_name, text, pattern) => {
    const path = join(tempDir(), 'seed.json');
    writeFileSync(path, text);
    const start = startSimulator({ seed: path });
    await expect(start).rejects.toThrow(SeedError);
    await expect(start).rejects.toThrow(pattern);
    await expect(start).rejects.toThrow(path);
  });

  it('refuses a missing seed file', async () => {
    await expect(startSimulator({ seed: join(tempDir(), 'nope.json') })).rejects.toThrow(/cannot read seed file .*ENOENT/);
  });
});
