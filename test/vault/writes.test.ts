import { describe, expect, it } from 'vitest';
import { isWrite } from '../helpers/simulator.js';
import { VaultRosterError } from '../../src/errors.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { Redactor } from '../../src/vault/redact.js';
import { VaultTransport } from '../../src/vault/transport.js';
import { createUsers } from '../../src/vault/users.js';
import { ADMIN, API_VERSION, capturingClock, clientFor, CLINICAL_DNS, newUser, simulator } from './support.js';

/** What the simulator saw of each write: method, path after the version, query and row count. */
function writesSeen(sim: RunningSimulator): [string, string, Record<string, string>, number | undefined][] {
  return sim
    .requestLog()
    .filter(isWrite)
    .map((e) => [e.method, e.path.replace(`/api/${API_VERSION}`, ''), { ...e.query }, e.rows]);
}

/** The id a successful outcome carries, as Vault's number. */
function idOf(outcome: { ok: boolean; id?: string } | undefined): number {
  if (outcome?.ok !== true || outcome.id === undefined) throw new Error(`expected a success with an id, got ${JSON.stringify(outcome)}`);
  return Number(outcome.id);
}

describe('writes', () => {
  it('surfaces per-row failures in input order with Vault error types, in one create call', async () => {
    const sim = await simulator({ faults: 'fail-rows=b@veepharm.com' });
    const { client } = clientFor(sim);
    const results = await client.createUsers([newUser('a@veepharm.com'), newUser('b@veepharm.com'), newUser('c@veepharm.com', { security_policy: '999' })], {
      sentBefore: false,
    });
    expect(results.map((r) => (r.ok ? ['ok', typeof r.id] : [r.error_type, r.message]))).toEqual([
      ['ok', 'string'],
      ['INVALID_DATA', 'row failed by fault injection (fail-rows)'],
      ['INVALID_DATA', expect.stringContaining('999') as string],
    ]);
    // Refused rows go again once as an upsert by user name (a refusal may be Vault refusing a name
    // it did not list); refused again for the same reason, they fail with that answer.
    expect(writesSeen(sim)).toEqual([
      ['POST', '/objects/users', {}, 3],
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 2],
    ]);
    const created = (sim.dump().users ?? []).filter((u) => ['a@veepharm.com', 'b@veepharm.com', 'c@veepharm.com'].includes(u.user_name__v));
    expect(created.map((u) => [u.id, u.user_name__v])).toEqual([[idOf(results[0]), 'a@veepharm.com']]);
  });

  it('creates a user with its values, extra fields and membership in the session vault', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const [created] = await client.createUsers([newUser('row.level@veepharm.com', { fields: { company__v: 'Acme' } })], { sentBefore: false });
    const user = await client.getUser(idOf(created));
    expect(user).toMatchObject({
      user_name__v: 'row.level@veepharm.com',
      user_first_name__v: 'New',
      company__v: 'Acme',
      security_profile__v: 'document_user__v',
      license_type__v: 'full__v',
    });
    expect(writesSeen(sim)).toEqual([['POST', '/objects/users', {}, 1]]);
  });

  it('creates with CSV as well as JSON (the low-level call)', async () => {
    const sim = await simulator();
    const transport = new VaultTransport({
      baseUrl: sim.url,
      apiVersion: API_VERSION,
      credentials: { username: ADMIN, password: 'admin' },
      vaultDns: CLINICAL_DNS,
      expectedVaultId: 5005,
      concurrency: 1,
      timeoutMs: 10_000,
      maxRetries: 0,
      burstWindowMs: 300_000,
      clock: capturingClock(),
      random: () => 0.5,
      clientId: 'test',
      redactor: new Redactor(),
      emit: () => undefined,
    });
    const body = {
      user_name__v: 'csv.user@veepharm.com',
      user_first_name__v: 'Csv',
      user_last_name__v: 'User',
      user_email__v: 'csv.user@veepharm.com',
      user_timezone__v: 'America/New_York',
      user_locale__v: 'en_US',
      user_language__v: 'en',
      security_policy_id__v: '821',
      vault_membership: '5005:true:document_user__v:full__v',
      company__v: 'Smith, Jones',
    };
    const results = await createUsers(transport, [{ key: 'csv.user@veepharm.com', body }], { format: 'csv' });
    expect(results[0]?.ok).toBe(true);
    const created = (sim.dump().users ?? []).find((u) => u.user_name__v === 'csv.user@veepharm.com');
    expect(created?.company__v).toBe('Smith, Jones');
    expect(writesSeen(sim)).toEqual([['POST', '/objects/users', {}, 1]]);
  });

  it('updates in bulk (values and another vault’s membership), singly (null clears), and deactivates at domain level', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const [created] = await client.createUsers([newUser('d@veepharm.com', { fields: { company__v: 'Acme' } })], { sentBefore: false });
    const id = idOf(created);

    const bulk = await client.updateUsers([
      {
        key: 'd@veepharm.com',
        user_id: id,
        values: { fields: { user_title__v: 'Scientist' } },
        membership: { vault_id: 3003, active: true, security_profile: 'business_admin__v', license_type: 'full__v' },
      },
    ]);
    expect(bulk).toEqual([{ ok: true, id: String(id) }]);
    expect(await client.updateDomainUser({ key: 'd@veepharm.com', user_id: id, clears: ['company__v'] })).toEqual({ ok: true, id: String(id) });

    const user = await client.getUser(id);
    expect(user.user_title__v).toBe('Scientist');
    expect(user.company__v ?? null).toBeNull();
    const memberships = user.vault_membership as { vault_id: number; active__v: boolean; security_profile__v: string; license_type__v: string }[];
    expect(memberships.find((m) => m.vault_id === 3003)).toMatchObject({ active__v: true, security_profile__v: 'business_admin__v', license_type__v: 'full__v' });

    expect(await client.updateDomainUser({ key: 'd@veepharm.com', user_id: id, active: false, clears: [] })).toEqual({ ok: true, id: String(id) });
    expect((await client.getUser(id)).domain_active__v).toBe(false);
    expect(writesSeen(sim)).toEqual([
      ['POST', '/objects/users', {}, 1],
      ['PUT', '/objects/users', {}, 1],
      ['PUT', `/objects/users/${id}`, {}, undefined],
      ['PUT', `/objects/users/${id}`, {}, undefined],
    ]);
  });

  it('upserts by user name and by id, each as one call keyed the way it matches', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const [created] = await client.createUsers([newUser('e@veepharm.com')], { sentBefore: false });
    const id = idOf(created);
    expect(await client.upsertUsers('user_name', [{ key: 'e@veepharm.com', values: { last_name: 'Byname' } }])).toEqual([{ ok: true, id: String(id) }]);
    expect(await client.upsertUsers('id', [{ key: 'e@veepharm.com', user_id: id, values: { first_name: 'Byid' } }])).toEqual([{ ok: true, id: String(id) }]);
    expect(await client.getUser(id)).toMatchObject({ user_first_name__v: 'Byid', user_last_name__v: 'Byname' });
    expect(writesSeen(sim)).toEqual([
      ['POST', '/objects/users', {}, 1],
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 1],
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'id' }, 1],
    ]);
  });

  it('refuses a batch above 500 rows before sending it', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const rows = Array.from({ length: 501 }, (_, i) => newUser(`u${i}@veepharm.com`));
    await expect(client.createUsers(rows, { sentBefore: false })).rejects.toThrow(VaultRosterError);
    await expect(client.createUsers(rows, { sentBefore: true })).rejects.toThrow(VaultRosterError);
    await expect(client.updateUsers(rows.map((r, i) => ({ key: r.key, user_id: 40_000 + i, values: {} })))).rejects.toThrow(VaultRosterError);
    // At most the login (a new user's row-level profile needs the session's vault); no write.
    expect(sim.requestLog().filter((e) => !(e.method === 'POST' && e.path.endsWith('/auth')))).toEqual([]);
  });

  it('promotes Clinical persons with per-row results', async () => {
    const sim = await simulator({ faults: 'fail-rows=kenji.watanabe@veepharm.com' });
    const { client } = clientFor(sim);
    const person = (id: string, first: string, last: string) => ({
      key: `${first}.${last}@veepharm.com`.toLowerCase(),
      person_id: id,
      values: {
        first_name: first,
        last_name: last,
        email: `${first}.${last}@veepharm.com`.toLowerCase(),
        language: 'en',
        locale: 'en_US',
        timezone: 'America/New_York',
      },
      security_profile: 'document_user__v',
      license_type: 'full__v' as const,
    });
    const results = await client.promotePersons([person('V0B000000000001', 'Maria', 'Lopez'), person('V0B000000000002', 'Kenji', 'Watanabe')]);
    const maria = (sim.dump().users ?? []).find((u) => u.user_name__v === 'maria.lopez@veepharm.com');
    expect(results).toEqual([
      { ok: true, id: String(maria?.id) },
      { ok: false, error_type: 'INVALID_DATA', message: 'row failed by fault injection (fail-rows)' },
    ]);
    expect(writesSeen(sim)).toEqual([['POST', '/app/clinical/persons/actions/promote_to_user', {}, 2]]);
  });

  it('isolates a promotion batch Vault refused whole: each person again alone, so the good one is promoted', async () => {
    const sim = await simulator({ profile: 'promote-whole-request' });
    const { client } = clientFor(sim);
    const person = (id: string, first: string, last: string) => ({
      key: `${first}.${last}@veepharm.com`.toLowerCase(),
      person_id: id,
      values: { first_name: first, last_name: last, email: `${first}.${last}@veepharm.com`.toLowerCase(), language: 'en', locale: 'en_US', timezone: 'America/New_York' },
      security_profile: 'document_user__v',
      license_type: 'full__v' as const,
    });
    const results = await client.promotePersons([person('V0B000000000001', 'Maria', 'Lopez'), person('V0B000000000099', 'Ghost', 'Person')]);
    const maria = (sim.dump().users ?? []).find((u) => u.user_name__v === 'maria.lopez@veepharm.com');
    expect(maria).toBeDefined();
    expect(results[0]).toEqual({ ok: true, id: String(maria?.id) });
    expect(results[1]).toMatchObject({ ok: false });
    expect((sim.dump().users ?? []).some((u) => u.user_name__v === 'ghost.person@veepharm.com')).toBe(false);
    // The batch of two (refused whole), then Maria alone (promoted), then the ghost alone (refused).
    const promotes = sim.requestLog().filter((e) => e.path.endsWith('/promote_to_user'));
    expect(promotes.map((e) => [e.method, e.status, e.rows ?? null])).toEqual([
      ['POST', 'FAILURE', null],
      ['POST', 'SUCCESS', 1],
      ['POST', 'FAILURE', null],
    ]);
  });

  it('creates and edits a SiteVault person', async () => {
    const sim = await simulator();
    const { client } = clientFor(sim);
    const created = await client.createSiteVaultPerson({
      key: 'jerry.cotter@veepharm.com',
      person: {
        email: 'jerry.cotter@veepharm.com',
        username: 'jerry.cotter@veepharm.com',
        first_name: 'Jerry',
        last_name: 'Cotter',
        security_policy: '821',
        person_type: 'staff__v',
        investigator: false,
        language: 'en',
        org: { org_id: 'V42000000001001', role: 'org_full__v', addons: [] },
        sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v'] }],
        studies: [],
      },
    });
    expect(created).toEqual({ ok: true, id: expect.stringMatching(/^V0B/) as string });
    const personId = created.ok ? (created.id ?? '') : '';
    const stored = () => (sim.dump().sitevault?.persons ?? []).find((p) => p.person_id === personId);
    expect(stored()?.site_assignments).toEqual([{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] }]);
    const edited = await client.editSiteVaultPerson({
      key: 'jerry.cotter@veepharm.com',
      person_id: personId,
      investigator: false,
      sites: [{ site_usn: 'US-NC-0001', role: 'no_access__v', addons: [] }],
      studies: [],
    });
    expect(edited).toEqual({ ok: true, id: personId });
    expect(writesSeen(sim)).toEqual([
      ['POST', '/app/sitevault/useradmin/persons', {}, undefined],
      ['PUT', `/app/sitevault/useradmin/persons/${personId}`, {}, undefined],
    ]);
    // no_access__v ends the site assignment.
    expect(stored()?.site_assignments).toEqual([]);
  });
});
