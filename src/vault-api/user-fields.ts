/** Vault's names for user fields (VAULT-API.md §5.1), and the fields vault-roster never manages. */
import type { UserRecord } from '../model.js';

/** vault-roster user property → Vault legacy user field. */
export const USER_FIELD_TO_VAULT = {
  user_name: 'user_name__v',
  first_name: 'user_first_name__v',
  last_name: 'user_last_name__v',
  email: 'user_email__v',
  timezone: 'user_timezone__v',
  locale: 'user_locale__v',
  language: 'user_language__v',
  security_policy: 'security_policy_id__v',
  license_type: 'license_type__v',
  domain_admin: 'is_domain_admin__v',
  active: 'domain_active__v',
} as const satisfies Partial<Record<keyof UserRecord, string>>;

export type MappedUserProperty = keyof typeof USER_FIELD_TO_VAULT;

/** Fields Vault returns that are read-only or handled elsewhere; never treated as managed extras. */
export const READ_ONLY_USER_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'created_date__v',
  'created_by__v',
  'modified_date__v',
  'modified_by__v',
  'last_login__v',
  'domain_id__v',
  'domain_name__v',
  'vault_id__v',
  'group_id__v',
  'active__v',
  'security_profile__v',
  'vault_membership',
  'app_licensing',
]);

/** Email Vault gives its system-owned users (Vault Help, VAULT-API.md §5.2). */
export const SYSTEM_USER_EMAIL = 'no-reply@veeva.com';

