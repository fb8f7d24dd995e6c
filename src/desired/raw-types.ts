/**
 * TypeScript views of data that passed its schema (specs/*.schema.json). Only code that runs
 * after `checkShape` succeeded may cast to these. The accessors at the end read a value that has
 * a short (string) and an object (time-boxed) form.
 */
import type { BodyFormat, ReviewFlag, FieldValue, LicenseType, SiteVaultPersonType, UnmanagedGroupPolicy, UnmanagedUserPolicy } from '../model.js';

export interface RawConfig {
  vault: {
    url?: string;
    api_version: string;
    vault_id?: number;
    dns?: string;
    page_size?: number;
    body_format?: BodyFormat;
    promote_reference_ids?: Partial<Record<'language' | 'locale' | 'security_profile', Record<string, string>>>;
  };
  include: string[];
  defaults?: {
    timezone?: string;
    locale?: string;
    language?: string;
    security_policy?: string | number;
    license_type?: LicenseType;
    security_profile?: string;
  };
  policy?: {
    unmanaged_users?: UnmanagedUserPolicy;
    max_deactivations?: number;
    max_deactivation_share?: number;
    max_access_removals?: number;
    max_access_removal_share?: number;
    protected_users?: string[];
    max_admin_grants?: number;
    unmanaged_groups?: UnmanagedGroupPolicy;
    max_group_member_removals?: number;
    expiry_warning_days?: number;
    require_valid_until?: Partial<Record<'external_licenses' | 'veevaid_users' | 'admin_profiles', { max_days?: number }>>;
    scope?: { vaults?: number[] };
  };
  review?: {
    dormant_days?: number;
    interval_days?: number;
    owners?: Record<string, string | string[]>;
    orphan_owner?: string;
  };
  state?: string;
}

/** `valid_from` / `valid_until` / `reason` of a time-boxed grant. */
export interface RawGrant {
  valid_from?: string;
  valid_until?: string;
  reason?: string;
}

/** The object form of an application licence: a licence type with a time box. */
export interface RawAppLicense extends RawGrant {
  license_type: LicenseType;
}

export interface RawMembership extends RawGrant {
  vault: number;
  security_profile?: string;
  license_type?: LicenseType;
  active?: boolean;
  /** A licence type, or the object form with a time box. */
  apps?: Record<string, LicenseType | RawAppLicense>;
}

/** The object form of an item of a user's `groups:`: a label with a time box. */
export interface RawGroupRef extends RawGrant {
  group: string;
}

export interface RawUser extends RawGrant {
  user_name: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  timezone?: string;
  locale?: string;
  language?: string;
  security_policy?: string | number;
  license_type?: LicenseType;
  domain_admin?: boolean;
  active?: boolean;
  fields?: Record<string, FieldValue>;
  memberships?: RawMembership[];
  /** Labels of groups the user is an explicit member of (or the object form with a time box). */
  groups?: (string | RawGroupRef)[];
  promote_from_person?: string;
  promote_fields?: Record<string, string | number | boolean>;
  /** The last access review that kept the user (never sent to Vault). */
  reviewed?: { by: string; on: string };
  /** A deferred review decision. */
  review_exception?: { until: string; reason: string; flags: ReviewFlag[] };
}

export interface RawUsersFile {
  users: RawUser[];
}

export interface RawAssignment {
  role: string;
  addons?: string[];
}

export interface RawSiteVaultPerson {
  email: string;
  username?: string;
  first_name: string;
  last_name: string;
  security_policy: string | number;
  person_type: SiteVaultPersonType;
  investigator: boolean;
  language?: string;
  federated_id?: string;
  org: RawAssignment & { id: string };
  sites?: (RawAssignment & RawGrant & { usn: string })[];
  studies?: (RawGrant & { id: string; role: string })[];
}

export interface RawSiteVaultFile {
  sitevault_users: RawSiteVaultPerson[];
}

export interface RawGroup {
  label: string;
  name?: string;
  description?: string;
  active?: boolean;
  allow_delegation_among_members?: boolean;
  security_profiles?: string[];
  /** User names (or the object form with a time box). */
  members?: (string | RawGroupMember)[];
}

/** The object form of a group member: a user name with a time box. */
export interface RawGroupMember extends RawGrant {
  user: string;
}

export interface RawGroupsFile {
  groups: RawGroup[];
}

/** The licence type of an `apps:` value, in either form. */
export function appLicenseType(value: LicenseType | RawAppLicense): LicenseType {
  return typeof value === 'string' ? value : value.license_type;
}

/** Whether any app licence of these memberships is in its object form (the one that may carry a time box). */
export function hasObjectFormApp(memberships: readonly RawMembership[]): boolean {
  for (const m of memberships) {
    for (const app in m.apps) if (typeof m.apps[app] !== 'string') return true;
  }
  return false;
}

/** The user name of a group's `members:` item, in either form. */
export function memberName(item: string | RawGroupMember): string {
  return typeof item === 'string' ? item : item.user;
}

/** The label of a user's `groups:` item, in either form. */
export function refLabel(item: string | RawGroupRef): string {
  return typeof item === 'string' ? item : item.group;
}
