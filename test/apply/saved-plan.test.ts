// `apply plan.json` refuses a plan that no longer describes what was reviewed or what Vault
// holds, before it sends anything: a stale plan (a relied-on user changed in Vault), a plan for
// another vault, a plan made from other desired files, a hand-edited or future-format plan.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { adminSession } from '../helpers/simulator.js';
import { writesIn } from './support.js';

async function plannedFixture(): Promise<{ fx: RosterFixture; plan: Plan }> {
  const fx = await startRosterFixture();
  const planned = await fx.run(['plan', '--out', 'plan.json']);
  expect(planned.code, planned.stderr).toBe(0);
  return { fx, plan: JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan };
}

function rewritePlan(fx: RosterFixture, edit: (plan: Record<string, unknown>) => void): void {
  const path = join(fx.dir, 'plan.json');
  const plan = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(plan);
  writeFileSync(path, JSON.stringify(plan, null, 2));
}

/** Applies plan.json and checks it was refused with no write reaching Vault. */
async function expectRefused(fx: RosterFixture): Promise<string> {
  fx.sim.clearRequestLog();
  const run = await fx.run(['apply', 'plan.json', '--auto-approve']);
  expect(run.code).toBe(1);
  expect(run.stdout).not.toContain('Apply complete');
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(writesIn(fx.sim.requestLog())).toEqual([]);
  return run.stderr;
}

describe('apply with a saved plan refuses', () => {
  it('a stale plan: a user it relied on changed in Vault after planning, named in the message', async () => {
    const { fx, plan } = await plannedFixture();
    // A user the plan relied on as it was (an existing user it updates).
    const changed = plan.changes.find((c) => c.action === 'update' && c.subject === 'user');
    expect(changed).toBeDefined();
    const name = changed?.key ?? '';
    expect(plan.live_digests.users[name]).toEqual(expect.any(String));
    const id = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === name)?.id;
    expect(id).toBeDefined();

    // Someone edits the user in Vault between plan and apply: a real Update Single User call.
    const session = await adminSession(fx.sim, 'veepharm-clinical.veevavault.com');
    const response = await fetch(`${fx.sim.url}/api/v25.2/objects/users/${String(id)}`, {
      method: 'PUT',
      headers: { Authorization: session, Accept: 'application/json' },
      body: new URLSearchParams({ user_title__v: 'Changed out of band' }),
    });
    expect(((await response.json()) as { responseStatus: string }).responseStatus).toBe('SUCCESS');

    const stderr = await expectRefused(fx);
    expect(stderr).toContain('stale');
    expect(stderr).toContain(`user ${name}`);
    // Only that user moved.
    expect(stderr).toMatch(/1 record\(s\) changed/);
  });

  it('a plan made for another vault', async () => {
    const { fx } = await plannedFixture();
    rewritePlan(fx, (plan) => {
      plan.target = { ...(plan.target as object), url: 'https://veepharm-rim.veevavault.com', vault_id: 3003 };
    });
    const stderr = await expectRefused(fx);
    expect(stderr).toContain('is for vault 3003');
    expect(stderr).toContain('vault 5005');
  });

  it('a plan made from other desired files, naming the file that changed', async () => {
    const { fx } = await plannedFixture();
    appendFileSync(join(fx.dir, 'users', 'rim-team.yaml'), '\n# edited after review\n');
    const stderr = await expectRefused(fx);
    expect(stderr).toContain('users/rim-team.yaml');
    expect(stderr).not.toContain('users/quality-team.yaml');
  });

  it.each<[string, (plan: Record<string, unknown>) => void, RegExp]>([
    [
      'an operation given an unknown kind',
      (plan) => {
        const [first] = plan.operations as Record<string, unknown>[];
        if (first) first.kind = 'delete_everything';
      },
      /does not match the plan schema/,
    ],
    [
      'a required field removed',
      (plan) => {
        delete plan.live_digests;
      },
      /does not match the plan schema/,
    ],
    [
      'format_version 1 (raw HTTP requests)',
      (plan) => {
        plan.format_version = 1;
      },
      /format_version 1; this vault-roster reads 2 \(format 1 listed raw HTTP requests/,
    ],
    [
      'format_version 3',
      (plan) => {
        plan.format_version = 3;
      },
      /format_version 3; this vault-roster reads 2/,
    ],
  ])('a hand-edited plan: %s', async (_name, edit, message) => {
    const { fx } = await plannedFixture();
    rewritePlan(fx, edit);
    expect(await expectRefused(fx)).toMatch(message);
  });

  it('a plan file that is not JSON', async () => {
    const { fx } = await plannedFixture();
    writeFileSync(join(fx.dir, 'plan.json'), '{"format_version": 1, "operations": [');
    expect(await expectRefused(fx)).toMatch(/is not JSON/);
  });
});
