// An upsert keyed by id must be retried like one keyed by name (it can only update that user).
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD } from '../../src/simulator/index.js';
import { createVaultClient } from '../../src/vault/index.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { capturingClock } from '../vault/capturing-clock.js';
import { writesIn } from './support.js';

describe('VaultClient.upsertUsers matched by id', () => {
  it('is retried after RACE_CONDITION like an upsert by name', async () => {
    const sim = await startTestSimulator();
    const clock = capturingClock();
    const client = createVaultClient({
      baseUrl: sim.url,
      apiVersion: 'v25.2',
      credentials: { username: sim.adminUser, password: DEFAULT_ADMIN_PASSWORD },
      vaultDns: 'veepharm-clinical.veevavault.com',
      random: () => 0.5,
      clock,
    });
    const name = 'by.id@veepharm.com';
    const [created] = await client.createUsers(
      [
        {
          key: name,
          values: {
            first_name: 'By',
            last_name: 'Id',
            email: name,
            timezone: 'America/New_York',
            locale: 'en_US',
            language: 'en',
            security_policy: '822',
          },
          membership: { vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
        },
      ],
      { sentBefore: false },
    );
    if (created?.ok !== true || created.id === undefined) throw new Error(`create failed: ${JSON.stringify(created)}`);
    const id = Number(created.id);
    sim.clearRequestLog();
    // Seed 8 draws 0.16 first, then 0.63: the next call meets RACE_CONDITION, a repeat would not.
    sim.setFaults({ seed: 8, race: 0.5 });
    const results = await client.upsertUsers('id', [{ key: name, user_id: id, values: { fields: { user_title__v: 'Updated' } } }]);
    expect(results).toEqual([{ ok: true, id: String(id) }]);
    expect(writesIn(sim.requestLog()).map((e) => [e.method, e.query.operation, e.query.idParam, e.status, e.errorTypes])).toEqual([
      ['POST', 'upsert', 'id', 'FAILURE', ['RACE_CONDITION']],
      ['POST', 'upsert', 'id', 'SUCCESS', []],
    ]);
    expect((sim.dump().users ?? []).find((u) => u.id === id)?.user_title__v).toBe('Updated');
    // The repeat waited the client's first backoff (half of 250 ms at random 0.5), on its clock.
    expect(clock.delays).toEqual([125]);
  });
});
