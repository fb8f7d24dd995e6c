/**
 * Groups end to end over HTTP (issue #16): examples/full declares three groups of vault 5005 whose
 * members are existing users, new users and a promoted person. Plan → apply → re-plan shows no
 * changes; a member someone adds in the UI to a group no file declares survives the apply; an
 * implied member is never drift; only incremental member changes are sent; and an apply that
 * dies right after Vault created a group converges on re-run with no duplicate group.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, vaultPort } from '../../src/apply/index.js';
import type { Plan } from '../../src/plan/index.js';
import type { RequestLogEntry, RunningSimulator } from '../../src/simulator/index.js';
import { createVaultClient, resolveConnection, type ClientEvent } from '../../src/vault/index.js';
import { dieAfterFirst, readFixtureLive } from '../apply/support.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { adminSession, isWrite } from '../helpers/simulator.js';

const API = 'v26.2';
/** Vault 5005's DNS in the demo seed: the admin's session must land there to see its groups. */
const DNS = 'veepharm-clinical.veevavault.com';

interface ListedGroup {
  readonly id: number;
  readonly label__v: string;
  readonly members__v: number[];
  readonly implied_members__v?: ({ id: number } | number)[];
}

/** The groups of vault 5005 as Retrieve All Groups shows them (implied members included). */
async function listGroups(sim: RunningSimulator): Promise<ListedGroup[]> {
  const session = await adminSession(sim, DNS, API);
  const response = await fetch(`${sim.url}/api/${API}/objects/groups?includeImplied=true`, { headers: { Authorization: session } });
  const body = (await response.json()) as { groups?: { group: ListedGroup }[]; data?: { group: ListedGroup }[] };
  return (body.groups ?? body.data ?? []).map((g) => g.group);
}

function userId(fx: RosterFixture, name: string): number {
  const user = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === name);
  if (user === undefined) throw new Error(`no user ${name} in the simulator`);
  return user.id;
}

/** What an admin does in Vault's UI: add one member to a group, incrementally. */
async function addInUi(sim: RunningSimulator, groupId: number, memberId: number): Promise<void> {
  const session = await adminSession(sim, DNS, API);
  const form = new URLSearchParams({ members__v: `add (${memberId})` });
  const response = await fetch(`${sim.url}/api/${API}/objects/groups/${groupId}`, { method: 'PUT', headers: { Authorization: session }, body: form });
  expect(((await response.json()) as { responseStatus: string }).responseStatus).toBe('SUCCESS');
}

function groupWrites(fx: RosterFixture): RequestLogEntry[] {
  return fx.sim.requestLog().filter((e) => isWrite(e) && e.path.includes('/objects/groups'));
}

describe('groups, plan → apply → re-plan against the simulator', () => {
  it('creates the declared groups with new, existing and promoted members; a UI-added member of an unmanaged group survives; implied members are no drift', async () => {
    const fx = await startRosterFixture();
    // eTMF Reviewers also implies every read-only user of the vault: never drift, never removed.
    const groupsFile = join(fx.dir, 'groups', 'clinical-teams.yaml');
    writeFileSync(groupsFile, readFileSync(groupsFile, 'utf8').replace('    allow_delegation_among_members: false\n', '    allow_delegation_among_members: false\n    security_profiles: [read_only_user__v]\n'));
    const before = await listGroups(fx.sim);
    const studyManagers = before.find((g) => g.label__v === 'Study Managers');
    expect(studyManagers).toBeDefined();
    const uiMember = userId(fx, 'chloe.martin@veepharm.com');
    await addInUi(fx.sim, studyManagers?.id ?? 0, uiMember);
    fx.sim.clearRequestLog();

    const applied = await fx.run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout.slice(-3000) + applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/group changes 3, failed 0\.$/m);
    const writes = groupWrites(fx);
    // Two creates (the demo seed has CTMS Data Stewards, drifted), its description, then members by
    // id, incrementally: never a full replace of members__v.
    expect(writes.filter((w) => w.method === 'POST')).toHaveLength(2);
    const puts = writes.filter((w) => w.method === 'PUT');
    expect(puts.filter((w) => w.membersChange === undefined)).toHaveLength(1);
    const memberChanges = puts.filter((w) => w.membersChange !== undefined);
    expect(memberChanges.map((w) => `${w.membersChange ?? ''} ${w.rows ?? 0}`).sort()).toEqual(['add 2', 'add 3', 'add 4', 'delete 1']);
    expect(writes.some((w) => w.method === 'DELETE')).toBe(false);

    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout.slice(0, 3000)).toBe(0);
    expect(replan.stdout).toContain('No changes. Vault matches the desired state.');

    const after = await listGroups(fx.sim);
    const byLabel = new Map(after.map((g) => [g.label__v, g]));
    // The unmanaged group keeps the member added in the UI.
    expect(byLabel.get('Study Managers')?.members__v).toContain(uiMember);
    // The promoted person's new user is a member of Clinical Trial Managers.
    expect(byLabel.get('Clinical Trial Managers')?.members__v).toContain(userId(fx, 'maria.lopez@veepharm.com'));
    // Oscar Reyes joined from his own groups: list.
    expect(byLabel.get('CTMS Data Stewards')?.members__v).toContain(userId(fx, 'oscar.reyes@veepharm.com'));
    const etmf = byLabel.get('eTMF Reviewers');
    expect(etmf?.members__v.sort()).toEqual([userId(fx, 'isabella.garcia@veepharm.com'), userId(fx, 'noah.kim@veepharm.com')].sort());
    expect((etmf?.implied_members__v ?? []).length).toBeGreaterThan(0);
    // Every group once: no duplicate labels.
    expect(after.length).toBe(new Set(after.map((g) => g.label__v.toLowerCase())).size);
  });

  it('a label changed in the YAML of a group declared with its name__v renames it (a saved plan applies; same id)', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    const before = (await listGroups(fx.sim)).find((g) => g.label__v === 'eTMF Reviewers');
    const groupsFile = join(fx.dir, 'groups', 'clinical-teams.yaml');
    writeFileSync(groupsFile, readFileSync(groupsFile, 'utf8').replace('  - label: eTMF Reviewers\n', '  - label: eTMF Approvers\n    name: etmf_reviewers__c\n'));
    const planned = await fx.run(['plan', '--out', 'rename.json']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('label  "eTMF Reviewers" → "eTMF Approvers"');
    const applied = await fx.run(['apply', 'rename.json', '--auto-approve']);
    expect(applied.code, applied.stdout.slice(-2000) + applied.stderr).toBe(0);
    const after = (await listGroups(fx.sim)).find((g) => g.id === before?.id);
    expect(after?.label__v).toBe('eTMF Approvers');
    expect((await fx.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('plan --drift finds a member removed in Vault from a managed group, and leaves undeclared groups alone', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    const etmf = (await listGroups(fx.sim)).find((g) => g.label__v === 'eTMF Reviewers');
    const noah = userId(fx, 'noah.kim@veepharm.com');
    const session = await adminSession(fx.sim, DNS, API);
    const form = new URLSearchParams({ members__v: `delete (${noah})` });
    await fetch(`${fx.sim.url}/api/${API}/objects/groups/${etmf?.id ?? 0}`, { method: 'PUT', headers: { Authorization: session }, body: form });
    const drift = await fx.run(['plan', '--drift', '--detailed-exitcode']);
    expect(drift.code, drift.stdout.slice(0, 2000) + drift.stderr).toBe(2);
    expect(drift.stdout).toContain('+ member noah.kim@veepharm.com');
    expect(drift.stdout).toContain('only users and groups whose YAML is unchanged since then are compared');
    expect(drift.stdout).not.toContain('unmanaged-groups');
  });

  it('a plan right after import shows no changes, groups included', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    const out = join(fx.dir, 'imported');
    const imported = await fx.run(['import', '--out', out]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^imported \d+ users, 5 groups and \d+ SiteVault persons/);
    const groupsYaml = readFileSync(join(out, 'groups', 'groups.yaml'), 'utf8');
    expect(groupsYaml).toContain('label: Clinical Trial Managers\n    name: clinical_trial_managers__c\n');
    expect(groupsYaml).not.toContain('Active Study Staff');
    const replan = await fx.run(['plan', '--detailed-exitcode', '--config', join(out, 'roster.yaml')]);
    expect(replan.code, replan.stdout.slice(0, 3000) + replan.stderr).toBe(0);
  });
});

/** Sends the first Create Group, then dies before its answer is journaled; nothing after. */
const dieAfterGroupCreate = dieAfterFirst('create_group', 'killed after Vault created the group');

describe('an apply that dies right after Create Group', () => {
  it('converges on re-run: the group is found by label, not created twice, and its members follow', async () => {
    const fx = await startRosterFixture();
    const planned = await fx.run(['plan', '--out', 'plan.json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
    const desired = await fx.desired();
    const connection = resolveConnection(desired.target, fx.env);
    // The client's events reach the journal as in the CLI: its `sent` entries mark what reached Vault.
    const listeners = new Set<(event: ClientEvent) => void>();
    const client = createVaultClient({
      ...connection,
      random: () => 0,
      onEvent: (event) => {
        for (const l of listeners) l(event);
      },
    });
    const live = await readFixtureLive(client, desired);
    await expect(
      applyPlan({
        plan,
        desired,
        live,
        serverUrl: connection.baseUrl,
        port: dieAfterGroupCreate(vaultPort(client)),
        journalDir: join(fx.dir, '.vault-roster', 'journal'),
        concurrency: 1,
        toolVersion: 'test',
        subscribeClientEvents: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      }),
    ).rejects.toThrow('killed after Vault created the group');
    client.close();
    // The seed has CTMS Data Stewards already; the first Create Group reached Vault.
    const created = (await listGroups(fx.sim)).filter((g) => ['clinical trial managers', 'etmf reviewers'].includes(g.label__v.toLowerCase()));
    expect(created).toHaveLength(1);

    fx.sim.clearRequestLog();
    const rerun = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(rerun.code, rerun.stdout.slice(-2000) + rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('(resumed an interrupted run)');
    // The cut-off create was looked up by label (VQL) and not sent again: one POST, for the other.
    expect(groupWrites(fx).filter((w) => w.method === 'POST')).toHaveLength(1);
    const after = await listGroups(fx.sim);
    expect(after.length).toBe(new Set(after.map((g) => g.label__v.toLowerCase())).size);
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout.slice(0, 3000)).toBe(0);
  });
});
