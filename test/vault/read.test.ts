import { describe, expect, it } from 'vitest';
import { readLiveState, PERSONS_VQL } from '../../src/vault/live-state.js';
import { ADMIN, calls, clientFor, seedWithUsers, simulator } from './support.js';

describe('readLiveState', () => {
  it('reads 2,500 users in three 1,000-user pages and nothing more', async () => {
    const sim = await simulator({ seed: seedWithUsers(2500) });
    const { client } = clientFor(sim);
    const live = await readLiveState(client, { promotions: false });

    const pages = calls(sim, 'GET', '/objects/users');
    // 2,500 humans + admin + 3 system users = 2,504 rows: 1000 + 1000 + 504.
    expect(pages.map((e) => [e.query.start, e.query.limit])).toEqual([
      ['0', '1000'],
      ['1000', '1000'],
      ['2000', '1000'],
    ]);
    for (const page of pages) {
      expect(page.query).toMatchObject({ vaults: 'all', exclude_vault_membership: 'false', exclude_app_licensing: 'false' });
    }
    expect(live.users.size).toBe(2501);
    expect(calls(sim, 'POST', '/query')).toHaveLength(0);
    expect(sim.requestLog().map((e) => e.path.replace('/api/v26.2', '')).sort()).toEqual(
      ['/auth', '/metadata/objects/users', '/objects/domain', '/objects/licenses', '/objects/securitypolicies', '/objects/users/me', '/objects/users', '/objects/users', '/objects/users'].sort(),
    );
  });

  it('normalises users, excludes system-owned ones and reads the reference data', async () => {
    const sim = await simulator({ seed: seedWithUsers(3) });
    const { client } = clientFor(sim);
    const live = await readLiveState(client, { promotions: false });

    expect(live.vault_id).toBe(5005);
    expect(live.authenticated_user).toBe(ADMIN);
    expect(live.vault_ids).toEqual([3003, 4004, 5005]);
    expect(live.security_policies).toEqual(['821', '822']);
    expect([...live.users.keys()].sort()).toEqual([ADMIN, 'user000000@veepharm.com', 'user000001@veepharm.com', 'user000002@veepharm.com']);
    expect(['system@veepharm.com', 'appowner@veepharm.com', 'sdk.service@veepharm.com'].some((u) => live.users.has(u))).toBe(false);
    expect(live.users.get('user000001@veepharm.com')).toMatchObject({
      id: 30002,
      first_name: 'User',
      last_name: 'Number 1',
      security_policy: '821',
      active: true,
      domain_admin: false,
      memberships: [{ vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'read_only__v', apps: {} }],
    });
    expect(live.users.get(ADMIN)?.memberships.map((m) => [m.vault_id, m.security_profile])).toEqual([
      [3003, 'system_admin__v'],
      [4004, 'system_admin__v'],
      [5005, 'system_admin__v'],
    ]);
    expect(live.licenses.length).toBeGreaterThan(0);
    expect(live.licenses.find((l) => l.application === 'ctms_v' && l.license_type === 'full__v')).toMatchObject({ licensed: 200 });
    expect(live.persons.size).toBe(0);
  });

  it('reads Clinical persons with VQL when promotions are declared', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const live = await readLiveState(client, { promotions: true });
    expect(live.persons.get('V0B000000000001')).toEqual({
      id: 'V0B000000000001',
      email: 'maria.lopez@veepharm.com',
      first_name: 'Maria',
      last_name: 'Lopez',
      user_id: null,
    });
    expect(live.persons.size).toBe(5);
    expect(calls(sim, 'POST', '/query')).toHaveLength(1);
  });

  it('follows next_page until VQL stops giving one', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const rows = await client.query(`${PERSONS_VQL} PAGESIZE 2`);
    expect(rows.map((r) => r.id)).toEqual(['V0B000000000001', 'V0B000000000002', 'V0B000000000003', 'V0B000000000004', 'V0B000000000005']);
    expect(sim.requestLog().filter((e) => e.path.includes('/query'))).toHaveLength(3);
  });
});
