/**
 * The simulator's in-memory records. Users keep their scalar fields under Vault's own names
 * (`fields`), so rendering a user is a copy plus the computed per-vault fields.
 */
import type { LicenseType } from '../model.js';
import type { SeedFieldValue } from './types.js';

export interface SimDomain {
  readonly name: string;
  readonly type: string;
  readonly id: number;
  readonly customUserFields: ReadonlySet<string>;
}

export interface SimApplication {
  readonly name: string;
  readonly label: string;
  /** Seats per valid license type. */
  readonly licenses: ReadonlyMap<LicenseType, number>;
}

export interface SimVault {
  readonly id: number;
  readonly name: string;
  readonly dns: string;
  readonly status: 'Active' | 'Inactive';
  readonly family: string;
  readonly profiles: readonly string[];
  readonly apps: ReadonlyMap<string, SimApplication>;
}

export interface SimPolicy {
  readonly name: string;
  readonly label: string;
  readonly authType: 'password' | 'sso' | 'veevaid';
  readonly description: string;
}

export interface SimMembership {
  readonly vault_id: number;
  readonly active: boolean;
  readonly profile: string;
  readonly license: LicenseType;
}

export interface SimAppLicense {
  readonly vault_id: number;
  readonly app: string;
  readonly active: boolean;
  readonly license: LicenseType;
}

/** A user. Treated as immutable once stored: writers clone, change, validate, then put. */
export interface SimUser {
  readonly id: number;
  /** user_name__v, names, email, locale…, security_policy_id__v (string), flags, audit dates, extras. */
  readonly fields: Readonly<Record<string, SeedFieldValue>>;
  /** Sorted by vault id. */
  readonly memberships: readonly SimMembership[];
  /** Sorted by vault id, then app. */
  readonly apps: readonly SimAppLicense[];
  readonly systemOwned: boolean;
  readonly lastVaultId: number | null;
}

export interface SvOrgAssignment {
  readonly org_id: string;
  readonly system_role_id: string;
  readonly addons: readonly string[];
}
export interface SvSiteAssignment {
  readonly site_usn: string;
  readonly system_role_id: string;
  readonly addons: readonly string[];
}
export interface SvStudyAssignment {
  readonly id: string;
  readonly study_role: string;
}

export interface SvPerson {
  readonly person_id: string;
  readonly email: string;
  readonly username: string | null;
  readonly first_name: string;
  readonly last_name: string;
  readonly security_policy_id: string;
  readonly person_type: 'staff__v' | 'external__v';
  readonly language: string;
  readonly is_investigator: boolean;
  readonly federated_id: string | null;
  readonly record_status: 'active__v' | 'inactive__v';
  readonly org_assignment: SvOrgAssignment | null;
  /** Sorted by site_usn. */
  readonly site_assignments: readonly SvSiteAssignment[];
  /** Sorted by id. */
  readonly study_assignments: readonly SvStudyAssignment[];
}

export interface SimSiteVault {
  readonly org: { readonly id: string; readonly name: string };
  readonly sites: readonly { readonly usn: string; readonly name: string }[];
  readonly studies: readonly { readonly id: string; readonly name: string; readonly site_usn: string }[];
  readonly policies: readonly string[];
  readonly persons: Map<string, SvPerson>;
}

export interface ClinicalPersonRecord {
  readonly id: string;
  readonly first_name__sys: string | null;
  readonly last_name__sys: string | null;
  readonly email__sys: string | null;
  readonly vault_user__sys: string | null;
  readonly status__v: string;
}

export interface SimClinical {
  readonly vault_id: number;
  readonly persons: Map<string, ClinicalPersonRecord>;
}

export type SimGroupKind = 'user_managed' | 'system' | 'auto' | 'manager';

/** A group of one vault. Treated as immutable once stored, like users. */
export interface SimGroup {
  readonly id: number;
  readonly vault_id: number;
  readonly label: string;
  readonly name: string;
  readonly kind: SimGroupKind;
  readonly description: string;
  readonly active: boolean;
  readonly allowDelegation: boolean;
  /** Explicit members, ascending. */
  readonly members: readonly number[];
  /** Profiles whose active users are implied members, sorted. */
  readonly profiles: readonly string[];
  /** All Internal Users: every active member of the vault without an external licence is implied. */
  readonly allInternal: boolean;
  readonly created: string;
  readonly modified: string;
}

/** Everything the store holds, as loaded from a seed. */
export interface StateData {
  readonly domain: SimDomain;
  readonly vaults: readonly SimVault[];
  readonly policies: readonly SimPolicy[];
  readonly users: readonly SimUser[];
  readonly sitevault: SimSiteVault | null;
  readonly clinical: SimClinical | null;
  readonly groups: readonly SimGroup[];
  readonly nextUserId: number;
  readonly nextSiteVaultPerson: number;
  readonly nextGroupId: number;
}

export function userName(user: SimUser): string {
  const name = user.fields.user_name__v;
  return typeof name === 'string' ? name : '';
}

export function membershipOf(user: SimUser, vaultId: number): SimMembership | undefined {
  return user.memberships.find((m) => m.vault_id === vaultId);
}

export function isDomainActive(user: SimUser): boolean {
  return user.fields.domain_active__v !== false;
}

export function isDomainAdmin(user: SimUser): boolean {
  return user.fields.is_domain_admin__v === true;
}

/** Formats a legacy person/record id: prefix + 12-digit sequence. */
export function recordId(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(12, '0')}`;
}
