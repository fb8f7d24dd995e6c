/**
 * TypeScript views of data that passed its schema (specs/*.schema.json). Only code that runs
 * after `checkShape` succeeded may cast to these.
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

export interface RawMembership extends RawGrant {
  vault: number;
  security_profile?: string;
  license_type?: LicenseType;
  active?: boolean;
  apps?: Record<string, LicenseType>;
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
  /** Labels of groups the user is an explicit member of. */
  groups?: string[];
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
  sites?: (RawAssignment & { usn: string })[];
  studies?: { id: string; role: string }[];
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
  members?: string[];
}

export interface RawGroupsFile {
  groups: RawGroup[];
}
