/**
 * A user's change as typed data: which properties, extra fields, memberships and app licences
 * differ, and the user as it will be after apply. Operations, guards and the apply port work
 * from these records; field paths (`memberships[3003].apps.rimReg_v`) exist only for display.
 *
 * Must agree with the display diff of user-trees.ts (a property test checks): both compare
 * with `sameValue` and imply the same consequences (an unlisted live membership and an unlisted
 * active app are turned inactive).
 */
import { MEMBERSHIP_KEYS, type AppLicense, type FieldValue, type LiveUser, type Membership, type MembershipKey, type UserRecord } from '../model.js';
import { sameValue } from './trees.js';
import { USER_SCALAR_KEYS, membershipPartsDiffer, staysInactive, type UserScalarKey } from './user-trees.js';

/** A membership after apply: every part known. */
export interface MembershipAfter extends Membership {
  readonly apps: Readonly<Record<string, AppLicense>>;
}

/** The user as it will be after apply: live values with the managed ones replaced. */
export interface UserAfter {
  readonly user_name: string;
  readonly values: Readonly<Partial<Record<UserScalarKey, string | boolean>>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** Sorted by vault id. */
  readonly memberships: readonly MembershipAfter[];
}

/** What differs between the live user and the desired one (everything, for a new user). */
export interface UserDelta {
  readonly values: readonly UserScalarKey[];
  readonly fields: readonly string[];
  /** Vaults whose active flag, profile or licence changes, or that are new to the user. */
  readonly memberships: readonly number[];
  /** Changed app codes, by vault. */
  readonly apps: ReadonlyMap<number, readonly string[]>;
}

function trimmed<T extends FieldValue>(value: T): T {
  return (typeof value === 'string' ? value.trim() : value) as T;
}

function liveValue(live: LiveUser | undefined, key: UserScalarKey): string | boolean | undefined {
  if (key === 'active') return live === undefined ? undefined : (live.active ?? true);
  return live?.[key];
}

function sameApp(a: AppLicense | undefined, b: AppLicense): boolean {
  return a !== undefined && a.active === b.active && a.license_type === b.license_type;
}

/** The managed apps of one vault after apply: the wanted ones, plus live active ones turned off. */
function appsAfter(wanted: Readonly<Record<string, AppLicense>>, live: Readonly<Record<string, AppLicense>>): Record<string, AppLicense> {
  const out: Record<string, AppLicense> = { ...live };
  for (const [code, app] of Object.entries(live)) if (wanted[code] === undefined && app.active) out[code] = { active: false, license_type: app.license_type };
  for (const [code, app] of Object.entries(wanted)) out[code] = app;
  return out;
}

function changedApps(wanted: Readonly<Record<string, AppLicense>>, live: Readonly<Record<string, AppLicense>>): string[] {
  const codes = new Set([...Object.keys(wanted), ...Object.keys(live)]);
  return [...codes].sort().filter((code) => {
    const want = wanted[code];
    const have = live[code];
    return want === undefined ? have?.active === true : !sameApp(have, want);
  });
}

function membershipAfter(want: Membership, live: Membership | undefined, manageActive: boolean): MembershipAfter {
  const parts = Object.fromEntries(MEMBERSHIP_KEYS.map((key) => [key, trimmed(want[key])])) as Pick<Membership, MembershipKey>;
  return {
    vault_id: want.vault_id,
    ...parts,
    active: manageActive || live === undefined ? want.active : live.active,
    apps: want.apps === undefined ? (live?.apps ?? {}) : appsAfter(want.apps, live?.apps ?? {}),
  };
}

function membershipDiffers(want: Membership, live: Membership | undefined, manageActive: boolean): boolean {
  return live === undefined || membershipPartsDiffer(want, live, manageActive);
}

/** The user after apply and what differs, from the desired record and the live one (absent for a new user). */
export function userChange(desired: UserRecord, live: LiveUser | undefined): { after: UserAfter; delta: UserDelta } {
  const values: Partial<Record<UserScalarKey, string | boolean>> = {};
  const changedValues: UserScalarKey[] = [];
  for (const key of USER_SCALAR_KEYS) {
    const have = liveValue(live, key);
    if (have !== undefined) values[key] = have;
    const want = desired[key];
    if (want === undefined) continue;
    values[key] = trimmed(want);
    if (!sameValue(have, trimmed(want), key)) changedValues.push(key);
  }
  const fields: Record<string, FieldValue> = { ...(live?.fields ?? {}) };
  const changedFields: string[] = [];
  for (const name of Object.keys(desired.fields ?? {}).sort()) {
    const want = desired.fields?.[name];
    if (want === undefined) continue;
    fields[name] = trimmed(want);
    // A new user's cleared field is no change: there is nothing to clear.
    if (!sameValue(live?.fields[name], trimmed(want), name) && !(live === undefined && sameValue(null, want, name))) changedFields.push(name);
  }
  const liveByVault = new Map((live?.memberships ?? []).map((m) => [m.vault_id, m]));
  const after = new Map<number, MembershipAfter>();
  for (const m of live?.memberships ?? []) after.set(m.vault_id, { ...m, apps: m.apps ?? {} });
  const changedVaults: number[] = [];
  const apps = new Map<number, string[]>();
  if (desired.memberships !== undefined) {
    const manageActive = !staysInactive(desired, live);
    const listed = new Set<number>();
    for (const want of desired.memberships) {
      listed.add(want.vault_id);
      const current = liveByVault.get(want.vault_id);
      after.set(want.vault_id, membershipAfter(want, current, manageActive));
      if (membershipDiffers(want, current, manageActive)) changedVaults.push(want.vault_id);
      const codes = want.apps === undefined ? [] : changedApps(want.apps, current?.apps ?? {});
      if (codes.length > 0) apps.set(want.vault_id, codes);
    }
    for (const current of live?.memberships ?? []) {
      if (!manageActive || listed.has(current.vault_id) || !current.active) continue;
      after.set(current.vault_id, { ...current, apps: current.apps ?? {}, active: false });
      changedVaults.push(current.vault_id);
    }
  }
  return {
    after: {
      user_name: desired.user_name,
      values,
      fields,
      memberships: [...after.values()].sort((a, b) => a.vault_id - b.vault_id),
    },
    delta: {
      values: changedValues,
      fields: changedFields,
      memberships: changedVaults.sort((a, b) => a - b),
      apps,
    },
  };
}

/** The user's membership of one vault after apply. */
export function membershipOf(user: UserAfter, vaultId: number): MembershipAfter | undefined {
  return user.memberships.find((m) => m.vault_id === vaultId);
}

/** The after record of a live user that is only deactivated (unmanaged-user policy). */
export function deactivated(live: LiveUser): { after: UserAfter; delta: UserDelta } {
  return userChange({ user_name: live.user_name, active: false }, live);
}
