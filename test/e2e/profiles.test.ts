/**
 * The read-side flows under every reading of Vault the simulator can play (READ_PROFILES): a
 * repo imported from Vault plans no changes, and 2,500 users are listed whole, each once, in the
 * fewest calls that reading allows. A profile that changes only writes is not here: those are
 * played in test/simulator/profiles.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import { humanSeedUser, READ_PROFILES, startSimulator, type RunningSimulator, type SimulatorSeed } from '../../src/simulator/index.js';
import type { DesiredState } from '../../src/model.js';
import { readLiveState } from '../../src/vault/live-state.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { calls, clientFor, seedWithUsers } from '../vault/support.js';

/** The demo drift seed plus what the shapes must carry: inactive memberships and apps, and a user with no vault. */
function seed(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  const kate = humanSeedUser(31001, 'kate.profile@veepharm.com', 3003, {
    vault_membership: [
      { vault_id: 3003, active__v: true, security_profile__v: 'business_admin__v', license_type__v: 'full__v' },
      { vault_id: 4004, active__v: false, security_profile__v: 'read_only_user__v', license_type__v: 'read_only__v' },
    ],
    app_licensing: [
      { vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' },
      { vault_id: 3003, application_name: 'rimSubs_v', active__v: false, license_type__v: 'read_only__v' },
      { vault_id: 4004, application_name: 'qualityDocs_v', active__v: true, license_type__v: 'read_only__v' },
    ],
  });
  const dora = humanSeedUser(31002, 'dora.domain@veepharm.com', 3003, { vault_membership: [] });
  return { ...base, users: [...(base.users ?? []), kate, dora] };
}

/** List calls (start, limit) each profile needs for 2,504 rows (2,500 + the admin + 3 system users). */
function expectedPages(profile: (typeof READ_PROFILES)[number]): [string, string][] {
  const { pageCap, overCap } = profile.read;
  const starts = (size: number) => Array.from({ length: Math.ceil(2504 / size) }, (_, i) => String(i * size));
  if (pageCap >= 1000) return starts(1000).map((s) => [s, '1000']);
  // A refused page size falls back to Vault's documented default of 200, once.
  if (overCap === 'refuse') return [['0', '1000'], ...starts(200).map((s): [string, string] => [s, '200'])];
  return starts(200).map((s) => [s, '1000']);
}

// One simulator per flow, switched from profile to profile (reads change nothing), so the
// domains are seeded once.
let repo: RosterFixture;
let big: RunningSimulator;

beforeAll(async () => {
  [repo, big] = await Promise.all([startRosterFixture({ seed }), startSimulator({ port: 0, seed: seedWithUsers(2500) })]);
});

afterAll(async () => {
  await Promise.all([repo.sim.close(), big.close()]);
});

describe.each(READ_PROFILES.map((p) => [p.name, p] as const))('under the %s profile', (name, profile) => {
  it('a repo imported from Vault plans no changes', async () => {
    repo.sim.setProfile(name);
    const out = mkdtempSync(join(tmpdir(), 'vr-profile-'));
    const imported = await runCliCaptured(['import', '--out', out], { env: repo.env, cwd: out });
    expect(imported.code, imported.stderr).toBe(0);
    const plan = await runCliCaptured(['plan', '--detailed-exitcode'], { env: repo.env, cwd: out });
    expect(plan.code, plan.stdout.slice(0, 2000) + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes. Vault matches the desired state.');
    const live = await readLiveState(clientFor(repo.sim, { expectedVaultId: undefined }).client, { promotions: false });
    expect(live.users.get('kate.profile@veepharm.com')?.memberships).toEqual([
      {
        vault_id: 3003,
        active: true,
        security_profile: 'business_admin__v',
        license_type: 'full__v',
        apps: { rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: false, license_type: 'read_only__v' } },
      },
      { vault_id: 4004, active: false, security_profile: 'read_only_user__v', license_type: 'read_only__v', apps: { qualityDocs_v: { active: true, license_type: 'read_only__v' } } },
    ]);
    expect(live.users.has('dora.domain@veepharm.com')).toBe(profile.read.domainOnlyUsersListed);
  });

  it('2,500 users are listed whole, each once, in the fewest calls', async () => {
    big.setProfile(name);
    big.clearRequestLog();
    const live = await readLiveState(clientFor(big).client, { promotions: false });
    expect(live.users.size).toBe(2501);
    expect(calls(big, 'GET', '/objects/users').map((e) => [e.query.start, e.query.limit])).toEqual(expectedPages(profile));
  });
});
