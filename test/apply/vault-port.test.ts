// The apply port over HTTP against the simulator: each typed operation becomes one client call,
// and calls that create something are made safe to repeat (by the client, src/vault/writes.ts)
// when their first try left the outcome unknown, or an earlier run may have sent them; nothing
// is ever created twice.
// Faults are seeded and the calls sequential, so each test meets the same faults every run:
// with seed 8 the fault draws are 0.16, 0.63, 0.30, … so a fault of probability 0.5 hits the
// first call after setFaults and spares the next.
import { describe, expect, it } from 'vitest';
import { vaultPort } from '../../src/apply/index.js';
import { sendOperation } from '../../src/apply/vault-port.js';
import type { SiteVaultPerson } from '../../src/model.js';
import type { Operation, PromoteRow } from '../../src/plan/index.js';
import { DEFAULT_ADMIN_PASSWORD, type FaultSpec, type RunningSimulator } from '../../src/simulator/index.js';
import { createVaultClient, type VaultClient } from '../../src/vault/index.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { capturingClock } from '../vault/capturing-clock.js';
import { duplicateUserNames, writesIn } from './support.js';

const FIRST_CALL_ONLY = 8;

/** A logged-in client whose waits go to `clock`, captured instead of slept. */
async function connected(sim: RunningSimulator, clock = capturingClock()): Promise<VaultClient> {
  const client = createVaultClient({
    baseUrl: sim.url,
    apiVersion: 'v26.2',
    credentials: { username: sim.adminUser, password: DEFAULT_ADMIN_PASSWORD },
    vaultDns: 'veepharm-clinical.veevavault.com',
    expectedVaultId: 5005,
    random: () => 0.5,
    clock,
  });
  await client.session();
  return client;
}

type OperationOf<K extends Operation['kind']> = Extract<Operation, { kind: K }>;

function createOp(names: readonly string[]): OperationOf<'create_users'> {
  return {
    id: 'op-001',
    kind: 'create_users',
    call: 'POST /objects/users',
    depends_on: [],
    rows: names.map((name) => ({
      key: name,
      values: {
        first_name: 'Port',
        last_name: 'Test',
        email: name,
        timezone: 'America/New_York',
        locale: 'en_US',
        language: 'en',
        security_policy: '822',
      },
      membership: { vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
    })),
  };
}

const FIRST_RUN = { sentBefore: false, idOf: () => undefined };

const siteVaultPerson: SiteVaultPerson = {
  email: 'port.person@veepharm.com',
  first_name: 'Port',
  last_name: 'Person',
  security_policy: 'VeevaID',
  person_type: 'staff__v',
  investigator: false,
  org: { org_id: 'V42000000001001', role: 'org_full__v', addons: [] },
  sites: [{ site_usn: 'US-NC-0001', role: 'study_team__v', addons: [] }],
  studies: [],
};

const maria: PromoteRow = {
  key: 'maria.lopez@veepharm.com',
  person_id: 'V0B000000000001',
  values: {
    first_name: 'Maria',
    last_name: 'Lopez',
    email: 'maria.lopez@veepharm.com',
    language: 'en',
    timezone: 'America/New_York',
    locale: 'en_US',
  },
  license_type: 'full__v',
};

const NAMES = ['port.one@veepharm.com', 'port.two@veepharm.com', 'port.three@veepharm.com'];

describe('vaultPort: creates whose outcome is unknown', () => {
  it.each<[string, FaultSpec, string]>([
    ['HTTP 500 (not processed)', { seed: FIRST_CALL_ONLY, http500: 0.5 }, 'HTTP_500'],
    ['connection dropped before processing', { seed: FIRST_CALL_ONLY, drop: 0.5 }, 'DROPPED'],
    ['connection dropped after processing', { seed: FIRST_CALL_ONLY, dropAfter: 0.5 }, 'DROPPED_AFTER'],
    ['RACE_CONDITION', { seed: FIRST_CALL_ONLY, race: 0.5 }, 'FAILURE'],
  ])('%s: the create is sent again as an upsert keyed by user_name__v', async (_name, faults, firstStatus) => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    sim.clearRequestLog();
    sim.setFaults(faults);
    const outcomes = await vaultPort(client).send(createOp(NAMES), FIRST_RUN);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const writes = writesIn(sim.requestLog()).map((e) => [e.method, e.query.operation ?? '', e.query.idParam ?? '', e.status]);
    expect(writes).toEqual([
      ['POST', '', '', firstStatus],
      ['POST', 'upsert', 'user_name__v', 'SUCCESS'],
    ]);
    const users = sim.dump().users ?? [];
    expect(duplicateUserNames(users)).toEqual([]);
    expect(users.filter((u) => NAMES.includes(u.user_name__v))).toHaveLength(3);
  });

  it('a create refused for a reason of its own is tried once more as an upsert by name, never as a create', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    sim.clearRequestLog();
    sim.setFaults({ failRows: ['port.two@veepharm.com'] });
    const outcomes = await vaultPort(client).send(createOp(NAMES), FIRST_RUN);
    expect(outcomes).toEqual([
      { ok: true, id: expect.any(String) as string },
      { ok: false, error_type: 'INVALID_DATA', message: 'row failed by fault injection (fail-rows)' },
      { ok: true, id: expect.any(String) as string },
    ]);
    expect(writesSeen(sim).map(([method, path, query, rows]) => [method, path, query, rows])).toEqual([
      ['POST', '/objects/users', {}, 3],
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 1],
    ]);
  });
});

/** Each write the simulator saw: method, path after the API version, query, rows and status. */
function writesSeen(sim: RunningSimulator): [string, string, Record<string, string>, number | undefined, string][] {
  return writesIn(sim.requestLog()).map((e) => [e.method, e.path.replace('/api/v26.2', ''), { ...e.query }, e.rows, e.status]);
}

describe('sendOperation: a create an earlier run may have sent', () => {
  it('is sent once, as an upsert keyed by user_name__v, and lands on the user the lost answer made', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    // The interrupted run's create reached Vault for the first row; its answer was lost.
    const [earlier] = await client.createUsers(createOp(NAMES.slice(0, 1)).rows, FIRST_RUN);
    sim.clearRequestLog();
    const outcomes = await sendOperation(client, createOp(NAMES), { sentBefore: true, idOf: () => undefined });
    expect(outcomes).toEqual([earlier, { ok: true, id: expect.stringMatching(/^\d+$/) as string }, { ok: true, id: expect.stringMatching(/^\d+$/) as string }]);
    expect(writesSeen(sim)).toEqual([['POST', '/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 3, 'SUCCESS']]);
    const users = (sim.dump().users ?? []).filter((u) => NAMES.includes(u.user_name__v));
    expect(duplicateUserNames(users)).toEqual([]);
    expect(users.map((u) => [u.user_name__v, u.user_first_name__v, u.vault_membership?.find((m) => m.vault_id === 5005)?.security_profile__v])).toEqual(
      NAMES.map((name) => [name, 'Port', 'document_user__v']),
    );
  });

  it('a first send of the same operation is a plain create', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    sim.clearRequestLog();
    await sendOperation(client, createOp(NAMES), { sentBefore: false, idOf: () => undefined });
    expect(writesSeen(sim)).toEqual([['POST', '/objects/users', {}, 3, 'SUCCESS']]);
  });
});

describe('sendOperation: one call per operation kind', () => {
  it('maps each kind to its call; only a user create changes form when sent before', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    const name = 'kinds@veepharm.com';
    const created = await sendOperation(client, createOp([name]), { sentBefore: false, idOf: () => undefined });
    const userId = Number(created[0]?.ok === true ? created[0].id : NaN);
    expect(Number.isSafeInteger(userId)).toBe(true);
    const base = { id: 'op-001', call: 'for display only', depends_on: [] };
    const sv = await sendOperation(client, { ...base, kind: 'sitevault_create', rows: [{ key: 'kinds.person@veepharm.com', person: { ...siteVaultPerson, email: 'kinds.person@veepharm.com' } }] }, { sentBefore: true, idOf: () => undefined });
    const personId = sv[0]?.ok === true ? (sv[0].id ?? '') : '';
    expect(personId).toMatch(/^V0B/);
    const operations: Operation[] = [
      { ...base, kind: 'create_users', rows: createOp([name]).rows },
      { ...base, kind: 'upsert_users', match: 'user_name', rows: [{ key: name, values: { last_name: 'ByName' } }] },
      { ...base, kind: 'upsert_users', match: 'id', rows: [{ key: name, user_id: userId, values: { first_name: 'ById' } }] },
      { ...base, kind: 'update_users', rows: [{ key: name, user_id: userId, values: { fields: { user_title__v: 'Bulk' } } }] },
      { ...base, kind: 'update_user', rows: [{ key: name, user_id: userId, domain_admin: false, clears: ['user_title__v'] }] },
      { ...base, kind: 'promote_persons', rows: [{ ...maria, key: 'aisha.bello@veepharm.com', person_id: 'V0B000000000003', values: { ...maria.values, email: 'aisha.bello@veepharm.com' } }] },
      { ...base, kind: 'sitevault_edit', rows: [{ key: 'kinds.person@veepharm.com', person_id: personId, investigator: true, sites: [], studies: [] }] },
    ];
    sim.clearRequestLog();
    const outcomes = [];
    for (const op of operations) outcomes.push(...(await sendOperation(client, op, { sentBefore: true, idOf: () => undefined })));
    const aisha = (sim.dump().users ?? []).find((u) => u.user_name__v === 'aisha.bello@veepharm.com');
    expect(outcomes).toEqual([
      { ok: true, id: String(userId) },
      { ok: true, id: String(userId) },
      { ok: true, id: String(userId) },
      { ok: true, id: String(userId) },
      { ok: true, id: String(userId) },
      { ok: true, id: String(aisha?.id) },
      { ok: true, id: personId },
    ]);
    expect(writesSeen(sim)).toEqual([
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 1, 'SUCCESS'],
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 1, 'SUCCESS'],
      ['POST', '/objects/users', { operation: 'upsert', idParam: 'id' }, 1, 'SUCCESS'],
      ['PUT', '/objects/users', {}, 1, 'SUCCESS'],
      ['PUT', `/objects/users/${userId}`, {}, undefined, 'SUCCESS'],
      ['POST', '/app/clinical/persons/actions/promote_to_user', {}, 1, 'SUCCESS'],
      ['PUT', `/app/sitevault/useradmin/persons/${personId}`, {}, undefined, 'SUCCESS'],
    ]);
    const user = (sim.dump().users ?? []).find((u) => u.id === userId);
    expect([user?.user_first_name__v, user?.user_last_name__v, user?.user_title__v ?? null]).toEqual(['ById', 'ByName', null]);
    expect((sim.dump().sitevault?.persons ?? []).find((p) => p.person_id === personId)?.is_investigator).toBe(true);
  });
});

describe('vaultPort: SiteVault create and Clinical promotion', () => {
  const siteVaultCreate: OperationOf<'sitevault_create'> = {
    id: 'op-001',
    kind: 'sitevault_create',
    call: 'POST /app/sitevault/useradmin/persons',
    depends_on: [],
    rows: [{ key: 'port.person@veepharm.com', person: siteVaultPerson }],
  };

  it('a SiteVault create cut off after processing is sent again and finds the same person', async () => {
    const sim = await startTestSimulator();
    const clock = capturingClock();
    const client = await connected(sim, clock);
    sim.setFaults({ seed: FIRST_CALL_ONLY, dropAfter: 0.5 });
    const [outcome] = await vaultPort(client).send(siteVaultCreate, FIRST_RUN);
    expect(outcome?.ok).toBe(true);
    const persons = (sim.dump().sitevault?.persons ?? []).filter((p) => p.email === 'port.person@veepharm.com');
    expect(persons).toHaveLength(1);
    expect(outcome).toEqual({ ok: true, id: persons[0]?.person_id });
    expect(writesIn(sim.requestLog()).map((e) => e.status)).toEqual(['DROPPED_AFTER', 'SUCCESS']);
    // The repeat waited the client's first backoff (half of 250 ms at random 0.5), on its clock.
    expect(clock.delays).toEqual([125]);
  });

  const promote: OperationOf<'promote_persons'> = {
    id: 'op-001',
    kind: 'promote_persons',
    call: 'POST /app/clinical/persons/actions/promote_to_user',
    depends_on: [],
    rows: [maria],
  };

  it('a promotion repeated after it went through counts as done, with the user it made', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    sim.setFaults({ seed: FIRST_CALL_ONLY, dropAfter: 0.5 });
    const [outcome] = await vaultPort(client).send(promote, FIRST_RUN);
    const users = (sim.dump().users ?? []).filter((u) => u.user_name__v === 'maria.lopez@veepharm.com');
    expect(users).toHaveLength(1);
    expect(outcome).toEqual({ ok: true, id: String(users[0]?.id) });
    // Sent twice: the first answer was lost, the second refused (the person has a user), then read back.
    expect(writesIn(sim.requestLog()).map((e) => [e.status, e.errorTypes])).toEqual([
      ['DROPPED_AFTER', []],
      ['SUCCESS', ['OPERATION_NOT_ALLOWED']],
    ]);
  });

  it('a person promoted to somebody else stays a failure', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    const other = { ...promote, rows: [{ ...maria, key: 'someone.else@veepharm.com', values: { ...maria.values, email: 'someone.else@veepharm.com' } }] };
    expect((await vaultPort(client).send(other, FIRST_RUN))[0]?.ok).toBe(true);
    const [outcome] = await vaultPort(client).send(promote, FIRST_RUN);
    expect(outcome).toMatchObject({ ok: false, error_type: 'OPERATION_NOT_ALLOWED' });
  });
});
