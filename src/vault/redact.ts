/**
 * Secret redaction for everything the client emits: error messages, events, debug lines.
 *
 * Secrets are registered as soon as they are known (the password from the options, every session
 * id Vault hands out) and replaced by `***` wherever they appear. Keys that name a secret are
 * masked whatever their value, so a secret nobody registered (a session id echoed by a proxy)
 * still cannot leak through a structured event.
 */

const MASK = '***';

/** Property names whose values are always masked in structured data. */
const SECRET_KEYS = new Set(['password', 'sessionid', 'session_id', 'authorization', 'vault_session_id']);

export class Redactor {
  readonly #secrets = new Set<string>();
  /** Longest first, so a secret containing another is masked whole. */
  #ordered: string[] = [];

  add(secret: string | undefined): void {
    if (secret === undefined || secret === '' || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** The text with every registered secret replaced by `***`. */
  text(value: string): string {
    let out = value;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A deep copy of plain data with secrets masked (strings scanned, secret-named keys blanked). */
  value<T>(value: T): T {
    return this.#walk(value, 0) as T;
  }

  #walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth > 20) return value;
    if (Array.isArray(value)) return value.map((item: unknown) => this.#walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEYS.has(key.toLowerCase()) && item !== undefined ? MASK : this.#walk(item, depth + 1);
    }
    return out;
  }
}

/** Strips the query string when it names a secret-looking parameter; paths themselves carry none. */
export function safePath(pathWithQuery: string, redactor: Redactor): string {
  const [path = '', query] = pathWithQuery.split('?', 2);
  if (query === undefined) return redactor.text(path);
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) {
    if (SECRET_KEYS.has(key.toLowerCase())) params.set(key, MASK);
  }
  return redactor.text(`${path}?${params.toString().replaceAll('%2A', '*')}`);
}
