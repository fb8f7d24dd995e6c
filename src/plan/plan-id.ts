/**
 * The plan id: THE identity of a plan document. The text plan, the PR comment, `apply` output,
 * the journal's name and its `run_started` entries all show this one value, so a reviewer's
 * comment can be tied to the apply that ran it.
 *
 * Definition (documented in the README, "Audit evidence"): the lowercase hex sha256 of the plan's
 * JSON in the JSON Canonicalization Scheme (RFC 8785): no whitespace, object keys sorted by
 * UTF-16 code units at every level, strings and numbers as ECMAScript's JSON.stringify writes
 * them. Key order and spacing of a plan file therefore do not change its id; any change of a
 * value does. `vault-roster plan-id plan.json` prints it.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Plan } from './types.js';

/** Pieces are collected and hashed in pieces of about this many characters (plans can be large). */
const FLUSH_AT = 1 << 16;

/** Feeds the canonical form of a value to a hash, piece by piece: no string of the whole plan is built. */
class CanonicalWriter {
  private text = '';

  constructor(private readonly hash: Hash) {}

  flush(): void {
    this.hash.update(this.text, 'utf8');
    this.text = '';
  }

  value(value: unknown): void {
    if (typeof value === 'string') {
      this.text += JSON.stringify(value);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      // JSON.stringify's form is RFC 8785's; non-finite numbers are null.
      this.text += JSON.stringify(value);
    } else if (value === null || typeof value !== 'object') {
      // null, and what JSON has no form for (undefined, functions) where a value must stand.
      this.text += 'null';
    } else if (Array.isArray(value)) {
      this.array(value as readonly unknown[]);
    } else {
      this.object(value as Record<string, unknown>);
    }
    if (this.text.length >= FLUSH_AT) this.flush();
  }

  private array(items: readonly unknown[]): void {
    this.text += '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.text += ',';
      const item = items[i];
      this.value(item === undefined || typeof item === 'function' ? null : item);
    }
    this.text += ']';
  }

  private object(record: Record<string, unknown>): void {
    // The default sort compares UTF-16 code units, as RFC 8785 requires (integer-like keys too).
    const keys = Object.keys(record).sort();
    this.text += '{';
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (item === undefined || typeof item === 'function') continue;
      this.text += first ? JSON.stringify(key) + ':' : ',' + JSON.stringify(key) + ':';
      first = false;
      this.value(item);
    }
    this.text += '}';
  }
}

/** sha256 (hex) of a JSON value's RFC 8785 canonical form. */
export function canonicalSha256(value: unknown): string {
  const hash = createHash('sha256');
  const writer = new CanonicalWriter(hash);
  writer.value(value);
  writer.flush();
  return hash.digest('hex');
}

const ids = new WeakMap<Plan, string>();

/**
 * The plan's id (64 hex digits). Plans are immutable: the id is computed once per plan object
 * (apply asks for it several times: lock, journal name, run entry, output).
 */
export function planId(plan: Plan): string {
  let id = ids.get(plan);
  if (id === undefined) {
    id = canonicalSha256(plan);
    ids.set(plan, id);
  }
  return id;
}
