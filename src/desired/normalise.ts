/**
 * Raw (schema-valid) declarations → the shared model: defaults filled in, identities lower-cased,
 * lists sorted. A key the YAML leaves out stays `undefined` (unmanaged) unless a default covers it.
 */
import { resolve } from 'node:path';
import {
  DEFAULT_POLICY,
  LICENSE_TYPES,
  normaliseIdentity,
  type AppGrant,
  type AppLicense,
  type DesiredSiteVaultPerson,
  type DesiredUser,
  type Grant,
  type MembershipGrant,
  type LicenseType,
  type Membership,
  type Policy,
  type SiteGrant,
  type StudyGrant,
  type ReviewException,
  type VaultTarget,
} from '../model.js';
import type { ConfigEntry, PersonEntry, UserEntry } from './entries.js';
import { appLicenseType, hasObjectFormApp, type RawAppLicense, type RawConfig, type RawGrant, type RawMembership } from './raw-types.js';
import type { DataPath, YamlFile } from './yaml-file.js';

/** Default last-applied state file, relative to the config's folder. */
export const DEFAULT_STATE_PATH = '.vault-roster/state.json';

/** Vault's own defaults for a membership's parts (VAULT-API.md §5.12). */
const VAULT_DEFAULT_PROFILE = 'document_user__v';
const VAULT_DEFAULT_LICENSE = 'full__v';

type Loose<T> = { [K in keyof T]: T[K] | undefined };

/**
 * Drops keys whose value is undefined, so optional properties are absent rather than undefined.
 * A plain loop: this runs for every user and membership, and entries/fromEntries cost arrays.
 */
function compact<T extends object>(value: Loose<T>): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v: unknown = value[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

function text(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value).trim();
}

function byKey<T>(key: (item: T) => string | number): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

export function normaliseTarget(raw: RawConfig): VaultTarget {
  return compact<VaultTarget>({
    url: raw.vault.url,
    api_version: raw.vault.api_version,
    vault_id: raw.vault.vault_id,
    dns: raw.vault.dns,
    page_size: raw.vault.page_size,
    body_format: raw.vault.body_format,
    promote_reference_ids: raw.vault.promote_reference_ids,
  });
}

export function normalisePolicy(raw: RawConfig): Policy {
  const policy = raw.policy ?? {};
  return {
    unmanaged_users: policy.unmanaged_users ?? DEFAULT_POLICY.unmanaged_users,
    max_deactivations: policy.max_deactivations ?? DEFAULT_POLICY.max_deactivations,
    max_deactivation_share: policy.max_deactivation_share ?? DEFAULT_POLICY.max_deactivation_share,
    max_access_removals: policy.max_access_removals ?? DEFAULT_POLICY.max_access_removals,
    max_access_removal_share: policy.max_access_removal_share ?? DEFAULT_POLICY.max_access_removal_share,
    protected_users: [...new Set((policy.protected_users ?? []).map(normaliseIdentity))].sort(),
    max_admin_grants: policy.max_admin_grants ?? DEFAULT_POLICY.max_admin_grants,
    unmanaged_groups: policy.unmanaged_groups ?? DEFAULT_POLICY.unmanaged_groups,
    max_group_member_removals: policy.max_group_member_removals ?? DEFAULT_POLICY.max_group_member_removals,
    expiry_warning_days: policy.expiry_warning_days ?? DEFAULT_POLICY.expiry_warning_days,
    ...(policy.require_valid_until === undefined ? {} : { require_valid_until: { ...policy.require_valid_until } }),
    ...(policy.scope?.vaults === undefined ? {} : { scope_vaults: [...new Set(policy.scope.vaults)].sort((a, b) => a - b) }),
  };
}

export function statePath(raw: RawConfig, configDir: string): string {
  return resolve(configDir, raw.state ?? DEFAULT_STATE_PATH);
}

/**
 * One frozen `{ active: true, license_type }` per licence type, shared by every app licence that
 * has it: hundreds of thousands of identical small objects at domain scale, each one more for the
 * garbage collector to copy.
 */
const ACTIVE_APP_LICENSE: ReadonlyMap<LicenseType, AppLicense> = new Map(LICENSE_TYPES.map((type) => [type, Object.freeze({ active: true, license_type: type })]));

/** App codes in sorted order (the schema limits them to identifiers, so plain keys are safe). */
function normaliseApps(apps: Readonly<Record<string, LicenseType | RawAppLicense>>): Record<string, AppLicense> {
  const out: Record<string, AppLicense> = {};
  for (const code of Object.keys(apps).sort()) {
    const value = apps[code];
    const type = value === undefined ? VAULT_DEFAULT_LICENSE : appLicenseType(value);
    out[code] = ACTIVE_APP_LICENSE.get(type) ?? { active: true, license_type: type };
  }
  return out;
}

function normaliseMembership(raw: RawMembership, defaults: RawConfig['defaults']): Membership {
  const apps = raw.apps === undefined ? undefined : normaliseApps(raw.apps);
  return compact<Membership>({
    vault_id: raw.vault,
    active: raw.active ?? true,
    security_profile: raw.security_profile ?? defaults?.security_profile ?? VAULT_DEFAULT_PROFILE,
    license_type: raw.license_type ?? defaults?.license_type ?? VAULT_DEFAULT_LICENSE,
    apps,
  });
}

/** The time box declared at `path` of `yaml` (a user, a membership, a group member…), or `undefined` when it has no date. */
export function readGrant(yaml: YamlFile, path: DataPath, raw: RawGrant): Grant | undefined {
  if (raw.valid_from === undefined && raw.valid_until === undefined) return undefined;
  const key = raw.valid_until === undefined ? 'valid_from' : 'valid_until';
  return compact<Grant>({
    valid_from: raw.valid_from,
    valid_until: raw.valid_until,
    reason: raw.reason?.trim(),
    source: yaml.locate([...path, key]),
  });
}

/** The time box declared at `at` within the user entry, or `undefined` when it has no date. */
function grantAt(entry: UserEntry, raw: RawGrant, at: DataPath): Grant | undefined {
  return readGrant(entry.yaml, [...entry.path, ...at], raw);
}

/** Time boxes of application licences in their object form, by vault then app code. */
function appGrants(entry: UserEntry): AppGrant[] | undefined {
  // Most users have no time-boxed licence: find out without building anything.
  const memberships = entry.raw.memberships ?? [];
  if (!hasObjectFormApp(memberships)) return undefined;
  const grants = memberships.flatMap((m, index) =>
    Object.entries(m.apps ?? {}).flatMap(([app, value]) => {
      const grant = typeof value === 'string' ? undefined : grantAt(entry, value, ['memberships', index, 'apps', app]);
      return grant === undefined ? [] : [{ vault_id: m.vault, app, ...grant }];
    }),
  );
  return grants.length === 0 ? undefined : grants.sort((a, b) => a.vault_id - b.vault_id || (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
}

function membershipGrants(entry: UserEntry): MembershipGrant[] | undefined {
  const memberships = entry.raw.memberships ?? [];
  if (!memberships.some((m) => m.valid_from !== undefined || m.valid_until !== undefined)) return undefined;
  const grants = memberships.flatMap((m, index) => {
    const grant = grantAt(entry, m, ['memberships', index]);
    return grant === undefined ? [] : [{ vault_id: m.vault, ...grant }];
  });
  return grants.length === 0 ? undefined : grants.sort(byKey((g) => g.vault_id));
}

function reviewException(entry: UserEntry): ReviewException | undefined {
  const raw = entry.raw.review_exception;
  if (raw === undefined) return undefined;
  return { until: raw.until, reason: raw.reason.trim(), flags: [...raw.flags], source: entry.yaml.locate([...entry.path, 'review_exception']) };
}

export function normaliseUser(entry: UserEntry, config: ConfigEntry): DesiredUser {
  const raw = entry.raw;
  const defaults = config.raw.defaults;
  return compact<DesiredUser>({
    user_name: normaliseIdentity(raw.user_name),
    first_name: raw.first_name,
    last_name: raw.last_name,
    email: text(raw.email),
    timezone: raw.timezone ?? defaults?.timezone,
    locale: raw.locale ?? defaults?.locale,
    language: raw.language ?? defaults?.language,
    security_policy: text(raw.security_policy ?? defaults?.security_policy),
    license_type: raw.license_type ?? defaults?.license_type,
    domain_admin: raw.domain_admin,
    active: raw.active,
    fields: raw.fields === undefined ? undefined : { ...raw.fields },
    memberships: raw.memberships?.map((m) => normaliseMembership(m, defaults)).sort(byKey((m) => m.vault_id)),
    promote_from_person: raw.promote_from_person,
    promote_fields: raw.promote_fields === undefined ? undefined : { ...raw.promote_fields },
    grant: grantAt(entry, raw, []),
    membership_grants: membershipGrants(entry),
    app_grants: appGrants(entry),
    reviewed: raw.reviewed === undefined ? undefined : { by: raw.reviewed.by.trim(), on: raw.reviewed.on, source: entry.yaml.locate([...entry.path, 'reviewed']) },
    review_exception: reviewException(entry),
    source: entry.yaml.locate([...entry.path, 'user_name']),
  });
}

export function normalisePerson(entry: PersonEntry): DesiredSiteVaultPerson {
  const raw = entry.raw;
  return compact<DesiredSiteVaultPerson>({
    email: normaliseIdentity(raw.email),
    username: raw.username === undefined ? undefined : normaliseIdentity(raw.username),
    first_name: raw.first_name,
    last_name: raw.last_name,
    security_policy: String(raw.security_policy).trim(),
    person_type: raw.person_type,
    investigator: raw.investigator,
    language: raw.language,
    federated_id: raw.federated_id,
    org: { org_id: raw.org.id, role: raw.org.role, addons: [...(raw.org.addons ?? [])].sort() },
    sites: (raw.sites ?? [])
      .map((s) => ({ site_usn: s.usn, role: s.role, addons: [...(s.addons ?? [])].sort() }))
      .sort(byKey((s) => s.site_usn)),
    studies: (raw.studies ?? []).map((s) => ({ study_id: s.id, role: s.role })).sort(byKey((s) => s.study_id)),
    ...assignmentGrants(entry),
    source: entry.yaml.locate([...entry.path, 'email']),
  });
}

/** Time boxes of a person's site and study assignments; keys absent when none is time-boxed. */
function assignmentGrants(entry: PersonEntry): { site_grants?: SiteGrant[]; study_grants?: StudyGrant[] } {
  const sites = (entry.raw.sites ?? []).flatMap((site, i) => {
    const grant = readGrant(entry.yaml, [...entry.path, 'sites', i], site);
    return grant === undefined ? [] : [{ site_usn: site.usn, ...grant }];
  });
  const studies = (entry.raw.studies ?? []).flatMap((study, i) => {
    const grant = readGrant(entry.yaml, [...entry.path, 'studies', i], study);
    return grant === undefined ? [] : [{ study_id: study.id, ...grant }];
  });
  return {
    ...(sites.length === 0 ? {} : { site_grants: sites.sort(byKey((g) => g.site_usn)) }),
    ...(studies.length === 0 ? {} : { study_grants: studies.sort(byKey((g) => g.study_id)) }),
  };
}
