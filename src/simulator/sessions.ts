/**
 * Sessions: each bound to one user and one vault, with an idle timeout counted from the end
 * of the last request and a 48-hour hard cap (VAULT-API.md §2.4). Never persisted.
 */
import { randomBytes } from 'node:crypto';

export const SESSION_MAX_MS = 48 * 60 * 60 * 1000;

export interface Session {
  readonly id: string;
  readonly userId: number;
  readonly vaultId: number;
  readonly createdAt: number;
  lastUsedAt: number;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly idleMs: number,
    private readonly clock: () => number,
  ) {}

  create(userId: number, vaultId: number): Session {
    const now = this.clock();
    const session: Session = { id: randomBytes(24).toString('hex').toUpperCase(), userId, vaultId, createdAt: now, lastUsedAt: now };
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session for this id, or undefined when unknown, idle too long or too old. */
  get(id: string): Session | undefined {
    const session = this.byId.get(id);
    if (session === undefined) return undefined;
    const now = this.clock();
    if (now - session.lastUsedAt > this.idleMs || now - session.createdAt > SESSION_MAX_MS) {
      this.byId.delete(id);
      return undefined;
    }
    return session;
  }

  touch(session: Session): void {
    session.lastUsedAt = this.clock();
  }

  end(id: string): void {
    this.byId.delete(id);
  }

  endAll(): void {
    this.byId.clear();
  }

  endForUser(userId: number): void {
    for (const [id, s] of this.byId) if (s.userId === userId) this.byId.delete(id);
  }
}

/** The session id from `Authorization: {id}` or `Authorization: Bearer {id}`. */
export function sessionIdFromHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const bare = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '').trim() : value;
  return bare === '' ? undefined : bare;
}

/** The simulator's OAuth profile, token endpoint client and lifetime when the options name none. */
export const DEFAULT_SIM_OAUTH = {
  profile: '_sim_oauth_profile',
  clientId: 'vault-roster-sim',
  clientSecret: 'sim-client-secret',
  tokenTtlMs: 60 * 60 * 1000,
} as const;

interface IssuedToken {
  readonly userName: string;
  /** `undefined`: a ready token from the options, which never expires. */
  readonly expiresAt: number | undefined;
}

/**
 * Access tokens of the simulated authorization server: the ones its token endpoint issued
 * (expiring) and ready ones from the options. Vault itself mints none (VAULT-API.md §2.2); the
 * simulator plays both sides so tests need no identity provider.
 */
export class AccessTokens {
  private readonly byToken = new Map<string, IssuedToken>();
  readonly profiles: ReadonlySet<string>;
  readonly clients: ReadonlyMap<string, { readonly secret: string; readonly user: string }>;
  readonly ttlMs: number;

  constructor(
    options: {
      readonly profiles?: readonly string[];
      readonly clients?: Readonly<Record<string, { readonly secret: string; readonly user: string }>>;
      readonly tokens?: Readonly<Record<string, string>>;
      readonly tokenTtlMs?: number;
    },
    adminUser: string,
    private readonly clock: () => number,
  ) {
    this.profiles = new Set(options.profiles ?? [DEFAULT_SIM_OAUTH.profile]);
    this.clients = new Map(Object.entries(options.clients ?? { [DEFAULT_SIM_OAUTH.clientId]: { secret: DEFAULT_SIM_OAUTH.clientSecret, user: adminUser } }));
    this.ttlMs = options.tokenTtlMs ?? DEFAULT_SIM_OAUTH.tokenTtlMs;
    for (const [token, userName] of Object.entries(options.tokens ?? {})) this.byToken.set(token, { userName, expiresAt: undefined });
  }

  issue(userName: string): string {
    const token = randomBytes(32).toString('base64url');
    this.byToken.set(token, { userName, expiresAt: this.clock() + this.ttlMs });
    return token;
  }

  /** The user name a valid, unexpired token logs in as. */
  userFor(token: string): string | undefined {
    const issued = this.byToken.get(token);
    if (issued === undefined) return undefined;
    if (issued.expiresAt !== undefined && this.clock() >= issued.expiresAt) {
      this.byToken.delete(token);
      return undefined;
    }
    return issued.userName;
  }
}
