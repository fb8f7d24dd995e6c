/**
 * The plan document: what `createPlan` returns, what `plan --out` writes, what `apply` reads.
 * Plain JSON data (specs/plan.schema.json, `format_version` 1). Never holds a secret.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { SourceRef } from '../model.js';

export const PLAN_FORMAT_VERSION = 1;

export { DEFAULT_BURST_LIMIT, MAX_BATCH_ROWS } from '../vault-api/index.js';

export interface PlanTarget {
  readonly url: string;
  readonly vault_id: number;
  readonly api_version: string;
}

/** Opt-in flags for dangerous changes; each matches a `--allow-…` CLI flag. */
export interface PlanAllowFlags {
  readonly mass_deactivation?: boolean | undefined;
  readonly last_domain_admin?: boolean | undefined;
  readonly protected_users?: boolean | undefined;
  readonly license_overuse?: boolean | undefined;
}

export interface PlanOptions {
  readonly tool_version: string;
  /** ISO timestamp, passed in so planning stays a pure function. */
  readonly created_at: string;
  readonly target: PlanTarget;
  readonly allow: PlanAllowFlags;
  /** Re-send every managed SiteVault person (Edit is full-replace, so this is safe). */
  readonly refresh_sitevault?: boolean | undefined;
  readonly git_commit?: string | undefined;
  /** Calls per 5-minute window; defaults to {@link DEFAULT_BURST_LIMIT}. */
  readonly burst_limit?: number | undefined;
}

export type ChangeSubject = 'user' | 'sitevault_person';

export type ChangeAction =
  | 'create'
  | 'update'
  | 'deactivate'
  | 'reactivate'
  | 'promote'
  | 'sitevault_create'
  | 'sitevault_edit';

export type ChangeRisk = 'admin' | 'security_profile' | 'license' | 'deactivation';

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
  /** Lower-cased user name (users) or email (SiteVault persons). */
  readonly key: string;
  readonly action: ChangeAction;
  /** Sorted, managed fields only. */
  readonly fields: readonly FieldChange[];
  /** For people; apply never branches on it. */
  readonly reason: string;
  readonly risks: readonly ChangeRisk[];
  readonly source?: SourceRef;
}

export type OperationKind = 'create' | 'upsert' | 'update' | 'promote' | 'sitevault_create' | 'sitevault_edit';

export interface OperationRow {
  /** The user or person the row is about (same as `Change.key`). */
  readonly key: string;
  readonly body: { readonly [key: string]: JsonValue };
}

/** One API call apply will make. */
export interface Operation {
  /** `op-001`, `op-002`, … in execution order. */
  readonly id: string;
  readonly kind: OperationKind;
  readonly method: 'POST' | 'PUT';
  /** Relative to `/api/{version}`, e.g. `/objects/users`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** `json-array`: the rows' bodies as a JSON array; `json-object`/`form`: exactly one row. */
  readonly body_format: 'json-array' | 'form' | 'json-object';
  /** Operations that must finish first (ids of earlier operations). */
  readonly depends_on: readonly string[];
  readonly rows: readonly OperationRow[];
}

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
  /** The call count compared with the burst limit, in words. */
  readonly burst_limit_note: string;
}

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
  /** sha256 over the sorted `sha256  path` lines of `desired_files`. */
  readonly desired_digest: string;
  readonly desired_files: readonly DesiredFileDigest[];
  /**
   * sha256 of the canonical JSON of each live record the plan relied on, keyed by
   * `liveDigestKey` (`user:<user_name>`, `person:<person id>`, `sitevault:<email>`);
   * null when the plan relied on the record being absent.
   */
  readonly live_digests: Readonly<Record<string, string | null>>;
  readonly changes: readonly Change[];
  readonly operations: readonly Operation[];
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: PlanSummary;
}
