/**
 * Secret redaction for everything the client emits: error messages, events, debug lines.
 *
 * Secrets are registered as soon as they are known (the password from the options, every session
 * id Vault hands out) and replaced by `***` wherever they appear. Keys that name a secret are
 * masked whatever their value, so a secret nobody registered (a session id echoed by a proxy)
 * still cannot leak through a structured event.
 *
 * The rule for where a secret is masked: a secret of {@link SHORT_SECRET} characters or more is
 * masked wherever it appears (it cannot be part of an ordinary word by chance). A shorter one (a
 * weak password such as `admin`) is masked only where it stands alone: not directly preceded or
 * followed by a letter, digit or underscore. So `admin` is masked in `password=admin&` or
 * `'admin'`, but `administrator`, `sysadmin` and `admin_v` stay readable.
 */

const MASK = '***';

/** Secrets at least this long are masked anywhere; shorter ones only as a whole token. */
export const SHORT_SECRET = 12;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Property names whose values are always masked in structured data. */
const SECRET_KEYS = new Set(['password', 'sessionid', 'session_id', 'authorization', 'vault_session_id', 'access_token', 'refresh_token', 'id_token', 'client_secret']);

export class Redactor {
  readonly #secrets = new Set<string>();
  /** Longest first, so a secret containing another is masked whole. */
  #ordered: string[] = [];
  /** Whole-token patterns of the short secrets. */
  readonly #tokens = new Map<string, RegExp>();

  add(secret: string | undefined): void {
    if (secret === undefined || secret === '' || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
    if (secret.length < SHORT_SECRET) this.#tokens.set(secret, new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(secret)}(?![\\p{L}\\p{N}_])`, 'gu'));
  }

  /** The text with every registered secret replaced by `***` (short ones only as whole tokens). */
  text(value: string): string {
    let out = value;
    for (const secret of this.#ordered) {
      if (!out.includes(secret)) continue;
      const token = this.#tokens.get(secret);
      out = token === undefined ? out.split(secret).join(MASK) : out.replace(token, MASK);
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
