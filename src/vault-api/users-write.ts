/**
 * Typed user writes → Vault request bodies (VAULT-API.md §5.4-5.8, §9.1). The only place that
 * knows which `__v` / `__sys` name carries which value and how memberships are encoded on the
 * way in. Pure.
 */
import { VaultRosterError } from '../errors.js';
import { USER_VALUE_KEYS, type FieldValue } from '../model.js';
import type { DomainUserRow, NewUserRow, PromoteRow, UserValues, UserWriteRow } from '../plan/types.js';
import { encodeAppLicensing, encodeMembership } from './membership-encode.js';
import { USER_FIELD_TO_VAULT } from './user-fields.js';

export type UserBody = Record<string, FieldValue>;

function putValues(body: UserBody, values: UserValues): void {
  for (const key of USER_VALUE_KEYS) {
    const value = values[key];
    if (value !== undefined) body[USER_FIELD_TO_VAULT[key]] = value;
  }
  if (values.domain_admin !== undefined) body[USER_FIELD_TO_VAULT.domain_admin] = values.domain_admin;
  for (const [name, value] of Object.entries(values.fields ?? {})) body[name] = value;
}

function putMembership(body: UserBody, row: NewUserRow | UserWriteRow): void {
  if (row.membership !== undefined) body.vault_membership = encodeMembership(row.membership);
  if (row.apps !== undefined && Object.keys(row.apps.apps).length > 0) body.app_licensing = encodeAppLicensing(row.apps.vault_id, row.apps.apps);
}

/**
 * Create Multiple Users row. Row-level `security_profile__v` and `license_type__v` describe the
 * calling vault (§5.3), so they are sent only when the new membership is in the session's vault.
 */
export function newUserBody(row: NewUserRow, sessionVaultId: number): UserBody {
  const body: UserBody = { user_name__v: row.key };
  putValues(body, row.values);
  if (row.membership?.vault_id === sessionVaultId) {
    body.security_profile__v = row.membership.security_profile;
    body.license_type__v = row.membership.license_type;
  }
  putMembership(body, row);
  if (row.membership === undefined && row.domain_only === true) body.domain = true;
  return body;
}

/** Upsert or bulk-update row: matched by user name or by id. */
export function userWriteBody(row: UserWriteRow, match: 'user_name' | 'id'): UserBody {
  const body: UserBody = match === 'user_name' ? { user_name__v: row.key } : { id: requireId(row) };
  putValues(body, row.values);
  putMembership(body, row);
  return body;
}

function requireId(row: UserWriteRow): number {
  if (row.user_id === undefined) {
    throw new VaultRosterError('plan-invalid', `a write matched by id has no user id for ${row.key}`, {
      hint: 'Make the plan again with vault-roster plan; admission refuses such a plan before any write.',
    });
  }
  return row.user_id;
}

/** Update Single User fields: domain flags and cleared values (`null` clears, §5.6). */
export function domainUserFields(row: DomainUserRow): UserBody {
  const body: UserBody = {};
  if (row.active !== undefined) body[USER_FIELD_TO_VAULT.active] = row.active;
  if (row.domain_admin !== undefined) body[USER_FIELD_TO_VAULT.domain_admin] = row.domain_admin;
  for (const name of row.clears) body[name in USER_FIELD_TO_VAULT ? USER_FIELD_TO_VAULT[name as keyof typeof USER_FIELD_TO_VAULT] : name] = null;
  return body;
}

/** Promote Person to User body names (§9.1). */
const PROMOTE_NAMES = {
  first_name: 'first_name__sys',
  last_name: 'last_name__sys',
  email: 'email__sys',
  language: 'language__sys',
  timezone: 'timezone__sys',
  locale: 'locale__sys',
} as const;

/** Promote body fields vault-roster fills itself; `promote_fields` in YAML may not set them. */
export const PROMOTE_OWN_FIELDS: ReadonlySet<string> = new Set([
  'source_person_id',
  'username__sys',
  ...Object.values(PROMOTE_NAMES),
  'security_profile__sys',
  'license_type__sys',
  'domain_admin__sys',
]);

/**
 * A row's references (language, locale, security profile) go as the record ids the plan resolved
 * from `vault.promote_reference_ids` when it has them, else as the names from YAML.
 */
export function promoteBody(row: PromoteRow): UserBody {
  const body: UserBody = { source_person_id: row.person_id, username__sys: row.key };
  for (const [key, name] of Object.entries(PROMOTE_NAMES)) {
    const value = row.values[key as keyof typeof PROMOTE_NAMES];
    if (value !== undefined) body[name] = value;
  }
  if (row.references?.language !== undefined) body.language__sys = row.references.language;
  if (row.references?.locale !== undefined) body.locale__sys = row.references.locale;
  if (row.security_profile !== undefined) body.security_profile__sys = row.references?.security_profile ?? row.security_profile;
  if (row.license_type !== undefined) body.license_type__sys = row.license_type;
  if (row.values.domain_admin === true) body.domain_admin__sys = true;
  for (const [name, value] of Object.entries(row.fields ?? {})) if (!PROMOTE_OWN_FIELDS.has(name)) body[name] = value;
  return body;
}
