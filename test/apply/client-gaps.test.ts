// An upsert keyed by id must be retried like one keyed by name (it can only update that user).
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD } from '../../src/simulator/index.js';
import { createVaultClient, encodeMembership } from '../../src/vault/index.js';
import { startTestSimulator } from '../helpers/simulator.js';

describe('VaultClient.createUsers with upsertKey id', () => {
  it('is retried after RACE_CONDITION like an upsert by name', async () => {
    const sim = await startTestSimulator();
    const client = createVaultClient({
      baseUrl: sim.url,
      apiVersion: 'v25.2',
      credentials: { username: sim.adminUser, password: DEFAULT_ADMIN_PASSWORD },
      vaultDns: 'veepharm-clinical.veevavault.com',
      random: () => 0,
    });
    const name = 'by.id@veepharm.com';
    const [created] = await client.createUsers([
      {
        key: name,
        body: {
          user_name__v: name,
          user_first_name__v: 'By',
          user_last_name__v: 'Id',
          user_email__v: name,
          user_timezone__v: 'America/New_York',
          user_locale__v: 'en_US',
          user_language__v: 'en',
          security_policy_id__v: '822',
          vault_membership: encodeMembership({ vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v' }),
        },
      },
    ]);
    expect(created?.ok).toBe(true);
    // Seed 8 draws 0.16 first, then 0.63: the next call meets RACE_CONDITION, a repeat would not.
    sim.setFaults({ seed: 8, race: 0.5 });
    const results = await client.createUsers([{ key: name, body: { id: created?.ok ? created.id : 0, user_title__v: 'Updated' } }], { upsertKey: 'id' });
    expect(results.map((r) => r.ok)).toEqual([true]);
  });
});
