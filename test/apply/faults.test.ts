// Apply under injected faults (HTTP 500, dropped connections, RACE_CONDITION, session expiry)
// plus two rows Vault refuses: apply reports exactly those rows (and the rows that build on
// them), and once the two rows are fixed a second apply converges.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import type { DesiredState } from '../../src/model.js';
import type { Plan } from '../../src/plan/index.js';
import type { FaultSpec, SeedUser, SimulatorSeed } from '../../src/simulator/index.js';
import { startRosterFixture } from '../helpers/roster.js';
import { bulkUsersYaml, duplicateUserNames } from './support.js';

/** New users: three create batches of the 500-row cap. */
const NEW_USERS = 1100;
/** Existing users whose site__v is cleared: one single-user PUT each, so the run makes hundreds of calls. */
const CLEARED_USERS = 400;
const FAILING_NEW = 'fnew0007@veepharm.com';
const FAILING_EXISTING = 'fold0003@veepharm.com';

function oldUser(i: number, id: number): SeedUser {
  const n = String(i).padStart(4, '0');
  return {
    id,
    user_name__v: `fold${n}@veepharm.com`,
    user_first_name__v: `Old${n}`,
    user_last_name__v: 'fold',
    user_email__v: `fold${n}@veepharm.com`,
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: '822',
    is_domain_admin__v: false,
    domain_active__v: true,
    site__v: 'Old Site',
    user_title__v: 'Old Title',
    vault_membership: [{ vault_id: 5005, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
  };
}

/** The demo drift seed plus the existing `fold…` users. */
function faultSeed(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  let next = base.counters?.next_user_id ?? 30000;
  const extra = Array.from({ length: CLEARED_USERS }, (_, i) => oldUser(i, next++));
  return { ...base, users: [...(base.users ?? []), ...extra], counters: { ...base.counters, next_user_id: next } };
}

function bulkYaml(): string {
  const fresh = bulkUsersYaml('fnew', NEW_USERS, (i) =>
    // The failing new user has a second vault: that row builds on its create and must be reported as such.
    i === 7 ? '      - vault: 4004' : '',
  );
  const old = bulkUsersYaml('fold', CLEARED_USERS, () => '    fields: { site__v: null, user_title__v: New Title }');
  return fresh + old.replace(/^users:\n/, '');
}

/**
 * What apply must report for refused keys: the user's first operation (Vault refuses every
 * write of a fail-rows user with INVALID_DATA) and each later operation of the same user,
 * which builds on it, as DEPENDENCY_FAILED.
 */
function expectedFailureLines(plan: Plan, keys: readonly string[]): string[] {
  return keys
    .flatMap((key) =>
      plan.operations
        .filter((op) => op.rows.some((r) => r.key === key))
        .map((_, i) =>
          i === 0
            ? `  failed: ${key}: INVALID_DATA: row failed by fault injection (fail-rows)`
            : `  failed: ${key}: DEPENDENCY_FAILED: an earlier operation for this user failed`,
        ),
    )
    .sort();
}

const RANDOM_FAULTS: FaultSpec = { seed: 11, http500: 0.05, drop: 0.01, race: 0.02, expireSessionEvery: 100 };

describe('apply under faults', () => {
  it('reports exactly the refused rows and their dependants, then converges once they are fixed', { timeout: 120_000 }, async () => {
    const fx = await startRosterFixture({ seed: faultSeed });
    // Written after the seed was made, so the new users are new to Vault.
    writeFileSync(join(fx.dir, 'users', 'bulk.yaml'), bulkYaml());

    const planned = await fx.run(['plan', '--out', 'plan.json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;

    fx.sim.setFaults({ ...RANDOM_FAULTS, failRows: [FAILING_NEW, FAILING_EXISTING] });
    const first = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(first.code, first.stderr.slice(-3000)).toBe(1);
    const failed = first.stderr
      .split('\n')
      .filter((l) => l.startsWith('  failed: '))
      .sort();
    expect(failed).toEqual(expectedFailureLines(plan, [FAILING_NEW, FAILING_EXISTING]));
    // Not vacuous: the new user's second vault builds on its create.
    expect(failed).toContain(`  failed: ${FAILING_NEW}: DEPENDENCY_FAILED: an earlier operation for this user failed`);
    expect(first.stdout).toMatch(/^Apply finished with failures: created \d+, updated \d+, deactivated 0, promoted 1, SiteVault changes \d+(, group changes \d+)?, failed 2\.$/m);

    // The faults really happened, so the run above proves something.
    const log = fx.sim.requestLog();
    const statuses = log.map((e) => e.status);
    expect(statuses).toContain('HTTP_500');
    expect(statuses).toContain('DROPPED');
    const errorTypes = log.flatMap((e) => e.errorTypes);
    expect(errorTypes).toContain('RACE_CONDITION');
    expect(errorTypes).toContain('INVALID_SESSION_ID');
    expect(log.length).toBeGreaterThan(400);

    // The two rows are fixed (the injected refusal lifted); the random faults stay on.
    fx.sim.clearRequestLog();
    fx.sim.setFaults({ ...RANDOM_FAULTS, seed: 12 });
    const second = await fx.run(['apply', '--auto-approve']);
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    expect(second.stdout).toMatch(/^Apply complete: created 1, updated 1, deactivated 0, promoted 0, SiteVault changes 0(, group changes \d+)?, failed 0\.$/m);
    expect(fx.sim.requestLog().map((e) => e.status)).toContain('HTTP_500');

    fx.sim.setFaults('none');
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout.slice(0, 3000)).toBe(0);
    const users = fx.sim.dump().users ?? [];
    expect(duplicateUserNames(users)).toEqual([]);
    expect(users.filter((u) => u.user_name__v.startsWith('fnew'))).toHaveLength(NEW_USERS);
  });
});
