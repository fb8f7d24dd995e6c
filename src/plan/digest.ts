/**
 * Digests a plan carries so apply can refuse a stale plan: the desired files it was made
 * from, and each live record it relied on. Exported so the applier computes the same digest
 * of a record it re-reads.
 */
import { createHash } from 'node:crypto';
import type { AppliedSiteVaultPerson, ClinicalPerson, LiveGroup, LiveUser, SourceFile } from '../model.js';

function withSortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withSortedKeys);
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) out[key] = withSortedKeys(record[key]);
  return out;
}

/**
 * JSON with object keys sorted at every level, so equal data always serialises the same.
 * (Integer-like keys still come first, as JS orders them; that order is just as fixed.)
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(withSortedKeys(value === undefined ? null : value));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Digest of one live record; null for "absent". Memberships are sorted so read order does not matter. */
export function liveRecordDigest(record: LiveUser | ClinicalPerson | AppliedSiteVaultPerson | LiveGroup | undefined): string | null {
  if (record === undefined) return null;
  if ('memberships' in record) {
    // Any login changes last_login (apply's own login too): it is informative, never compared.
    const { last_login: _lastLogin, ...compared } = record;
    const memberships = [...compared.memberships].sort((a, b) => a.vault_id - b.vault_id);
    return sha256Hex(canonicalJson({ ...compared, memberships }));
  }
  return sha256Hex(canonicalJson(record));
}

/** sha256 of the `sha256  path` lines (sha256sum format) of the files, sorted by path. */
export function desiredDigest(files: readonly SourceFile[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`);
  return sha256Hex(lines.join(''));
}
