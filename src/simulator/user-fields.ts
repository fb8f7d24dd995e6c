/**
 * Legacy user field definitions (VAULT-API.md §5.1) and the checking of one scalar value.
 * The same table serves Retrieve User Metadata and the write endpoints, so what metadata
 * calls editable is exactly what the writers accept.
 */
import { parseBoolean } from './encodings.js';
import type { SeedFieldValue } from './types.js';
import type { Store } from './store.js';
import type { WriteBehaviour } from './profiles.js';

export class RowError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Kind = 'string' | 'username' | 'email' | 'timezone' | 'locale' | 'language' | 'boolean' | 'policy';

export interface FieldDef {
  readonly kind: Kind;
  readonly length: number;
  readonly required?: boolean;
  /** Not settable on create (domain_active__v). */
  readonly notOnCreate?: boolean;
  /** Only a Domain Admin may set it (VAULT-API.md §5.6). */
  readonly domainAdminOnly?: boolean;
  readonly queryable?: boolean;
}

/** Editable scalar fields stored on the user. */
export const USER_FIELDS: Readonly<Record<string, FieldDef>> = {
  user_name__v: { kind: 'username', length: 255, required: true },
  user_first_name__v: { kind: 'string', length: 100, required: true },
  user_last_name__v: { kind: 'string', length: 100, required: true },
  alias__v: { kind: 'string', length: 40, queryable: false },
  user_email__v: { kind: 'email', length: 255, required: true },
  user_timezone__v: { kind: 'timezone', length: 255, required: true },
  user_locale__v: { kind: 'locale', length: 10, required: true },
  user_language__v: { kind: 'language', length: 10, required: true },
  user_title__v: { kind: 'string', length: 255 },
  site__v: { kind: 'string', length: 255 },
  company__v: { kind: 'string', length: 255 },
  fax__v: { kind: 'string', length: 20 },
  office_phone__v: { kind: 'string', length: 20 },
  mobile_phone__v: { kind: 'string', length: 20 },
  is_domain_admin__v: { kind: 'boolean', length: 0, domainAdminOnly: true },
  domain_active__v: { kind: 'boolean', length: 0, domainAdminOnly: true, notOnCreate: true },
  security_policy_id__v: { kind: 'policy', length: 20, required: true },
  user_needs_to_change_password__v: { kind: 'boolean', length: 0 },
  federated_id__v: { kind: 'string', length: 100 },
  salesforce_user_name__v: { kind: 'string', length: 255 },
  medidata_uuid__v: { kind: 'string', length: 255 },
};

/** Fields that describe the user in the calling vault (its membership there). */
export const CALLING_VAULT_FIELDS = new Set(['active__v', 'security_profile__v', 'license_type__v']);

/** Read-only fields Vault returns; sending one is ATTRIBUTE_NOT_SUPPORTED. */
export const READ_ONLY_FIELDS = [
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
] as const;

let timezones: Set<string> | undefined;
/** IANA names incl. aliases ICU does not list (Node 20 lists Asia/Calcutta, not Asia/Kolkata). */
function knownTimezones(): { has(name: string): boolean } {
  timezones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'GMT']);
  const known = timezones;
  return {
    has: (name) => {
      if (known.has(name)) return true;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: name });
      } catch {
        return false;
      }
      if (!name.includes('/')) return false;
      known.add(name);
      return true;
    },
  };
}

function invalid(field: string, value: unknown, why: string): RowError {
  return new RowError('INVALID_DATA', `invalid value [${String(value)}] for field [${field}]: ${why}`);
}

function text(field: string, value: string | number | boolean, def: FieldDef): string {
  if (typeof value === 'boolean') throw invalid(field, value, 'expected text');
  const s = String(value).trim();
  if (def.length > 0 && s.length > def.length) throw invalid(field, `${s.slice(0, 20)}…`, `longer than ${def.length} characters`);
  return s;
}

/**
 * Checks one value and returns what to store; `null` means clear. Throws RowError.
 * `raw` null is a clear request (callers turn `''`/`'null'` into null beforehand).
 */
export function checkFieldValue(field: string, raw: SeedFieldValue, def: FieldDef, store: Store): SeedFieldValue {
  if (raw === null) {
    if (def.required === true || def.kind === 'boolean') throw new RowError('INVALID_DATA', `field [${field}] cannot be cleared`);
    return null;
  }
  switch (def.kind) {
    case 'boolean': {
      const b = parseBoolean(raw);
      if (b === undefined) throw invalid(field, raw, 'expected true or false');
      return b;
    }
    case 'policy': {
      const name = text(field, raw, def);
      if (!store.policies.some((p) => p.name === name)) throw invalid(field, name, 'no such security policy');
      return name;
    }
    case 'username': {
      const s = text(field, raw, def);
      if (!/^[^\s@]+@[^\s@]+$/.test(s)) throw invalid(field, s, 'a user name looks like name@domain');
      return s;
    }
    case 'email': {
      const s = text(field, raw, def);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) throw invalid(field, s, 'not an email address');
      return s;
    }
    case 'timezone': {
      const s = text(field, raw, def);
      if (!knownTimezones().has(s)) throw invalid(field, s, 'not a time zone such as America/New_York');
      return s;
    }
    case 'locale': {
      const s = text(field, raw, def);
      if (!/^[a-z]{2,3}_[A-Z]{2}$/.test(s)) throw invalid(field, s, 'not a locale such as en_US');
      return s;
    }
    case 'language': {
      const s = text(field, raw, def);
      if (!/^[a-z]{2}(_[A-Z]{2})?$/.test(s)) throw invalid(field, s, 'not a language code such as en');
      return s;
    }
    case 'string':
      return text(field, raw, def);
  }
}

/** Definition for a declared custom field (`*__c`). */
export const CUSTOM_FIELD: FieldDef = { kind: 'string', length: 255 };

/** Turns the "clear" spellings of a submitted value into null. */
export function clearToNull(value: SeedFieldValue): SeedFieldValue {
  if (value === '' || (typeof value === 'string' && value.trim().toLowerCase() === 'null')) return null;
  return value;
}

/**
 * A submitted value under a profile's clear rule (profiles.ts `write.clearWith`): `null` clears,
 * `undefined` means "not supplied" (the field is left as it is).
 */
export function clearValue(value: SeedFieldValue, mode: WriteBehaviour['clearWith']): SeedFieldValue | undefined {
  const isNullText = typeof value === 'string' && value.trim().toLowerCase() === 'null';
  switch (mode) {
    case 'null-or-empty':
      return clearToNull(value);
    case 'null-only':
      if (value === '') return undefined;
      return value === null || isNullText ? null : value;
    case 'empty-only':
      if (value === null) return undefined;
      return value === '' ? null : value;
  }
}
