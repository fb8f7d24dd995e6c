// The apply port over HTTP against the simulator: calls that create something are made safe to
// repeat when their first try left the outcome unknown, and nothing is ever created twice.
// Faults are seeded and the calls sequential, so each test meets the same faults every run:
// with seed 8 the fault draws are 0.16, 0.63, 0.30, … so a fault of probability 0.5 hits the
// first call after setFaults and spares the next.
import { describe, expect, it } from 'vitest';
import { vaultPort, type ApplyOperation } from '../../src/apply/index.js';
import { DEFAULT_ADMIN_PASSWORD, type FaultSpec, type RunningSimulator } from '../../src/simulator/index.js';
import { createVaultClient, encodeMembership, type VaultClient } from '../../src/vault/index.js';
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

function createOp(names: readonly string[]): ApplyOperation {
  return {
    id: 'op-001',
    kind: 'create',
    method: 'POST',
    path: '/objects/users',
    body_format: 'json-array',
    depends_on: [],
    rows: names.map((name) => ({
      key: name,
      body: {
        user_name__v: name,
        user_first_name__v: 'Port',
        user_last_name__v: 'Test',
        user_email__v: name,
        user_timezone__v: 'America/New_York',
        user_locale__v: 'en_US',
        user_language__v: 'en',
        security_policy_id__v: '822',
        vault_membership: encodeMembership({ vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v' }),
      },
    })),
  };
}

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
    const outcomes = await vaultPort(client).send(createOp(NAMES));
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

  it('a create refused for a reason of its own is not repeated', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    sim.clearRequestLog();
    sim.setFaults({ failRows: ['port.two@veepharm.com'] });
    const outcomes = await vaultPort(client).send(createOp(NAMES));
    expect(outcomes).toEqual([
      { ok: true, id: expect.any(String) as string },
      { ok: false, error_type: 'INVALID_DATA', message: 'row failed by fault injection (fail-rows)' },
      { ok: true, id: expect.any(String) as string },
    ]);
    expect(writesIn(sim.requestLog())).toHaveLength(1);
  });
});

describe('vaultPort: SiteVault create and Clinical promotion', () => {
  const person = {
    user: { email: 'port.person@veepharm.com', first_name: 'Port', last_name: 'Person', security_policy_id: 'VeevaID', person_type: 'staff__v' },
    person_type: 'staff__v',
    is_investigator: false,
    assignments: {
      org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_full__v' },
      site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'study_team__v' }],
      study_assignments: [],
    },
  };
  const siteVaultCreate: ApplyOperation = {
    id: 'op-001',
    kind: 'sitevault_create',
    method: 'POST',
    path: '/app/sitevault/useradmin/persons',
    body_format: 'json-object',
    depends_on: [],
    rows: [{ key: 'port.person@veepharm.com', body: person }],
  };

  it('a SiteVault create cut off after processing is sent again and finds the same person', async () => {
    const sim = await startTestSimulator();
    const clock = capturingClock();
    const client = await connected(sim, clock);
    sim.setFaults({ seed: FIRST_CALL_ONLY, dropAfter: 0.5 });
    const [outcome] = await vaultPort(client).send(siteVaultCreate);
    expect(outcome?.ok).toBe(true);
    const persons = (sim.dump().sitevault?.persons ?? []).filter((p) => p.email === 'port.person@veepharm.com');
    expect(persons).toHaveLength(1);
    expect(outcome).toEqual({ ok: true, id: persons[0]?.person_id });
    expect(writesIn(sim.requestLog()).map((e) => e.status)).toEqual(['DROPPED_AFTER', 'SUCCESS']);
    // The repeat waited the client's first backoff (half of 250 ms at random 0.5), on its clock.
    expect(clock.delays).toEqual([125]);
  });

  const promote: ApplyOperation = {
    id: 'op-001',
    kind: 'promote',
    method: 'POST',
    path: '/app/clinical/persons/actions/promote_to_user',
    body_format: 'json-array',
    depends_on: [],
    rows: [
      {
        key: 'maria.lopez@veepharm.com',
        body: {
          source_person_id: 'V0B000000000001',
          username__sys: 'maria.lopez@veepharm.com',
          first_name__sys: 'Maria',
          last_name__sys: 'Lopez',
          email__sys: 'maria.lopez@veepharm.com',
          language__sys: 'en',
          timezone__sys: 'America/New_York',
          locale__sys: 'en_US',
          license_type__sys: 'full__v',
        },
      },
    ],
  };

  it('a promotion repeated after it went through counts as done, with the user it made', async () => {
    const sim = await startTestSimulator();
    const client = await connected(sim);
    sim.setFaults({ seed: FIRST_CALL_ONLY, dropAfter: 0.5 });
    const [outcome] = await vaultPort(client).send(promote);
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
    const other = { ...promote, rows: [{ key: 'someone.else@veepharm.com', body: { ...promote.rows[0]?.body, username__sys: 'someone.else@veepharm.com', email__sys: 'someone.else@veepharm.com' } }] };
    expect((await vaultPort(client).send(other))[0]?.ok).toBe(true);
    const [outcome] = await vaultPort(client).send(promote);
    expect(outcome).toMatchObject({ ok: false, error_type: 'OPERATION_NOT_ALLOWED' });
  });
});
