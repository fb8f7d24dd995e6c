/**
 * The write flow under every reading of Vault the simulator can play (PROFILES, read and write):
 * plan → apply → re-plan shows no changes, with the demo's promotion among the writes and a
 * declared user who already exists at domain level with no vault (invisible to the listing under
 * `domain-only-hidden`). Where a Vault needs something declared (record ids for promotions, a
 * required promotion field), the repo declares it; without it the flow must stop loudly, which
 * the last tests check.
 */
import { isWrite } from '../helpers/simulator.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import type { DesiredState } from '../../src/model.js';
import { humanSeedUser, PROFILES, type SimulatorProfile, type SimulatorSeed } from '../../src/simulator/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';

const PROMOTED = 'maria.lopez@veepharm.com';
const PERSON = 'V0B000000000001';

/** The first declared user the demo seed leaves out of Vault, other than a promotion. */
function domainOnlyName(desired: DesiredState, seed: SimulatorSeed): string {
  const seeded = new Set((seed.users ?? []).map((u) => u.user_name__v.toLowerCase()));
  const user = desired.users.find((u) => u.promote_from_person === undefined && !seeded.has(u.user_name) && (u.memberships?.length ?? 0) > 0);
  if (user === undefined) throw new Error('examples/full has no new user to seed as domain-only');
  return user.user_name;
}

/** The demo seed plus one declared user who exists at domain level only (no vault membership). */
function seedWithDomainOnlyUser(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  const name = domainOnlyName(desired, base);
  const id = base.counters?.next_user_id ?? 40000;
  const domainOnly = humanSeedUser(id, name, 5005, { user_first_name__v: 'Domain', user_last_name__v: 'Only', security_policy_id__v: '822', vault_membership: [], app_licensing: [] });
  return { ...base, users: [...(base.users ?? []), domainOnly], counters: { ...base.counters, next_user_id: id + 1 } };
}

/** Declares, in the fixture repo, what this profile's Vault needs to be told. */
function declareWhatTheVaultNeeds(fx: RosterFixture, profile: SimulatorProfile): void {
  if (profile.write.promoteReferences === 'ids-only') {
    const roster = join(fx.dir, 'roster.yaml');
    // The simulator's record ids (src/simulator/routes/clinical.ts) for what the promotion sends.
    const ids = [
      '  promote_reference_ids:',
      '    language: { en: 0LU000000000101 }',
      '    locale: { en_US: 0LO000000000104 }',
      '    security_profile: { document_user__v: 0SP000000000102 }',
    ].join('\n');
    writeFileSync(roster, readFileSync(roster, 'utf8').replace('  vault_id: 5005\n', `  vault_id: 5005\n${ids}\n`));
  }
  for (const field of profile.write.promoteRequiredFields) {
    const file = join(fx.dir, 'users', 'clinical-team.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`    promote_from_person: ${PERSON}\n`, `    promote_from_person: ${PERSON}\n    promote_fields:\n      ${field}: E-1001\n`));
  }
}

function personUser(fx: RosterFixture): string | null | undefined {
  return fx.sim.dump().clinical?.persons.find((p) => p.id === PERSON)?.vault_user__sys;
}

describe.each([...PROFILES.values()].map((p) => [p.name, p] as const))('under the %s profile', (_name, profile) => {
  it('plan → apply → re-plan shows no changes; the person is promoted and the domain-only user joins', async () => {
    const fx = await startRosterFixture({ seed: seedWithDomainOnlyUser, sim: { profile } });
    declareWhatTheVaultNeeds(fx, profile);
    const hidden = domainOnlyName(await fx.desired(), demoSeed(await fx.desired()));
    const applied = await fx.run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout.slice(-3000) + applied.stderr).toBe(0);
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout.slice(0, 3000) + replan.stderr).toBe(0);
    expect(replan.stdout).toContain('No changes. Vault matches the desired state.');
    // The promotion made the user and linked the person to it.
    const users = fx.sim.dump().users ?? [];
    const promoted = users.find((u) => u.user_name__v.toLowerCase() === PROMOTED);
    expect(promoted).toBeDefined();
    expect(personUser(fx)).toBe(String(promoted?.id));
    // The domain-only user was not created twice: one user of that name, now in vault 5005.
    const named = users.filter((u) => u.user_name__v.toLowerCase() === hidden);
    expect(named).toHaveLength(1);
    expect(JSON.stringify(named[0]?.vault_membership)).toContain('5005');
    // Hidden from the listing, it was planned as a create: Vault refused the name and the row
    // went again as an upsert keyed by user name. Listed, it was planned as an update.
    const refusedCreates = fx.sim.requestLog().filter((e) => e.method === 'POST' && e.path.endsWith('/objects/users') && e.query.operation === undefined && e.errorTypes.length > 0);
    expect(refusedCreates.length > 0).toBe(!profile.read.domainOnlyUsersListed);
  });
});

describe('what a Vault needs and the repo does not declare stops loudly', () => {
  it('ids-only promotions without vault.promote_reference_ids: the promotion fails with Vault’s answer and the person stays unlinked', async () => {
    const fx = await startRosterFixture({ sim: { profile: 'promote-ids-only' } });
    const applied = await fx.run(['apply', '--auto-approve']);
    expect(applied.code).not.toBe(0);
    expect(applied.stdout + applied.stderr).toMatch(/expected a record id/);
    expect(personUser(fx)).toBeNull();
  });

  it('a value vault.promote_reference_ids does not map is a plan error at the user, and nothing is written', async () => {
    const fx = await startRosterFixture({ sim: { profile: 'promote-ids-only' } });
    const roster = join(fx.dir, 'roster.yaml');
    writeFileSync(roster, readFileSync(roster, 'utf8').replace('  vault_id: 5005\n', '  vault_id: 5005\n  promote_reference_ids:\n    language: { ja: 0LU000000000102 }\n'));
    fx.sim.clearRequestLog();
    const applied = await fx.run(['apply', '--auto-approve']);
    expect(applied.code).toBe(1);
    expect(applied.stdout + applied.stderr).toMatch(/users\/clinical-team\.yaml:\d+:\d+.*vault\.promote_reference_ids\.language has no record id for "en"/s);
    expect(fx.sim.requestLog().filter(isWrite)).toEqual([]);
  });

  it('a promotion field the Vault requires and the YAML lacks fails that promotion, naming the field', async () => {
    const fx = await startRosterFixture({ sim: { profile: 'promote-requires-field' } });
    const applied = await fx.run(['apply', '--auto-approve']);
    expect(applied.code).not.toBe(0);
    expect(applied.stdout + applied.stderr).toContain('employee_number__c');
    expect(personUser(fx)).toBeNull();
  });
});
