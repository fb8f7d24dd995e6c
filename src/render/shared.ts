/**
 * What every view shares, so text, Markdown and JSON never disagree: the summary sentence,
 * the summary counts in order, action symbols and labels, and how values and field paths read.
 */
import {
  burstLimitNote,
  countBlockingDiagnostics,
  formatCount,
  parseFieldPath,
  planHasChanges,
  type Change,
  type ChangeAction,
  type FieldChange,
  type JsonValue,
  type OperationKind,
  type Plan,
  type PlanSummary,
} from '../plan/index.js';
import type { Diagnostic } from '../diagnostics.js';

export interface ActionStyle {
  /** Terraform-like marker: + create, ~ update, - deactivate, ^ promote. */
  readonly symbol: '+' | '~' | '-' | '^';
  /** Verb shown next to a change. */
  readonly label: string;
  /** Section heading for changes of this action. */
  readonly heading: string;
}

export const ACTION_STYLES: Readonly<Record<ChangeAction, ActionStyle>> = {
  create: { symbol: '+', label: 'create', heading: 'Create users' },
  promote: { symbol: '^', label: 'promote', heading: 'Promote Clinical persons to users' },
  update: { symbol: '~', label: 'update', heading: 'Update users' },
  reactivate: { symbol: '~', label: 'reactivate', heading: 'Reactivate users' },
  deactivate: { symbol: '-', label: 'deactivate', heading: 'Deactivate users' },
  sitevault_create: { symbol: '+', label: 'create SiteVault person', heading: 'Create SiteVault persons' },
  sitevault_edit: { symbol: '~', label: 'edit SiteVault assignments', heading: 'Edit SiteVault assignments' },
  group_create: { symbol: '+', label: 'create group', heading: 'Create groups' },
  group_update: { symbol: '~', label: 'update group', heading: 'Update groups' },
  group_deactivate: { symbol: '-', label: 'deactivate group', heading: 'Deactivate groups' },
};

/** Order of change sections in the views. */
export const ACTION_ORDER: readonly ChangeAction[] = [
  'create',
  'promote',
  'update',
  'reactivate',
  'deactivate',
  'sitevault_create',
  'sitevault_edit',
  'group_create',
  'group_update',
  'group_deactivate',
];

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `Plan: 1 to create, 2 to update, …; 5 API calls.` or the no-changes sentence. */
export function summaryLine(plan: Plan): string {
  if (!planHasChanges(plan)) {
    const blocking = countBlockingDiagnostics(plan);
    if (blocking === 0) return 'No changes. Vault matches the desired state.';
    return `No changes can be made, yet Vault does not match the desired state (${plural(blocking, 'diagnostic says', 'diagnostics say')} why).`;
  }
  const s = plan.summary;
  const parts = [`${s.create} to create`, `${s.update} to update`];
  if (s.reactivate > 0) parts.push(`${s.reactivate} to reactivate`);
  parts.push(`${s.deactivate} to deactivate`, `${s.promote} to promote`, `${s.sitevault_create + s.sitevault_edit} SiteVault changes`);
  const g = s.groups;
  if (g !== undefined && g.create + g.update + g.deactivate > 0) {
    const members = g.members_added + g.members_removed > 0 ? ` (+${formatCount(g.members_added)} / −${formatCount(g.members_removed)} members)` : '';
    parts.push(`${plural(g.create + g.update + g.deactivate, 'group change', 'group changes')}${members}`);
  }
  return `Plan: ${parts.join(', ')}; ${plural(s.api_calls, 'API call', 'API calls')}.`;
}

/** Summary counts in table order, labelled. */
export function summaryColumns(s: PlanSummary): [string, number][] {
  return [
    ['Create', s.create],
    ['Update', s.update],
    ['Reactivate', s.reactivate],
    ['Deactivate', s.deactivate],
    ['Promote', s.promote],
    ['SiteVault create', s.sitevault_create],
    ['SiteVault edit', s.sitevault_edit],
    ['Unchanged', s.unchanged],
    ['Unmanaged', s.unmanaged],
    ...(s.groups === undefined
      ? []
      : ([
          ['Groups create', s.groups.create],
          ['Groups update', s.groups.update],
          ['Groups deactivate', s.groups.deactivate],
          ['Members +', s.groups.members_added],
          ['Members −', s.groups.members_removed],
        ] as [string, number][])),
    ['API calls', s.api_calls],
  ];
}

function isAppLicense(value: JsonValue): value is { active: boolean; license_type: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.license_type === 'string' && typeof value.active === 'boolean';
}

/** A before/after value as people read it: `"Kate"`, `true`, `full__v (inactive)`, `[a, b]`, `(none)`. */
export function formatValue(value: JsonValue): string {
  if (value === null) return '(none)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : `[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]`;
  if (isAppLicense(value)) return value.active ? value.license_type : `${value.license_type} (inactive)`;
  return JSON.stringify(value);
}

/** A group change split for display: its value fields, and the members it adds and removes. */
export interface GroupChangeParts {
  readonly values: readonly FieldChange[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export function groupChangeParts(change: Change): GroupChangeParts {
  const values: FieldChange[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const f of change.fields) {
    const [head = '', member = ''] = parseFieldPath(f.path);
    if (head !== 'members') values.push(f);
    else if (f.after === true) added.push(member);
    else removed.push(member);
  }
  return { values, added, removed };
}

/** `memberships[3003].apps.rimReg_v` → `vault 3003 › app rimReg_v`; `fields.company__v` → `company__v`. */
export function fieldLabel(path: string): string {
  const [head = '', key = '', third, fourth] = parseFieldPath(path);
  switch (head) {
    case 'fields':
      return key;
    case 'memberships':
      return third === 'apps' ? `vault ${key} › app ${fourth ?? ''}` : `vault ${key} › ${third ?? ''}`;
    case 'sites':
      return `site ${key} › ${third ?? ''}`;
    case 'studies':
      return `study ${key} › ${third ?? ''}`;
    case 'org':
      return `org › ${key}`;
    default:
      return path;
  }
}

/**
 * The Clinical person each promoted user comes from, as the promote call names it (the first
 * call naming a user wins). Built once per view: a lookup per change would scan every call's
 * rows, quadratic in a large onboarding.
 */
export function promotedPersons(plan: Plan): ReadonlyMap<string, string> {
  const persons = new Map<string, string>();
  for (const op of plan.operations) {
    if (op.kind !== 'promote_persons') continue;
    for (const row of op.rows) if (!persons.has(row.key)) persons.set(row.key, row.person_id);
  }
  return persons;
}

/** The person a change promotes, or undefined for any other change. */
export function promotedFrom(persons: ReadonlyMap<string, string>, change: Change): string | undefined {
  return change.action === 'promote' ? persons.get(change.key) : undefined;
}

/** Short form of the desired-state digest for headers. */
export function shortDigest(plan: Plan): string {
  return plan.desired_digest.slice(0, 12);
}

/** What an operation does, in a word or two: `create`, `upsert`, `update`, `promote`, … */
export const OPERATION_LABELS: Readonly<Record<OperationKind, string>> = {
  create_users: 'create',
  upsert_users: 'upsert',
  update_users: 'update',
  update_user: 'update',
  promote_persons: 'promote',
  sitevault_create: 'sitevault_create',
  sitevault_edit: 'sitevault_edit',
  create_group: 'create group',
  update_group: 'update group',
  add_group_members: 'add members',
  remove_group_members: 'remove members',
};

/**
 * How the call list names an operation: as its kind, except that a single-user update which
 * only disables or re-enables a user says so (the plan's summary counts those as such too).
 */
export function operationLabel(op: Plan['operations'][number]): string {
  if (op.kind === 'update_user' && op.rows.length === 1) {
    const row = op.rows[0];
    if (row?.active === false) return 'deactivate';
    if (row?.active === true) return 'reactivate';
  }
  return OPERATION_LABELS[op.kind];
}

/** The plan's call count against the burst limit, in words. */
export function burstNote(plan: Plan): string {
  return burstLimitNote(plan.summary.api_calls, plan.summary.burst_limit, { reads: plan.summary.read_calls, remaining: plan.summary.burst_remaining });
}

export function rowsLabel(n: number): string {
  return plural(n, 'row', 'rows');
}

export { plural };

/** One SiteVault assignment (or person property) and what changes in it. */
export interface AssignmentChange {
  /** `org V42000000001001`, `site US-NC-0001`, `study V0S000000001001`, or a property name. */
  readonly label: string;
  /** `role`, `addons`, `org_id`, or '' for a person property. */
  readonly parts: readonly { readonly name: string; readonly before: JsonValue; readonly after: JsonValue }[];
}

/**
 * Groups a SiteVault change's fields by assignment, so a reviewer reads "site US-NC-0001:
 * role regulatory__v, add-ons site_budgets__v" rather than one line per field.
 */
export function assignmentChanges(change: Change): AssignmentChange[] {
  const groups = new Map<string, { name: string; before: JsonValue; after: JsonValue }[]>();
  const orgId = change.fields.find((f) => f.path === 'org.org_id');
  for (const f of change.fields) {
    const [head = '', key = '', third = ''] = parseFieldPath(f.path);
    let label: string;
    let name: string;
    if (head === 'org') {
      label = 'org';
      name = key;
    } else if (head === 'sites' || head === 'studies') {
      label = `${head === 'sites' ? 'site' : 'study'} ${key}`;
      name = third;
    } else {
      label = head;
      name = '';
    }
    const list = groups.get(label) ?? [];
    list.push({ name, before: f.before, after: f.after });
    groups.set(label, list);
  }
  return [...groups.entries()].map(([label, parts]) => ({
    label: label === 'org' && typeof orgId?.after === 'string' ? `org ${orgId.after}` : label,
    parts: label === 'org' ? parts.filter((p) => p.name !== 'org_id' || orgId?.before !== null) : parts,
  }));
}

/** Time-boxed grants ending soon (`grant-expiring-soon` notes), in the plan's order (by file and line). */
export function expiringSoon(plan: Plan): Diagnostic[] {
  return plan.diagnostics.filter(isExpiringSoon);
}

/** The views list these on their own, near the top, so they are left out of the general notes. */
export function isExpiringSoon(d: Diagnostic): boolean {
  return d.code === 'grant-expiring-soon';
}
