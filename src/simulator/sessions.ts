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
