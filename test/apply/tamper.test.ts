// A saved plan is a commitment apply verifies, not instructions it runs: every edit an attacker
// with write access to the plan artifact could make is refused before any write, through the
// CLI and through applyPlan called as a library function.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, vaultPort } from '../../src/apply/index.js';
import { VaultRosterError } from '../../src/errors.js';
import type { Operation, Plan } from '../../src/plan/index.js';
import { createVaultClient } from '../../src/vault/index.js';
import { DEFAULT_ADMIN_PASSWORD } from '../../src/simulator/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { readFixtureLive, writesIn } from './support.js';

type Edit = (plan: Plan & Record<string, unknown>) => void;

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function planned(before?: (fx: RosterFixture) => void, args: string[] = []): Promise<RosterFixture> {
  const fx = await startRosterFixture();
  open.push(fx.sim);
  before?.(fx);
  const run = await fx.run(['plan', '--out', 'plan.json', ...args]);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return fx;
}

function readPlan(fx: RosterFixture): Plan & Record<string, unknown> {
  return JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan & Record<string, unknown>;
}

function tamper(fx: RosterFixture, edit: Edit): void {
  const plan = readPlan(fx);
  edit(plan);
  writeFileSync(join(fx.dir, 'plan.json'), JSON.stringify(plan, null, 2));
}

/** `apply plan.json` exits 1 with the named error, and Vault saw no write. */
async function expectRefused(fx: RosterFixture, code: string): Promise<string> {
  fx.sim.clearRequestLog();
  const run = await fx.run(['apply', 'plan.json', '--auto-approve']);
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stderr).toContain(`error [${code}]`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).not.toContain('Apply complete');
  expect(writesIn(fx.sim.requestLog())).toEqual([]);
  return run.stderr;
}

function find<K extends Operation['kind']>(plan: Plan, kind: K): Extract<Operation, { kind: K }> {
  const op = plan.operations.find((o) => o.kind === kind);
  expect(op, `the fixture plan has a ${kind} operation`).toBeDefined();
  return op as Extract<Operation, { kind: K }>;
}

function mutable<T>(value: T): { -readonly [K in keyof T]: T[K] } {
  return value;
}

/** Edits that change what would be sent, each refused with the code it must carry. */
const EDITS: [string, Edit, string, RegExp][] = [
  [
    'a body value changed (a membership made System Admin)',
    (plan) => {
      const row = find(plan, 'update_users').rows.find((r) => r.membership !== undefined)!;
      mutable(row).membership = { ...row.membership!, security_profile: 'system_admin__v' };
    },
    'plan-mismatch',
    /operation op-\d+ \(update_users\) differs at rows\[\d+\]\.membership\.security_profile: the plan says "system_admin__v"/,
  ],
  [
    'Domain Admin added to a create row',
    (plan) => {
      const row = find(plan, 'create_users').rows[0]!;
      mutable(row).values = { ...row.values, domain_admin: true };
    },
    'plan-mismatch',
    /differs at rows\[0\]\.values\.domain_admin: the plan says true, they give \(nothing\)/,
  ],
  [
    'an extra operation appended',
    (plan) => {
      const extra = { ...find(plan, 'create_users'), id: 'op-999', depends_on: [] };
      (plan.operations as Operation[]).push({ ...extra, rows: [{ ...extra.rows[0]!, key: 'mallory@evil.example' }] });
    },
    'plan-mismatch',
    /operation op-999 \(create_users\) is not implied at all/,
  ],
  [
    'an update re-pointed at another user id',
    (plan) => {
      const row = find(plan, 'update_users').rows[0]!;
      mutable(row).user_id = 1;
    },
    'plan-mismatch',
    /differs at rows\[0\]\.user_id: the plan says 1/,
  ],
  [
    'live_digests emptied',
    (plan) => {
      mutable(plan).live_digests = { users: {}, persons: {}, sitevault: {} };
    },
    'plan-mismatch',
    /the live records it relies on differs at live_digests\.users\./,
  ],
  [
    'a dependency cycle',
    (plan) => {
      const [a, b] = plan.operations;
      mutable(a!).depends_on = [b!.id];
      mutable(b!).depends_on = [a!.id];
    },
    'plan-invalid',
    /depends on op-\d+, which comes after it \(a dependency cycle\)/,
  ],
  [
    'a self-dependency',
    (plan) => {
      const op = plan.operations[2]!;
      mutable(op).depends_on = [op.id];
    },
    'plan-invalid',
    /operation op-003 depends on itself/,
  ],
  [
    'a dependency on an operation the plan does not have',
    (plan) => {
      mutable(plan.operations[1]!).depends_on = ['op-777'];
    },
    'plan-invalid',
    /depends on op-777, which the plan does not have/,
  ],
  [
    'a duplicate row in a batch',
    (plan) => {
      const op = find(plan, 'create_users');
      mutable(op).rows = [...op.rows, op.rows[0]!];
    },
    'plan-invalid',
    /has two rows for /,
  ],
  [
    'a duplicate row in a batch in another letter case',
    (plan) => {
      const op = find(plan, 'create_users');
      mutable(op).rows = [...op.rows, { ...op.rows[0]!, key: op.rows[0]!.key.toUpperCase() }];
    },
    'plan-invalid',
    /has two rows for /,
  ],
  [
    'the server URL changed',
    (plan) => {
      mutable(plan).target = { ...plan.target, server: 'https://evil.example.com' };
    },
    'wrong-server',
    /was made against https:\/\/evil\.example\.com, but this run talks to http:\/\/127\.0\.0\.1:\d+/,
  ],
  [
    'the vault changed',
    (plan) => {
      mutable(plan).target = { ...plan.target, vault_id: 3003 };
    },
    'wrong-vault',
    /is for vault 3003, but this session is in vault 5005/,
  ],
  [
    'a row of a single-user call moved to another subject',
    (plan) => {
      const op = find(plan, 'sitevault_create');
      mutable(op.rows[0]!).key = 'someone.else@veepharm.com';
    },
    'plan-mismatch',
    /operation op-\d+ \(sitevault_create\) differs at rows\[0\]\.key/,
  ],
];

describe('apply refuses a tampered plan before any write', () => {
  it.each(EDITS)('%s', async (_name, edit, code, message) => {
    const fx = await planned();
    tamper(fx, edit);
    expect(await expectRefused(fx, code)).toMatch(message);
  });

  it('guard errors deleted from the diagnostics', async () => {
    const fx = await planned((f) => {
      // A guard that fails: sweep unmanaged users with no deactivation allowed.
      const path = join(f.dir, 'roster.yaml');
      writeFileSync(path, readFileSync(path, 'utf8').replace('unmanaged_users: report\n  max_deactivations: 10', 'unmanaged_users: deactivate\n  max_deactivations: 0'));
    });
    expect(readPlan(fx).diagnostics.map((d) => d.code)).toContain('guard-mass-deactivation');
    tamper(fx, (plan) => {
      mutable(plan).diagnostics = plan.diagnostics.filter((d) => d.severity !== 'error');
    });
    expect(await expectRefused(fx, 'plan-has-errors')).toMatch(/the plan the YAML and Vault imply now has failing guards \(guard-mass-deactivation\)/);
  });

  it('the plan run against another server with the same vault id (VAULT_URL changed)', async () => {
    const fx = await planned();
    const twin = await startTestSimulator({ seed: fx.sim.dump() });
    open.push(twin);
    fx.sim.clearRequestLog();
    const run = await runCliCaptured(['apply', 'plan.json', '--auto-approve'], { env: { ...fx.env, VAULT_URL: twin.url }, cwd: fx.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error \[wrong-server\] plan plan\.json was made against http:\/\/127\.0\.0\.1:\d+, but this run talks to http:\/\/127\.0\.0\.1:\d+/);
    expect(writesIn(twin.requestLog())).toEqual([]);
    expect(writesIn(fx.sim.requestLog())).toEqual([]);
  });

  it('an untampered plan still applies, and a re-plan shows no changes', async () => {
    const fx = await planned();
    const run = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Apply complete: .* failed 0/);
    expect((await fx.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('applyPlan as a library function refuses the same plans', () => {
  async function libraryApply(fx: RosterFixture, serverUrl = fx.sim.url): Promise<unknown> {
    const desired = await fx.desired();
    const client = createVaultClient({ baseUrl: serverUrl, apiVersion: 'v26.2', credentials: { username: fx.sim.adminUser, password: DEFAULT_ADMIN_PASSWORD }, vaultDns: 'veepharm-clinical.veevavault.com' });
    const live = await readFixtureLive(client, desired);
    fx.sim.clearRequestLog();
    try {
      await applyPlan({
        plan: readPlan(fx),
        source: 'plan.json',
        desired,
        live,
        serverUrl,
        port: vaultPort(client),
        journalDir: join(fx.dir, '.vault-roster', 'journal'),
        concurrency: 2,
        toolVersion: 'test',
        subscribeClientEvents: () => () => undefined,
      });
      return undefined;
    } catch (error) {
      return error;
    }
  }

  it.each(EDITS)('%s', async (_name, edit, code, message) => {
    const fx = await planned();
    tamper(fx, edit);
    const error = await libraryApply(fx);
    expect(error).toBeInstanceOf(VaultRosterError);
    expect((error as VaultRosterError).code).toBe(code);
    expect((error as VaultRosterError).message).toMatch(message);
    expect(writesIn(fx.sim.requestLog())).toEqual([]);
  });
});
