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
import { decodeUserMemberships, READ_ONLY_USER_FIELDS, SYSTEM_USER_EMAIL, USER_FIELD_TO_VAULT } from '../vault-api/index.js';

export interface LiveStateScope {
  /** Read Clinical persons (person__sys) too: only needed when the desired state promotes persons. */
  readonly promotions: boolean;
  /** SiteVault persons from the last-applied state file (Vault has no read API for them). */
  readonly sitevault?: ReadonlyMap<string, AppliedSiteVaultPerson>;
}

export const PERSONS_VQL = 'SELECT id, email__sys, first_name__sys, last_name__sys, vault_user__sys FROM person__sys';

/** Vault fields that never go into `fields`: read-only ones and those mapped to named properties. */
const NOT_EXTRA_FIELDS: ReadonlySet<string> = new Set([...READ_ONLY_USER_FIELDS, ...Object.values(USER_FIELD_TO_VAULT)]);

function isLicenseType(value: string | undefined): value is LicenseType {
  return value !== undefined && (LICENSE_TYPES as readonly string[]).includes(value);
}

/** Vault's system-owned users (System, Application Owner, SDK service account, …) are not managed. */
export function isSystemUser(user: JsonRecord): boolean {
  return asString(user.user_email__v)?.trim().toLowerCase() === SYSTEM_USER_EMAIL;
}

/** Text properties and the Vault fields they come from (the policy arrives as a number on read). */
const TEXT_PROPERTIES = [
  ['first_name', USER_FIELD_TO_VAULT.first_name],
  ['last_name', USER_FIELD_TO_VAULT.last_name],
  ['email', USER_FIELD_TO_VAULT.email],
  ['timezone', USER_FIELD_TO_VAULT.timezone],
  ['locale', USER_FIELD_TO_VAULT.locale],
  ['language', USER_FIELD_TO_VAULT.language],
  ['security_policy', USER_FIELD_TO_VAULT.security_policy],
] as const;

type MutableLiveUser = { -readonly [K in keyof LiveUser]: LiveUser[K] };

/**
 * One Vault user in vault-roster's shape; `undefined` when it has no id or user name.
 * Runs once per user of the domain (100,000+), so it builds the record in place.
 */
export function normaliseLiveUser(user: JsonRecord): LiveUser | undefined {
  const id = asId(user.id);
  const userName = asString(user.user_name__v);
  if (id === undefined || userName === undefined || userName.trim() === '') return undefined;
  const fields: Record<string, FieldValue> = {};
  for (const key in user) {
    if (NOT_EXTRA_FIELDS.has(key)) continue;
    const value = user[key];
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  const out: Partial<MutableLiveUser> = { id, user_name: normaliseIdentity(userName) };
  for (const [property, vaultName] of TEXT_PROPERTIES) {
    const value = user[vaultName];
    if (typeof value === 'string') out[property] = value;
    else if (typeof value === 'number') out[property] = String(value);
  }
  const licenseType = user.license_type__v;
  if (typeof licenseType === 'string' && isLicenseType(licenseType)) out.license_type = licenseType;
  const domainAdmin = asBoolean(user.is_domain_admin__v);
  if (domainAdmin !== undefined) out.domain_admin = domainAdmin;
  const domainActive = asBoolean(user.domain_active__v);
  if (domainActive !== undefined) out.active = domainActive;
  out.fields = fields;
  out.memberships = decodeUserMemberships(user.vault_membership, user.app_licensing);
  return out as LiveUser;
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
