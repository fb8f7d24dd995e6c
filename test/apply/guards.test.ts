// Guards stop a dangerous plan before any write: mass deactivation and removing the last domain
// admin fail `plan`, `apply` refuses them (with or without a saved plan), the simulator's request
// log shows no write call at all, and only the matching --allow flag lets the plan through.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import type { DesiredState } from '../../src/model.js';
import type { SeedUser, SimulatorSeed } from '../../src/simulator/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { writesIn } from './support.js';

const UNMANAGED = 15;

function liveUser(id: number, name: string, extra: Partial<SeedUser> = {}): SeedUser {
  return {
    id,
    user_name__v: name,
    user_first_name__v: 'Live',
    user_last_name__v: 'User',
    user_email__v: name,
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: '822',
    is_domain_admin__v: false,
    domain_active__v: true,
    vault_membership: [{ vault_id: 5005, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
    ...extra,
  };
}

/** The demo seed plus live users nobody declares. */
function withUnmanagedUsers(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  let next = base.counters?.next_user_id ?? 30000;
  const extra = Array.from({ length: UNMANAGED }, (_, i) => liveUser(next++, `leftover${i}@veepharm.com`));
  return { ...base, users: [...(base.users ?? []), ...extra], counters: { ...base.counters, next_user_id: next } };
}

/**
 * Priscilla (domain_admin: true in the YAML) is the only live domain admin: the simulator's own
 * admin is not one here, so taking hers away would leave the domain without any.
 */
function withOneDomainAdmin(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  const users = base.users ?? [];
  const priscilla = 'priscilla.grant@veepharm.com';
  expect(users.some((u) => u.user_name__v === priscilla), 'the demo seed has Priscilla').toBe(true);
  return { ...base, users: users.map((u) => ({ ...u, is_domain_admin__v: u.user_name__v === priscilla })) };
}

function editFile(fx: RosterFixture, file: string, from: string | RegExp, to: string): void {
  const path = join(fx.dir, file);
  const text = readFileSync(path, 'utf8');
  const edited = text.replace(from, to);
  expect(edited, `${file} edited`).not.toBe(text);
  writeFileSync(path, edited);
}

/** Everything a user might run against a guarded plan; none of it may write. */
async function expectGuarded(fx: RosterFixture, code: string, allowFlag: string): Promise<void> {
  fx.sim.clearRequestLog();
  const plan = await fx.run(['plan', '--detailed-exitcode']);
  expect(plan.code).toBe(1);
  expect(plan.stdout + plan.stderr).toContain(code);

  const saved = await fx.run(['plan', '--out', 'plan.json']);
  expect(saved.code).toBe(1);

  const direct = await fx.run(['apply', '--auto-approve']);
  expect(direct.code).toBe(1);
  expect(direct.stderr).toContain(code);
  expect(direct.stderr).toContain(`apply refused: the plan has failing guards (${code})`);

  const fromFile = await fx.run(['apply', 'plan.json', '--auto-approve']);
  expect(fromFile.code).toBe(1);
  expect(fromFile.stderr).toContain(`cannot be applied: the plan has failing guards (${code})`);

  const log = fx.sim.requestLog();
  expect(log.length).toBeGreaterThan(0);
  expect(writesIn(log)).toEqual([]);

  const allowed = await fx.run(['plan', '--detailed-exitcode', allowFlag]);
  expect(allowed.code, allowed.stdout).toBe(2);
  expect(allowed.stdout).toContain(code);
  expect(allowed.stdout).toContain(`allowed by ${allowFlag}`);
}

describe('guards before any write', () => {
  it('mass deactivation: unmanaged_users deactivate with more leftovers than max_deactivations', async () => {
    const fx = await startRosterFixture({ seed: withUnmanagedUsers });
    editFile(fx, 'roster.yaml', 'unmanaged_users: report', 'unmanaged_users: deactivate');
    await expectGuarded(fx, 'guard-mass-deactivation', '--allow-mass-deactivation');
  });

  it('mass deactivation: active: false on many declared users', async () => {
    const fx = await startRosterFixture();
    // Three teams at once: every one of them that exists in Vault would be disabled.
    for (const file of ['users/quality-team.yaml', 'users/rim-team.yaml', 'users/clinical-team.yaml']) {
      editFile(fx, file, /^(\s+)first_name: /gm, '$1active: false\n$1first_name: ');
    }
    await expectGuarded(fx, 'guard-mass-deactivation', '--allow-mass-deactivation');
  });

  it('the last domain admin losing domain_admin', async () => {
    const fx = await startRosterFixture({ seed: withOneDomainAdmin });
    editFile(fx, 'users/it-admins.yaml', /domain_admin: true/, 'domain_admin: false');
    await expectGuarded(fx, 'guard-last-domain-admin', '--allow-last-domain-admin');
  });
});

describe('a plan with errors that are not guards', () => {
  it('is refused naming the errors, not guards, and nothing is written', async () => {
    const fx = await startRosterFixture();
    // New users without a timezone of their own now have none at all.
    editFile(fx, 'roster.yaml', /^ {2}timezone: .*\n/m, '');
    fx.sim.clearRequestLog();
    const direct = await fx.run(['apply', '--auto-approve']);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain('apply refused: the plan has errors (create-missing-field)');
    expect(direct.stderr).not.toContain('failing guards');
    expect(writesIn(fx.sim.requestLog())).toEqual([]);
  });
});
