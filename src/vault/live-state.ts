/**
 * `readLiveState`: the target domain as it is, normalised to the shapes the desired state uses
 * (src/model.ts), so the planner compares like with like. Reads only; never writes.
 */
import { VaultApiError, VaultRosterError } from '../errors.js';
import {
  LICENSE_TYPES,
  normaliseIdentity,
  type AppliedSiteVaultPerson,
  type ClinicalPerson,
  type FieldValue,
  type LicenseType,
  type LiveState,
  type LiveUser,
} from '../model.js';
import type { VaultClient } from './client.js';
import { asBoolean, asId, asString, type JsonRecord } from './envelope.js';
import { decodeUserMemberships, READ_ONLY_USER_FIELDS, SYSTEM_USER_EMAIL, USER_FIELD_TO_VAULT } from './wire.js';

export interface LiveStateScope {
  /** Read Clinical persons (person__sys) too: only needed when the desired state promotes persons. */
  readonly promotions: boolean;
  /** SiteVault persons from the last-applied state file (Vault has no read API for them). */
  readonly sitevault?: ReadonlyMap<string, AppliedSiteVaultPerson>;
}

export const PERSONS_VQL = 'SELECT id, email__sys, first_name__sys, last_name__sys, vault_user__sys FROM person__sys';

const MAPPED_VAULT_FIELDS: ReadonlySet<string> = new Set(Object.values(USER_FIELD_TO_VAULT));

function isLicenseType(value: string | undefined): value is LicenseType {
  return value !== undefined && (LICENSE_TYPES as readonly string[]).includes(value);
}

/** Vault's system-owned users (System, Application Owner, SDK service account, …) are not managed. */
export function isSystemUser(user: JsonRecord): boolean {
  return asString(user.user_email__v)?.trim().toLowerCase() === SYSTEM_USER_EMAIL;
}

/** One Vault user in vault-roster's shape; `undefined` when it has no id or user name. */
export function normaliseLiveUser(user: JsonRecord): LiveUser | undefined {
  const id = asId(user.id);
  const userName = asString(user.user_name__v);
  if (id === undefined || userName === undefined || userName.trim() === '') return undefined;
  const fields: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(user)) {
    if (READ_ONLY_USER_FIELDS.has(key) || MAPPED_VAULT_FIELDS.has(key)) continue;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  const licenseType = asString(user.license_type__v);
  const domainAdmin = asBoolean(user.is_domain_admin__v);
  const domainActive = asBoolean(user.domain_active__v);
  const pick = (vaultName: string, property: string): Record<string, string> => {
    const value = asString(user[vaultName]);
    return value === undefined ? {} : { [property]: value };
  };
  return {
    id,
    user_name: normaliseIdentity(userName),
    ...pick(USER_FIELD_TO_VAULT.first_name, 'first_name'),
    ...pick(USER_FIELD_TO_VAULT.last_name, 'last_name'),
    ...pick(USER_FIELD_TO_VAULT.email, 'email'),
    ...pick(USER_FIELD_TO_VAULT.timezone, 'timezone'),
    ...pick(USER_FIELD_TO_VAULT.locale, 'locale'),
    ...pick(USER_FIELD_TO_VAULT.language, 'language'),
    // Vault returns the policy as a number on read but takes its name__v string on write.
    ...pick(USER_FIELD_TO_VAULT.security_policy, 'security_policy'),
    ...(isLicenseType(licenseType) ? { license_type: licenseType } : {}),
    ...(domainAdmin === undefined ? {} : { domain_admin: domainAdmin }),
    ...(domainActive === undefined ? {} : { active: domainActive }),
    fields,
    memberships: decodeUserMemberships(user.vault_membership, user.app_licensing),
  };
}

function toPerson(row: JsonRecord): ClinicalPerson | undefined {
  const id = asString(row.id);
  if (id === undefined) return undefined;
  const text = (value: unknown): string | null => {
    const s = asString(value);
    return s === undefined || s === '' ? null : s;
  };
  return {
    id,
    email: text(row.email__sys),
    first_name: text(row.first_name__sys),
    last_name: text(row.last_name__sys),
    user_id: text(row.vault_user__sys),
  };
}

async function readUsers(client: VaultClient): Promise<Map<string, LiveUser>> {
  const users = new Map<string, LiveUser>();
  for await (const page of client.listUserPages()) {
    for (const raw of page) {
      if (isSystemUser(raw)) continue;
      const user = normaliseLiveUser(raw);
      if (user === undefined) continue;
      if (users.has(user.user_name)) {
        throw new VaultRosterError('vault-response', `Vault listed user ${user.user_name} twice while paging`, {
          hint: 'Users changed while they were being read; run again.',
        });
      }
      users.set(user.user_name, user);
    }
  }
  return users;
}

async function readVaultIds(client: VaultClient): Promise<number[]> {
  try {
    return (await client.getDomain()).vaults.map((v) => v.id).sort((a, b) => a - b);
  } catch (error) {
    // Only Domain Admins may read the domain; the vaults this user can reach are the next best list.
    if (!(error instanceof VaultApiError) || error.errorType !== 'INSUFFICIENT_ACCESS') throw error;
    const session = await client.session();
    if (session.vaults.length === 0) throw error;
    return session.vaults.map((v) => v.id).sort((a, b) => a - b);
  }
}

/**
 * Reads the live state. The small independent reads overlap with the user listing; the user
 * pages themselves go in sequence (see `listUserPages`).
 */
export async function readLiveState(client: VaultClient, scope: LiveStateScope): Promise<LiveState> {
  // Log in first so the overlapping reads share one session instead of racing to create several.
  await client.session();
  const [me, users, vaultIds, policies, licenses, persons] = await Promise.all([
    client.getUser('me'),
    readUsers(client),
    readVaultIds(client),
    client.listSecurityPolicies(),
    client.getLicenseUsage(),
    scope.promotions ? client.query(PERSONS_VQL) : Promise.resolve([]),
  ]);
  const vaultId = client.vaultId;
  if (vaultId === undefined) {
    throw new VaultRosterError('vault-response', 'Vault never said which vault the session is in (no X-VaultAPI-VaultId)');
  }
  const personMap = new Map<string, ClinicalPerson>();
  for (const row of persons) {
    const person = toPerson(row);
    if (person !== undefined) personMap.set(person.id, person);
  }
  return {
    vault_id: vaultId,
    authenticated_user: normaliseIdentity(asString(me.user_name__v) ?? ''),
    users,
    vault_ids: vaultIds,
    security_policies: policies.map((p) => p.name).sort(),
    persons: personMap,
    licenses,
    sitevault: scope.sitevault ?? new Map(),
  };
}
