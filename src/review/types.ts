/** The review document: one row per user and vault, with the facts a reviewer decides on. */
import type { SourcePosition } from '../diagnostics.js';
import type { ReviewFlag } from '../model.js';

export const REVIEW_FORMAT_VERSION = 1;

/** `last_login__v` as the report shows it; `not_reported` is never read as "never". */
export type ReviewLastLogin = { readonly kind: 'at'; readonly at: string; readonly days_ago: number } | { readonly kind: 'never' } | { readonly kind: 'not_reported' } | { readonly kind: 'no_account' };

/** One time box that applies to the row (the user's own or the membership's). */
export interface ReviewGrant {
  readonly scope: 'user' | 'membership';
  readonly valid_from: string | null;
  readonly valid_until: string | null;
  readonly reason: string | null;
  readonly state: 'valid' | 'expired' | 'not-yet-valid';
  readonly days_left: number | null;
  /** `file:line` of the declaration. */
  readonly declared_at: string;
}

export interface ReviewAppLicence {
  readonly app: string;
  readonly license_type: string;
  readonly active: boolean;
}

export interface ReviewRow {
  readonly user_name: string;
  readonly display_name: string | null;
  readonly owners: readonly string[];
  /** Vault id of the membership; null for a user with no membership at all. */
  readonly vault_id: number | null;
  /** `file:line` of the user's entry; null for an orphan. */
  readonly declared_at: string | null;
  /** Where the values come from: Vault (`live`), or the YAML for a user Vault does not have yet. */
  readonly values_from: 'live' | 'desired';
  readonly domain_active: boolean | null;
  readonly domain_admin: boolean | null;
  readonly membership_active: boolean | null;
  readonly security_profile: string | null;
  readonly license_type: string | null;
  readonly security_policy: string | null;
  readonly app_licences: readonly ReviewAppLicence[];
  /** Explicit group memberships in this vault; null when they were not read (another vault, or groups unmanaged). */
  readonly groups: readonly string[] | null;
  /** SiteVault assignments, from the YAML or else the last-applied state. */
  readonly sitevault: readonly string[];
  readonly last_login: ReviewLastLogin;
  readonly grants: readonly ReviewGrant[];
  readonly reviewed: { readonly by: string; readonly on: string } | null;
  readonly exception: { readonly until: string; readonly reason: string; readonly flags: readonly ReviewFlag[]; readonly in_force: boolean; readonly declared_at: string } | null;
  /** Flags raised, in REVIEW_FLAGS order. */
  readonly flags: readonly ReviewFlag[];
  /** Flags an exception in force suppressed. */
  readonly deferred: readonly ReviewFlag[];
  /** What the plan would change for this row (`action: path`), when DRIFTED. */
  readonly drift: readonly string[];
}

export interface ReviewSettings {
  readonly dormant_days: number;
  readonly interval_days: number;
  readonly expiry_warning_days: number;
  readonly orphan_owner: string;
}

export interface Review {
  readonly format_version: typeof REVIEW_FORMAT_VERSION;
  readonly as_of: string;
  readonly tool_version: string;
  /** The vault the session read (groups and licence figures are of this vault only). */
  readonly session_vault_id: number;
  readonly settings: ReviewSettings;
  /** Where owners came from: `review.owners`, a CODEOWNERS file, or none. */
  readonly owners_from: string;
  /** Every owner with at least one row, sorted (the orphan owner last). */
  readonly owners: readonly string[];
  /** Sorted by user name, then vault id. */
  readonly rows: readonly ReviewRow[];
}

/** One owner rule of `review.owners` (from roster.yaml) or of CODEOWNERS. */
export interface OwnerRule {
  readonly pattern: string;
  readonly owners: readonly string[];
  readonly position: SourcePosition;
  readonly matches: (path: string) => boolean;
}
