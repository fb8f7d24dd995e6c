/**
 * SiteVault changes → calls (VAULT-API.md §8). No bulk exists: one Create per new person, one
 * Edit per changed person. Edit replaces each assignment it names whole, so a changed site or
 * study is sent with every parameter, and only changed assignments are named (unless refresh).
 */
import {
  SITEVAULT_ORG_NO_ACCESS_ROLE,
  SITEVAULT_SITE_NO_ACCESS_ROLE,
  type OrgAssignment,
  type SiteAssignment,
  type StudyAssignment,
} from '../model.js';
import type { OperationDraft } from './batch.js';
import type { SiteVaultPlanItem } from './diff-sitevault.js';
import type { SiteVaultEditRow } from './types.js';

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

function sameRole(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

function orgDiffers(a: OrgAssignment, b: OrgAssignment): boolean {
  return a.org_id !== b.org_id || !sameRole(a.role, b.role) || !sameList(a.addons, b.addons);
}

function siteDiffers(want: SiteAssignment, have: SiteAssignment | undefined): boolean {
  return have === undefined || !sameRole(want.role, have.role) || !sameList(want.addons, have.addons);
}

function studyDiffers(want: StudyAssignment, have: StudyAssignment | undefined): boolean {
  return have === undefined || !sameRole(want.role, have.role);
}

function editDraft(row: SiteVaultEditRow): OperationDraft {
  return { kind: 'sitevault_edit', rows: [row] };
}

/**
 * Edit calls for one person, from the typed person and its state-file record. An org id change
 * takes two calls: revoke the old org with the no-access role first (one org assignment per
 * call), then send the new one.
 */
function editDrafts(item: SiteVaultPlanItem): { revoke?: OperationDraft; edit: OperationDraft } {
  const live = item.live;
  const p = item.person;
  const key = item.change.key;
  const personId = live?.person_id ?? '';
  const everything = item.refresh || item.kind === 'removal';
  const liveSites = new Map((live?.sites ?? []).map((s) => [s.site_usn, s]));
  const liveStudies = new Map((live?.studies ?? []).map((s) => [s.study_id, s]));
  const orgMoved = live !== undefined && live.org.org_id !== p.org.org_id;
  const sendOrg = everything || live === undefined || orgDiffers(p.org, live.org);
  const sites: SiteAssignment[] = p.sites.filter((s) => everything || siteDiffers(s, liveSites.get(s.site_usn)));
  // A site dropped from YAML is revoked with the no-access role, never left out.
  for (const s of live?.sites ?? []) {
    if (p.sites.some((d) => d.site_usn === s.site_usn) || s.role === SITEVAULT_SITE_NO_ACCESS_ROLE) continue;
    sites.push({ site_usn: s.site_usn, role: SITEVAULT_SITE_NO_ACCESS_ROLE, addons: [] });
  }
  const studies = item.kind === 'removal' ? [] : p.studies.filter((s) => item.refresh || studyDiffers(s, liveStudies.get(s.study_id)));
  const edit = editDraft({
    key,
    person_id: personId,
    investigator: p.investigator,
    ...(sendOrg ? { org: p.org } : {}),
    sites: sites.sort((a, b) => (a.site_usn < b.site_usn ? -1 : 1)),
    studies: [...studies].sort((a, b) => (a.study_id < b.study_id ? -1 : 1)),
  });
  if (!orgMoved) return { edit };
  const revoke = editDraft({
    key,
    person_id: personId,
    investigator: live.investigator,
    org: { org_id: live.org.org_id, role: SITEVAULT_ORG_NO_ACCESS_ROLE, addons: [] },
    sites: [],
    studies: [],
  });
  return { revoke, edit };
}

export interface SiteVaultStages {
  readonly create: OperationDraft[];
  /** Old-org revocations that must precede the edit naming the new org. */
  readonly revokeOrg: OperationDraft[];
  readonly edit: OperationDraft[];
}

export function buildSiteVaultOperations(items: readonly SiteVaultPlanItem[]): SiteVaultStages {
  const stages: SiteVaultStages = { create: [], revokeOrg: [], edit: [] };
  for (const item of items) {
    if (item.kind === 'create') {
      const { source: _source, ...person } = item.person as SiteVaultPlanItem['person'] & { source?: unknown };
      stages.create.push({ kind: 'sitevault_create', rows: [{ key: item.change.key, person }] });
      continue;
    }
    const { revoke, edit } = editDrafts(item);
    if (revoke !== undefined) stages.revokeOrg.push(revoke);
    stages.edit.push(edit);
  }
  return stages;
}
