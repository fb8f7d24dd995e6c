/**
 * The data every stage shares: the normalised shape of desired and live state.
 *
 * Desired state (from YAML) and live state (from Vault) use the same record types so the
 * planner can compare them field by field. Identities are lower-cased and trimmed here,
 * once, by whoever builds the record (the desired-state loader or the live-state reader).
 *
 * A property that is `undefined` on a desired record is unmanaged: the planner neither
 * changes it nor shows it. This module holds types and tiny pure helpers only: no I/O.
 */

/** Vault license types the user APIs accept (VAULT-API.md §5.13). */
export const LICENSE_TYPES = ['full__v', 'external__v', 'read_only__v', 'learner_user__v'] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];

/**
 * Permissiveness rank of license types, higher is more permissive (VAULT-API.md §5.13).
 * `learner_user__v` is only compatible with itself and `full__v` (inferred), so it is not in the rank.
 */
export const LICENSE_RANK: Readonly<Record<Exclude<LicenseType, 'learner_user__v'>, number>> = {
  full__v: 3,
  external__v: 2,
  read_only__v: 1,
};

/** True when an application license `app` is allowed under a vault or domain license `base`. */
export function isLicenseAllowedUnder(app: LicenseType, base: LicenseType): boolean {
  if (app === 'learner_user__v' || base === 'learner_user__v') {
    return app === base || base === 'full__v';
  }
  return LICENSE_RANK[app] <= LICENSE_RANK[base];
}

/** Standard security profiles (VAULT-API.md §7.2). Vaults may define custom `__c` profiles too. */
export const STANDARD_SECURITY_PROFILES = [
  'business_admin__v',
  'document_user__v',
  'external_user__v',
  'read_only_user__v',
  'system_admin__v',
  'vault_owner__v',
  'view_based_user__v',
] as const;

/** Security profiles that administer a vault. */
export const ADMIN_PROFILES: ReadonlySet<string> = new Set(['system_admin__v', 'vault_owner__v', 'business_admin__v']);

/**
 * Whether a security profile administers a vault. Vault's API does not say which permissions a
 * custom profile holds, so a custom profile (`__c`) counts as admin when its name says so
 * (`admin` or `owner` in it, e.g. `rim_admin__c`): a reviewer sees it flagged rather than missed.
 */
export function isAdminProfile(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (ADMIN_PROFILES.has(value)) return true;
  return value.endsWith('__c') && /admin|owner/i.test(value.slice(0, -3));
}

/** One application license of a user inside one vault (`app_licensing` encoding, §5.12). */
export interface AppLicense {
  readonly active: boolean;
  readonly license_type: LicenseType;
}

/**
 * The shape of a user, named once: the values of the user itself in the order plans list them,
 * the domain-level flags, and the parts of a membership besides its vault and apps. The planner,
 * the wire module and the views iterate these lists instead of naming the fields again.
 */
export const USER_VALUE_KEYS = ['first_name', 'last_name', 'email', 'timezone', 'locale', 'language', 'security_policy'] as const;
export const USER_FLAG_KEYS = ['domain_admin', 'active'] as const;
export const MEMBERSHIP_KEYS = ['active', 'security_profile', 'license_type'] as const;
export type UserValueKey = (typeof USER_VALUE_KEYS)[number];
export type UserFlagKey = (typeof USER_FLAG_KEYS)[number];
export type MembershipKey = (typeof MEMBERSHIP_KEYS)[number];

/** A user's membership of one vault (`vault_membership` encoding, §5.12). */
export interface Membership {
  readonly vault_id: number;
  readonly active: boolean;
  readonly security_profile: string;
  readonly license_type: LicenseType;
  /**
   * Application licenses in this vault keyed by app code (e.g. `rimReg_v`).
   * Desired side: `undefined` = app licensing unmanaged for this vault; present = the whole set
   * (a live app missing here is turned inactive).
   */
  readonly apps?: Readonly<Record<string, AppLicense>>;
}

/** Scalar value of an extra editable user field (`company__v`, `site__v`, `custom__c`, …). */
export type FieldValue = string | number | boolean | null;

/**
 * A domain user. Property names are vault-roster's; the client maps them to Vault's `__v` names.
 * Identity: `user_name`, lower-cased and trimmed.
 */
export interface UserRecord {
  readonly user_name: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly email?: string;
  readonly timezone?: string;
  readonly locale?: string;
  readonly language?: string;
  /** `name__v` of the security policy, always a string (Vault returns it as a number on read). */
  readonly security_policy?: string;
  /**
   * Desired side only: the user's license ceiling (no app license may exceed it) and, through
   * roster defaults, the default of membership licenses. Not compared with Vault: Vault's
   * `license_type__v` is per vault (the calling vault's membership license, VAULT-API.md §5.3),
   * which `memberships[].license_type` manages.
   */
  readonly license_type?: LicenseType;
  /** `is_domain_admin__v`. */
  readonly domain_admin?: boolean;
  /** `domain_active__v`: false = disabled in every vault of the domain. */
  readonly active?: boolean;
  /** Other editable fields by their Vault name. Desired side: only the keys listed are managed. */
  readonly fields?: Readonly<Record<string, FieldValue>>;
  /**
   * Desired side: the whole set of managed memberships, sorted by vault id; `undefined` = unmanaged.
   * A live membership of a vault not listed is turned inactive (never removed: Vault cannot remove one).
   */
  readonly memberships?: readonly Membership[];
}

/**
 * A time box on a grant (`valid_from` / `valid_until`, both inclusive UTC days, `YYYY-MM-DD`).
 * The loader keeps it as declared; the planner applies it with the plan's own clock
 * (`desired/timebox.ts`), so planning stays pure and a saved plan re-derives the same way.
 */
export interface Grant {
  readonly valid_from?: string;
  readonly valid_until?: string;
  readonly reason?: string;
  /** Where the time box was declared (its `valid_until`, else `valid_from` key). */
  readonly source: SourceRef;
}

/** The time box of one vault membership of a desired user. */
export interface MembershipGrant extends Grant {
  readonly vault_id: number;
}

/** The time box of one application licence (`apps: { code: { license_type, valid_until } }`). */
export interface AppGrant extends Grant {
  readonly vault_id: number;
  /** The app code, e.g. `rimReg_v`. */
  readonly app: string;
}

/** Where time boxes may be written: named by the misplaced-key hint and the README. */
export const TIMEBOX_PLACES =
  'a user, a membership (memberships[]), an application licence in its object form (apps: { code: { license_type, valid_until } }), a group member in its object form (members: [{ user, valid_until }]), an item of a user\'s groups: in its object form ({ group, valid_until }), and a SiteVault site or study assignment';

/** The flags of a periodic access review (`vault-roster review`), in the order reports list them. */
export const REVIEW_FLAGS = [
  'ORPHANED',
  'EXPIRED',
  'DRIFTED',
  'PRIVILEGED',
  'EXTERNAL',
  'NEVER_LOGGED_IN',
  'DORMANT',
  'EXPIRING',
  'REVIEW_DUE',
] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];
/** The flags a `review_exception` may defer (ORPHANED has no entry to carry one; EXPIRED is enforced by the plan). */
export const DEFERRABLE_REVIEW_FLAGS: readonly ReviewFlag[] = ['DRIFTED', 'PRIVILEGED', 'EXTERNAL', 'NEVER_LOGGED_IN', 'DORMANT', 'EXPIRING', 'REVIEW_DUE'];

/** `reviewed: {by, on}`: the last review that kept a user. Review data only: never sent to Vault. */
export interface ReviewStamp {
  readonly by: string;
  /** `YYYY-MM-DD`, a UTC day the loader checked. */
  readonly on: string;
  readonly source: SourceRef;
}

/** `review_exception`: until `until` (inclusive UTC day) the review does not raise `flags`. */
export interface ReviewException {
  readonly until: string;
  readonly reason: string;
  readonly flags: readonly ReviewFlag[];
  readonly source: SourceRef;
}

/** A desired user, with where it came from and the optional Clinical promotion source. */
export interface DesiredUser extends UserRecord {
  /** The user's own time box (domain account); `undefined` = not time-boxed. */
  readonly grant?: Grant;
  /** Time boxes of memberships, sorted by vault id; absent when none is time-boxed. */
  readonly membership_grants?: readonly MembershipGrant[];
  /** Time boxes of application licences, sorted by vault id then app; absent when none is time-boxed. */
  readonly app_grants?: readonly AppGrant[];
  /** Clinical Operations: create this user by promoting this `person__sys` id. */
  readonly promote_from_person?: string;
  /** More `user__sys` fields sent with the promotion only (a Vault's configuration may require them). */
  readonly promote_fields?: Readonly<Record<string, string | number | boolean>>;
  /** Review data (`reviewed:`), never compared with Vault nor planned. */
  readonly reviewed?: ReviewStamp;
  /** Review data (`review_exception:`), never compared with Vault nor planned. */
  readonly review_exception?: ReviewException;
  readonly source: SourceRef;
}

/**
 * `last_login__v` as the listing gave it (VAULT-API.md §5.3: ISO-8601 UTC instants). Each reading
 * is kept apart so a report never guesses: a missing key is not "never logged in".
 */
export type LastLogin =
  | { readonly kind: 'at'; readonly at: string }
  | { readonly kind: 'never' }
  | { readonly kind: 'not_reported' }
  | { readonly kind: 'unreadable'; readonly excerpt: string };

/** A live user as read from Vault. */
export interface LiveUser extends UserRecord {
  readonly id: number;
  readonly memberships: readonly Membership[];
  readonly fields: Readonly<Record<string, FieldValue>>;
  /**
   * Last login as Vault reported it (informative: reviews and seat reports; never compared, never
   * part of a digest, since any login changes it). Absent on records not read from a listing.
   */
  readonly last_login?: LastLogin;
}

/** SiteVault (VAULT-API.md §8) values. */
export const SITEVAULT_PERSON_TYPES = ['staff__v', 'external__v'] as const;
export type SiteVaultPersonType = (typeof SITEVAULT_PERSON_TYPES)[number];
export const SITEVAULT_ORG_ROLES = ['org_admin__v', 'org_full__v', 'org_external__v', 'org_cant_login__v'] as const;
export const SITEVAULT_ORG_NO_ACCESS_ROLE = 'org_no_access__v';
export const SITEVAULT_ORG_ADDONS = ['org_patients__v'] as const;
export const SITEVAULT_SITE_ROLES = [
  'regulatory__v',
  'study_team__v',
  'site_viewer__v',
  'external__v',
  'site_cant_login__v',
] as const;
export const SITEVAULT_SITE_NO_ACCESS_ROLE = 'no_access__v';
export const SITEVAULT_SITE_ADDONS = ['site_budgets__v', 'site_patients__v', 'site_profiles__v'] as const;
export const SITEVAULT_EXTERNAL_STUDY_ROLES = ['sponsor_cro__v', 'auditor_inspector__v'] as const;
export const SITEVAULT_STAFF_STUDY_ROLES = [
  'clinical_research_coordinator__v',
  'data_coordinator__v',
  'principal_investigator__v',
  'regulatory_coordinator__v',
  'research_nurse__v',
  'subinvestigator__v',
  'pharmacist__v',
  'other__v',
] as const;
/** Security policy of SiteVault staff who never log in. */
export const SITEVAULT_NO_USER_POLICY = 'noUser';
export const SITEVAULT_VEEVAID_POLICY = 'VeevaID';

export interface OrgAssignment {
  readonly org_id: string;
  readonly role: string;
  readonly addons: readonly string[];
}
export interface SiteAssignment {
  readonly site_usn: string;
  readonly role: string;
  readonly addons: readonly string[];
}
export interface StudyAssignment {
  readonly study_id: string;
  readonly role: string;
}

/** A SiteVault person and their assignments. Identity: `email`, lower-cased. */
export interface SiteVaultPerson {
  readonly email: string;
  /** Omitted for VeevaID users (Vault assigns one). */
  readonly username?: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly security_policy: string;
  readonly person_type: SiteVaultPersonType;
  readonly investigator: boolean;
  readonly language?: string;
  readonly federated_id?: string;
  readonly org: OrgAssignment;
  /** Sorted by `site_usn`. */
  readonly sites: readonly SiteAssignment[];
  /** Sorted by `study_id`. */
  readonly studies: readonly StudyAssignment[];
}

/** The time box of one SiteVault site assignment. */
export interface SiteGrant extends Grant {
  readonly site_usn: string;
}

/** The time box of one SiteVault study assignment. */
export interface StudyGrant extends Grant {
  readonly study_id: string;
}

export interface DesiredSiteVaultPerson extends SiteVaultPerson {
  /** Time boxes of site assignments, sorted by USN; absent when none is time-boxed. */
  readonly site_grants?: readonly SiteGrant[];
  /** Time boxes of study assignments, sorted by study id; absent when none is time-boxed. */
  readonly study_grants?: readonly StudyGrant[];
  readonly source: SourceRef;
}

/** Where a desired record was declared, for diagnostics and plan reasons. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export const UNMANAGED_USER_POLICIES = ['ignore', 'report', 'deactivate'] as const;
export type UnmanagedUserPolicy = (typeof UNMANAGED_USER_POLICIES)[number];

/** What a plan does with a live user-managed group no file declares (never deleted). */
export const UNMANAGED_GROUP_POLICIES = ['ignore', 'report', 'deactivate'] as const;
export type UnmanagedGroupPolicy = (typeof UNMANAGED_GROUP_POLICIES)[number];

/**
 * Vault's kinds of group (VAULT-API.md §16.1). Only `user_managed` groups are ever written;
 * `system` (one per standard profile, All Internal Users), `auto` (Dynamic Access Control) and
 * `manager` groups are read so that declaring one is refused by name. `other` = a type Vault named
 * that vault-roster does not know: treated as not writable.
 */
export const GROUP_KINDS = ['user_managed', 'system', 'auto', 'manager', 'other'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/** The editable values of a group; `undefined` on a desired group = unmanaged. */
export interface GroupValues {
  /** `label__v`: the group's identity in YAML (compared case-insensitively). */
  readonly label?: string;
  /** `group_description__v`. */
  readonly description?: string;
  /** `active__v`. */
  readonly active?: boolean;
  /** `allow_delegation_among_members__v`. */
  readonly allow_delegation?: boolean;
  /** `security_profiles__v`: profiles whose users are implied members, sorted. */
  readonly security_profiles?: readonly string[];
}

/** One explicit member as declared: on the group (`members:`) or on the user (`groups:`). */
export interface DesiredGroupMember {
  /** Lower-cased user name. */
  readonly user_name: string;
  /** The membership's time box (object form of the item); `undefined` = not time-boxed. */
  readonly grant?: Grant;
  readonly source: SourceRef;
}

/**
 * A user-managed group of the session's vault as YAML declares it. Identity: `key`, the label
 * lower-cased and trimmed (Vault labels are unique per vault).
 */
export interface DesiredGroup extends GroupValues {
  readonly key: string;
  readonly label: string;
  /** `name__v`, when the YAML gives it: the group is matched by it, so a label change is a rename. */
  readonly name?: string | undefined;
  /**
   * Every explicit member, from both forms merged, sorted by user name, one entry per user;
   * `undefined` = members unmanaged (the group has no `members:` key and no user lists it).
   */
  readonly members?: readonly DesiredGroupMember[] | undefined;
  readonly source: SourceRef;
}

/** A group as read from the session's vault. */
export interface LiveGroup extends GroupValues {
  readonly id: number;
  readonly key: string;
  readonly label: string;
  /** `name__v`, which Vault derives from the label. */
  readonly name: string;
  readonly kind: GroupKind;
  /** Explicit members (`members__v`): user ids, sorted. */
  readonly members: readonly number[];
  /** Members through `security_profiles__v` (`implied_members__v`): user ids, sorted. Never drift. */
  readonly implied_members: readonly number[];
}

/** How the bulk user calls send their rows (roster.yaml `vault.body_format`); both are documented. */
export const BODY_FORMATS = ['json', 'csv'] as const;
export type BodyFormat = (typeof BODY_FORMATS)[number];

/** Safety policy from roster.yaml `policy:`. */
export interface Policy {
  readonly unmanaged_users: UnmanagedUserPolicy;
  /** Guard: a plan deactivating more users than this fails unless allowed. */
  readonly max_deactivations: number;
  /** Guard: share (0..1) of live managed-or-unmanaged users a plan may deactivate. */
  readonly max_deactivation_share: number;
  /** Guard: users a plan may take a vault membership or an app licence from (without deactivating them). */
  readonly max_access_removals: number;
  /** Guard: share (0..1) of live users a plan may take a membership or an app licence from. */
  readonly max_access_removal_share: number;
  /** Lower-cased user names the tool must never change. */
  readonly protected_users: readonly string[];
  /** Guard: admin profiles (standard admin profiles in a vault) and Domain Admin flags one plan may grant. */
  readonly max_admin_grants: number;
  /**
   * `policy.scope.vaults`: the vaults this repo manages, sorted; `undefined` = the whole domain.
   * Within a scope, `unmanaged_users: deactivate` deactivates memberships of these vaults (not the
   * domain account), live memberships of other vaults are left as they are, and the mass guards
   * count only users with a membership here.
   */
  readonly scope_vaults?: readonly number[] | undefined;
  /** Live user-managed groups no file declares (only when the repo manages groups). */
  readonly unmanaged_groups: UnmanagedGroupPolicy;
  /** Guard: explicit group memberships one plan may remove. */
  readonly max_group_member_removals: number;
  /** Time-boxed grants ending within this many days of the plan's clock are listed as expiring soon. */
  readonly expiry_warning_days: number;
  /** `policy.require_valid_until`: populations whose memberships must be time-boxed; absent = none. */
  readonly require_valid_until?: Readonly<Partial<Record<TimeboxPopulation, TimeboxRequirement>>> | undefined;
}

/** Who `policy.require_valid_until` can name. */
export const TIMEBOX_POPULATIONS = ['external_licenses', 'veevaid_users', 'admin_profiles'] as const;
export type TimeboxPopulation = (typeof TIMEBOX_POPULATIONS)[number];
export interface TimeboxRequirement {
  /** Longest time box allowed, in days (both ends inclusive). */
  readonly max_days?: number | undefined;
}

/**
 * The populations of `policy.require_valid_until` one membership falls in, from the user's licence
 * and security policy and the membership's licence and profile, defaults already applied.
 */
export function timeboxPopulations(
  user: { readonly license_type?: string | undefined; readonly security_policy?: string | undefined },
  membership: { readonly license_type?: string | undefined; readonly security_profile?: string | undefined } | undefined,
): TimeboxPopulation[] {
  const found: TimeboxPopulation[] = [];
  if (user.license_type === 'external__v' || membership?.license_type === 'external__v') found.push('external_licenses');
  if (user.security_policy === SITEVAULT_VEEVAID_POLICY) found.push('veevaid_users');
  if (membership !== undefined && isAdminProfile(membership.security_profile)) found.push('admin_profiles');
  return found;
}

export const DEFAULT_POLICY: Policy = {
  unmanaged_users: 'report',
  max_deactivations: 10,
  max_deactivation_share: 0.1,
  max_access_removals: 10,
  max_access_removal_share: 0.1,
  protected_users: [],
  max_admin_grants: 3,
  unmanaged_groups: 'report',
  max_group_member_removals: 25,
  expiry_warning_days: 14,
};

/** Target of a roster: which Vault and which API version. */
export interface VaultTarget {
  /** Base URL without `/api`, e.g. `https://myvault.veevavault.com`. May be overridden by VAULT_URL. */
  readonly url?: string;
  /** API version such as `v25.2`. */
  readonly api_version: string;
  /** The intended vault id; auth into another vault is refused. */
  readonly vault_id?: number;
  /** Vault DNS sent as `vaultDNS` on auth when the URL host is not the vault's own (proxies, simulator). */
  readonly dns?: string;
  /** Users per Retrieve All Users page (default 1000). */
  readonly page_size?: number;
  /** Record ids Promote Person to User is sent instead of these names, per reference category. */
  readonly promote_reference_ids?: PromoteReferenceIds;
  /** Body of the bulk user calls: JSON (default) or CSV. */
  readonly body_format?: BodyFormat;
}

/** The reference fields of Promote Person to User a Vault may want as record ids (VAULT-API.md §16). */
export const PROMOTE_REFERENCES = ['language', 'locale', 'security_profile'] as const;
export type PromoteReference = (typeof PROMOTE_REFERENCES)[number];
export type PromoteReferenceIds = Readonly<Partial<Record<PromoteReference, Readonly<Record<string, string>>>>>;

/** A desired-state file that went into a DesiredState, with the digest of its bytes. */
export interface SourceFile {
  readonly path: string;
  readonly sha256: string;
}

/** Everything the YAML repo declares, validated and normalised. */
export interface DesiredState {
  /** Absolute path of roster.yaml. */
  readonly config_path: string;
  readonly target: VaultTarget;
  readonly policy: Policy;
  /** Path of the last-applied state file, absolute. */
  readonly state_path: string;
  /** Sorted by user_name. */
  readonly users: readonly DesiredUser[];
  /** Sorted by email. */
  readonly sitevault: readonly DesiredSiteVaultPerson[];
  /**
   * Groups of the target vault, sorted by key; `undefined` = the repo does not manage groups (no
   * groups file is included). An empty list manages groups and declares none.
   */
  readonly groups?: readonly DesiredGroup[] | undefined;
  /** Every file read (config first, then includes sorted), for plan digests. */
  readonly files: readonly SourceFile[];
}

/** A Clinical Operations person (VQL on person__sys). */
export interface ClinicalPerson {
  readonly id: string;
  readonly email: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  /** Id of the linked user__sys, or null when the person has no user. */
  readonly user_id: string | null;
}

/** Per-application seat usage from `GET /objects/licenses`. */
export interface LicenseUsage {
  readonly application: string;
  readonly license_type: string;
  readonly licensed: number;
  readonly used: number;
}

/** What vault-roster remembers of a SiteVault person it applied (no read API exists). */
export interface AppliedSiteVaultPerson extends SiteVaultPerson {
  readonly person_id: string;
}

/** Live state of the target domain, normalised to the shapes above. */
export interface LiveState {
  /** The vault the session is in. */
  readonly vault_id: number;
  /** Lower-cased user name of the authenticated user. */
  readonly authenticated_user: string;
  /** Users keyed by lower-cased user_name; system-owned users excluded. */
  readonly users: ReadonlyMap<string, LiveUser>;
  /** Vault ids of the domain. */
  readonly vault_ids: readonly number[];
  /** Security policy `name__v` values. */
  readonly security_policies: readonly string[];
  /** Persons keyed by id; empty unless promotions are declared. */
  readonly persons: ReadonlyMap<string, ClinicalPerson>;
  /** Licence usage of the session's vault only (Retrieve Application License Usage is session-bound). */
  readonly licenses: readonly LicenseUsage[];
  /**
   * Applications each vault of the domain lists (Retrieve Domain Information,
   * `include_application=true`). `undefined` when the domain could not be read (not a Domain
   * Admin); a vault absent or with an empty list means its applications are unknown.
   */
  readonly vault_apps?: ReadonlyMap<number, readonly string[]> | undefined;
  /**
   * Security profiles of the session's vault (the `security_profile__v` values of Retrieve User
   * Metadata); `undefined` when they were not read. Other vaults' profiles cannot be read from
   * this session.
   */
  readonly security_profiles?: readonly string[] | undefined;
  /** SiteVault persons from the last-applied state file, keyed by lower-cased email. */
  readonly sitevault: ReadonlyMap<string, AppliedSiteVaultPerson>;
  /**
   * Every group of the session's vault (all kinds), keyed by lower-cased label; `undefined` when
   * groups were not read (the repo does not manage them).
   */
  readonly groups?: ReadonlyMap<string, LiveGroup> | undefined;
}

/** Lower-case and trim an identity (user name, email) the way Vault compares them. */
export function normaliseIdentity(value: string): string {
  return value.trim().toLowerCase();
}

const GRANT_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Start (UTC ms) of the day a grant date names, or `undefined` for text that is not a real
 * calendar day (2026-02-30 would silently roll over in `Date.UTC`, so the parts are checked back).
 */
export function grantDayStart(date: string): number | undefined {
  const match = GRANT_DATE.exec(date);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = Date.UTC(year, month - 1, day);
  const back = new Date(start);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return start;
}

/** One day in milliseconds: `valid_until` is inclusive, so a grant ends at the next day's start. */
export const GRANT_DAY_MS = 86_400_000;
