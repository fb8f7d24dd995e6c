/**
 * The simulator's own parser of the `vault_membership` and `app_licensing` cell encodings
 * (VAULT-API.md §5.12) and the rendering of memberships in responses. Deliberately
 * independent of src/vault/wire.ts. Parsing keeps omitted parts as `undefined` so the
 * caller can tell "default for a new membership" from "unchanged for an existing one".
 */
import { LICENSE_TYPES, type LicenseType } from '../model.js';
import type { SimAppLicense, SimMembership } from './records.js';
import type { MembershipShape } from './profiles.js';

export class EncodingError extends Error {}

export interface MembershipPatch {
  readonly vault_id: number;
  readonly active?: boolean;
  readonly profile?: string;
  readonly license?: LicenseType;
}

export interface AppPatch {
  readonly vault_id: number;
  readonly app: string;
  readonly active?: boolean;
  readonly license?: LicenseType;
}

/** `true`/`false` in any case; JSON booleans pass through. */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

export function isLicenseType(value: string): value is LicenseType {
  return (LICENSE_TYPES as readonly string[]).includes(value);
}

function parseVaultId(text: string, cell: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new EncodingError(`invalid vault id [${trimmed}] in [${cell}]`);
  return Number(trimmed);
}

function optionalBool(part: string | undefined, cell: string): boolean | undefined {
  if (part === undefined || part.trim() === '') return undefined;
  const value = parseBoolean(part);
  if (value === undefined) throw new EncodingError(`invalid active__v value [${part}] in [${cell}]`);
  return value;
}

function optionalLicense(part: string | undefined, cell: string): LicenseType | undefined {
  if (part === undefined || part.trim() === '') return undefined;
  const value = part.trim();
  if (!isLicenseType(value)) throw new EncodingError(`invalid license_type__v value [${value}] in [${cell}]`);
  return value;
}

/**
 * `3003:true:system_admin__v:full__v`, several vaults separated by `;`. Only the vault id is
 * required; empty or missing parts are returned as undefined.
 */
export function parseMembershipCell(cell: string): MembershipPatch[] {
  const entries = cell.split(';').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new EncodingError('empty vault_membership value');
  const seen = new Set<number>();
  return entries.map((entry) => {
    const parts = entry.split(':');
    if (parts.length > 4) throw new EncodingError(`too many parts in vault_membership [${entry}]`);
    const [idPart = '', activePart, profilePart, licensePart] = parts;
    const vaultId = parseVaultId(idPart, entry);
    if (seen.has(vaultId)) throw new EncodingError(`vault ${vaultId} listed twice in vault_membership`);
    seen.add(vaultId);
    const profile = profilePart?.trim();
    const active = optionalBool(activePart, entry);
    const license = optionalLicense(licensePart, entry);
    return {
      vault_id: vaultId,
      ...(active === undefined ? {} : { active }),
      ...(profile === undefined || profile === '' ? {} : { profile }),
      ...(license === undefined ? {} : { license }),
    };
  });
}

/**
 * `3003|rimReg_v:true:full__v|rimSubs_v;4004|qualityQms_v:false`. The `|` after the vault id
 * is required (the 26.2 doc example `;4114rimReg_v:…` that lacks it is a typo and fails).
 */
export function parseAppLicensingCell(cell: string): AppPatch[] {
  const perVault = cell.split(';').map((e) => e.trim()).filter((e) => e !== '');
  if (perVault.length === 0) throw new EncodingError('empty app_licensing value');
  const result: AppPatch[] = [];
  const seen = new Set<string>();
  for (const group of perVault) {
    const [idPart = '', ...apps] = group.split('|');
    const vaultId = parseVaultId(idPart, group);
    if (apps.length === 0) throw new EncodingError(`no application after vault id in app_licensing [${group}]`);
    for (const appPart of apps) {
      const parts = appPart.split(':');
      if (parts.length > 3) throw new EncodingError(`too many parts in app_licensing [${appPart}]`);
      const [name = '', activePart, licensePart] = parts;
      const app = name.trim();
      if (app === '') throw new EncodingError(`empty application name in app_licensing [${group}]`);
      const key = `${vaultId}|${app}`;
      if (seen.has(key)) throw new EncodingError(`application ${app} listed twice for vault ${vaultId}`);
      seen.add(key);
      const active = optionalBool(activePart, appPart);
      const license = optionalLicense(licensePart, appPart);
      result.push({ vault_id: vaultId, app, ...(active === undefined ? {} : { active }), ...(license === undefined ? {} : { license }) });
    }
  }
  return result;
}

function membershipCell(m: SimMembership): string {
  return `${m.vault_id}:${m.active}:${m.profile}:${m.license}`;
}

/** `3003|rimReg_v:true:full__v|…` per vault, in the order the user's apps are stored. */
function appCells(apps: readonly SimAppLicense[]): string[] {
  const byVault = new Map<number, string[]>();
  for (const a of apps) byVault.set(a.vault_id, [...(byVault.get(a.vault_id) ?? []), `${a.app}:${a.active}:${a.license}`]);
  return [...byVault].map(([vaultId, parts]) => [String(vaultId), ...parts].join('|'));
}

const status = (active: boolean): string => (active ? 'active__v' : 'inactive__v');

/**
 * `vault_membership` in a Retrieve User(s) answer, in one of the shapes a profile can play
 * (profiles.ts); `objects` is the §5.3 [INF] shape.
 */
export function renderMemberships(memberships: readonly SimMembership[], shape: MembershipShape = 'objects'): unknown {
  switch (shape) {
    case 'objects':
      return memberships.map((m) => ({ vault_id: m.vault_id, active__v: m.active, security_profile__v: m.profile, license_type__v: m.license }));
    case 'string':
      return memberships.map(membershipCell).join(';');
    case 'string-array':
      return memberships.map(membershipCell);
    case 'objects-alt-keys':
      return memberships.map((m) => ({ vault_id__v: String(m.vault_id), active__v: String(m.active), security_profile__v: m.profile, license_type__v: m.license }));
    case 'objects-picklist':
      return memberships.map((m) => ({ id: m.vault_id, status__v: status(m.active), security_profile__v: m.profile, license_type__v: [m.license] }));
  }
}

/** `app_licensing` in a Retrieve User(s) answer, in the same shape as `renderMemberships`. */
export function renderAppLicenses(apps: readonly SimAppLicense[], shape: MembershipShape = 'objects'): unknown {
  switch (shape) {
    case 'objects':
      return apps.map((a) => ({ vault_id: a.vault_id, application_name: a.app, active__v: a.active, license_type__v: a.license }));
    case 'string':
      return appCells(apps).join(';');
    case 'string-array':
      return appCells(apps);
    case 'objects-alt-keys':
      return apps.map((a) => ({ vault_id__v: String(a.vault_id), application_name__v: a.app, active__v: String(a.active), license_type__v: a.license }));
    case 'objects-picklist':
      return apps.map((a) => ({ id: a.vault_id, application_name: a.app, status__v: status(a.active), license_type__v: [a.license] }));
  }
}
