/** The plan's counts, computed once here so every view shows the same numbers. */
import type { Change, PlanSummary } from './types.js';

/** `12345` → `12,345`, independent of the machine's locale so output stays stable. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The call count against Vault's burst limit (calls per 5-minute window), in words. */
export function burstLimitNote(calls: number, limit: number): string {
  if (calls === 0) return 'No API calls needed.';
  const plural = calls === 1 ? 'call' : 'calls';
  if (calls <= limit) {
    return `${formatCount(calls)} API ${plural}, within the burst limit of ${formatCount(limit)} calls per 5 minutes.`;
  }
  const windows = Math.ceil(calls / limit);
  return (
    `${formatCount(calls)} API calls exceed the burst limit of ${formatCount(limit)} calls per 5 minutes: ` +
    `apply paces itself, so expect it to span at least ${windows} windows (about ${(windows - 1) * 5} minutes or more).`
  );
}

export function summarise(
  changes: readonly Change[],
  counts: { readonly unchanged: number; readonly unmanaged: number; readonly api_calls: number; readonly burst_limit: number },
): PlanSummary {
  const count = (action: Change['action']): number => changes.filter((c) => c.action === action).length;
  return {
    create: count('create'),
    update: count('update'),
    deactivate: count('deactivate'),
    reactivate: count('reactivate'),
    promote: count('promote'),
    sitevault_create: count('sitevault_create'),
    sitevault_edit: count('sitevault_edit'),
    unchanged: counts.unchanged,
    unmanaged: counts.unmanaged,
    api_calls: counts.api_calls,
    burst_limit: counts.burst_limit,
  };
}
