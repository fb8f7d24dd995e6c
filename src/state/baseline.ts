/**
 * The next drift baseline after an apply: what the YAML said for each user and person that was
 * applied, and which users Vault had then (see src/plan/drift.ts for how drift uses it).
 */
import type { DesiredSiteVaultPerson, DesiredState, DesiredUser } from '../model.js';
import { entryDigest, groupEntryDigest, groupRowKey, type Baseline } from '../plan/index.js';

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
  const groups = desired.groups === undefined ? undefined : groupBaseline(previous, desired.groups, failedKeys);
  return { applied_at: appliedAt, users, sitevault, live_users: [...new Set(liveUsersAfter)].sort(), ...(groups === undefined ? {} : { groups }) };
}

function groupBaseline(previous: Baseline | undefined, groups: NonNullable<DesiredState['groups']>, failedKeys: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const group of groups) {
    const keep = failedKeys.has(groupRowKey(group.key)) ? previous?.groups?.[group.key] : groupEntryDigest(group);
    if (keep !== undefined) out[group.key] = keep;
  }
  return out;
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
