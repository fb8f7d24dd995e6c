// Write-side readings of Vault the simulator can play: the flow converges or stops loudly,
// never a silent wrong write. Clearing a field: Vault may read `null` as a clear or as text.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRosterFixture } from '../helpers/roster.js';

describe('clearing a field under every reading of a cleared value', () => {
  it.each(['default', 'clear-null-only', 'clear-empty-only'])('%s: the field is cleared and a re-plan shows no changes', async (profile) => {
    const fx = await startRosterFixture({ sim: { profile } });
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    const file = join(fx.dir, 'users', 'clinical-team.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('user_title__v: Clinical Trial Manager', 'user_title__v: null'));
    const planned = await fx.run(['plan', '--format', 'json']);
    const plan = JSON.parse(planned.stdout) as { operations: { kind: string; rows: { clears?: string[] }[] }[] };
    expect(plan.operations.flatMap((o) => (o.kind === 'update_user' ? o.rows.flatMap((r) => r.clears ?? []) : []))).toEqual(['user_title__v']);
    const applied = await fx.run(['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    const title = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === 'maria.lopez@veepharm.com')?.user_title__v;
    expect(title === undefined || title === null || title === '').toBe(true);
    const replan = await fx.run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout).toBe(0);
  });
});
