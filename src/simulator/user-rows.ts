/**
 * Applies one row (bulk CSV/JSON row or single-user form) to a user: field checks,
 * memberships, application licenses, license rules and the last-Domain-Admin guard.
 * Works on a copy and returns the new user; nothing is stored unless the whole row is valid,
 * so a failed row never leaves a half-applied user behind.
 */
import { isLicenseAllowedUnder, type LicenseType } from '../model.js';
import { EncodingError, isLicenseType, parseAppLicensingCell, parseBoolean, parseMembershipCell } from './encodings.js';
import { CALLING_VAULT_FIELDS, checkFieldValue, CUSTOM_FIELD, READ_ONLY_FIELDS, RowError, USER_FIELDS } from './user-fields.js';
import { isDomainActive, isDomainAdmin, userName, type SimAppLicense, type SimMembership, type SimUser } from './records.js';
import type { SeedFieldValue } from './types.js';
import type { SimCore } from './core.js';

/** A submitted row after the route turned clear spellings into null. */
export type Row = Readonly<Record<string, SeedFieldValue>>;

export interface RowMode {
  /** Creating a new user (plain create or upsert without a match). */
  readonly creating: boolean;
  /** Single-user create: the user joins the calling vault unless `domain=true`. */
  readonly joinCallingVault: boolean;
  /** Update Multiple Users: `security_profile__v` is not supported there. */
  readonly bulkUpdate: boolean;
  /** Key column that identifies the user (`id` or `user_name__v`), skipped as a field. */
  readonly keyField?: 'id' | 'user_name__v';
}

export interface RowActor {
  readonly core: SimCore;
  readonly caller: SimUser;
  readonly vaultId: number;
}

const PSEUDO_FIELDS = new Set(['vault_membership', 'app_licensing', 'domain']);
const READ_ONLY = new Set<string>(READ_ONLY_FIELDS);

function classify(row: Row, mode: RowMode, actor: RowActor): void {
  const problems: string[] = [];
  for (const key of Object.keys(row)) {
    if (key === mode.keyField) continue;
    if (USER_FIELDS[key] !== undefined || CALLING_VAULT_FIELDS.has(key) || PSEUDO_FIELDS.has(key)) continue;
    if (key.endsWith('__c') && actor.core.store.domain.customUserFields.has(key)) continue;
    problems.push(READ_ONLY.has(key) ? `Attribute [${key}] is read-only` : `Attribute [${key}] is not supported`);
  }
  if (mode.bulkUpdate && 'security_profile__v' in row) {
    problems.push('Attribute [security_profile__v] is not supported by Update Multiple Users; use vault_membership');
  }
  if (mode.creating && 'domain_active__v' in row) problems.push('Attribute [domain_active__v] cannot be set on create');
  if (!mode.creating && 'domain' in row) problems.push('Attribute [domain] is only valid on create');
  const [first] = problems;
  if (first !== undefined) throw new RowError('ATTRIBUTE_NOT_SUPPORTED', problems.join('; '));
}

function rowBoolean(row: Row, key: string): boolean | undefined {
  const raw = row[key];
  if (raw === undefined || raw === null) return undefined;
  const value = parseBoolean(raw);
  if (value === undefined) throw new RowError('INVALID_DATA', `invalid value [${String(raw)}] for field [${key}]`);
  return value;
}

function rowLicense(row: Row): LicenseType | undefined {
  const raw = row.license_type__v;
  if (raw === undefined || raw === null) return undefined;
  const value = String(raw).trim();
  if (!isLicenseType(value)) throw new RowError('INVALID_DATA', `invalid value [${value}] for field [license_type__v]`);
  return value;
}

function cell(row: Row, key: string): string | undefined {
  const raw = row[key];
  if (raw === undefined) return undefined;
  if (raw === null) throw new RowError('INVALID_DATA', `field [${key}] cannot be cleared`);
  return String(raw);
}

function requireAdmin(actor: RowActor, vaultId: number): void {
  if (!actor.core.isAdminOf(actor.caller, vaultId)) {
    throw new RowError('INSUFFICIENT_ACCESS', `User [${actor.caller.id}] has no admin access to vault [${vaultId}]`);
  }
}

function checkProfile(actor: RowActor, vaultId: number, profile: string): void {
  const vault = actor.core.store.vaults.get(vaultId);
  if (vault !== undefined && !vault.profiles.includes(profile)) {
    throw new RowError('INVALID_DATA', `invalid security profile [${profile}] for vault [${vaultId}]`);
  }
}

function applyMemberships(row: Row, mode: RowMode, actor: RowActor, base: readonly SimMembership[], domainOnly: boolean): Map<number, SimMembership> {
  const store = actor.core.store;
  const result = new Map(base.map((m) => [m.vault_id, m]));
  const explicit = new Map<number, Set<string>>();
  const active = rowBoolean(row, 'active__v');
  const profile = row.security_profile__v === undefined || row.security_profile__v === null ? undefined : String(row.security_profile__v).trim();
  const license = rowLicense(row);
  const membershipCell = cell(row, 'vault_membership');
  if (membershipCell !== undefined) {
    if (domainOnly) throw new RowError('INVALID_DATA', 'a row with domain=true cannot have vault_membership');
    let patches;
    try {
      patches = parseMembershipCell(membershipCell);
    } catch (error) {
      throw new RowError('INVALID_DATA', `invalid vault_membership: ${(error as EncodingError).message}`);
    }
    for (const p of patches) {
      if (!store.vaults.has(p.vault_id)) throw new RowError('INVALID_DATA', `invalid vault id [${p.vault_id}] in vault_membership`);
      requireAdmin(actor, p.vault_id);
      const old = result.get(p.vault_id);
      const next: SimMembership =
        old === undefined
          ? { vault_id: p.vault_id, active: p.active ?? true, profile: p.profile ?? profile ?? 'document_user__v', license: p.license ?? license ?? 'full__v' }
          : { vault_id: p.vault_id, active: p.active ?? old.active, profile: p.profile ?? old.profile, license: p.license ?? old.license };
      checkProfile(actor, p.vault_id, next.profile);
      result.set(p.vault_id, next);
      explicit.set(p.vault_id, new Set([p.active === undefined ? '' : 'active', p.profile === undefined ? '' : 'profile', p.license === undefined ? '' : 'license']));
    }
  }
  const here = actor.vaultId;
  if (mode.joinCallingVault && !domainOnly && !result.has(here)) {
    requireAdmin(actor, here);
    result.set(here, { vault_id: here, active: active ?? true, profile: profile ?? 'document_user__v', license: license ?? 'full__v' });
    explicit.set(here, new Set(['active', 'profile', 'license']));
  }
  const current = result.get(here);
  if (current !== undefined && (active !== undefined || profile !== undefined || license !== undefined)) {
    const given = explicit.get(here) ?? new Set<string>();
    const next: SimMembership = {
      vault_id: here,
      active: active !== undefined && !given.has('active') ? active : current.active,
      profile: profile !== undefined && !given.has('profile') ? profile : current.profile,
      license: license !== undefined && !given.has('license') ? license : current.license,
    };
    if (next.active !== current.active || next.profile !== current.profile || next.license !== current.license) requireAdmin(actor, here);
    checkProfile(actor, here, next.profile);
    result.set(here, next);
  }
  return result;
}

function applyApps(row: Row, actor: RowActor, base: readonly SimAppLicense[], memberships: ReadonlyMap<number, SimMembership>): SimAppLicense[] {
  const store = actor.core.store;
  const result = new Map(base.map((a) => [`${a.vault_id}|${a.app}`, a]));
  const explicit = new Set<string>();
  const userLicense = rowLicense(row);
  const appCell = cell(row, 'app_licensing');
  if (appCell !== undefined) {
    let patches;
    try {
      patches = parseAppLicensingCell(appCell);
    } catch (error) {
      throw new RowError('INVALID_DATA', `invalid app_licensing: ${(error as EncodingError).message}`);
    }
    for (const p of patches) {
      const vault = store.vaults.get(p.vault_id);
      if (vault === undefined) throw new RowError('INVALID_DATA', `invalid vault id [${p.vault_id}] in app_licensing`);
      const membership = memberships.get(p.vault_id);
      if (membership === undefined) throw new RowError('INVALID_DATA', `user is not a member of vault [${p.vault_id}]; add vault_membership first`);
      const application = vault.apps.get(p.app);
      if (application === undefined) throw new RowError('INVALID_DATA', `vault [${p.vault_id}] has no application [${p.app}]`);
      requireAdmin(actor, p.vault_id);
      const key = `${p.vault_id}|${p.app}`;
      const old = result.get(key);
      const next: SimAppLicense = { vault_id: p.vault_id, app: p.app, active: p.active ?? old?.active ?? true, license: p.license ?? old?.license ?? 'full__v' };
      if (!application.licenses.has(next.license)) {
        throw new RowError('INVALID_DATA', `license type [${next.license}] is not valid for application [${p.app}]`);
      }
      if (next.active && !isLicenseAllowedUnder(next.license, membership.license)) {
        throw new RowError('OPERATION_NOT_ALLOWED', `application license [${p.app}:${next.license}] is more permissive than the vault [${p.vault_id}] license [${membership.license}]`);
      }
      if (next.active && userLicense !== undefined && !isLicenseAllowedUnder(next.license, userLicense)) {
        throw new RowError('OPERATION_NOT_ALLOWED', `application license [${p.app}:${next.license}] is more permissive than the user license [${userLicense}]`);
      }
      result.set(key, next);
      explicit.add(key);
    }
  }
  // 24R2: Vault corrects existing app licenses a lowered vault license no longer allows.
  const corrected: SimAppLicense[] = [];
  for (const [key, app] of result) {
    const membership = memberships.get(app.vault_id);
    if (explicit.has(key) || membership === undefined || isLicenseAllowedUnder(app.license, membership.license)) {
      corrected.push(app);
      continue;
    }
    const valid = store.vaults.get(app.vault_id)?.apps.get(app.app)?.licenses.has(membership.license) === true;
    if (valid) corrected.push({ ...app, license: membership.license });
  }
  return corrected.sort((a, b) => a.vault_id - b.vault_id || a.app.localeCompare(b.app));
}

/** Builds the new version of `base` (or a new user when base is undefined). Throws RowError. */
export function applyRow(actor: RowActor, base: SimUser | undefined, row: Row, mode: RowMode): SimUser {
  const { core, caller } = actor;
  const store = core.store;
  if (core.faults.failsRow(String(row.user_name__v ?? ''), String(row.user_email__v ?? ''), base === undefined ? '' : userName(base), String(base?.fields.user_email__v ?? ''))) {
    throw new RowError('INVALID_DATA', 'row failed by fault injection (fail-rows)');
  }
  classify(row, mode, actor);
  if (base?.systemOwned === true) throw new RowError('OPERATION_NOT_ALLOWED', `user [${base.id}] is system-owned and read-only`);
  const fields: Record<string, SeedFieldValue> = base === undefined ? {} : { ...base.fields };
  for (const [key, raw] of Object.entries(row)) {
    const def = USER_FIELDS[key] ?? (key.endsWith('__c') ? CUSTOM_FIELD : undefined);
    if (def === undefined) continue;
    const value = checkFieldValue(key, raw, def, store);
    // Sending the current value of a Domain-Admin-only field is harmless; changing it is not.
    const current = fields[key] ?? (def.kind === 'boolean' ? (key === 'domain_active__v') : null);
    if (def.domainAdminOnly === true && value !== current && !isDomainAdmin(caller)) {
      throw new RowError('INSUFFICIENT_ACCESS', `only a Domain Admin may change [${key}]`);
    }
    fields[key] = value;
  }
  if (mode.creating) {
    const missing = Object.entries(USER_FIELDS)
      .filter(([key, def]) => def.required === true && (fields[key] === undefined || fields[key] === null))
      .map(([key]) => key);
    if (missing.length > 0) throw new RowError('PARAMETER_REQUIRED', `Missing required parameter [${missing.join(', ')}]`);
  }
  const name = String(fields.user_name__v);
  const clash = store.userByName(name);
  if (clash !== undefined && clash.id !== base?.id) {
    throw new RowError(actor.core.profile.write.duplicateUserError, `a user named [${name}] already exists (id ${clash.id})`);
  }
  const fid = fields.federated_id__v;
  if (typeof fid === 'string' && fid !== '' && store.findFederatedId(fid, base?.id ?? -1) !== undefined) {
    throw new RowError('FEDERATED_ID_ALREADY_EXISTS', `another user already has federated id [${fid}]`);
  }
  const domainOnly = mode.creating && parseBoolean(row.domain ?? false) === true;
  const memberships = applyMemberships(row, mode, actor, base?.memberships ?? [], domainOnly);
  const apps = applyApps(row, actor, base?.apps ?? [], memberships);
  const wasActive = base === undefined || isDomainActive(base);
  const nowActive = fields.domain_active__v !== false;
  if (wasActive && !nowActive) for (const [id, m] of memberships) memberships.set(id, { ...m, active: false });
  if (base !== undefined && isDomainAdmin(base) && isDomainActive(base) && (fields.is_domain_admin__v !== true || !nowActive)) {
    if (store.activeDomainAdminCount(base.id) === 0) {
      throw new RowError('OPERATION_NOT_ALLOWED', 'the domain must keep at least one active Domain Admin');
    }
  }
  const now = core.nowIso();
  fields.modified_date__v = now;
  fields.modified_by__v = caller.id;
  if (base === undefined) {
    fields.domain_active__v = true;
    fields.is_domain_admin__v = fields.is_domain_admin__v === true;
    fields.user_needs_to_change_password__v ??= false;
    fields.created_date__v = now;
    fields.created_by__v = caller.id;
    fields.last_login__v = null;
  }
  return {
    id: base?.id ?? -1,
    fields,
    memberships: [...memberships.values()].sort((a, b) => a.vault_id - b.vault_id),
    apps,
    systemOwned: false,
    lastVaultId: base?.lastVaultId ?? null,
  };
}

/** Stores a user applyRow built; allocates the id of a new one. Ends sessions of a disabled user. */
export function commitUser(core: SimCore, user: SimUser): SimUser {
  const stored = user.id > 0 ? user : { ...user, id: core.store.allocateUserId() };
  const before = core.store.user(stored.id);
  core.store.putUser(stored);
  if (before !== undefined && isDomainActive(before) && !isDomainActive(stored)) core.sessions.endForUser(stored.id);
  return stored;
}
