/**
 * Strict decoding of the scalar values Vault answers with (VAULT-API.md §1.3, §5.3): ids,
 * booleans, picklist names. Each decoder accepts every documented or plausible spelling and
 * throws `WireDecodeError` for anything else; none of them falls back to a default, because a
 * value vault-roster did not read must never be planned from. Pure; no I/O.
 */

/** A value Vault sent that vault-roster cannot read. `field` names where it was found. */
export class WireDecodeError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly value: unknown,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'WireDecodeError';
  }
}

/** Longest excerpt of a raw value an error message shows. */
export const EXCERPT_CHARS = 80;

/**
 * A short, single-line rendering of a raw value for an error message: JSON, control characters
 * escaped, cut at `max` characters. Callers still pass it through the client's redactor.
 */
export function excerpt(value: unknown, max = EXCERPT_CHARS): string {
  let text: string;
  try {
    // JSON.stringify answers undefined for undefined and functions, whatever its type says.
    text = value === undefined || typeof value === 'function' ? String(value) : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  // JSON.stringify escapes control characters inside strings; a raw head of a body may not be JSON.
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A positive integer id sent as a JSON number or a string of digits (§1.3). */
export function decodeId(value: unknown, field: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new WireDecodeError(field, 'expected a positive whole number (an id)', value);
  return n;
}

/** `true` / `false` as JSON booleans or strings in any case. */
export function decodeBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new WireDecodeError(field, 'expected true or false', value);
}

/**
 * A picklist value: a string, or an array holding exactly one string (how VQL and the object
 * APIs return single-value picklists).
 */
export function decodePicklist(value: unknown, field: string): string {
  const single = Array.isArray(value) && value.length === 1 ? (value as unknown[])[0] : value;
  if (typeof single !== 'string' || single.trim() === '') throw new WireDecodeError(field, 'expected a picklist value', value);
  return single.trim();
}

/**
 * An active flag: a boolean (JSON or text) or the status picklist `active__v` / `inactive__v`
 * that the object APIs use for the same thing.
 */
export function decodeActive(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  const single = Array.isArray(value) && value.length === 1 ? (value as unknown[])[0] : value;
  if (typeof single === 'string') {
    const lower = single.trim().toLowerCase();
    if (lower === 'true' || lower === 'active__v') return true;
    if (lower === 'false' || lower === 'inactive__v') return false;
  }
  throw new WireDecodeError(field, 'expected true, false, active__v or inactive__v', value);
}

/** A text field: strings as they are, numbers as their decimal text (policy ids arrive as numbers). */
export function decodeText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new WireDecodeError(field, 'expected text', value);
}
