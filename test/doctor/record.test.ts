/**
 * `doctor --record` under every read profile the simulator plays: the recorded profile replays
 * the same read behaviour, only reads were sent, nothing personal is written, and a capture
 * started as a simulator gives `import` then `plan` with no changes.
 *
 * What a read-only probe cannot tell, and what doctor does about it:
 * - `domainOnlyUsersListed: false` (users with no vault membership left out of vaults=all): a
 *   hidden user cannot be seen by any read, so the switch is "not observed" (capture.json) and the
 *   replay keeps the default; the capture's seed holds only listed users, so it is still consistent.
 * - `pageCap` when the whole domain fits on one page, and `limitEcho` when nothing was clamped
 *   ("applied" = "requested"): not observed, default kept (the readings are the same there).
 * - every write switch: a read-only doctor sends no write.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ADMIN_PASSWORD,
  defaultSeed,
  humanSeedUser,
  loadCapture,
  READ_PROFILES,
  resolveProfile,
  startSimulator,
  type ProfileSpec,
  type RunningSimulator,
  type SeedUser,
  type SimulatorSeed,
} from '../../src/simulator/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startTestSimulator } from '../helpers/simulator.js';
import { writesSeen } from './support.js';

/** People whose names and e-mails must never reach a capture; two share a first name. */
const PEOPLE: SeedUser[] = [
  humanSeedUser(31001, 'kate.marlowe@veepharm.com', 3003, {
    user_first_name__v: 'Katherine',
    user_last_name__v: 'Marlowe',
    office_phone__v: '+1 919 555 0142',
    vault_membership: [
      { vault_id: 3003, active__v: true, security_profile__v: 'business_admin__v', license_type__v: 'full__v' },
      { vault_id: 4004, active__v: false, security_profile__v: 'read_only_user__v', license_type__v: 'read_only__v' },
    ],
    app_licensing: [
      { vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' },
      { vault_id: 3003, application_name: 'rimSubs_v', active__v: false, license_type__v: 'read_only__v' },
    ],
  }),
  humanSeedUser(31002, 'katherine.osei@veepharm.com', 4004, { user_first_name__v: 'Katherine', user_last_name__v: 'Osei', user_email__v: 'k.osei@veepharm.com' }),
  humanSeedUser(31003, 'dora.domainonly@veepharm.com', 3003, { user_first_name__v: 'Dora', user_last_name__v: 'Lindqvist', vault_membership: [] }),
];

/** More than 200 users, so a 200 cap shows on the second page, and fewer than 1000. */
function seed(): SimulatorSeed {
  const base = defaultSeed();
  const vaults = [3003, 4004, 5005];
  const fillers = Array.from({ length: 230 }, (_, i) => humanSeedUser(30_001 + i, `filler${i}@veepharm.com`, vaults[i % 3] ?? 3003));
  return { ...base, users: [...(base.users ?? []), ...fillers, ...PEOPLE] };
}

let sim: RunningSimulator;
const env = (url: string): Record<string, string> => ({ NO_COLOR: '1', VAULT_URL: url, VAULT_USERNAME: 'admin@sim.veevavault.local', VAULT_PASSWORD: DEFAULT_ADMIN_PASSWORD });
const captures = new Map<string, string>();

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: seed() });
});

afterAll(async () => {
  await sim.close();
});

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

describe.each(READ_PROFILES.map((p) => [p.name, p] as const))('doctor --record under the %s profile', (name, profile) => {
  it('infers the read switches that profile plays, sending only reads', async () => {
    sim.setProfile(name);
    sim.clearRequestLog();
    const dir = mkdtempSync(join(tmpdir(), 'vr-capture-'));
    const run = await runCliCaptured(['doctor', '--record', dir], { env: env(sim.url), cwd: dir });
    expect(run.stdout).not.toMatch(/^FAIL/m);
    expect(writesSeen(sim)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['capture.json', 'findings.json', 'profile.json', 'seed.json']);
    const spec = readJson(join(dir, 'profile.json')) as ProfileSpec;
    const capture = readJson(join(dir, 'capture.json')) as { not_observed: string[] };
    const replayed = resolveProfile(spec).read;
    const unobservable = name === 'domain-only-hidden' ? { domainOnlyUsersListed: true } : {};
    expect(replayed).toEqual({ ...profile.read, ...unobservable });
    // Every switch the profile file leaves out is listed as not observed, and the other way round.
    const notObservedRead = capture.not_observed.filter((k) => k.startsWith('read.')).map((k) => k.slice(5));
    expect(notObservedRead.sort()).toEqual(Object.keys(profile.read).filter((k) => !(k in (spec.read ?? {}))).sort());
    expect(capture.not_observed).toContain('write.duplicateUserError');
    if (name === 'domain-only-hidden') expect(notObservedRead).toContain('domainOnlyUsersListed');
    captures.set(name, dir);
  });
});

describe('a recorded capture', () => {
  it('holds no real name or e-mail, and the same name always has the same pseudonym', () => {
    const dir = captures.get('default');
    expect(dir).toBeDefined();
    const text = readdirSync(dir ?? '').map((f) => readFileSync(join(dir ?? '', f), 'utf8')).join('\n').toLowerCase();
    for (const real of ['kate.marlowe', 'katherine', 'marlowe', 'osei', 'lindqvist', 'k.osei', 'veepharm', '919 555 0142', DEFAULT_ADMIN_PASSWORD.repeat(3)]) {
      expect(text, real).not.toContain(real);
    }
    const seedUsers = (readJson(join(dir ?? '', 'seed.json')) as SimulatorSeed).users ?? [];
    const byId = new Map(seedUsers.map((u) => [u.id, u]));
    const kate = byId.get(31001);
    const osei = byId.get(31002);
    expect(kate?.user_first_name__v).toBe(osei?.user_first_name__v);
    expect(kate?.user_last_name__v).not.toBe(osei?.user_last_name__v);
    // User name and e-mail were the same for Kate, different for Osei: still so after pseudonymising.
    expect(kate?.user_email__v).toBe(kate?.user_name__v);
    expect(osei?.user_email__v).not.toBe(osei?.user_name__v);
    expect(kate?.vault_membership).toEqual(PEOPLE[0]?.vault_membership);
    expect(kate?.app_licensing).toEqual(PEOPLE[0]?.app_licensing);
    // System users keep their shape (identified by Vault's no-reply address) and stay read-only.
    expect(byId.get(1)).toMatchObject({ user_first_name__v: 'System', user_email__v: 'no-reply@veeva.com', system_owned: true });
  });

  it.each(['default', 'page-cap-200-refuse'])('recorded under %s replays: import then plan shows no changes', async (name) => {
    const dir = captures.get(name);
    expect(dir).toBeDefined();
    const loaded = loadCapture(dir ?? '');
    const replay = await startTestSimulator({ seed: loaded.seed, profile: loaded.profile });
    expect(replay.profile.read).toEqual(READ_PROFILES.find((p) => p.name === name)?.read);
    const out = mkdtempSync(join(tmpdir(), 'vr-replay-'));
    const imported = await runCliCaptured(['import', '--out', out], { env: env(replay.url), cwd: out });
    expect(imported.code, imported.stderr).toBe(0);
    const plan = await runCliCaptured(['plan', '--detailed-exitcode'], { env: env(replay.url), cwd: out });
    expect(plan.code, plan.stdout.slice(0, 2000) + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No changes. Vault matches the desired state.');
  });

  it('a missing or damaged capture file is a named error, without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-bad-capture-'));
    const missing = await runCliCaptured(['simulator', '--capture', dir], { env: { NO_COLOR: '1' }, cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error [simulator-capture] ${join(dir, 'profile.json')}: cannot read it (missing)`);
    writeFileSync(join(dir, 'profile.json'), JSON.stringify({ format: 'vault-roster-simulator-profile/1', read: { size: 'sometimes' } }));
    const badProfile = await runCliCaptured(['simulator', '--capture', dir], { env: { NO_COLOR: '1' }, cwd: dir });
    expect(badProfile.stderr).toContain(`${join(dir, 'profile.json')}: read.size: expected one of page, total, got "sometimes"`);
    writeFileSync(join(dir, 'profile.json'), '{}');
    writeFileSync(join(dir, 'seed.json'), '{"vaults":[{"id":1,"name":"x","dns":"x.example.com"}],"users":[{"id":');
    const truncated = await runCliCaptured(['simulator', '--capture', dir], { env: { NO_COLOR: '1' }, cwd: dir });
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/^error \[simulator-capture\] .*seed\.json: not valid JSON/m);
    const both = await runCliCaptured(['simulator', '--capture', dir, '--seed', 'x.json'], { env: { NO_COLOR: '1' }, cwd: dir });
    expect(both.stderr).toContain('error [usage] --capture brings its own seed and profile');
    for (const run of [missing, badProfile, truncated, both]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
