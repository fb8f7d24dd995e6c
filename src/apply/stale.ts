/**
 * Staleness: a saved plan is only valid while the live records it relied on are as they were.
 * Pure: compares the plan's digests with digests of freshly read records.
 */
import type { LiveState } from '../model.js';
import { liveRecordDigest, type Plan } from '../plan/index.js';

function recordFor(live: LiveState, digestKey: string): Parameters<typeof liveRecordDigest>[0] {
  const colon = digestKey.indexOf(':');
  const kind = digestKey.slice(0, colon);
  const key = digestKey.slice(colon + 1);
  switch (kind) {
    case 'user':
      return live.users.get(key);
    case 'person':
      return live.persons.get(key);
    case 'sitevault':
      return live.sitevault.get(key);
    default:
      return undefined;
  }
}

/**
 * Digest keys (`user:<name>`, `person:<id>`, `sitevault:<email>`) whose live record changed
 * since the plan was made, sorted. Records named in `exempt` (touched by an earlier run of this
 * same plan, per its journal) are expected to have moved and are skipped.
 */
export function findStaleRecords(plan: Plan, live: LiveState, exempt: ReadonlySet<string> = new Set()): string[] {
  // Exemptions name users; a promotion also moves its Clinical person (it gains the user link),
  // so the person counts as touched when the user promoted from it was.
  const promotedBy = new Map<string, string>();
  for (const op of plan.operations) {
    if (op.kind !== 'promote') continue;
    for (const row of op.rows) {
      const personId = row.body.source_person_id;
      if (typeof personId === 'string') promotedBy.set(personId, row.key);
    }
  }
  const stale: string[] = [];
  for (const [digestKey, digest] of Object.entries(plan.live_digests)) {
    const key = digestKey.slice(digestKey.indexOf(':') + 1);
    if (exempt.has(key)) continue;
    const promotedUser = digestKey.startsWith('person:') ? promotedBy.get(key) : undefined;
    if (promotedUser !== undefined && exempt.has(promotedUser)) continue;
    if (liveRecordDigest(recordFor(live, digestKey)) !== digest) stale.push(digestKey);
  }
  return stale.sort();
}
