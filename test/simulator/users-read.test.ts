/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call } from './api.js';
import { defaultSeed, type RunningSimulator, type SeedUser, type SimulatorSeed } from '../../src/simulator/index.js';

/** Demo domain plus 2,500 users: even ids in 3003, odd in 4004, every 10th also app-licensed. */
function bigSeed(): SimulatorSeed {
  const seed = defaultSeed();
  const extra: SeedUser[] = [];
  for (let i = 0; i < 2500; i++) {
    const id = 30000 + i;
    const vault = i % 2 === 0 ? 3003 : 4004;
    extra.push({
      id,
      user_name__v: `user${String(i).padStart(4, '0')}@veepharm.com`,
      vault_membership: [{ vault_id: vault, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
      app_licensing: i % 10 === 0 ? [{ vault_id: vault, application_name: vault === 3003 ? 'rimReg_v' : 'qualityQms_v', active__v: true, license_type__v: 'full__v' }] : [],
    });
  }
  return { ...seed, users: [...(seed.users ?? []), ...extra] };
}

let sim: RunningSimulator;
let sid: string;

beforeAll(async () => {
  sim = await startTestSimulator({ seed: bigSeed() });
  sid = await adminSession(sim, 'veepharm-rim.veevavault.com');
});
afterAll(() => sim.close());

async function allPages(query: string, limit: number): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; ; start += limit) {
    const r = await call(sim, 'GET', `/objects/users?${query}&limit=${limit}&start=${start}`, { sid });
    expect(r.body.responseStatus).toBe('SUCCESS');
    expect(r.body.size).toBe(r.body.users.length);
    for (const u of r.body.users as { user: { id: number } }[]) ids.push(u.user.id);
    if (r.body.users.length < limit) return ids;
  }
}

describe('GET /objects/users', () => {
  it('pages through all 2,504 users of vaults=all in id order without gaps or repeats', async () => {
    const ids = await allPages('vaults=all', 1000);
    expect(ids).toHaveLength(2504);
    expect(new Set(ids).size).toBe(2504);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.slice(0, 4)).toEqual([1, 2, 3, 25001]);
  });

  it.each([
    ['no vaults param: the calling vault (3003) and the system users', '', 4 + 1250],
    ['vaults=-1: every vault but the calling one', 'vaults=-1', 4 + 1250],
    ['vaults=4004', 'vaults=4004', 4 + 1250],
    ['vaults=3003,4004', 'vaults=3003,4004', 2504],
  ])('%s', async (_name, query, count) => {
    expect(await allPages(query, 1000)).toHaveLength(count);
  });

  it('wraps each user as users[].user with numeric ids and the documented fields', async () => {
    const r = await call(sim, 'GET', '/objects/users?limit=5&start=3', { sid });
    expect(r.body).toMatchObject({ responseStatus: 'SUCCESS', start: 3, limit: 5, size: 5, sort: 'id asc' });
    const admin = r.body.users[0].user;
    expect(admin).toMatchObject({
      id: 25001,
      user_name__v: 'admin@sim.veevavault.local',
      security_policy_id__v: 821,
      is_domain_admin__v: true,
      domain_active__v: true,
      active__v: true,
      security_profile__v: 'system_admin__v',
      license_type__v: 'full__v',
      vault_id__v: [3003, 4004, 5005],
      domain_name__v: 'veepharm',
    });
    expect(admin.created_date__v).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('omits vault_membership and app_licensing unless exclude_*=false (v18.1+ default, doc inconsistency §13)', async () => {
    const plain = await call(sim, 'GET', '/objects/users/30000', { sid });
    expect(plain.body.users[0].user).not.toHaveProperty('vault_membership');
    expect(plain.body.users[0].user).not.toHaveProperty('app_licensing');
    const explicitTrue = await call(sim, 'GET', '/objects/users/30000?exclude_vault_membership=true&exclude_app_licensing=true', { sid });
    expect(explicitTrue.body.users[0].user).not.toHaveProperty('vault_membership');
    const full = await call(sim, 'GET', '/objects/users/30000?exclude_vault_membership=false&exclude_app_licensing=false', { sid });
    expect(full.body.users[0].user.vault_membership).toEqual([
      { vault_id: 3003, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' },
    ]);
    expect(full.body.users[0].user.app_licensing).toEqual([{ vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' }]);
  });

  it('omits the calling-vault fields for a user who is not a member of the calling vault', async () => {
    const r = await call(sim, 'GET', '/objects/users/30001', { sid });
    expect(r.body.users[0].user).not.toHaveProperty('security_profile__v');
    expect(r.body.users[0].user.vault_id__v).toEqual([4004]);
  });

  it('lists the system-owned users with email no-reply@veeva.com', async () => {
    const r = await call(sim, 'GET', '/objects/users?vaults=all&limit=3', { sid });
    expect(r.body.users.map((u: { user: { user_email__v: string } }) => u.user.user_email__v)).toEqual(['no-reply@veeva.com', 'no-reply@veeva.com', 'no-reply@veeva.com']);
  });

  it('clamps limit above 1000 and sorts by another field', async () => {
    const big = await call(sim, 'GET', '/objects/users?vaults=all&limit=5000', { sid });
    expect(big.body.limit).toBe(1000);
    expect(big.body.users).toHaveLength(1000);
    const desc = await call(sim, 'GET', `/objects/users?vaults=all&limit=2&sort=${encodeURIComponent('user_name__v desc')}`, { sid });
    expect(desc.body.users.map((u: { user: { user_name__v: string } }) => u.user.user_name__v)).toEqual(['user2499@veepharm.com', 'user2498@veepharm.com']);
    expect(desc.body.sort).toBe('user_name__v desc');
  });

  it.each([
    ['vaults=9999', 'INVALID_DATA'],
    ['vaults=abc', 'INVALID_DATA'],
    ['limit=0', 'INVALID_DATA'],
    ['limit=-5', 'INVALID_DATA'],
    ['start=x', 'INVALID_DATA'],
    ['sort=password%20asc', 'INVALID_DATA'],
    ['exclude_vault_membership=maybe', 'INVALID_DATA'],
  ])('bad parameter %s: FAILURE %s', async (query, type) => {
    const r = await call(sim, 'GET', `/objects/users?${query}`, { sid });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
  });
});

describe('GET /objects/users/{id}', () => {
  it('returns an array of one', async () => {
    const r = await call(sim, 'GET', '/objects/users/25001', { sid });
    expect(r.body.users).toHaveLength(1);
    expect(r.body.users[0].user.id).toBe(25001);
  });

  it.each([['99999'], ['abc']])('unknown user %s: FAILURE MALFORMED_URL', async (id) => {
    const r = await call(sim, 'GET', `/objects/users/${id}`, { sid });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'MALFORMED_URL' }] });
  });
});
