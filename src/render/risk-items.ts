/**
 * The risks a reviewer must see before anything else, one item per user, place and change:
 * admin grants (Domain Admin, standard and custom admin profiles, SiteVault org admin),
 * deactivations, lost access, admin removals, security-policy changes, reactivations and
 * licence upgrades. Sorted by severity, then user, then place. Derived from the plan's
 * field changes only, so the views never guess about Vault.
 */
import { LICENSE_RANK } from '../model.js';
import { isAdminProfile, parseFieldPath, type Change, type FieldChange, type JsonValue } from '../plan/index.js';
import { formatValue, groupChangeParts } from './shared.js';

export type RiskKind =
  | 'domain_admin_grant'
  | 'admin_grant'
  | 'admin_group_member'
  | 'deactivation'
  | 'group_deactivated'
  | 'group_emptied'
  | 'access_removed'
  | 'admin_removed'
  | 'security_policy'
  | 'reactivation'
  | 'licence_upgrade'
  | 'other';

/** Severity order (first = worst) and how each kind reads. */
export const RISK_KINDS: Readonly<Record<RiskKind, { readonly rank: number; readonly label: string; readonly icon: string }>> = {
  domain_admin_grant: { rank: 0, label: 'Domain Admin granted', icon: '🔴' },
  admin_grant: { rank: 1, label: 'admin profile granted', icon: '🔴' },
  admin_group_member: { rank: 2, label: 'joins a group with an admin profile', icon: '🔴' },
  deactivation: { rank: 3, label: 'user deactivated', icon: '🔴' },
  access_removed: { rank: 4, label: 'access removed', icon: '🟠' },
  admin_removed: { rank: 5, label: 'admin removed', icon: '🟠' },
  group_emptied: { rank: 6, label: "group's last member removed", icon: '🟠' },
  group_deactivated: { rank: 7, label: 'group deactivated', icon: '🟠' },
  security_policy: { rank: 8, label: 'security policy changed', icon: '🟠' },
  other: { rank: 9, label: 'other risk', icon: '🟠' },
  reactivation: { rank: 10, label: 'reactivated', icon: '🟡' },
  licence_upgrade: { rank: 11, label: 'licence upgraded', icon: '🟡' },
};

export interface RiskItem {
  readonly kind: RiskKind;
  /** User name or SiteVault email. */
  readonly user: string;
  /** `domain`, `vault 3003`, `SiteVault org`, `site US-NC-0001`. */
  readonly where: string;
  readonly before: string;
  readonly after: string;
}

const SITEVAULT_ADMIN_ROLES: ReadonlySet<string> = new Set(['org_admin__v']);
const NO_ACCESS_ROLES: ReadonlySet<string> = new Set(['no_access__v', 'org_no_access__v']);

const NEW_RECORD_RISK_PATH = /(^domain_admin|security_profile|role)$/;

function isNewRecord(change: Change): boolean {
  return change.action === 'create' || change.action === 'promote' || change.action === 'sitevault_create';
}

/** Permissiveness of a licence value; an inactive app licence counts as none. Unknown types rank highest, so a change to one is shown. */
function licenceRank(value: JsonValue): number {
  if (value === null) return 0;
  if (typeof value === 'object' && !Array.isArray(value)) {
    if (value.active === false) return 0;
    return licenceRank(value.license_type ?? null);
  }
  if (typeof value !== 'string') return 99;
  if (value === 'learner_user__v') return 1;
  return (LICENSE_RANK as Readonly<Record<string, number>>)[value] ?? 99;
}

function whereOf(segments: readonly string[]): string {
  const [head = '', key = '', third, fourth] = segments;
  if (head === 'memberships') return third === 'apps' ? `vault ${key} › app ${fourth ?? ''}` : `vault ${key}`;
  if (head === 'sites') return `site ${key}`;
  if (head === 'studies') return `study ${key}`;
  if (head === 'org') return 'SiteVault org';
  return 'domain';
}

/** The risk one field change carries, if any. */
function fieldRisk(change: Change, f: FieldChange): RiskKind | undefined {
  const segments = parseFieldPath(f.path);
  const last = segments[segments.length - 1];
  const isNew = isNewRecord(change);
  if (f.path === 'domain_admin') {
    if (f.after === true && f.before !== true) return 'domain_admin_grant';
    return f.before === true && !isNew ? 'admin_removed' : undefined;
  }
  if (last === 'security_profile' || (change.subject === 'sitevault_person' && last === 'role')) {
    const admin = (v: JsonValue): boolean => isAdminProfile(v) || (typeof v === 'string' && SITEVAULT_ADMIN_ROLES.has(v));
    if (admin(f.after) && !admin(f.before)) return 'admin_grant';
    if (isNew) return undefined;
    if (admin(f.before) && !admin(f.after)) return 'admin_removed';
    if (typeof f.after === 'string' && NO_ACCESS_ROLES.has(f.after)) return 'access_removed';
    return undefined;
  }
  if (isNew) return undefined;
  if (f.path === 'active') return f.before === true && f.after === false ? 'deactivation' : f.after === true ? 'reactivation' : undefined;
  if (last === 'active' && segments[0] === 'memberships') return f.before === true && f.after === false ? 'access_removed' : f.before === false && f.after === true ? 'reactivation' : undefined;
  if (f.path === 'security_policy') return 'security_policy';
  const isLicence = last === 'license_type' || segments[2] === 'apps';
  // A new licence on an existing user is a bulk grant (aggregated view); an upgrade raises one already held.
  if (isLicence && f.before !== null && licenceRank(f.before) > 0 && licenceRank(f.after) > licenceRank(f.before)) return 'licence_upgrade';
  return undefined;
}

/** A group change's risks: each member joining an admin-like group, an emptied group, a deactivated one. */
function groupRiskItems(change: Change): RiskItem[] {
  const where = `group ${change.key}`;
  const items: RiskItem[] = [];
  if (change.risks.includes('admin')) {
    for (const member of groupChangeParts(change).added) items.push({ kind: 'admin_group_member', user: member, where, before: 'not a member', after: 'member' });
  }
  if (change.risks.includes('last_member')) items.push({ kind: 'group_emptied', user: '—', where, before: 'members', after: 'no explicit members' });
  if (change.action === 'group_deactivate') items.push({ kind: 'group_deactivated', user: '—', where, before: 'active', after: 'inactive' });
  return items;
}

/** Every risk item of one change; a change the planner tagged admin or deactivation always yields one. */
export function riskItemsOf(change: Change): RiskItem[] {
  if (change.subject === 'group') return groupRiskItems(change);
  const items: RiskItem[] = [];
  const isNew = isNewRecord(change);
  for (const f of change.fields) {
    // A new record's only risk is an admin grant: skip its other fields cheaply (100k creates).
    if (isNew && !NEW_RECORD_RISK_PATH.test(f.path)) continue;
    const kind = fieldRisk(change, f);
    if (kind === undefined) continue;
    items.push({ kind, user: change.key, where: whereOf(parseFieldPath(f.path)), before: formatValue(f.before), after: formatValue(f.after) });
  }
  if (change.action === 'deactivate' && !items.some((i) => i.kind === 'deactivation')) {
    items.push({ kind: 'deactivation', user: change.key, where: 'domain', before: 'active', after: 'inactive' });
  }
  const covered = items.length > 0;
  const tagged = change.risks.filter((r) => r === 'admin' || r === 'deactivation');
  if (!covered && tagged.length > 0) {
    // Never drop a risk the planner saw: show it even when no field rule above explains it.
    items.push({ kind: 'other', user: change.key, where: '—', before: change.action, after: tagged.join(', ') });
  }
  return items;
}

function compareItems(a: RiskItem, b: RiskItem): number {
  const rank = RISK_KINDS[a.kind].rank - RISK_KINDS[b.kind].rank;
  if (rank !== 0) return rank;
  if (a.user !== b.user) return a.user < b.user ? -1 : 1;
  return a.where < b.where ? -1 : a.where > b.where ? 1 : 0;
}

/** All risk items of a plan, worst first. */
export function riskItems(changes: readonly Change[]): RiskItem[] {
  const out: RiskItem[] = [];
  for (const change of changes) {
    for (const item of riskItemsOf(change)) out.push(item);
  }
  return out.sort(compareItems);
}
