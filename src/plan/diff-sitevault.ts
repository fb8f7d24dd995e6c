/**
 * SiteVault persons from YAML against the last-applied state file (SiteVault has no read API).
 * Edit is full-replace per assignment, so removed sites and removed persons are sent with the
 * no-access roles instead of being dropped silently.
 */
import type { Diagnostic } from '../diagnostics.js';
import {
  SITEVAULT_ORG_NO_ACCESS_ROLE,
  SITEVAULT_SITE_NO_ACCESS_ROLE,
  normaliseIdentity,
  type AppliedSiteVaultPerson,
  type DesiredSiteVaultPerson,
  type DesiredState,
  type LiveState,
  type SiteVaultPerson,
} from '../model.js';
import { liveRecordDigest } from './digest.js';
import { risksOf } from './risks.js';
import { diffTrees, restrictToTarget, sameValue, type Tree } from './trees.js';
import type { Change, ChangeAction, FieldChange, JsonValue } from './types.js';

export interface SiteVaultPlanItem {
  readonly change: Change;
  /** `removal`: in the state file but no longer in YAML; every assignment goes to no-access. */
  readonly kind: 'create' | 'edit' | 'removal';
  readonly person: SiteVaultPerson;
  /** The state-file record (edit, removal). */
  readonly live?: AppliedSiteVaultPerson;
  /** Re-send every assignment, changed or not. */
  readonly refresh: boolean;
}

export interface SiteVaultDiff {
  readonly items: SiteVaultPlanItem[];
  readonly unchanged: number;
  readonly diagnostics: Diagnostic[];
  /** State-file records the plan relied on, by email. */
  readonly digests: Record<string, string | null>;
}

/** Person properties SiteVault's Edit User cannot change. */
const NOT_EDITABLE = ['username', 'first_name', 'last_name', 'security_policy', 'person_type', 'language', 'federated_id'] as const;

function sortedStrings(values: readonly string[]): string[] {
  return [...values].sort();
}

/** The assignments part of a person, the only part Edit User can change. */
export function assignmentTree(person: SiteVaultPerson): Tree {
  const sites: Tree = {};
  for (const s of [...person.sites].sort((a, b) => (a.site_usn < b.site_usn ? -1 : 1))) {
    sites[s.site_usn] = { role: s.role, addons: sortedStrings(s.addons) };
  }
  const studies: Tree = {};
  for (const s of [...person.studies].sort((a, b) => (a.study_id < b.study_id ? -1 : 1))) {
    studies[s.study_id] = { role: s.role };
  }
  return {
    is_investigator: person.investigator,
    org: { org_id: person.org.org_id, role: person.org.role, addons: sortedStrings(person.org.addons) },
    sites,
    studies,
  };
}

/** The whole person (create shows every field). */
export function personTree(person: SiteVaultPerson): Tree {
  const tree: Tree = {};
  for (const key of NOT_EDITABLE) {
    const value = person[key];
    if (value !== undefined) tree[key] = value;
  }
  return { ...tree, ...assignmentTree(person) };
}

function withoutStudies(tree: Tree): Tree {
  const { studies: _studies, ...rest } = tree;
  return rest;
}

function sourceWhere(p: DesiredSiteVaultPerson): string {
  return `${p.source.file}:${p.source.line}`;
}

function change(
  key: string,
  action: ChangeAction,
  fields: FieldChange[],
  reason: string,
  source: DesiredSiteVaultPerson['source'] | undefined,
): Change {
  const base: Change = { subject: 'sitevault_person', key, action, fields, reason, risks: risksOf(action, fields) };
  return source === undefined ? base : { ...base, source };
}

function planEdit(person: DesiredSiteVaultPerson, key: string, current: AppliedSiteVaultPerson, refresh: boolean, out: SiteVaultDiff): boolean {
  const position = { file: person.source.file, line: person.source.line, col: person.source.col };
  const differing = NOT_EDITABLE.filter((k) => !sameValue(current[k] ?? null, person[k] ?? null, k));
  if (differing.length > 0) {
    out.diagnostics.push({
      severity: 'warning',
      code: 'sitevault-not-editable',
      summary: `SiteVault cannot change ${differing.join(', ')} of an existing person; the change is not planned`,
      // import cannot read SiteVault; a refresh is the edit that makes the state file take the YAML's values.
      hint: 'change these in SiteVault itself, then run apply --refresh so the state file records them',
      position,
      subject: { user: key, field: differing.join(',') },
    });
  }
  const target = assignmentTree(person);
  const liveTree = assignmentTree(current);
  const targetSites = target.sites as Tree;
  for (const site of current.sites) {
    if (targetSites[site.site_usn] === undefined && site.role !== SITEVAULT_SITE_NO_ACCESS_ROLE) {
      targetSites[site.site_usn] = { role: SITEVAULT_SITE_NO_ACCESS_ROLE, addons: [] };
    }
  }
  const dropped = current.studies.filter((s) => !person.studies.some((d) => d.study_id === s.study_id));
  if (dropped.length > 0) {
    out.diagnostics.push({
      severity: 'warning',
      code: 'sitevault-study-not-removable',
      summary: `SiteVault has no no-access study role, so study assignment${dropped.length === 1 ? '' : 's'} ${dropped.map((s) => s.study_id).join(', ')} cannot be removed through the API`,
      hint: 'remove the study assignment in SiteVault, or remove the person\'s site access with no_access__v',
      position,
      subject: { user: key, field: 'studies' },
    });
  }
  // Dropped studies stay in the comparison tree on both sides so they never read as drift.
  const keptStudies = target.studies as Tree;
  for (const s of dropped) keptStudies[s.study_id] = { role: s.role };
  const restricted = restrictToTarget(liveTree, target);
  const fields = restricted.equal ? [] : diffTrees(restricted.tree, target);
  if (fields.length === 0 && !refresh) return false;
  out.digests[key] = liveRecordDigest(current);
  const reason =
    fields.length === 0
      ? `refresh: re-sending every assignment (${sourceWhere(person)})`
      : `assignments differ from ${sourceWhere(person)} (compared with the state file)`;
  out.items.push({
    change: change(key, 'sitevault_edit', fields, reason, person.source),
    kind: 'edit',
    person,
    live: current,
    refresh,
  });
  return true;
}

function planRemoval(key: string, current: AppliedSiteVaultPerson, out: SiteVaultDiff): void {
  const liveTree = withoutStudies(assignmentTree(current));
  const sites: Tree = {};
  for (const s of current.sites) sites[s.site_usn] = { role: SITEVAULT_SITE_NO_ACCESS_ROLE, addons: [] };
  const target: Tree = {
    org: { org_id: current.org.org_id, role: SITEVAULT_ORG_NO_ACCESS_ROLE, addons: [] as JsonValue[] },
    sites,
  };
  const restricted = restrictToTarget(liveTree, target);
  if (restricted.equal) return;
  const fields = diffTrees(restricted.tree, target);
  out.digests[key] = liveRecordDigest(current);
  const removed: SiteVaultPerson = {
    ...current,
    org: { org_id: current.org.org_id, role: SITEVAULT_ORG_NO_ACCESS_ROLE, addons: [] },
    sites: current.sites.map((s) => ({ site_usn: s.site_usn, role: SITEVAULT_SITE_NO_ACCESS_ROLE, addons: [] })),
  };
  out.items.push({
    change: change(key, 'sitevault_edit', fields, 'removed from YAML: org and site access revoked with the no-access roles', undefined),
    kind: 'removal',
    person: removed,
    live: current,
    refresh: false,
  });
}

/** Compares desired SiteVault persons with the state file. */
export function diffSiteVault(desired: DesiredState, live: LiveState, refresh: boolean): SiteVaultDiff {
  const out: SiteVaultDiff = { items: [], unchanged: 0, diagnostics: [], digests: {} };
  let unchanged = 0;
  const declared = new Set<string>();
  for (const person of desired.sitevault) {
    const key = normaliseIdentity(person.email);
    declared.add(key);
    const current = live.sitevault.get(key);
    if (current === undefined) {
      const fields = diffTrees({}, personTree(person));
      out.digests[key] = null;
      out.items.push({
        change: change(key, 'sitevault_create', fields, `not in the state file; declared in ${sourceWhere(person)}`, person.source),
        kind: 'create',
        person,
        refresh: false,
      });
    } else if (!planEdit(person, key, current, refresh, out)) {
      unchanged++;
    }
  }
  for (const [key, current] of [...live.sitevault.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!declared.has(key)) planRemoval(key, current, out);
  }
  if (desired.sitevault.length > 0 || live.sitevault.size > 0) {
    out.diagnostics.push({
      severity: 'info',
      code: 'sitevault-state-only',
      summary: 'SiteVault has no read API: its drift is only visible through the last-applied state file',
      hint: 'run apply --refresh to re-send every SiteVault person and overwrite changes made in SiteVault',
    });
  }
  return { ...out, unchanged };
}
