import { describe, expect, it } from 'vitest';
import { isWrite } from '../helpers/simulator.js';
import { startRosterFixture } from '../helpers/roster.js';

describe('examples/full against the drift-seeded simulator', () => {
  it('plan shows changes, apply applies them all, and a re-plan shows none', async () => {
    const fx = await startRosterFixture();
    const before = await fx.run(['plan', '--detailed-exitcode']);
    expect(before.stderr).toBe('');
    expect(before.code).toBe(2);
    expect(before.stdout).toMatch(/Plan: \d+ to create, \d+ to update, 0 to deactivate, 1 to promote, 7 SiteVault changes/);

    const apply = await fx.run(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/^Apply complete: created \d+, updated \d+, deactivated 0, promoted 1, SiteVault changes 7, group changes \d+, failed 0\.$/m);

    const after = await fx.run(['plan', '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain('No changes. Vault matches the desired state.');
  });

  it('apply without a terminal and without --auto-approve refuses before any write', async () => {
    const fx = await startRosterFixture();
    fx.sim.clearRequestLog();
    const run = await fx.run(['apply']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('apply needs confirmation and there is no terminal to ask');
    const writes = fx.sim.requestLog().filter(isWrite);
    expect(writes).toEqual([]);
  });

  it('apply on a terminal asks, and anything but yes cancels', async () => {
    const fx = await startRosterFixture();
    const run = await fx.run(['apply'], { stdinIsTTY: true, answers: ['y'] });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Only 'yes' is accepted");
    expect(run.stderr).toContain('apply cancelled; nothing was sent.');
  });
});
