/**
 * Decoding `vault_membership` / `app_licensing` as Retrieve User(s) returns them (VAULT-API.md
 * §5.3, §5.12). Their response shape is not documented, so every plausible one is read:
 * - the documented input grammar, one cell: `3003:true:system_admin__v:full__v;4004:…` and
 *   `3003|rimReg_v:true:full__v|rimSubs_v:false:read_only__v;4004|…`;
 * - an array of such cells;
 * - an array of objects, keys spelled `vault_id` / `vault_id__v` / `id`, `application_name` /
 *   `application_name__v`, `active__v` / `active` / `status__v` (booleans as JSON or text, or
 *   the `active__v` / `inactive__v` picklist), `security_profile__v`, `license_type__v`.
 * Anything else, and any entry missing a part, throws `WireDecodeError`: on the read side a
 * missing profile, licence or active flag is never defaulted (Vault's own defaults apply to
 * what a client sends, not to what it reads). Pure; no I/O.
 */
import { LICENSE_TYPES, type AppLicense, type LicenseType, type Membership } from '../model.js';
import { decodeActive, decodeId, decodePicklist, WireDecodeError } from './value-decode.js';

const MEMBERSHIP = 'vault_membership';
const APPS = 'app_licensing';
// Where a part of a cell is named in errors (built once: the decoders run per user of the domain).
const M_ID = `${MEMBERSHIP} (vault id)`;
const M_ACTIVE = `${MEMBERSHIP} (active flag)`;
const M_PROFILE = `${MEMBERSHIP} (security profile)`;
const M_LICENSE = `${MEMBERSHIP} (license type)`;
const A_ID = `${APPS} (vault id)`;
const A_APP = `${APPS} (application)`;
const A_ACTIVE = `${APPS} (active flag)`;
const A_LICENSE = `${APPS} (license type)`;

/** A profile name as Vault's APIs use it (`system_admin__v`, `custom_auditor__c`); not a record id. */
const PROFILE_NAME = /^[a-z][a-z0-9_]*__[a-z]+$/;
/** An application code of `app_licensing` (`rimReg_v`, `qualityQms_v`, `pm_promomats__v`). */
const APP_CODE = /^[A-Za-z][A-Za-z0-9_]*$/;

function isLicenseType(value: string): value is LicenseType {
  return (LICENSE_TYPES as readonly string[]).includes(value);
}

function decodeLicense(value: unknown, field: string): LicenseType {
  const text = decodePicklist(value, field);
  if (!isLicenseType(text)) throw new WireDecodeError(field, `expected a license type (${LICENSE_TYPES.join(', ')})`, value);
  return text;
}

function decodeProfile(value: unknown, field: string): string {
  const text = decodePicklist(value, field);
  if (!PROFILE_NAME.test(text)) throw new WireDecodeError(field, 'expected a security profile name such as document_user__v', value);
  return text;
}

function decodeAppCode(value: unknown, field: string): string {
  const text = decodePicklist(value, field);
  if (!APP_CODE.test(text)) throw new WireDecodeError(field, 'expected an application code such as rimReg_v', value);
  return text;
}

/** One decoded membership without apps; apps are merged in by `decodeUserMemberships`. */
type BareMembership = Omit<Membership, 'apps'>;

interface DecodedApp {
  readonly vault_id: number;
  readonly app: string;
  readonly license: AppLicense;
}

/** Splits a cell at `;` into its non-empty, trimmed entries. */
function entriesOf(cell: string): string[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Exactly `count` non-empty `:`-separated parts, or an error naming what the entry lacks. */
function partsOf(entry: string, count: number, grammar: string, field: string): string[] {
  const parts = entry.split(':').map((p) => p.trim());
  if (parts.length !== count || parts.some((p) => p === '')) {
    throw new WireDecodeError(field, `entry does not have the ${count} parts ${grammar}`, entry);
  }
  return parts;
}

function membershipFromString(entry: string): BareMembership {
  const [id, active, profile, license] = partsOf(entry, 4, 'vault_id:active:security_profile:license_type', MEMBERSHIP);
  return {
    vault_id: decodeId(id, M_ID),
    active: decodeActive(active, M_ACTIVE),
    security_profile: decodeProfile(profile, M_PROFILE),
    license_type: decodeLicense(license, M_LICENSE),
  };
}

function appsFromString(group: string): DecodedApp[] {
  const [id = '', ...apps] = group.split('|').map((s) => s.trim());
  if (apps.length === 0) throw new WireDecodeError(APPS, 'entry has no `|application:active:license_type` after the vault id', group);
  const vaultId = decodeId(id, A_ID);
  return apps.map((app) => {
    const [code, active, license] = partsOf(app, 3, 'application:active:license_type', APPS);
    return {
      vault_id: vaultId,
      app: decodeAppCode(code, A_APP),
      license: { active: decodeActive(active, A_ACTIVE), license_type: decodeLicense(license, A_LICENSE) },
    };
  });
}

/**
 * The one value of a part that may be spelled several ways. Absent under every spelling is an
 * error; several spellings must agree.
 */
function onePart<T>(object: Record<string, unknown>, keys: readonly string[], field: string, decode: (value: unknown, field: string) => T): T {
  let foundKey: string | undefined;
  let found: T | undefined;
  for (const key of keys) {
    const raw = object[key];
    if (raw === undefined) continue;
    let value: T;
    try {
      value = decode(raw, field);
    } catch (error) {
      // Name the spelling only when it failed: the name is not worth building per user.
      if (error instanceof WireDecodeError) throw new WireDecodeError(`${field}.${key}`, error.reason, error.value);
      throw error;
    }
    if (foundKey !== undefined && found !== value) throw new WireDecodeError(field, `${foundKey} and ${key} disagree`, object);
    foundKey ??= key;
    found = value;
  }
  if (foundKey === undefined) throw new WireDecodeError(field, `entry has none of ${keys.join(', ')}`, object);
  return found as T;
}

/** `id` names the vault only when no `vault_id` spelling is there (it could be the entry's own id). */
function vaultIdOf(object: Record<string, unknown>, field: string): number {
  const keys = object.vault_id !== undefined || object.vault_id__v !== undefined ? ['vault_id', 'vault_id__v'] : ['id'];
  return onePart(object, keys, field, decodeId);
}

const ACTIVE_KEYS = ['active__v', 'active', 'active_vault_membership__v', 'status__v'] as const;

function membershipFromObject(object: Record<string, unknown>): BareMembership {
  return {
    vault_id: vaultIdOf(object, MEMBERSHIP),
    active: onePart(object, ACTIVE_KEYS, MEMBERSHIP, decodeActive),
    security_profile: onePart(object, ['security_profile__v', 'security_profile'], MEMBERSHIP, decodeProfile),
    license_type: onePart(object, ['license_type__v', 'license_type'], MEMBERSHIP, decodeLicense),
  };
}

function appFromObject(object: Record<string, unknown>): DecodedApp {
  return {
    vault_id: vaultIdOf(object, APPS),
    app: onePart(object, ['application_name', 'application_name__v', 'application', 'app'], APPS, decodeAppCode),
    license: {
      active: onePart(object, ACTIVE_KEYS, APPS, decodeActive),
      license_type: onePart(object, ['license_type__v', 'license_type'], APPS, decodeLicense),
    },
  };
}

/**
 * A whole block: `null`, `""` and `[]` are empty; a cell string, or an array of cell strings
 * and objects, is decoded entry by entry; anything else is refused.
 */
function decodeBlock<T>(
  raw: unknown,
  field: string,
  fromString: (entry: string) => T[],
  fromObject: (o: Record<string, unknown>) => T,
): T[] {
  if (raw === undefined) throw new WireDecodeError(field, 'absent from the answer', raw);
  if (raw === null) return [];
  if (typeof raw === 'string') return entriesOf(raw).flatMap(fromString);
  if (!Array.isArray(raw)) throw new WireDecodeError(field, 'expected an encoded string or an array', raw);
  return (raw as unknown[]).flatMap((item) => {
    if (typeof item === 'string') return entriesOf(item).flatMap(fromString);
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) return [fromObject(item as Record<string, unknown>)];
    throw new WireDecodeError(field, 'array element is neither an encoded string nor an object', item);
  });
}

function plainLicense(value: unknown): LicenseType | undefined {
  return value === 'full__v' || value === 'read_only__v' || value === 'external__v' || value === 'learner_user__v' ? value : undefined;
}

type MutableMembership = { vault_id: number; active: boolean; security_profile: string; license_type: LicenseType; apps: Record<string, AppLicense> };

/**
 * The common case, once per user of the domain: both blocks are arrays of objects with exactly
 * the four §5.3 keys, typed as the simulator and the notes expect. Builds the result in one
 * pass; `undefined` (anything unusual, including every kind of error) sends the value to the
 * general decoder, which accepts or names the problem, so both paths agree on every input.
 */
function decodeObjectArrays(vaultMembership: unknown, appLicensing: unknown): Membership[] | undefined {
  if (!Array.isArray(vaultMembership) || !Array.isArray(appLicensing)) return undefined;
  const out: MutableMembership[] = [];
  for (const raw of vaultMembership as unknown[]) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const m = raw as Record<string, unknown>;
    const id = m.vault_id;
    const license = plainLicense(m.license_type__v);
    const profile = m.security_profile__v;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0 || typeof m.active__v !== 'boolean' || license === undefined) return undefined;
    if (typeof profile !== 'string' || !PROFILE_NAME.test(profile) || Object.keys(m).length !== 4) return undefined;
    for (const seen of out) if (seen.vault_id === id) return undefined;
    out.push({ vault_id: id, active: m.active__v, security_profile: profile, license_type: license, apps: {} });
  }
  for (const raw of appLicensing as unknown[]) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const a = raw as Record<string, unknown>;
    const license = plainLicense(a.license_type__v);
    const code = a.application_name;
    if (typeof code !== 'string' || !APP_CODE.test(code) || typeof a.active__v !== 'boolean' || license === undefined) return undefined;
    if (Object.keys(a).length !== 4) return undefined;
    const member = out.find((m) => m.vault_id === a.vault_id);
    if (member === undefined || Object.hasOwn(member.apps, code)) return undefined;
    member.apps[code] = { active: a.active__v, license_type: license };
  }
  return out.length > 1 ? out.sort((a, b) => a.vault_id - b.vault_id) : out;
}

/** Joins apps to their memberships; an app in a vault the user is not a member of is refused. */
function joinApps(bare: readonly BareMembership[], apps: readonly DecodedApp[]): Membership[] {
  const byVault = new Map<number, MutableMembership>();
  for (const m of bare) {
    if (byVault.has(m.vault_id)) throw new WireDecodeError(MEMBERSHIP, `vault ${m.vault_id} is listed twice`, m.vault_id);
    byVault.set(m.vault_id, { ...m, apps: {} });
  }
  for (const a of apps) {
    const member = byVault.get(a.vault_id);
    if (member === undefined) {
      const vaults = [...byVault.keys()].sort((x, y) => x - y).join(', ') || 'none';
      throw new WireDecodeError(APPS, `names vault ${a.vault_id}, which is not among the user's vault memberships (${vaults})`, `${a.vault_id}|${a.app}`);
    }
    if (Object.hasOwn(member.apps, a.app)) throw new WireDecodeError(APPS, `application ${a.app} is listed twice for vault ${a.vault_id}`, a.app);
    member.apps[a.app] = a.license;
  }
  return [...byVault.values()].sort((a, b) => a.vault_id - b.vault_id);
}

/**
 * Decodes a user's `vault_membership` and `app_licensing` as Vault returned them into
 * memberships sorted by vault id. Throws `WireDecodeError` naming the field and the entry it
 * could not read; `undefined` (the key is absent) is an error too, since the read asked for
 * both blocks.
 */
export function decodeUserMemberships(vaultMembership: unknown, appLicensing: unknown): Membership[] {
  const fast = decodeObjectArrays(vaultMembership, appLicensing);
  if (fast !== undefined) return fast;
  const bare = decodeBlock(vaultMembership, MEMBERSHIP, (e) => [membershipFromString(e)], membershipFromObject);
  const apps = decodeBlock(appLicensing, APPS, appsFromString, appFromObject);
  return joinApps(bare, apps);
}
