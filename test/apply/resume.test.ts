// Re-running the same plan after an interruption: rows done are skipped (journal), a create that
// was cut off is sent again as an upsert keyed by user_name__v, and nobody exists twice.
// The interruption is deterministic: the process "dies" right after Vault processed the create,
// before its answer reached the journal (the port throws a non-Vault error, which stops the run
// the way a crash does: batch_started without batch_finished, no run_finished).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, journalPathFor, vaultPort, type ApplyPort } from '../../src/apply/index.js';
import type { Plan } from '../../src/plan/index.js';
import { createVaultClient, resolveConnection, type ClientEvent } from '../../src/vault/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { adminSession } from '../helpers/simulator.js';
import { dieAfterFirst, duplicateUserNames, journalRun, readFixtureLive, readJournal, writesIn } from './support.js';

async function savedPlan(fx: RosterFixture): Promise<Plan> {
  const planned = await fx.run(['plan', '--out', 'plan.json']);
  expect(planned.code, planned.stderr).toBe(0);
  return JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
}

/** applyPlan as the CLI calls it, with a port the test can wrap. */
async function applyDirect(fx: RosterFixture, plan: Plan, wrap: (port: ApplyPort) => ApplyPort, concurrency = 1, faults?: Parameters<RosterFixture['sim']['setFaults']>[0]): ReturnType<typeof applyPlan> {
  const desired = await fx.desired();
  const listeners = new Set<(event: ClientEvent) => void>();
  const connection = resolveConnection(desired.target, fx.env);
  const client = createVaultClient({
    ...connection,
    random: () => 0,
    onEvent: (event) => {
      for (const l of listeners) l(event);
    },
  });
  const live = await readFixtureLive(client, desired);
  // Faults start once the live state is read: they are about the writes.
  if (faults !== undefined) fx.sim.setFaults(faults);
  return applyPlan({
    plan,
    desired,
    live,
    serverUrl: connection.baseUrl,
    port: wrap(vaultPort(client)),
    journalDir: join(fx.dir, '.vault-roster', 'journal'),
    concurrency,
    toolVersion: 'test',
    subscribeClientEvents: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
}

/** Sends the first create to Vault, then dies before the answer is recorded; nothing after. */
const dieAfterCreate = dieAfterFirst('create_users', 'killed after Vault processed the create');

describe('re-running an interrupted plan', () => {
  it('skips done rows and sends the cut-off create as an upsert by user name', async () => {
    const fx = await startRosterFixture();
    const plan = await savedPlan(fx);
    const create = plan.operations.find((op) => op.kind === 'create_users');
    expect(create).toBeDefined();
    const createdNames = create?.rows.map((r) => r.key) ?? [];
    expect(createdNames.length).toBeGreaterThan(5);

    await expect(applyDirect(fx, plan, dieAfterCreate)).rejects.toThrow('killed after Vault processed the create');
    const journalPath = journalPathFor(join(fx.dir, '.vault-roster', 'journal'), plan);
    const firstRun = journalRun(readJournal(journalPath), 0);
    const doneBefore = firstRun.flatMap((e) => (e.type === 'batch_finished' ? [e.op_id] : []));
    const inFlight = firstRun.flatMap((e) => (e.type === 'batch_started' && !doneBefore.includes(e.op_id) ? [e.op_id] : []));
    expect(inFlight).toContain(create?.id);
    expect(firstRun.some((e) => e.type === 'run_finished')).toBe(false);
    // The create reached Vault: its users exist although the journal knows nothing of it.
    const afterCrash = new Set((fx.sim.dump().users ?? []).map((u) => u.user_name__v.toLowerCase()));
    expect(createdNames.every((n) => afterCrash.has(n))).toBe(true);

    fx.sim.clearRequestLog();
    const rerun = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('(resumed an interrupted run)');

    const writes = writesIn(fx.sim.requestLog());
    const userPosts = writes.filter((e) => e.method === 'POST' && e.path.endsWith('/objects/users'));
    // Not one plain create: the cut-off batch went as an upsert keyed by user name, whole.
    expect(userPosts.filter((e) => e.query.operation === undefined)).toEqual([]);
    expect(userPosts).toContainEqual(expect.objectContaining({ query: { operation: 'upsert', idParam: 'user_name__v' }, rows: createdNames.length }));
    expect(writes.flatMap((e) => e.errorTypes)).not.toContain('ITEM_NAME_EXISTS');

    const secondRun = journalRun(readJournal(journalPath), 1);
    const sentAgain = secondRun.flatMap((e) => (e.type === 'batch_started' ? [e.op_id] : []));
    expect(doneBefore.length).toBeGreaterThan(0);
    for (const op of doneBefore) expect(sentAgain).not.toContain(op);
    expect(secondRun).toContainEqual(expect.objectContaining({ type: 'batch_started', op_id: create?.id, kind: 'create_users', sent_before: true }));
    expect(secondRun.at(-1)?.type).toBe('run_finished');

    expect(duplicateUserNames(fx.sim.dump().users ?? [])).toEqual([]);
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout).toBe(0);
  });

  it('a run whose every answer was lost (Vault did the work) is finished by re-running the plan', async () => {
    const fx = await startRosterFixture();
    const plan = await savedPlan(fx);
    // Every write is processed and its answer lost; the run ends with every row failed.
    const lost = await applyDirect(fx, plan, (port) => port, 4, { dropAfter: 1 });
    expect(lost.counts.failed).toBeGreaterThan(0);
    expect(lost.failures.every((f) => f.error_type === 'TRANSPORT' || f.error_type === 'DEPENDENCY_FAILED')).toBe(true);
    fx.sim.setFaults('none');

    fx.sim.clearRequestLog();
    const again = await applyDirect(fx, plan, (port) => port, 4);
    expect(again.failures).toEqual([]);
    expect(writesIn(fx.sim.requestLog()).flatMap((e) => e.errorTypes)).not.toContain('ITEM_NAME_EXISTS');
    expect(duplicateUserNames(fx.sim.dump().users ?? [])).toEqual([]);
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout).toBe(0);
  });

  // An earlier run whose answers were all lost still changed Vault: its own changes are not staleness.
  it('through the CLI, the same plan file is accepted after such a run', async () => {
    const fx = await startRosterFixture();
    const plan = await savedPlan(fx);
    await applyDirect(fx, plan, (port) => port, 4, { dropAfter: 1 });
    fx.sim.setFaults('none');
    const rerun = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(rerun.stderr).not.toContain('stale');
    expect(rerun.code).toBe(0);
  });

  it('a kill before any write exempts nothing: an out-of-band edit made before the re-run makes the plan stale', async () => {
    const fx = await startRosterFixture();
    const plan = await savedPlan(fx);
    const dies: (port: ApplyPort) => ApplyPort = () => ({
      send() {
        return Promise.reject(new Error('killed before sending anything'));
      },
    });
    await expect(applyDirect(fx, plan, dies, 4)).rejects.toThrow('killed before sending anything');
    const journal = readJournal(journalPathFor(join(fx.dir, '.vault-roster', 'journal'), plan));
    expect(journal.filter((e) => e.type === 'sent')).toEqual([]);
    // A helpdesk edit of a user the plan updates, between the crash and the re-run.
    const update = plan.operations.find((o) => o.kind === 'update_users');
    const userId = update?.rows[0]?.user_id;
    expect(userId).toBeDefined();
    const session = await adminSession(fx.sim, 'veepharm-clinical.veevavault.com');
    const edited = await fetch(`${fx.sim.url}/api/v26.2/objects/users/${String(userId)}`, {
      method: 'PUT',
      headers: { Authorization: session, Accept: 'application/json' },
      body: new URLSearchParams({ user_title__v: 'Edited by the helpdesk' }),
    });
    expect(((await edited.json()) as { responseStatus: string }).responseStatus).toBe('SUCCESS');
    fx.sim.clearRequestLog();
    const rerun = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toMatch(/error \[stale-plan\] .*1 record\(s\) changed in Vault/);
    expect(writesIn(fx.sim.requestLog())).toEqual([]);
  });

  it('a run that died after its last row but before the state file is finished by re-running the plan', async () => {
    const fx = await startRosterFixture();
    await savedPlan(fx);
    const statePath = join(fx.dir, '.vault-roster', 'state.json');
    const before = existsSync(statePath) ? readFileSync(statePath, 'utf8') : undefined;
    const applied = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    // The crash: every row is in the journal, the state file is as it was before the run.
    if (before === undefined) rmSync(statePath);
    else writeFileSync(statePath, before);
    fx.sim.clearRequestLog();
    const again = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('was already applied in full');
    expect(writesIn(fx.sim.requestLog())).toEqual([]);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { sitevault: Record<string, unknown>; baseline?: unknown };
    expect(Object.keys(state.sitevault).length).toBeGreaterThan(0);
    expect(state.baseline).toBeDefined();
    expect((await fx.run(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await fx.run(['plan', '--drift'])).code).toBe(0);
  });

  it('SiteVault person ids reach the state file as each call finishes, before the run ends', async () => {
    const fx = await startRosterFixture();
    const plan = await savedPlan(fx);
    const statePath = join(fx.dir, '.vault-roster', 'state.json');
    const creates = plan.operations.filter((o) => o.kind === 'sitevault_create').length;
    expect(creates).toBeGreaterThan(1);
    let seen = 0;
    // Dies at the second SiteVault create: the first one's person id must already be on disk.
    const dieAtSecondPerson = (port: ApplyPort): ApplyPort => ({
      async send(operation, options) {
        if (operation.kind === 'sitevault_create' && ++seen === 2) throw new Error('killed during SiteVault');
        return port.send(operation, options);
      },
    });
    await expect(applyDirect(fx, plan, dieAtSecondPerson, 1)).rejects.toThrow('killed during SiteVault');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { sitevault: Record<string, { person_id: string }> };
    expect(Object.values(state.sitevault).map((p) => p.person_id)).toHaveLength(1);
  });
});
