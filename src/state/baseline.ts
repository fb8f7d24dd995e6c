/**
 * The drift baseline: what the YAML said for each user and person when it was last applied,
 * and which users Vault had then. `plan --drift` plans only for entries whose YAML is unchanged
 * since, so every change it finds was made in Vault out of band. Pure.
 */
import { canonicalJson, sha256Hex } from '../plan/digest.js';
import type { DesiredSiteVaultPerson, DesiredState, DesiredUser } from '../model.js';

export interface Baseline {
  readonly applied_at: string;
  /** Digest of each desired user's entry, by user name, as last applied successfully. */
  readonly users: Readonly<Record<string, string>>;
  /** Digest of each desired SiteVault person's entry, by email. */
  readonly sitevault: Readonly<Record<string, string>>;
  /** Every live user name after that apply (declared or not), sorted. */
  readonly live_users: readonly string[];
}

/** Digest of what the YAML declares for one user or person; where it was declared does not count. */
export function entryDigest(entry: DesiredUser | DesiredSiteVaultPerson): string {
  const { source: _source, ...declared } = entry;
  return sha256Hex(canonicalJson(declared)).slice(0, 32);
}

/**
 * The baseline after an apply: entries whose keys did not fail take today's digest; failed ones
 * keep what the previous baseline had (their YAML was not applied).
 */
export function nextBaseline(
  previous: Baseline | undefined,
  desired: DesiredState,
  liveUsersAfter: Iterable<string>,
  failedKeys: ReadonlySet<string>,
  appliedAt: string,
  digests: ReadonlyMap<DesiredUser | DesiredSiteVaultPerson, string> = new Map(),
): Baseline {
  const digestOf = (entry: DesiredUser | DesiredSiteVaultPerson): string => digests.get(entry) ?? entryDigest(entry);
  const users: Record<string, string> = {};
  for (const user of desired.users) {
    const keep = failedKeys.has(user.user_name) ? previous?.users[user.user_name] : digestOf(user);
    if (keep !== undefined) users[user.user_name] = keep;
  }
  const sitevault: Record<string, string> = {};
  for (const person of desired.sitevault) {
    const keep = failedKeys.has(person.email) ? previous?.sitevault[person.email] : digestOf(person);
    if (keep !== undefined) sitevault[person.email] = keep;
  }
  return { applied_at: appliedAt, users, sitevault, live_users: [...new Set(liveUsersAfter)].sort() };
}

/**
 * Every entry's digest, computed in slices between other work (an apply is mostly waiting on
 * Vault), so a large repo's baseline costs no wall time at the end of the run.
 */
export async function entryDigestsInBackground(desired: DesiredState, slice = 500): Promise<Map<DesiredUser | DesiredSiteVaultPerson, string>> {
  const out = new Map<DesiredUser | DesiredSiteVaultPerson, string>();
  const entries = [...desired.users, ...desired.sitevault];
  for (let i = 0; i < entries.length; i += slice) {
    await new Promise((resolve) => setImmediate(resolve));
    for (const entry of entries.slice(i, i + slice)) out.set(entry, entryDigest(entry));
  }
  return out;
}

/** The desired state restricted to entries unchanged since the baseline, for a drift plan. */
export function unchangedSinceBaseline(desired: DesiredState, baseline: Baseline): DesiredState {
  return {
    ...desired,
    users: desired.users.filter((u) => baseline.users[u.user_name] === entryDigest(u)),
    sitevault: desired.sitevault.filter((p) => baseline.sitevault[p.email] === entryDigest(p)),
    // Users left out here are not unmanaged: their YAML changed and awaits an apply.
    policy: { ...desired.policy, unmanaged_users: 'ignore' },
  };
}
