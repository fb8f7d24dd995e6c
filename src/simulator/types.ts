/**
 * Public types of the simulator: the seed/state file format, start options, the running
 * handle and request-log entries. The seed format is also the `--state` file format and
 * what `dump()` returns, so any state can be saved and started from again.
 */
import type { LicenseType } from '../model.js';
import type { ProfileSpec, SimulatorProfile } from './profiles.js';

/** Scalar value of a user field. */
export type SeedFieldValue = string | number | boolean | null;

export interface SeedDomain {
  /** `domain_name__v`, e.g. `veepharm`. */
  readonly name: string;
  /** `domain_type__v`: Production, Sandbox, Demo or Test. */
  readonly type?: string;
  /** `domain_id__v` on users. */
  readonly id?: number;
  /** Custom user fields (`*__c`) the API accepts; any other `__c` field is ATTRIBUTE_NOT_SUPPORTED. */
  readonly custom_user_fields?: readonly string[];
}

export interface SeedApplication {
  /** app_licensing code, e.g. `rimReg_v`. */
  readonly name: string;
  readonly label?: string;
  /** Seats per license type; a license type absent here is invalid for the application. */
  readonly licenses?: Readonly<Partial<Record<LicenseType, number>>>;
}

export interface SeedVault {
  readonly id: number;
  readonly name: string;
  /** DNS sent as `vaultDNS` on auth, e.g. `veepharm-rim.veevavault.com`. */
  readonly dns: string;
  /** `Active` (default) or `Inactive`. */
  readonly status?: 'Active' | 'Inactive';
  /** Vault family name, e.g. `rim__v`. */
  readonly family?: string;
  /** Security profiles of this vault; default: the standard ones. */
  readonly security_profiles?: readonly string[];
  readonly applications?: readonly SeedApplication[];
}

export interface SeedSecurityPolicy {
  /** Usually a numeric string such as `821`; the value of `security_policy_id__v`. */
  readonly name__v: string;
  readonly label__v: string;
  /** `password` (default), `sso` or `veevaid`. */
  readonly authentication_type?: 'password' | 'sso' | 'veevaid';
  readonly description__v?: string;
}

export interface SeedMembership {
  readonly vault_id: number;
  readonly active__v?: boolean;
  readonly security_profile__v?: string;
  readonly license_type__v?: LicenseType;
}

export interface SeedAppLicense {
  readonly vault_id: number;
  readonly application_name: string;
  readonly active__v?: boolean;
  readonly license_type__v?: LicenseType;
}

/**
 * A domain user in Vault's legacy field names. Other editable fields (`company__v`,
 * `user_title__v`, `site__v`, `federated_id__v`, declared `*__c`, …) sit beside these.
 */
export interface SeedUser {
  readonly id: number;
  readonly user_name__v: string;
  readonly user_first_name__v?: string;
  readonly user_last_name__v?: string;
  readonly user_email__v?: string;
  readonly user_timezone__v?: string;
  readonly user_locale__v?: string;
  readonly user_language__v?: string;
  /** Policy `name__v`; null only for system-owned users. */
  readonly security_policy_id__v?: string | number | null;
  readonly is_domain_admin__v?: boolean;
  readonly domain_active__v?: boolean;
  readonly user_needs_to_change_password__v?: boolean;
  readonly created_date__v?: string;
  readonly created_by__v?: number;
  readonly modified_date__v?: string;
  readonly modified_by__v?: number;
  readonly last_login__v?: string | null;
  /** Clinical Operations: the `person__sys` this user was promoted from. */
  readonly source_person_id__v?: string | null;
  /** System-owned users (System, Application Owner, …): read-only, never license-counted. */
  readonly system_owned?: boolean;
  /** Vault of the last login, used by auth defaulting. */
  readonly last_vault_id?: number | null;
  readonly vault_membership?: readonly SeedMembership[];
  readonly app_licensing?: readonly SeedAppLicense[];
  readonly [field: string]: unknown;
}

export interface SeedSiteVaultAssignmentOrg {
  readonly org_id: string;
  readonly system_role_id: string;
  readonly addons?: readonly string[];
}
export interface SeedSiteVaultAssignmentSite {
  readonly site_usn: string;
  readonly system_role_id: string;
  readonly addons?: readonly string[];
}
export interface SeedSiteVaultAssignmentStudy {
  readonly id: string;
  readonly study_role: string;
}

export interface SeedSiteVaultPerson {
  readonly person_id: string;
  readonly email: string;
  readonly username?: string | null;
  readonly first_name: string;
  readonly last_name: string;
  readonly security_policy_id: string;
  readonly person_type: 'staff__v' | 'external__v';
  readonly language?: string;
  readonly is_investigator: boolean;
  readonly federated_id?: string | null;
  /** `active__v` or `inactive__v` (inactive once all access in the org is removed). */
  readonly record_status?: 'active__v' | 'inactive__v';
  readonly org_assignment?: SeedSiteVaultAssignmentOrg | null;
  readonly site_assignments?: readonly SeedSiteVaultAssignmentSite[];
  readonly study_assignments?: readonly SeedSiteVaultAssignmentStudy[];
}

export interface SeedSiteVault {
  readonly org: { readonly id: string; readonly name: string };
  readonly sites: readonly { readonly usn: string; readonly name: string }[];
  readonly studies: readonly { readonly id: string; readonly name: string; readonly site_usn: string }[];
  /** Policies SiteVault accepts besides the domain's; default `VeevaID`, `noUser`. */
  readonly security_policies?: readonly string[];
  readonly persons?: readonly SeedSiteVaultPerson[];
}

export interface SeedClinicalPerson {
  readonly id: string;
  readonly first_name__sys: string | null;
  readonly last_name__sys: string | null;
  readonly email__sys: string | null;
  /** Id of the linked user (as a string), or null. */
  readonly vault_user__sys?: string | null;
  readonly status__v?: string;
}

export interface SeedClinical {
  /** Vault whose `person__sys` records these are. */
  readonly vault_id: number;
  readonly persons: readonly SeedClinicalPerson[];
}

/** Vault's kinds of group (VAULT-API.md §16.1), as the seed names them. */
export type SeedGroupKind = 'user_managed' | 'system' | 'auto' | 'manager';

/**
 * A group of one vault. System groups (one per standard profile of a vault, plus All Internal
 * Users) are added by the simulator when the seed does not list them; their members are implied
 * only. Implied members are never stored: they are the users whose active membership of the vault
 * has a profile in `security_profiles__v`.
 */
export interface SeedGroup {
  /** Default: allocated from `counters.next_group_id`. */
  readonly id?: number;
  readonly vault_id: number;
  readonly label__v: string;
  /** Default: derived from the label (lower-case, non-alphanumerics `_`, `__c`). */
  readonly name__v?: string;
  /** Default `user_managed`. */
  readonly kind?: SeedGroupKind;
  readonly group_description__v?: string;
  /** Default true. */
  readonly active__v?: boolean;
  /** Default false. */
  readonly allow_delegation_among_members__v?: boolean;
  /**
   * Explicit members: user ids, or user names (any case; a dump writes ids). For an Auto Managed
   * group, the members its rule gives.
   */
  readonly members__v?: readonly (number | string)[];
  /** Profiles whose users are implied members. */
  readonly security_profiles__v?: readonly string[];
  readonly created_date__v?: string;
  readonly modified_date__v?: string;
}

export interface SeedCounters {
  /** Next legacy user id (human users start at 25001). */
  readonly next_user_id?: number;
  /** Next id of a created group. */
  readonly next_group_id?: number;
  /** Next SiteVault person sequence (ids `V0B` + 12 digits). */
  readonly next_sitevault_person?: number;
}

/** The seed / state file (JSON). Only `vaults` is required; everything else has defaults. */
export interface SimulatorSeed {
  readonly format?: string;
  readonly domain?: SeedDomain;
  readonly vaults: readonly SeedVault[];
  readonly security_policies?: readonly SeedSecurityPolicy[];
  readonly users?: readonly SeedUser[];
  readonly sitevault?: SeedSiteVault | null;
  readonly clinical?: SeedClinical | null;
  /** Groups of every vault (see SeedGroup); system groups missing here are added. */
  readonly groups?: readonly SeedGroup[];
  readonly counters?: SeedCounters;
}

export const SEED_FORMAT = 'vault-roster-simulator/1';

/** Fault injection settings; see faults.ts for the SPEC string form. */
export interface FaultSpec {
  /** PRNG seed; the same seed and request sequence gives the same faults. */
  readonly seed?: number;
  /** Probabilities (0..1, summing to at most 1), drawn once per /api request. */
  readonly http500?: number;
  readonly http503?: number;
  /** Connection reset before the request is processed. */
  readonly drop?: number;
  /** Connection reset after the request was processed (the write happened). */
  readonly dropAfter?: number;
  /** FAILURE + RACE_CONDITION, nothing processed. */
  readonly race?: number;
  /** FAILURE + UNEXPECTED_ERROR, nothing processed. */
  readonly unexpected?: number;
  /** EXCEPTION + UNEXPECTED_ERROR, nothing processed. */
  readonly exception?: number;
  /** Added to every /api response, in ms. */
  readonly latencyMs?: number;
  /** Every Nth request carrying a valid session finds it expired. */
  readonly expireSessionEvery?: number;
  /**
   * User names / emails whose writes fail with INVALID_DATA: bulk rows, promotions, single-user and
   * membership PUTs, and group writes naming that user as a member or that text as the group label.
   */
  readonly failRows?: readonly string[];
  /** Also apply the random faults to POST /auth (default false). */
  readonly includeAuth?: boolean;
}

export interface SimulatorOptions {
  /** 0 (default) lets the OS choose. The host is always 127.0.0.1. */
  readonly port?: number;
  /** A seed object or the path of a seed JSON file; default: the demo domain. */
  readonly seed?: SimulatorSeed | string;
  /** State file: loaded when it exists (it wins over `seed`), written atomically after changes. */
  readonly statePath?: string;
  /** Added to every /api response, in ms. */
  readonly latencyMs?: number;
  /** Calls per burst window per (vault, user); default 2000. */
  readonly burstLimit?: number;
  /** Default 300000 (5 minutes). */
  readonly burstWindowMs?: number;
  /** Delay of each over-limit response in delay mode; default 500. */
  readonly burstDelayMs?: number;
  /** `delay` (default, current Vault) or `reject` (FAILURE + API_LIMIT_EXCEEDED). */
  readonly burstMode?: 'delay' | 'reject';
  /** Auth calls per minute per (username, vaultDNS); default 100. */
  readonly authBurstLimit?: number;
  readonly faults?: FaultSpec | string;
  /** Default `admin@sim.veevavault.local`. */
  readonly adminUser?: string;
  /** Default `admin`. */
  readonly adminPassword?: string;
  /** Passwords of other users by user name (never persisted). */
  readonly passwords?: Readonly<Record<string, string>>;
  /** Session idle timeout; default 10 minutes. */
  readonly sessionIdleMs?: number;
  /** Default PRNG seed of faults when the spec gives none. */
  readonly randomSeed?: number;
  /** Clock in epoch ms, for tests of idle timeouts and burst windows; default Date.now. */
  readonly clock?: () => number;
  /** Debounce of state-file writes; default 200 ms. */
  readonly persistDelayMs?: number;
  /**
   * Which reading of the undocumented behaviours to play (profiles.ts): a profile name such as
   * `page-cap-200`, or a spec / profile object. Default `default`.
   */
  readonly profile?: string | ProfileSpec | SimulatorProfile;
  /** The OAuth 2.0 / OIDC login and the token endpoint (default: see DEFAULT_SIM_OAUTH). */
  readonly oauth?: SimulatorOAuthOptions;
}

/** What the simulator's OAuth login accepts. Secrets here are never logged or persisted. */
export interface SimulatorOAuthOptions {
  /** Active OAuth 2.0 / OpenID Connect profile ids (`POST /auth/oauth/session/{id}`). */
  readonly profiles?: readonly string[];
  /** Clients of the token endpoint (`POST /oauth2/token`): id → secret and the Vault user their tokens log in as. */
  readonly clients?: Readonly<Record<string, { readonly secret: string; readonly user: string }>>;
  /** Ready access tokens → the Vault user name they log in as; they never expire. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Lifetime of tokens the token endpoint issues; default 1 hour. */
  readonly tokenTtlMs?: number;
}

export type RequestStatus =
  | 'SUCCESS'
  | 'WARNING'
  | 'FAILURE'
  | 'EXCEPTION'
  | 'HTTP_500'
  | 'HTTP_503'
  | 'DROPPED'
  | 'DROPPED_AFTER'
  | 'NOT_API';

export interface RequestLogEntry {
  readonly seq: number;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Query parameters (secrets redacted). */
  readonly query: Readonly<Record<string, string>>;
  /** Row count of a bulk write or promotion; user ids a group member change names. */
  readonly rows?: number;
  /** How a group write changed its explicit members: `replace` (`1,2`), `add (…)` or `delete (…)`. */
  readonly membersChange?: 'replace' | 'add' | 'delete';
  /** Vault the request ran in. */
  readonly vaultId?: number;
  readonly userId?: number;
  readonly status: RequestStatus;
  /** Error types of the envelope and of every failed row, in order. */
  readonly errorTypes: readonly string[];
  /** Deliberate burst-limit delay, when one was added. */
  readonly delayedMs?: number;
  readonly httpStatus: number;
  readonly executionId: string;
  readonly clientId?: string;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly adminUser: string;
  /** The profile it plays now. */
  readonly profile: SimulatorProfile;
  /** Plays another profile from the next request on (a name, a spec or a profile). */
  setProfile(profile: string | ProfileSpec | SimulatorProfile): void;
  /** Stops serving and flushes the state file. Safe to call twice. */
  close(): Promise<void>;
  requestLog(): readonly RequestLogEntry[];
  clearRequestLog(): void;
  setFaults(spec: FaultSpec | string): void;
  /** The full state in the seed format. */
  dump(): SimulatorSeed;
  /** Replaces the whole state (sessions are ended). */
  replaceState(seed: SimulatorSeed): void;
  /** Ends every session at once (next calls get INVALID_SESSION_ID). */
  expireSessions(): void;
  /** Writes the state file now (no-op without statePath). */
  flush(): Promise<void>;
}
