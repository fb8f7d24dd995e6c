/** JSON view: the plan document itself, top-level keys in a fixed order, two-space indented. */
import type { Plan } from '../plan/index.js';

/** Every key of a plan, in document order; a key missing here is a compile error. */
const TOP_LEVEL_ORDER = {
  format_version: 1,
  created_at: 2,
  tool_version: 3,
  target: 4,
  git_commit: 5,
  desired_digest: 6,
  desired_files: 7,
  settings: 8,
  live_digests: 9,
  changes: 10,
  operations: 11,
  diagnostics: 12,
  summary: 13,
  seats: 14,
} satisfies Record<keyof Plan, number>;

export function renderJson(plan: Plan): string {
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(TOP_LEVEL_ORDER) as (keyof Plan)[]) if (plan[key] !== undefined) ordered[key] = plan[key];
  return JSON.stringify(ordered, null, 2) + '\n';
}
