// The whole flow with `vault.body_format: csv`: every bulk user write goes out as text/csv,
// apply converges (a re-plan shows no changes), and a cleared field still goes the documented
// way (Update Single User with null, read back) under every reading of a cleared value.
import { isWrite } from '../helpers/simulator.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';
import { startRecorder, type Recorder } from '../vault/csv-recorder.js';

const recorders: Recorder[] = [];
afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

describe('roster.yaml vault.body_format: csv', () => {
  it.each(['default', 'clear-null-only', 'clear-empty-only'])('%s: apply sends CSV, converges, and clears a field through Update Single User', async (profile) => {
    const fx = await startRosterFixture({ sim: { profile } });
    const roster = join(fx.dir, 'roster.yaml');
    writeFileSync(roster, readFileSync(roster, 'utf8').replace('  vault_id: 5005\n', '  vault_id: 5005\n  body_format: csv\n'));
    const recorder = await startRecorder(fx.sim.url);
    recorders.push(recorder);
    const run = (argv: readonly string[]) => runCliCaptured(argv, { env: { ...fx.env, VAULT_URL: recorder.url }, cwd: fx.dir });

    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(recorder.writes.length).toBeGreaterThan(0);
    expect(recorder.writes.filter((w) => w.contentType !== 'text/csv')).toEqual([]);
    const bulkRows = fx.sim
      .requestLog()
      .filter((e) => e.method !== 'GET' && /\/objects\/users$/.test(e.path))
      .map((e) => e.rows ?? 0);
    expect(bulkRows.length).toBe(recorder.writes.length);
    expect(Math.max(...bulkRows)).toBeLessThanOrEqual(500);
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    const users = join(fx.dir, 'users', 'clinical-team.yaml');
    writeFileSync(users, readFileSync(users, 'utf8').replace('user_title__v: Clinical Trial Manager', 'user_title__v: null'));
    const before = recorder.writes.length;
    const cleared = await run(['apply', '--auto-approve']);
    expect(cleared.code, cleared.stderr).toBe(0);
    // No CSV body carried the clear: a blank cell would mean "unchanged".
    expect(recorder.writes.slice(before).filter((w) => w.body.includes('user_title__v'))).toEqual([]);
    const maria = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === 'maria.lopez@veepharm.com');
    expect(maria?.user_title__v ?? null).toBeNull();
    expect(fx.sim.requestLog().some((e) => e.method === 'PUT' && e.path.endsWith(`/objects/users/${maria?.id}`))).toBe(true);
    const replan = await run(['plan', '--detailed-exitcode']);
    expect(replan.code, replan.stdout).toBe(0);
  });

  it('refuses a field value with a carriage return at validation, naming file, line and user', async () => {
    const fx = await startRosterFixture();
    const roster = join(fx.dir, 'roster.yaml');
    writeFileSync(roster, readFileSync(roster, 'utf8').replace('  vault_id: 5005\n', '  vault_id: 5005\n  body_format: csv\n'));
    const users = join(fx.dir, 'users', 'clinical-team.yaml');
    writeFileSync(users, readFileSync(users, 'utf8').replace('user_title__v: Clinical Trial Manager', 'user_title__v: "Clinical\\r\\nManager"'));
    const planned = await fx.run(['plan']);
    expect(planned.code).not.toBe(0);
    expect(planned.stderr + planned.stdout).toMatch(/clinical-team\.yaml:\d+:\d+/);
    expect(planned.stderr + planned.stdout).toContain('fields.user_title__v contains a carriage return');
    expect(planned.stderr + planned.stdout).toContain('maria.lopez@veepharm.com');
    // plan may have started reading Vault while the files loaded; nothing is ever written.
    expect(fx.sim.requestLog().filter(isWrite)).toEqual([]);
  });
});
