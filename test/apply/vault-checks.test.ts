// Checks in every vault the plan touches, over HTTP against the simulator: seats of two vaults
// that are both over (the session's vault is a guard, the other a warning naming it, and a plan
// with a session in that other vault guards it too), and an unknown custom security profile
// refused at plan and apply with nothing written.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import type { DesiredState } from '../../src/model.js';
import type { SimulatorSeed } from '../../src/simulator/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { writesIn } from './support.js';

/** The demo seed with one seat per application licence type in every vault: any new seat is over. */
function tightSeats(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  return {
    ...base,
    vaults: base.vaults.map((v) => ({
      ...v,
      applications: (v.applications ?? []).map((a) => ({ ...a, licenses: { full__v: 1, external__v: 1, read_only__v: 1 } })),
    })),
  };
}

function editFile(fx: RosterFixture, file: string, from: string | RegExp, to: string): void {
  const path = join(fx.dir, file);
  const text = readFileSync(path, 'utf8');
  const edited = text.replace(from, to);
  expect(edited, `${file} edited`).not.toBe(text);
  writeFileSync(path, edited);
}

function lines(text: string, code: string): string[] {
  return text.split('\n').filter((l) => l.includes(`[${code}]`));
}

describe('licence seats in every vault, before any write', () => {
  it('two vaults over their seats: the session vault is a guard, the other a warning naming it; a session there guards it', async () => {
    const fx = await startRosterFixture({ seed: tightSeats });
    fx.sim.clearRequestLog();
    const plan = await fx.run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(1);
    const out = plan.stdout + plan.stderr;
    const guards = lines(out, 'guard-license-seats');
    expect(guards.length).toBeGreaterThan(0);
    expect(guards.every((l) => l.includes('in vault 5005'))).toBe(true);
    expect(guards.some((l) => /ctms_v full__v seats? in vault 5005: \d+ used \+ \d+ > 1 licensed/.test(l))).toBe(true);
    const unverified = lines(out, 'license-seats-unverified');
    expect(unverified.some((l) => l.includes('seats in vault 3003 are not checked') && l.includes('rimReg_v full__v') && l.includes('session is in (5005)'))).toBe(true);
    expect(unverified.some((l) => l.includes('seats in vault 4004 are not checked'))).toBe(true);

    const saved = await fx.run(['plan', '--out', 'plan.json', '--allow-license-overuse']);
    expect(saved.code, saved.stderr).toBe(0);
    const document = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as { seats: { vault_id: number; application: string; license_type: string; licensed: number | null; after: number | null }[]; settings: { allow: Record<string, boolean> } };
    expect(document.settings.allow.license_overuse).toBe(true);
    expect(document.settings.allow.mass_admin_grants).toBe(false);
    const ctms = document.seats.find((s) => s.vault_id === 5005 && s.application === 'ctms_v' && s.license_type === 'full__v');
    expect(ctms?.licensed).toBe(1);
    expect(ctms?.after ?? 0).toBeGreaterThan(1);
    const rim = document.seats.find((s) => s.vault_id === 3003 && s.application === 'rimReg_v' && s.license_type === 'full__v');
    expect([rim?.licensed, rim?.after]).toEqual([null, null]);

    // The same repo planned with a session in vault 3003: now its seats are read and guarded.
    editFile(fx, 'roster.yaml', '  vault_id: 5005', '  vault_id: 3003\n  dns: veepharm-rim.veevavault.com');
    const rimPlan = await fx.run(['plan']);
    expect(rimPlan.code, rimPlan.stderr).toBe(1);
    const rimGuards = lines(rimPlan.stdout + rimPlan.stderr, 'guard-license-seats');
    expect(rimGuards.some((l) => /rimReg_v full__v seats? in vault 3003: \d+ used \+ \d+ > 1 licensed/.test(l))).toBe(true);
    expect(lines(rimPlan.stdout + rimPlan.stderr, 'license-seats-unverified').some((l) => l.includes('seats in vault 5005 are not checked'))).toBe(true);

    expect(writesIn(fx.sim.requestLog())).toEqual([]);
  });
});

describe('security profiles known to the target vault', () => {
  it('an unknown custom profile in the session vault is refused at plan and apply, and nothing is written', async () => {
    const fx = await startRosterFixture();
    editFile(fx, 'users/it-admins.yaml', 'security_profile: vault_owner__v', 'security_profile: ghost_admin__c');
    fx.sim.clearRequestLog();
    const plan = await fx.run(['plan']);
    expect(plan.code).toBe(1);
    const found = lines(plan.stdout + plan.stderr, 'unknown-security-profile');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^\s*users\/it-admins\.yaml:\d+:\d+: error \[unknown-security-profile\] security profile 'ghost_admin__c' does not exist in vault 5005/);
    const apply = await fx.run(['apply', '--auto-approve']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('unknown-security-profile');
    expect(writesIn(fx.sim.requestLog())).toEqual([]);
  });

  it('an unknown custom profile in another vault is a warning naming the profile and the vault', async () => {
    const fx = await startRosterFixture();
    editFile(fx, 'users/rim-team.yaml', 'security_profile: system_admin__v', 'security_profile: ghost_admin__c');
    const plan = await fx.run(['plan']);
    const found = lines(plan.stdout + plan.stderr, 'security-profile-unverified');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("custom security profile 'ghost_admin__c' cannot be checked in vault 3003");
    expect(found[0]).toContain('kate.grossman@veepharm.com');
  });
});

describe('guard: mass admin grants over HTTP', () => {
  it('blocks plan and apply above policy.max_admin_grants, and --allow-mass-admin-grants is recorded in the plan', async () => {
    const fx = await startRosterFixture();
    editFile(fx, 'roster.yaml', /max_admin_grants: 10 .*/, 'max_admin_grants: 3');
    fx.sim.clearRequestLog();
    const plan = await fx.run(['plan']);
    expect(plan.code).toBe(1);
    const found = lines(plan.stdout + plan.stderr, 'guard-mass-admin-grants');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('above policy.max_admin_grants (3)');
    expect(found[0]).toContain('derek.lindqvist@veepharm.com (system_admin__v in vault 4004)');
    const apply = await fx.run(['apply', '--auto-approve']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('apply refused: the plan has failing guards (guard-mass-admin-grants)');
    expect(writesIn(fx.sim.requestLog())).toEqual([]);

    const allowed = await fx.run(['plan', '--out', 'plan.json', '--allow-mass-admin-grants']);
    expect(allowed.code, allowed.stderr).toBe(0);
    const document = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as { settings: { allow: Record<string, boolean> }; diagnostics: { code: string; severity: string }[] };
    expect(document.settings.allow.mass_admin_grants).toBe(true);
    expect(document.diagnostics.filter((d) => d.code === 'guard-mass-admin-grants').map((d) => d.severity)).toEqual(['warning']);
  });
});
