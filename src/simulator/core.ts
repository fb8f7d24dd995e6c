/**
 * The simulator's shared state as the route files see it: store, sessions, limits, faults,
 * log, settings and the permission rules. No HTTP here.
 */
import { FaultInjector } from './faults.js';
import { FixedWindowCounter } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import { Sessions } from './sessions.js';
import { isDomainActive, isDomainAdmin, membershipOf, type SimUser } from './records.js';
import type { Store } from './store.js';
import type { StatePersister } from './persistence.js';
import type { QueryCursor } from './vql-engine.js';
import type { SimulatorProfile } from './profiles.js';

export interface CoreSettings {
  readonly adminUser: string;
  readonly adminPassword: string;
  /** Lower-cased user name → password. */
  readonly passwords: ReadonlyMap<string, string>;
  readonly burstLimit: number;
  readonly burstWindowMs: number;
  readonly burstDelayMs: number;
  readonly burstMode: 'delay' | 'reject';
  readonly authBurstLimit: number;
  readonly latencyMs: number;
  readonly sessionIdleMs: number;
  /** The reading of undocumented behaviours this simulator plays (it may be switched while running). */
  profile: SimulatorProfile;
}

/** Profiles that grant user administration in a vault (standard ones only, VAULT-API.md §5). */
const ADMIN_PROFILES = new Set(['system_admin__v', 'vault_owner__v']);

export class SimCore {
  readonly sessions: Sessions;
  readonly faults: FaultInjector;
  readonly log = new RequestLog();
  readonly burst: FixedWindowCounter;
  readonly authLimit: FixedWindowCounter;
  readonly cursors = new Map<string, QueryCursor>();
  persister: StatePersister | undefined;

  constructor(
    readonly store: Store,
    readonly settings: CoreSettings,
    readonly clock: () => number,
    randomSeed: number,
  ) {
    this.sessions = new Sessions(settings.sessionIdleMs, clock);
    this.faults = new FaultInjector(randomSeed);
    this.burst = new FixedWindowCounter(settings.burstLimit, settings.burstWindowMs, clock);
    this.authLimit = new FixedWindowCounter(settings.authBurstLimit, 60_000, clock);
  }

  get profile(): SimulatorProfile {
    return this.settings.profile;
  }

  nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  passwordOf(user: SimUser): string | undefined {
    const name = String(user.fields.user_name__v).toLowerCase();
    if (name === this.settings.adminUser.toLowerCase()) return this.settings.adminPassword;
    return this.settings.passwords.get(name);
  }

  /** Domain Admin, or an active System Admin / Vault Owner of that vault. */
  isAdminOf(user: SimUser, vaultId: number): boolean {
    if (!isDomainActive(user)) return false;
    if (isDomainAdmin(user)) return true;
    const m = membershipOf(user, vaultId);
    return m !== undefined && m.active && ADMIN_PROFILES.has(m.profile);
  }

  /** True when the user may still use a session in this vault. */
  canUseVault(user: SimUser, vaultId: number): boolean {
    const vault = this.store.vaults.get(vaultId);
    const m = membershipOf(user, vaultId);
    return vault?.status === 'Active' && isDomainActive(user) && m !== undefined && m.active;
  }
}
