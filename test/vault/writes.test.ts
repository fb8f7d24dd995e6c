import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import { calls, clientFor, newUser, simulator } from './support.js';

describe('writes', () => {
  it('surfaces per-row failures in input order with Vault error types', async () => {
    const sim = await simulator({ faults: 'fail-rows=b@veepharm.com' });
    const { client } = clientFor(sim);
    const results = await client.createUsers([newUser('a@veepharm.com'), newUser('b@veepharm.com'), newUser('c@veepharm.com', { security_policy_id__v: '999' })]);
    expect(results.map((r) => [r.index, r.key, r.ok, r.ok ? 'ok' : r.errorType])).toEqual([
      [0, 'a@veepharm.com', true, 'ok'],
      [1, 'b@veepharm.com', false, 'INVALID_DATA'],
      [2, 'c@veepharm.com', false, 'INVALID_DATA'],
    ]);
    expect(calls(sim, 'POST', '/objects/users')[0]?.rows).toBe(3);
  });

  it('creates with CSV as well as JSON', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const results = await client.createUsers([newUser('csv.user@veepharm.com', { company__v: 'Smith, Jones' })], { format: 'csv' });
    expect(results[0]?.ok).toBe(true);
    const id = results[0]?.ok ? results[0].id : 0;
    expect((await client.getUser(id)).company__v).toBe('Smith, Jones');
  });

  it('updates in bulk, singly (null clears), per vault membership, and disables', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const [created] = await client.createUsers([newUser('d@veepharm.com', { company__v: 'Acme' })]);
    if (created?.ok !== true) throw new Error('create failed');
    const id = created.id;

    const bulk = await client.updateUsers([{ key: 'd@veepharm.com', body: { id, user_title__v: 'Scientist' } }]);
    expect(bulk).toEqual([{ index: 0, key: 'd@veepharm.com', ok: true, id }]);
    expect(await client.updateUser(id, { company__v: null })).toBe(id);
    await client.updateVaultMembership(id, 3003, { active: true, security_profile: 'business_admin__v', license_type: 'full__v' });

    const user = await client.getUser(id);
    expect(user.user_title__v).toBe('Scientist');
    expect(user.company__v ?? null).toBeNull();
    expect(calls(sim, 'PUT', `/objects/users/${id}/vault_membership/3003`)).toHaveLength(1);

    await client.disableUser(id, { domain: true });
    expect((await client.getUser(id)).domain_active__v).toBe(false);
    expect(calls(sim, 'DELETE', `/objects/users/${id}`)[0]?.query).toEqual({ domain: 'true' });
  });

  it('refuses a batch above 500 rows before sending it', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const rows = Array.from({ length: 501 }, (_, i) => newUser(`u${i}@veepharm.com`));
    await expect(client.createUsers(rows)).rejects.toThrow(VaultRosterError);
    expect(sim.requestLog()).toHaveLength(0);
  });

  it('promotes Clinical persons with per-row results', async () => {
    const sim = await simulator({ faults: 'fail-rows=kenji.watanabe@veepharm.com' });
    const { client } = clientFor(sim);
    const person = (id: string, first: string, last: string) => ({
      key: id,
      body: {
        source_person_id: id,
        first_name__sys: first,
        last_name__sys: last,
        username__sys: `${first}.${last}@veepharm.com`.toLowerCase(),
        email__sys: `${first}.${last}@veepharm.com`.toLowerCase(),
        language__sys: 'en',
        locale__sys: 'en_US',
        timezone__sys: 'America/New_York',
        security_profile__sys: 'document_user__v',
        license_type__sys: 'full__v',
      },
    });
    const results = await client.promotePersons([person('V0B000000000001', 'Maria', 'Lopez'), person('V0B000000000002', 'Kenji', 'Watanabe')]);
    expect(results.map((r) => [r.key, r.ok])).toEqual([
      ['V0B000000000001', true],
      ['V0B000000000002', false],
    ]);
  });

  it('creates and edits a SiteVault person', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const created = await client.sitevaultCreatePerson({
      user: { email: 'jerry.cotter@veepharm.com', username: 'jerry.cotter@veepharm.com', first_name: 'Jerry', last_name: 'Cotter', security_policy_id: '821', person_type: 'staff__v', language: 'en' },
      person_type: 'staff__v',
      is_investigator: false,
      assignments: {
        org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_full__v' },
        site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] }],
      },
    });
    expect(created.personId).toMatch(/^V0B/);
    const edited = await client.sitevaultEditPerson(created.personId, {
      is_investigator: false,
      assignments: { site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'no_access__v' }] },
    });
    expect(edited.personId).toBe(created.personId);
  });
});
