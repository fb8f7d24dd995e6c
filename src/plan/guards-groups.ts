/** Guards on group changes: many explicit memberships removed at once. */
import type { Diagnostic } from '../diagnostics.js';
import type { Policy } from '../model.js';
import type { GroupPlanItem } from './diff-groups.js';
import type { PlanAllowFlags } from './types.js';

function massMemberRemoval(items: readonly GroupPlanItem[], policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  const removals = items.flatMap((i) => i.remove.map((m) => `${m.user_name} from "${i.label}"`));
  if (removals.length <= policy.max_group_member_removals) return [];
  const summary = `plan removes ${removals.length} explicit group memberships, above policy.max_group_member_removals (${policy.max_group_member_removals}); e.g. ${removals.slice(0, 5).join(', ')}`;
  if (allow.mass_removal === true) {
    return [{ severity: 'warning', code: 'guard-mass-group-member-removal', summary: `${summary} (allowed by --allow-mass-removal)`, hint: 'drop --allow-mass-removal to block this' }];
  }
  return [
    {
      severity: 'error',
      code: 'guard-mass-group-member-removal',
      summary,
      hint: 'check the members lists in the groups files, or re-run with --allow-mass-removal if it is intended',
    },
  ];
}

export function groupGuards(items: readonly GroupPlanItem[], policy: Policy, allow: PlanAllowFlags): Diagnostic[] {
  return massMemberRemoval(items, policy, allow);
}
