// Shared helpers of the apply tests: what counts as a write in the simulator's request log,
// reading an apply journal, projecting simulator users onto the desired shape, and building
// extra users for tests that need more rows than examples/full has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplyPort } from '../../src/apply/index.js';
import type { JournalEntry } from '../../src/apply/journal.js';
import type { OperationKind } from '../../src/plan/index.js';
import type { DesiredState, DesiredUser, LiveState } from '../../src/model.js';
import { readStateFile, sitevaultMap } from '../../src/state/index.js';
import { readLiveState, type VaultClient } from '../../src/vault/index.js';
import { prng, type RequestLogEntry, type SeedUser } from '../../src/simulator/index.js';

export { isWrite } from '../helpers/simulator.js';
import { isWrite } from '../helpers/simulator.js';

export function writesIn(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  return log.filter(isWrite);
}

/** Every journal of a fixture repo, by file name. */
export function journalFiles(dir: string): string[] {
  const journalDir = join(dir, '.vault-roster', 'journal');
  try {
    return readdirSync(journalDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(journalDir, f));
  } catch {
    return [];
  }
}

/** Parsed entries of a journal; a torn last line (a kill mid-write) is skipped, as replay does. */
export function readJournal(path: string): JournalEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalEntry];
      } catch {
        return [];
      }
    });
}

/** Entries of one run: the `index`-th `run_started` up to the next. */
export function journalRun(entries: readonly JournalEntry[], index: number): JournalEntry[] {
  const starts = entries.flatMap((e, i) => (e.type === 'run_started' ? [i] : []));
  const from = starts[index];
  if (from === undefined) return [];
  return entries.slice(from, starts[index + 1] ?? entries.length);
}

/** Duplicate user names (case-insensitive) in a simulator dump. */
export function duplicateUserNames(users: readonly SeedUser[]): string[] {
  const seen = new Map<string, number>();
  for (const u of users) seen.set(u.user_name__v.toLowerCase(), (seen.get(u.user_name__v.toLowerCase()) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
}

/** The desired user's managed fields, in Vault's names, for a field-by-field comparison. */
export function expectedUserView(user: DesiredUser): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const put = (name: string, value: unknown): void => {
    if (value !== undefined) view[name] = value;
  };
  put('user_first_name__v', user.first_name);
  put('user_last_name__v', user.last_name);
  put('user_email__v', user.email);
  put('user_timezone__v', user.timezone);
  put('user_locale__v', user.locale);
  put('user_language__v', user.language);
  put('security_policy_id__v', user.security_policy);
  // No user-level license is stored: Vault reports the calling vault's membership license as
  // license_type__v, which the membership comparison below covers.
  put('is_domain_admin__v', user.domain_admin);
  put('domain_active__v', user.active);
  for (const [name, value] of Object.entries(user.fields ?? {})) put(name, value === '' ? null : value);
  if (user.memberships !== undefined) {
    view.memberships = Object.fromEntries(
      user.memberships.map((m) => [m.vault_id, { active: m.active, profile: m.security_profile, license: m.license_type }]),
    );
    view.apps = Object.fromEntries(
      user.memberships.flatMap((m) => Object.entries(m.apps ?? {}).map(([code, app]) => [`${m.vault_id}/${code}`, { active: app.active, license: app.license_type }])),
    );
  }
  return view;
}

/**
 * The same projection of a simulator user, restricted to what the desired user manages. Live
 * memberships and apps the YAML does not list must be inactive, so they show as such.
 */
export function actualUserView(seed: SeedUser, user: DesiredUser): Record<string, unknown> {
  const expected = expectedUserView(user);
  const view: Record<string, unknown> = {};
  for (const name of Object.keys(expected)) {
    if (name === 'memberships' || name === 'apps') continue;
    const value = seed[name];
    // Vault reports the policy as a number; the desired side keeps the name string.
    view[name] = name === 'security_policy_id__v' && typeof value === 'number' ? String(value) : (value ?? null);
  }
  if (user.memberships !== undefined) {
    const declared = new Set(user.memberships.map((m) => m.vault_id));
    view.memberships = Object.fromEntries(
      (seed.vault_membership ?? [])
        .filter((m) => declared.has(m.vault_id) || m.active__v === true)
        .map((m) => [m.vault_id, { active: m.active__v, profile: m.security_profile__v, license: m.license_type__v }]),
    );
    const declaredApps = new Set(user.memberships.flatMap((m) => Object.keys(m.apps ?? {}).map((code) => `${m.vault_id}/${code}`)));
    const appsManaged = new Set(user.memberships.filter((m) => m.apps !== undefined).map((m) => m.vault_id));
    view.apps = Object.fromEntries(
      (seed.app_licensing ?? [])
        .filter((a) => declaredApps.has(`${a.vault_id}/${a.application_name}`) || (appsManaged.has(a.vault_id) && a.active__v === true))
        .map((a) => [`${a.vault_id}/${a.application_name}`, { active: a.active__v, license: a.license_type__v }]),
    );
  }
  return view;
}

/** YAML for `count` plain new users in vault 5005, named `<prefix>NNNN@veepharm.com`. */
export function bulkUsersYaml(prefix: string, count: number, extra: (i: number) => string = () => ''): string {
  const lines = ['users:'];
  for (let i = 0; i < count; i += 1) {
    const n = String(i).padStart(4, '0');
    lines.push(
      `  - user_name: ${prefix}${n}@veepharm.com`,
      `    first_name: Bulk${n}`,
      `    last_name: ${prefix}`,
      `    email: ${prefix}${n}@veepharm.com`,
      `    memberships:`,
      `      - vault: 5005`,
      extra(i),
    );
  }
  return lines.filter((l) => l !== '').join('\n') + '\n';
}

/** The simulator's seeded PRNG (mulberry32), so random trials repeat. */
export const seededRandom = prng;

/** Live state of a fixture's simulator as apply reads it: users, persons, and the state file's SiteVault persons. */
export async function readFixtureLive(client: VaultClient, desired: DesiredState): Promise<LiveState> {
  const state = readStateFile(desired.state_path, desired.target.vault_id ?? 0);
  return readLiveState(client, { promotions: desired.users.some((u) => u.promote_from_person !== undefined), groups: desired.groups !== undefined, sitevault: sitevaultMap(state) });
}

/**
 * A port that sends the first operation of `kind` to Vault, then dies before its answer is
 * journaled (throws a non-Vault error, as a crash stops the run); nothing is sent after it.
 */
export function dieAfterFirst(kind: OperationKind, message: string): (port: ApplyPort) => ApplyPort {
  return (port) => {
    let dead = false;
    return {
      async send(operation, options) {
        if (dead) throw new Error('process is dead');
        if (operation.kind !== kind) return port.send(operation, options);
        await port.send(operation, options);
        dead = true;
        throw new Error(message);
      },
    };
  };
}
