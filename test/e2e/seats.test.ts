/**
 * `vault-roster report seats` end to end over HTTP against the simulator (issue #17 part 3):
 * figures checked against the simulator's own state, inactive holders with the right file:line,
 * "after plan" moving with a plan that deactivates someone, and nothing but reads sent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import type { DesiredState } from '../../src/model.js';
import type { SeatReport } from '../../src/report/index.js';
import type { SimulatorSeed } from '../../src/simulator/index.js';
import { AJV_OPTIONS } from '../../src/specs.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { isWrite } from '../helpers/simulator.js';

const DAY_MS = 86_400_000;
const KWAME = 'kwame.mensah@veepharm.com';
const ZOE = 'zoe.campbell@veepharm.com';
const SAMUEL = 'samuel.adeyemi@veepharm.com';

/** The demo seed, with known last logins and a seeded allowed count for ctms_v read_only__v in vault 5005. */
function seed(desired: DesiredState): SimulatorSeed {
  const base = demoSeed(desired);
  const logins = new Map<string, string | null>([
    [KWAME, new Date(Date.now() - 200 * DAY_MS).toISOString()],
    [ZOE, null],
    [SAMUEL, new Date(Date.now() - 2 * DAY_MS).toISOString()],
  ]);
  const users = (base.users ?? []).map((u) => {
    const name = u.user_name__v.toLowerCase();
    const login = logins.get(name);
    return login === undefined ? u : { ...u, last_login__v: login };
  });
  expect([...logins.keys()].every((n) => users.some((u) => u.user_name__v.toLowerCase() === n)), 'the demo seed holds the users this test sets').toBe(true);
  const vaults = base.vaults.map((v) =>
    v.id !== 5005 ? v : { ...v, applications: (v.applications ?? []).map((a) => (a.name === 'ctms_v' ? { ...a, licenses: { ...a.licenses, read_only__v: 7 } } : a)) },
  );
  return { ...base, users, vaults };
}

type Counts = Map<string, number>;

/** Seats per vault / application / licence type, computed from the simulator's state, not the client's reading. */
function simulatorCounts(fx: RosterFixture): Counts {
  const counts: Counts = new Map();
  const bump = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const u of fx.sim.dump().users ?? []) {
    if (u.system_owned === true || u.domain_active__v === false) continue;
    const active = new Set((u.vault_membership ?? []).filter((m) => m.active__v !== false).map((m) => m.vault_id));
    for (const m of u.vault_membership ?? []) if (active.has(m.vault_id)) bump(`${m.vault_id} - ${m.license_type__v ?? 'full__v'}`);
    for (const a of u.app_licensing ?? []) if (active.has(a.vault_id) && a.active__v !== false) bump(`${a.vault_id} ${a.application_name} ${a.license_type__v ?? 'full__v'}`);
  }
  return counts;
}

function keyOf(row: SeatReport['seats'][number]): string {
  return `${row.vault_id} ${row.application ?? '-'} ${row.license_type}`;
}

/** `file:line:col` of `needle` on the first line at or after `user_name: <user>` that holds it. */
function placeOf(fx: RosterFixture, file: string, user: string, needle: string): string {
  const lines = readFileSync(join(fx.dir, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.includes(`user_name: ${user}`));
  const index = lines.findIndex((l, i) => i > start && l.includes(needle));
  expect(start >= 0 && index > start, `${needle} after ${user} in ${file}`).toBe(true);
  return `${file}:${index + 1}:${(lines[index] ?? '').indexOf(needle) + 1}`;
}

async function report(fx: RosterFixture, extra: string[] = []): Promise<SeatReport> {
  const run = await fx.run(['report', 'seats', '--format', 'json', ...extra]);
  expect(run.code, run.stderr + run.stdout.slice(0, 2000)).toBe(0);
  return JSON.parse(run.stdout) as SeatReport;
}

describe('report seats against the simulator', () => {
  it('counts, inactive holders with file:line, after-plan figures, JSON schema, and only reads', async () => {
    const fx = await startRosterFixture({ seed });
    fx.sim.clearRequestLog();
    const first = await report(fx);

    // Read-only: GETs, the login and VQL, and ending the session the CLI opened (every command
    // does), nothing else.
    const log = fx.sim.requestLog();
    expect(log.filter((e) => e.method === 'GET').length).toBeGreaterThan(3);
    const others = log.filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path}`);
    expect(others.filter((c) => !/^POST \/api\/v[\d.]+\/(auth|query)$/.test(c))).toEqual(['DELETE /api/v26.2/session']);
    expect(log.filter(isWrite)).toEqual([]);

    const schema = JSON.parse(readFileSync(new URL('../../specs/seats.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv(AJV_OPTIONS).compile(schema);
    expect(validate(first), JSON.stringify(validate.errors)).toBe(true);

    // Every figure against the simulator's state: Vault's own in the session vault, counts elsewhere.
    const counts = simulatorCounts(fx);
    expect(first.session_vault_id).toBe(5005);
    expect(first.vault_ids).toEqual([3003, 4004, 5005]);
    for (const row of first.seats) {
      expect(row.counted, keyOf(row)).toBe(counts.get(keyOf(row)) ?? 0);
      expect(row.used, keyOf(row)).toBe(counts.get(keyOf(row)) ?? 0);
      expect(row.verified, keyOf(row)).toBe(row.vault_id === 5005 && row.application !== null);
    }
    expect(first.seats.filter((r) => r.counted > 0).map(keyOf).sort()).toEqual([...counts.keys()].sort());
    const ctmsReader = first.seats.find((r) => keyOf(r) === '5005 ctms_v read_only__v');
    expect(ctmsReader?.licensed).toBe(7);
    expect(first.seats.find((r) => keyOf(r) === '3003 rimReg_v full__v')?.licensed).toBeNull();

    // A dormant app-licence holder and a never-logged-in full user, with the edits that reclaim them.
    const kwame = first.inactive.find((h) => h.user_name === KWAME);
    expect(kwame?.standing).toBe('dormant');
    expect(kwame?.days_since_login).toBe(200);
    expect(kwame?.suggestion.kind).toBe('remove_apps');
    expect(kwame?.suggestion.edits.map((e) => `${e.file}:${e.line}:${e.col} ${e.edit}`)).toEqual([
      `${placeOf(fx, 'users/contractors.yaml', KWAME, 'etmf_v')} remove etmf_v from apps`,
      `${placeOf(fx, 'users/contractors.yaml', KWAME, 'ctms_v')} remove ctms_v from apps`,
    ]);
    const zoe = first.inactive.find((h) => h.user_name === ZOE);
    expect(zoe?.standing).toBe('never');
    expect(zoe?.full_license).toBe('full__v');
    expect(zoe?.suggestion.kind).toBe('deactivate_membership');
    expect(zoe?.suggestion.edits.map((e) => `${e.file}:${e.line}:${e.col}`)).toEqual([placeOf(fx, 'users/clinical-team.yaml', ZOE, 'vault: 5005')]);
    expect(zoe?.suggestion.edits[0]?.current).toBe('- vault: 5005');
    expect(first.inactive.some((h) => h.user_name === SAMUEL)).toBe(false);

    // Take the suggestion: the plan now deactivates Zoe's membership, and "after plan" follows.
    const file = join(fx.dir, 'users', 'clinical-team.yaml');
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('      - vault: 5005\n', text.indexOf(`user_name: ${ZOE}`));
    writeFileSync(file, `${text.slice(0, at)}      - vault: 5005\n        active: false\n${text.slice(at + '      - vault: 5005\n'.length)}`);
    const second = await report(fx, ['--vault', '5005']);
    expect(second.vault_ids).toEqual([5005]);
    expect(second.seats.every((r) => r.vault_id === 5005)).toBe(true);
    const held = [...(zoe?.full_license === null ? [] : ['5005 - full__v']), ...(zoe?.apps ?? []).map((a) => `5005 ${a.application} ${a.license_type}`)];
    expect(held.length).toBeGreaterThan(1);
    for (const key of held) {
      const before = first.seats.find((r) => keyOf(r) === key);
      const after = second.seats.find((r) => keyOf(r) === key);
      expect(after?.change, key).toBe((before?.change ?? 0) - 1);
      expect(after?.after, key).toBe((after?.used ?? 0) + (after?.change ?? 0));
    }
    expect(second.inactive.find((h) => h.user_name === ZOE)?.suggestion.kind).toBe('in_plan');
  });

  it('text and Markdown say "suggested, not applied"; --out writes the file; bad options are refused by name', async () => {
    const fx = await startRosterFixture({ seed });
    const text = await fx.run(['report', 'seats', '--days', '30', '--out', 'seats.md', '--format', 'markdown']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe('');
    const markdown = readFileSync(join(fx.dir, 'seats.md'), 'utf8');
    expect(markdown).toContain('**Suggested, not applied');
    expect(markdown).toContain('#### Never logged in or not for 30 days');
    expect(markdown).toMatch(/- \[ \] vault 5005 `zoe\.campbell@veepharm\.com`: never logged in/);

    // Without --days, the review's DORMANT threshold (review.dormant_days) decides: kwame (200 days) is not inactive at 365.
    const roster = join(fx.dir, 'roster.yaml');
    writeFileSync(roster, `${readFileSync(roster, 'utf8')}review:\n  dormant_days: 365\n`);
    const lenient = await report(fx);
    expect(lenient.dormant_days).toBe(365);
    expect(lenient.inactive.some((h) => h.user_name === KWAME)).toBe(false);
    expect((await report(fx, ['--days', '100'])).inactive.some((h) => h.user_name === KWAME)).toBe(true);

    const wrongVault = await fx.run(['report', 'seats', '--vault', '9999']);
    expect(wrongVault.code).toBe(1);
    expect(wrongVault.stderr).toContain('--vault 9999 is not a vault of this domain (3003, 4004, 5005)');
    const days = await fx.run(['report', 'seats', '--days', '0']);
    expect(days.code).toBe(1);
    expect(days.stderr).toContain("--days '0' is not a whole number from 1 to 36500");
    const name = await fx.run(['report', 'licences']);
    expect(name.code).toBe(1);
    expect(name.stderr).toContain("report takes one report name, seats; got 'licences'");

    // A last login Vault sent in a form nobody documented stops the report, naming user and field.
    const state = fx.sim.dump();
    fx.sim.replaceState({ ...state, users: (state.users ?? []).map((u) => (u.user_name__v.toLowerCase() === ZOE ? { ...u, last_login__v: 'last tuesday' } : u)) });
    const odd = await fx.run(['report', 'seats', '--format', 'json']);
    expect(odd.code).toBe(1);
    const error = (JSON.parse(odd.stdout.trim()) as { error: { code: string; message: string } }).error;
    expect(error).toMatchObject({ code: 'vault-decode', message: `user ${ZOE}: last_login__v "last tuesday" from GET /api/…/objects/users (Retrieve All Users) is not an ISO-8601 instant or null; the report cannot tell when this user last logged in` });
  });
});
