/** The plan's counts, computed once here so every view shows the same numbers. */
import type { GroupDiff } from './diff-groups.js';
import type { Change, GroupSummary, PlanSummary } from './types.js';

/** `12345` → `12,345`, independent of the machine's locale so output stays stable. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** What else the estimate knows: the reads apply repeats, and what was left of the window. */
export interface BurstContext {
  /** Read calls apply makes again before its first write (the plan's own reads). */
  readonly reads?: number | undefined;
  /** Calls left in the burst window when the plan was made, as Vault reported. */
  readonly remaining?: number | undefined;
}

/**
 * The call count against Vault's burst limit (calls per 5-minute window), in words: the writes,
 * plus the reads apply repeats, against the limit Vault reported and what was left of it.
 */
export function burstLimitNote(calls: number, limit: number, context: BurstContext = {}): string {
  if (calls === 0) return 'No API calls needed.';
  const reads = context.reads ?? 0;
  const total = calls + reads;
  const plural = calls === 1 ? 'call' : 'calls';
  const counted =
    reads === 0
      ? `${formatCount(calls)} API ${plural}`
      : `${formatCount(calls)} API ${plural} plus ${formatCount(reads)} ${reads === 1 ? 'read' : 'reads'} apply repeats first (${formatCount(total)} in all)`;
  if (total <= limit) {
    const within = `${counted}, within the burst limit of ${formatCount(limit)} calls per 5 minutes`;
    const { remaining } = context;
    if (remaining === undefined) return `${within}.`;
    // The client keeps a tenth of the limit in reserve (src/vault/pacing.ts) and waits rather than spend it.
    const usable = remaining - Math.max(1, Math.ceil(limit / 10));
    if (total <= usable) return `${within} (${formatCount(remaining)} left in the current window).`;
    return `${within}, but only ${formatCount(remaining)} were left in the current window: apply may wait up to 5 minutes for it to roll.`;
  }
  const windows = Math.ceil(total / limit);
  return (
    `${counted} exceed the burst limit of ${formatCount(limit)} calls per 5 minutes: ` +
    `apply paces itself, so expect it to span at least ${windows} windows (about ${(windows - 1) * 5} minutes or more).`
  );
}

export function summarise(
  changes: readonly Change[],
  counts: {
    readonly unchanged: number;
    readonly unmanaged: number;
    readonly api_calls: number;
    readonly burst_limit: number;
    readonly burst_remaining?: number;
    readonly read_calls?: number;
    readonly groups?: GroupSummary;
  },
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
    ...(counts.burst_remaining === undefined ? {} : { burst_remaining: counts.burst_remaining }),
    ...(counts.read_calls === undefined ? {} : { read_calls: counts.read_calls }),
    ...(counts.groups === undefined ? {} : { groups: counts.groups }),
  };
}

/** Group counts: group changes by action, and explicit memberships added and removed. */
export function summariseGroups(diff: Pick<GroupDiff, 'items' | 'unchanged' | 'unmanaged'>): GroupSummary {
  const count = (action: Change['action']): number => diff.items.filter((i) => i.change.action === action).length;
  let added = 0;
  let removed = 0;
  for (const item of diff.items) {
    added += item.add.length;
    removed += item.remove.length;
  }
  return {
    create: count('group_create'),
    update: count('group_update'),
    deactivate: count('group_deactivate'),
    members_added: added,
    members_removed: removed,
    unchanged: diff.unchanged,
    unmanaged: diff.unmanaged,
  };
}
