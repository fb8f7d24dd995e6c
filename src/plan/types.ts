/**
 * The plan document: what `createPlan` returns, what `plan --out` writes, what `apply` reads.
 * Plain JSON data (specs/plan.schema.json, `format_version` 1). Never holds a secret.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Baseline } from './drift.js';
import type {
  AppLicense,
  GroupValues,
  LicenseType,
  Membership,
  MembershipKey,
  OrgAssignment,
  PromoteReference,
  SiteAssignment,
  SiteVaultPerson,
  SourceRef,
  StudyAssignment,
  UserRecord,
  UserValueKey,
} from '../model.js';

export const PLAN_FORMAT_VERSION = 2;

export { DEFAULT_BURST_LIMIT, MAX_BATCH_ROWS } from '../vault-api/index.js';

export interface PlanTarget {
  /** The vault's address as configured (roster.yaml vault.url, else VAULT_URL): names the vault. */
  readonly url: string;
  /** The server the plan was actually read from (VAULT_URL, else vault.url); apply refuses any other. */
  readonly server: string;
  readonly vault_id: number;
  readonly api_version: string;
}

/** Opt-in flags for dangerous changes; each matches a `--allow-…` CLI flag. */
export interface PlanAllowFlags {
  readonly mass_deactivation?: boolean | undefined;
  readonly last_domain_admin?: boolean | undefined;
  readonly protected_users?: boolean | undefined;
  readonly license_overuse?: boolean | undefined;
  readonly mass_removal?: boolean | undefined;
  readonly mass_admin_grants?: boolean | undefined;
}

/** `full`: every declared entry; `drift`: only entries whose YAML is unchanged since the last apply. */
export type PlanMode = 'full' | 'drift';

/**
 * The choices a plan was made with. Recorded in the plan, so apply re-derives it the same way
 * (and a guard an `--allow-…` flag let through stays let through, visibly).
 */
export interface PlanSettings {
  readonly mode: PlanMode;
  readonly allow: PlanAllowFlags;
  /** Re-send every managed SiteVault person (Edit is full-replace, so this is safe). */
  readonly refresh_sitevault: boolean;
}

export interface PlanOptions {
  readonly tool_version: string;
  /** ISO timestamp, passed in so planning stays a pure function. */
  readonly created_at: string;
  readonly target: PlanTarget;
  readonly allow: PlanAllowFlags;
  /** Re-send every managed SiteVault person (Edit is full-replace, so this is safe). */
  readonly refresh_sitevault?: boolean | undefined;
  readonly mode?: PlanMode | undefined;
  /** The last apply's baseline, from the state file; drift mode needs it. */
  readonly baseline?: Baseline | undefined;
  readonly git_commit?: string | undefined;
  /** Some desired file differed from that commit (edited, added or untracked) when the plan was made. */
  readonly git_dirty?: boolean | undefined;
  /** Calls per 5-minute window Vault reported (`X-VaultAPI-BurstLimit`); defaults to {@link DEFAULT_BURST_LIMIT}. */
  readonly burst_limit?: number | undefined;
  /** Calls left in the window when the plan was made (`X-VaultAPI-BurstLimitRemaining`), when Vault said. */
  readonly burst_remaining?: number | undefined;
  /** Read calls the plan made: apply makes them again (to check staleness) before its first write. */
  readonly read_calls?: number | undefined;
}

export type ChangeSubject = 'user' | 'sitevault_person' | 'group';

export type ChangeAction =
  | 'create'
  | 'update'
  | 'deactivate'
  | 'reactivate'
  | 'promote'
  | 'sitevault_create'
  | 'sitevault_edit'
  | 'group_create'
  | 'group_update'
  | 'group_deactivate';

/**
 * `admin` on a group change: members join a group that carries an admin-like security profile;
 * `last_member`: the change removes a group's last explicit member.
 */
export type ChangeRisk = 'admin' | 'security_profile' | 'security_policy' | 'license' | 'deactivation' | 'last_member';

/**
 * Seats of one application licence type in one vault, before and after the plan. Vault reports
 * the figures of the session's vault only; for other vaults `licensed`, `used` and `after` are
 * null (unknown, and a `license-seats-unverified` warning says so).
 */
export interface SeatPreview {
  readonly vault_id: number;
  readonly application: string;
  readonly license_type: string;
  readonly licensed: number | null;
  readonly used: number | null;
  /** Seats this plan takes (positive) or frees (negative). */
  readonly change: number;
  readonly after: number | null;
}

/** JSON value as it appears in before/after and request bodies. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One field-level difference. `path` grammar: `first_name`, `fields.company__v`,
 * `memberships[3003].security_profile`, `memberships[3003].apps.rimReg_v` (value `{active, license_type}`),
 * `org.role`, `sites[US-NC-0001].addons`, `studies[V0S000000001001].role`.
 * `before` is null when the live record lacks the field (or the record itself is new).
 */
export interface FieldChange {
  readonly path: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
}

export interface Change {
  readonly subject: ChangeSubject;
  /** Lower-cased user name (users), email (SiteVault persons) or group label (groups). */
  readonly key: string;
  readonly action: ChangeAction;
  /** Sorted, managed fields only. */
  readonly fields: readonly FieldChange[];
  /** For people; apply never branches on it. */
  readonly reason: string;
  readonly risks: readonly ChangeRisk[];
  readonly source?: SourceRef;
}

/** The values one user write sets. Absent = not sent. Extra fields never hold null here: clears go through `update_user`. */
export interface UserValues extends Partial<Pick<UserRecord, UserValueKey>> {
  readonly domain_admin?: boolean;
  /** Other editable fields by their Vault name (`company__v`, `badge__c`). */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

/** A vault membership as one write sets it (apps travel separately in {@link AppGrants}). */
export type MembershipGrant = Pick<Membership, 'vault_id' | MembershipKey>;

/** Application licenses of one vault, each set whole. */
export interface AppGrants {
  readonly vault_id: number;
  readonly apps: Readonly<Record<string, AppLicense>>;
}

/**
 * Every row names its subject: the lower-cased user name, a SiteVault person's email, or a
 * group's {@link groupRowKey} (`group:` + lower-cased label, so no group shares a key with a user).
 */
interface Row {
  readonly key: string;
}

/** A new user (Create Multiple Users). `membership` is the vault it is created in; none = domain-only. */
export interface NewUserRow extends Row {
  readonly values: UserValues;
  readonly membership?: MembershipGrant;
  readonly apps?: AppGrants;
  /** YAML lists no membership at all: create the user at domain level only. */
  readonly domain_only?: boolean;
}

/** One bulk write to an existing (or just created) user: values, one vault's membership, one vault's apps. */
export interface UserWriteRow extends Row {
  /** The user's Vault id; required unless the operation matches by user name. */
  readonly user_id?: number;
  readonly values: UserValues;
  readonly membership?: MembershipGrant;
  readonly apps?: AppGrants;
}

/** Domain-level flags and cleared values of one existing user (Update Single User). */
export interface DomainUserRow extends Row {
  readonly user_id: number;
  /** `domain_active__v`. */
  readonly active?: boolean;
  readonly domain_admin?: boolean;
  /** User properties to clear (`first_name`, …) and extra fields to clear (`badge__c`), sorted. */
  readonly clears: readonly string[];
}

/** Promote a Clinical person to a user (API v26.2). */
export interface PromoteRow extends Row {
  readonly person_id: string;
  readonly values: Pick<UserValues, 'first_name' | 'last_name' | 'email' | 'language' | 'timezone' | 'locale' | 'domain_admin'>;
  readonly security_profile?: string;
  readonly license_type?: LicenseType;
  /** Record ids sent instead of the names above (roster.yaml `vault.promote_reference_ids`). */
  readonly references?: Readonly<Partial<Record<PromoteReference, string>>>;
  /** More `user__sys` fields sent with the promotion only (YAML `promote_fields`). */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
}

/** A new SiteVault person with every assignment. */
export interface SiteVaultCreateRow extends Row {
  readonly person: SiteVaultPerson;
}

/** A SiteVault Edit User: each assignment named is replaced whole. */
export interface SiteVaultEditRow extends Row {
  readonly person_id: string;
  readonly investigator: boolean;
  readonly org?: OrgAssignment;
  readonly sites: readonly SiteAssignment[];
  readonly studies: readonly StudyAssignment[];
}

/** The row key of a group: never equal to a user name or an email. */
export function groupRowKey(groupKey: string): string {
  return `group:${groupKey}`;
}

/** A new user-managed group (Create Group): its values, never its members (they follow by id). */
export interface GroupCreateRow extends Row {
  readonly values: GroupValues & { readonly label: string };
}

/** Editable values of one existing group (Update Group); `active: false` deactivates it. */
export interface GroupUpdateRow extends Row {
  readonly group_id: number;
  readonly values: GroupValues;
}

/** A member of a group change: the user's id, or absent when an earlier operation creates the user. */
export interface GroupMemberRef {
  readonly user_name: string;
  readonly user_id?: number;
}

/**
 * Explicit members to add to or remove from one group, incrementally (`members__v=add (…)` /
 * `delete (…)`), never a full replace. `group_id` absent: the group is created by an operation
 * this one depends on, and apply takes the id that operation returned; a member without
 * `user_id` likewise takes the id from the operation that created or promoted the user.
 */
export interface GroupMembersRow extends Row {
  readonly group_id?: number;
  /** Sorted by user name. */
  readonly members: readonly GroupMemberRef[];
}

interface OperationBase<K extends string, R extends Row> {
  /** `op-001`, `op-002`, … in execution order. */
  readonly id: string;
  readonly kind: K;
  /** The Vault call, for people reading the plan (`POST /objects/users`). Apply never reads it back. */
  readonly call: string;
  /** Operations that must finish first (ids of earlier operations). */
  readonly depends_on: readonly string[];
  readonly rows: readonly R[];
}

/** One API call apply will make, in the domain's terms; only the client turns it into HTTP. */
export type Operation =
  | OperationBase<'create_users', NewUserRow>
  | (OperationBase<'upsert_users', UserWriteRow> & { readonly match: 'user_name' | 'id' })
  | OperationBase<'update_users', UserWriteRow>
  | OperationBase<'update_user', DomainUserRow>
  | OperationBase<'promote_persons', PromoteRow>
  | OperationBase<'sitevault_create', SiteVaultCreateRow>
  | OperationBase<'sitevault_edit', SiteVaultEditRow>
  | OperationBase<'create_group', GroupCreateRow>
  | OperationBase<'update_group', GroupUpdateRow>
  | OperationBase<'add_group_members', GroupMembersRow>
  | OperationBase<'remove_group_members', GroupMembersRow>;

export type OperationKind = Operation['kind'];

export const OPERATION_KINDS: readonly OperationKind[] = [
  'create_users',
  'upsert_users',
  'update_users',
  'update_user',
  'promote_persons',
  'sitevault_create',
  'sitevault_edit',
  'create_group',
  'update_group',
  'add_group_members',
  'remove_group_members',
];

/** Any operation's rows, for code that only needs their keys. */
export type OperationRow = Operation['rows'][number];

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly deactivate: number;
  readonly reactivate: number;
  readonly promote: number;
  readonly sitevault_create: number;
  readonly sitevault_edit: number;
  /** Desired users and SiteVault persons that already match. */
  readonly unchanged: number;
  /** Live users that no desired file declares. */
  readonly unmanaged: number;
  /** Calls apply will make (one per operation). */
  readonly api_calls: number;
  /** Vault's burst limit the estimate was made against (calls per 5-minute window). */
  readonly burst_limit: number;
  /** Calls left in Vault's burst window when the plan was made, when Vault reported it. */
  readonly burst_remaining?: number;
  /** Reads apply repeats before its first write (absent in plans made without Vault). */
  readonly read_calls?: number;
  /** Group counts; present only when the repo manages groups. */
  readonly groups?: GroupSummary;
}

export interface GroupSummary {
  readonly create: number;
  /** Groups whose values or members change (not counting creations and deactivations). */
  readonly update: number;
  readonly deactivate: number;
  /** Explicit memberships added and removed, over every group. */
  readonly members_added: number;
  readonly members_removed: number;
  /** Declared groups that already match. */
  readonly unchanged: number;
  /** Live user-managed groups no file declares. */
  readonly unmanaged: number;
}

/**
 * sha256 of the canonical JSON of each live record the plan relied on, by kind and key; null
 * when the plan relied on the record being absent.
 */
export interface LiveDigests {
  /** By lower-cased user name. */
  readonly users: Readonly<Record<string, string | null>>;
  /** Clinical `person__sys` records, by id. */
  readonly persons: Readonly<Record<string, string | null>>;
  /** SiteVault persons of the state file, by lower-cased email. */
  readonly sitevault: Readonly<Record<string, string | null>>;
  /** Groups of the session's vault, by lower-cased label (only when the repo manages groups). */
  readonly groups?: Readonly<Record<string, string | null>>;
}

export type LiveRecordKind = keyof LiveDigests;

export interface DesiredFileDigest {
  readonly path: string;
  readonly sha256: string;
}

export interface Plan {
  readonly format_version: typeof PLAN_FORMAT_VERSION;
  readonly created_at: string;
  readonly tool_version: string;
  readonly target: PlanTarget;
  readonly git_commit?: string;
  /** The desired files had uncommitted changes when the plan was made (only with `git_commit`). */
  readonly git_dirty?: boolean;
  /** sha256 over the sorted `sha256  path` lines of `desired_files`. */
  readonly desired_digest: string;
  readonly desired_files: readonly DesiredFileDigest[];
  readonly settings: PlanSettings;
  /** What the plan relied on in Vault (and in the state file), for the staleness check. */
  readonly live_digests: LiveDigests;
  readonly changes: readonly Change[];
  readonly operations: readonly Operation[];
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: PlanSummary;
  /** Application seats the plan changes, per vault, application and licence type (sorted). */
  readonly seats?: readonly SeatPreview[];
}
