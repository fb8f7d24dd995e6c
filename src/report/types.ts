/**
 * The seat and inactivity report as data (`specs/seats.schema.json` describes its JSON form).
 * Every figure says where it came from: Vault's own licence usage (`verified`), or a count of the
 * user listing (`verified: false`, with the reason).
 */

export const SEAT_REPORT_FORMAT = 1;

/** One vault licence type (`application` null) or application licence type in one vault. */
export interface SeatRow {
  readonly vault_id: number;
  readonly application: string | null;
  readonly license_type: string;
  /** Vault's reported allowed count; null where Vault reports none (other vaults, vault licence types). */
  readonly licensed: number | null;
  /** Vault's reported count where `verified`, else the count of the user listing. */
  readonly used: number;
  /** The count of the user listing (active users, active memberships, active apps). */
  readonly counted: number;
  /** Seats the current plan takes (positive) or frees (negative). */
  readonly change: number;
  /** `used + change`. */
  readonly after: number;
  /** `used` is Vault's own figure. */
  readonly verified: boolean;
  /** Why `used` is a count, or how the count differs from Vault's figure; null when there is nothing to say. */
  readonly note: string | null;
}

/** One edit of the YAML that would reclaim seats. */
export interface SuggestedEdit {
  /** `file:line:col` of the line to change (relative to the working directory). */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The line as it reads today (trimmed); null when the edit adds a line. */
  readonly current: string | null;
  /** What to do there, e.g. "set active: false on this membership". */
  readonly edit: string;
}

export const SUGGESTION_KINDS = ['deactivate_membership', 'remove_apps', 'declare_membership', 'in_plan', 'undeclared', 'outside_scope'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

export interface Suggestion {
  readonly kind: SuggestionKind;
  /** One sentence for people. */
  readonly summary: string;
  /** Empty for `in_plan` (nothing to edit), `undeclared` and `outside_scope` (nothing in this repo to edit). */
  readonly edits: readonly SuggestedEdit[];
}

/** A user holding a full or application licence in one vault whose last login makes them a candidate. */
export interface InactiveHolder {
  readonly user_name: string;
  readonly vault_id: number;
  /** `never`: Vault reports no login at all; `dormant`: the last login is `days_since_login` or more days old. */
  readonly standing: 'never' | 'dormant';
  readonly last_login: string | null;
  readonly days_since_login: number | null;
  /** The membership's licence type when it is full__v, else null. */
  readonly full_license: string | null;
  /** Active application licences in the vault, as `{application, license_type}`. */
  readonly apps: readonly { readonly application: string; readonly license_type: string }[];
  /** The user has active memberships of more than one vault (their last login may be another vault's). */
  readonly multi_vault: boolean;
  readonly suggestion: Suggestion;
}

/** A licence holder whose last login Vault did not report: not counted as inactive, and not as active. */
export interface UnknownLoginHolder {
  readonly user_name: string;
  readonly vault_id: number;
}

export interface SeatReport {
  readonly format_version: typeof SEAT_REPORT_FORMAT;
  readonly kind: 'seat_report';
  /** The clock of "days since login" (and of the plan's time boxes). */
  readonly as_of: string;
  readonly server: string;
  readonly session_vault_id: number;
  /** The vaults reported (all the domain's, or the one `--vault` named). */
  readonly vault_ids: readonly number[];
  readonly dormant_days: number;
  readonly plan: {
    readonly changes: number;
    /** Errors and held-back entries of the plan (`vault-roster plan` shows them). */
    readonly blocking: number;
    /** The after-plan figures are what apply would do: false when the plan has blocking problems. */
    readonly applicable: boolean;
  };
  readonly seats: readonly SeatRow[];
  readonly inactive: readonly InactiveHolder[];
  readonly login_not_reported: readonly UnknownLoginHolder[];
  /** Always true: nothing in this report was applied. */
  readonly suggestions_not_applied: true;
  readonly notes: readonly string[];
}
