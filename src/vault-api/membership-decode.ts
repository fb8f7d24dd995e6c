/**
 * Decoding `vault_membership` / `app_licensing` as Retrieve User(s) returns them (VAULT-API.md
 * §5.3, §5.12): the documented string encodings and the array-of-objects shape.
 */
import { LICENSE_TYPES, type AppLicense, type LicenseType, type Membership } from '../model.js';

function isLicenseType(value: string): value is LicenseType {
  return (LICENSE_TYPES as readonly string[]).includes(value);
}

function parseBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

function parseLicense(value: unknown, fallback: LicenseType): LicenseType {
  return typeof value === 'string' && isLicenseType(value) ? value : fallback;
}

function parseVaultId(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** One decoded membership without apps; apps are merged in by `decodeUserMemberships`. */
type BareMembership = Omit<Membership, 'apps'>;

function decodeMembershipString(cell: string): BareMembership[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .flatMap((entry) => {
      const [id, active, profile, license] = entry.split(':');
      const vaultId = parseVaultId(id);
      if (vaultId === undefined) return [];
      return [
        {
          vault_id: vaultId,
          active: parseBool(active, true),
          security_profile: profile !== undefined && profile !== '' ? profile : 'document_user__v',
          license_type: parseLicense(license, 'full__v'),
        },
      ];
    });
}

function decodeMembershipObject(value: Record<string, unknown>): BareMembership[] {
  const vaultId = parseVaultId(value.vault_id ?? value.id ?? value.vault_id__v);
  if (vaultId === undefined) return [];
  const profile = value.security_profile__v ?? value.security_profile;
  return [
    {
      vault_id: vaultId,
      active: parseBool(value.active__v ?? value.active_vault_membership__v ?? value.active, true),
      security_profile: typeof profile === 'string' && profile !== '' ? profile : 'document_user__v',
      license_type: parseLicense(value.license_type__v ?? value.license_type, 'full__v'),
    },
  ];
}

interface DecodedApp {
  readonly vault_id: number;
  readonly app: string;
  readonly license: AppLicense;
}

function decodeAppString(cell: string): DecodedApp[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .flatMap((perVault) => {
      const [id, ...apps] = perVault.split('|');
      const vaultId = parseVaultId(id);
      if (vaultId === undefined) return [];
      return apps.flatMap((appPart) => {
        const [code, active, license] = appPart.split(':');
        if (code === undefined || code === '') return [];
        return [{ vault_id: vaultId, app: code, license: { active: parseBool(active, true), license_type: parseLicense(license, 'full__v') } }];
      });
    });
}

function decodeAppObject(value: Record<string, unknown>): DecodedApp[] {
  const vaultId = parseVaultId(value.vault_id ?? value.id ?? value.vault_id__v);
  const code = value.application_name ?? value.app ?? value.application;
  if (vaultId === undefined || typeof code !== 'string' || code === '') return [];
  return [
    {
      vault_id: vaultId,
      app: code,
      license: {
        active: parseBool(value.active__v ?? value.active, true),
        license_type: parseLicense(value.license_type__v ?? value.license_type, 'full__v'),
      },
    },
  ];
}

function decodeEither<T>(
  raw: unknown,
  fromString: (s: string) => T[],
  fromObject: (o: Record<string, unknown>) => T[],
): T[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') return fromString(raw);
  if (Array.isArray(raw)) return raw.flatMap((item) => decodeEither(item, fromString, fromObject));
  if (typeof raw === 'object') return fromObject(raw as Record<string, unknown>);
  return [];
}

function plainLicense(value: unknown): LicenseType | undefined {
  return value === 'full__v' || value === 'read_only__v' || value === 'external__v' || value === 'learner_user__v' ? value : undefined;
}

/**
 * The common case, once per user of the domain: both blocks are arrays of well-formed objects
 * (the §5.3 shape). Builds the result in one pass; `undefined` sends anything else to the
 * general decoder.
 */
function decodeObjectArrays(vaultMembership: unknown, appLicensing: unknown): Membership[] | undefined {
  if (!Array.isArray(vaultMembership) || !(appLicensing === undefined || appLicensing === null || Array.isArray(appLicensing))) return undefined;
  const out: { vault_id: number; active: boolean; security_profile: string; license_type: LicenseType; apps: Record<string, AppLicense> }[] = [];
  for (const raw of vaultMembership as unknown[]) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const m = raw as Record<string, unknown>;
    const license = plainLicense(m.license_type__v);
    if (typeof m.vault_id !== 'number' || typeof m.active__v !== 'boolean' || typeof m.security_profile__v !== 'string' || license === undefined) {
      return undefined;
    }
    out.push({ vault_id: m.vault_id, active: m.active__v, security_profile: m.security_profile__v, license_type: license, apps: {} });
  }
  for (const raw of (appLicensing ?? []) as unknown[]) {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const a = raw as Record<string, unknown>;
    const license = plainLicense(a.license_type__v);
    if (typeof a.vault_id !== 'number' || typeof a.application_name !== 'string' || typeof a.active__v !== 'boolean' || license === undefined) {
      return undefined;
    }
    const member = out.find((m) => m.vault_id === a.vault_id);
    if (member !== undefined) member.apps[a.application_name] = { active: a.active__v, license_type: license };
  }
  return out.length > 1 ? out.sort((a, b) => a.vault_id - b.vault_id) : out;
}

/**
 * Decodes a user's `vault_membership` and `app_licensing` as Vault returned them, in either the
 * documented string encodings or the array-of-objects shape, into memberships sorted by vault id.
 * App licenses of a vault the user is not a member of are dropped (they grant nothing).
 */
export function decodeUserMemberships(vaultMembership: unknown, appLicensing: unknown): Membership[] {
  const fast = decodeObjectArrays(vaultMembership, appLicensing);
  if (fast !== undefined) return fast;
  const bare = decodeEither(vaultMembership, decodeMembershipString, decodeMembershipObject);
  const apps = decodeEither(appLicensing, decodeAppString, decodeAppObject);
  const byVault = new Map<number, Record<string, AppLicense>>();
  for (const a of apps) {
    const forVault = byVault.get(a.vault_id) ?? {};
    forVault[a.app] = a.license;
    byVault.set(a.vault_id, forVault);
  }
  return bare
    .map((m) => {
      const vaultApps = byVault.get(m.vault_id);
      return vaultApps === undefined ? { ...m, apps: {} } : { ...m, apps: vaultApps };
    })
    .sort((a, b) => a.vault_id - b.vault_id);
}
