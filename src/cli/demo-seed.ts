/**
 * The demo's starting point: the simulator's demo domain plus some of examples/full's users
 * already in Vault, a few of them drifted from the YAML, and one user the YAML does not know.
 * Deterministic, so the committed examples/full/simulator-seed.json can be checked against it.
 */
import type { DesiredState, DesiredUser, Membership } from '../model.js';
import { defaultSeed, humanSeedUser, type SeedGroup, type SeedUser, type SimulatorSeed } from '../simulator/index.js';

/** What a drifted user differs in, so the demo output can be explained. */
type Drift = 'title' | 'profile' | 'app' | 'inactive-membership' | 'none';

const DRIFT_CYCLE: readonly Drift[] = ['title', 'profile', 'app', 'inactive-membership', 'none', 'none'];

/**
 * Last logins of the seeded users, in turn (`vault-roster review` flags from them): recent, never,
 * long ago (DORMANT under the default 90 days from mid-2026 on), and a few weeks before the demo's
 * dates. Fixed instants, so the committed seed stays what this file generates.
 */
const LOGIN_CYCLE: readonly (string | null)[] = ['2026-11-20T09:15:00.000Z', null, '2026-03-02T14:40:00.000Z', '2026-10-28T08:05:00.000Z'];

function seedMemberships(memberships: readonly Membership[], drift: Drift): Pick<SeedUser, 'vault_membership' | 'app_licensing'> {
  const vault_membership = memberships.map((m, i) => ({
    vault_id: m.vault_id,
    active__v: drift === 'inactive-membership' && i === 0 ? false : m.active,
    security_profile__v: drift === 'profile' && i === 0 ? (m.security_profile === 'read_only_user__v' ? 'document_user__v' : 'read_only_user__v') : m.security_profile,
    license_type__v: drift === 'profile' && i === 0 ? ('read_only__v' as const) : m.license_type,
  }));
  const app_licensing = memberships.flatMap((m, i) =>
    Object.entries(m.apps ?? {})
      // 'app' drift: the first app of the first vault was never granted; 'profile' drift lowered the
      // vault license, so app licenses above read-only cannot exist there either.
      .filter(([, app], j) => !(drift === 'app' && i === 0 && j === 0) && !(drift === 'profile' && i === 0 && app.license_type !== 'read_only__v'))
      .map(([code, app]) => ({ vault_id: m.vault_id, application_name: code, active__v: app.active, license_type__v: app.license_type })),
  );
  return { vault_membership, app_licensing };
}

function seedUser(user: DesiredUser, id: number, drift: Drift, lastLogin: string | null): SeedUser {
  const fields = { ...(user.fields ?? {}) };
  // Drift only in something the YAML manages, or the plan would rightly not show it.
  const managedField = Object.keys(fields).sort()[0];
  if (drift === 'title' && managedField !== undefined) fields[managedField] = 'Changed in Vault';
  const timezone = drift === 'title' && managedField === undefined ? 'Europe/London' : (user.timezone ?? 'America/New_York');
  return {
    id,
    user_name__v: user.user_name,
    user_first_name__v: user.first_name ?? '',
    user_last_name__v: user.last_name ?? '',
    user_email__v: user.email ?? user.user_name,
    user_timezone__v: timezone,
    user_locale__v: user.locale ?? 'en_US',
    user_language__v: user.language ?? 'en',
    security_policy_id__v: user.security_policy ?? '821',
    is_domain_admin__v: user.domain_admin ?? false,
    domain_active__v: user.active ?? true,
    last_login__v: lastLogin,
    ...fields,
    ...seedMemberships(user.memberships ?? [], drift),
  };
}

/** A live user nobody declared: `plan` reports it (policy.unmanaged_users: report). */
const unmanagedUser = (id: number): SeedUser =>
  humanSeedUser(id, 'former.contractor@veepharm.com', 3003, { user_first_name__v: 'Former', user_last_name__v: 'Contractor', last_login__v: '2025-09-30T16:20:00.000Z' });

/**
 * The first declared group of the target vault with a seeded member already exists, drifted: its
 * description was edited in Vault, its first seeded member is missing and the admin was added.
 */
function driftedGroup(desired: DesiredState, seeded: ReadonlyMap<string, number>, adminName: string): SeedGroup[] {
  const vaultId = desired.target.vault_id;
  if (vaultId === undefined) return [];
  for (const group of desired.groups ?? []) {
    const ids = (group.members ?? []).flatMap((m) => {
      const id = seeded.get(m.user_name);
      return id === undefined ? [] : [id];
    });
    if (ids.length === 0) continue;
    return [{ vault_id: vaultId, label__v: group.label, group_description__v: 'Changed in Vault', members__v: [...ids.slice(1), adminName] }];
  }
  return [];
}

/** Every third declared user (not the admin, not a promotion) already exists; some drifted. */
export function demoSeed(desired: DesiredState): SimulatorSeed {
  const base = defaultSeed();
  const baseNames = new Set((base.users ?? []).map((u) => u.user_name__v.toLowerCase()));
  const existing = desired.users.filter((u) => u.promote_from_person === undefined && !baseNames.has(u.user_name)).filter((_, i) => i % 3 === 0);
  let nextId = base.counters?.next_user_id ?? 25002;
  const users: SeedUser[] = existing.map((user, i) => seedUser(user, nextId++, DRIFT_CYCLE[i % DRIFT_CYCLE.length] ?? 'none', LOGIN_CYCLE[i % LOGIN_CYCLE.length] ?? null));
  users.push(unmanagedUser(nextId++));
  const inVault = new Map(users.filter((u) => u.vault_membership?.some((m) => m.vault_id === desired.target.vault_id && m.active__v)).map((u) => [u.user_name__v, u.id]));
  const admin = base.users?.find((u) => u.is_domain_admin__v === true)?.user_name__v ?? '';
  return {
    ...base,
    users: [...(base.users ?? []), ...users],
    groups: [...(base.groups ?? []), ...driftedGroup(desired, inVault, admin)],
    counters: { ...base.counters, next_user_id: nextId },
  };
}
