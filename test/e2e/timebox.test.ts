/**
 * Time-boxed grants end to end over HTTP (issue #17, first slice). The CLI's clock is the real
 * one (the plan records it as created_at), so the dates are written relative to today, UTC.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { isWrite } from '../helpers/simulator.js';

/** `YYYY-MM-DD` of today (UTC) plus `days`. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function membership5005(fx: RosterFixture, name: string): { active__v?: boolean } | undefined {
  const user = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === name);
  return user?.vault_membership?.find((m) => m.vault_id === 5005);
}

/** Adds lines under `user`'s only membership (vault 5005, whose `apps:` line ends it) in the clinical team file. */
function timeBox(fx: RosterFixture, user: string, apps: string, lines: string): void {
  const file = join(fx.dir, 'users', 'clinical-team.yaml');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(`user_name: ${user}`);
  const at = text.indexOf(`        apps: ${apps}\n`, start);
  expect(start >= 0 && at > start, `${user} in ${file}`).toBe(true);
  const end = at + `        apps: ${apps}\n`.length;
  writeFileSync(file, `${text.slice(0, end)}${lines}${text.slice(end)}`);
}

describe('time-boxed grants against the simulator', () => {
  it('a membership that ended yesterday is deactivated by apply and stays so; one ending in 5 days is on the PR comment first screen', async () => {
    const fx = await startRosterFixture();
    const converged = await fx.run(['apply', '--auto-approve']);
    expect(converged.code, converged.stdout.slice(-2000) + converged.stderr).toBe(0);
    expect(membership5005(fx, 'chloe.martin@veepharm.com')?.active__v).toBe(true);
    const yesterday = day(-1);
    const soon = day(5);
    timeBox(fx, 'chloe.martin@veepharm.com', '{ ctms_v: full__v }', `        valid_until: ${yesterday}\n        reason: CHG-1742 study close-out\n`);
    timeBox(fx, 'isabella.garcia@veepharm.com', '{ etmf_v: full__v }', `        valid_until: ${soon}\n        reason: audit support\n`);

    const comment = await fx.run(['plan', '--format', 'markdown']);
    expect(comment.code, comment.stderr).toBe(0);
    const lines = comment.stdout.split('\n');
    const soonLine = lines.findIndex((l) => l.includes(`of isabella.garcia@veepharm.com ends in`) && l.includes(`valid_until ${soon}`));
    expect(soonLine, comment.stdout.slice(0, 3000)).toBeGreaterThan(0);
    expect(soonLine).toBeLessThan(30);
    expect(lines[soonLine]).toContain('reason: audit support');
    expect(lines[soonLine]).toMatch(/renew at `users\/clinical-team\.yaml:\d+`/);
    expect(comment.stdout).toContain(`membership of vault 5005 expired on ${yesterday} (users/clinical-team.yaml:`);

    // A saved plan: apply re-derives it with the plan's own created_at as the clock.
    const before = Date.now();
    const saved = await fx.run(['plan', '--out', 'expiry.json']);
    expect(saved.code, saved.stderr).toBe(0);
    const clock = Date.parse((JSON.parse(readFileSync(join(fx.dir, 'expiry.json'), 'utf8')) as { created_at: string }).created_at);
    expect(clock >= before - 1_000 && clock <= Date.now()).toBe(true);
    fx.sim.clearRequestLog();
    const applied = await fx.run(['apply', 'expiry.json', '--auto-approve']);
    expect(applied.code, applied.stdout.slice(-2000) + applied.stderr).toBe(0);
    expect(membership5005(fx, 'chloe.martin@veepharm.com')?.active__v).toBe(false);
    expect(membership5005(fx, 'isabella.garcia@veepharm.com')?.active__v).toBe(true);
    expect(fx.sim.requestLog().filter(isWrite).length).toBeGreaterThan(0);

    fx.sim.clearRequestLog();
    const again = await fx.run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout.slice(0, 3000)).toBe(0);
    expect(again.stdout).toContain('No changes. Vault matches the desired state.');
    expect(again.stdout).toContain('Expiring soon:');
    expect(fx.sim.requestLog().filter(isWrite)).toEqual([]);
    expect(membership5005(fx, 'chloe.martin@veepharm.com')?.active__v).toBe(false);
  });
});
