/** JSON view: the plan document itself, top-level keys in a fixed order, two-space indented. */
import type { Plan } from '../plan/index.js';

const TOP_LEVEL_ORDER: readonly (keyof Plan)[] = [
  'format_version',
  'created_at',
  'tool_version',
  'target',
  'git_commit',
  'desired_digest',
  'desired_files',
  'live_digests',
  'changes',
  'operations',
  'diagnostics',
  'summary',
];

export function renderJson(plan: Plan): string {
  const ordered: Record<string, unknown> = {};
  for (const key of TOP_LEVEL_ORDER) if (plan[key] !== undefined) ordered[key] = plan[key];
  return JSON.stringify(ordered, null, 2) + '\n';
}
