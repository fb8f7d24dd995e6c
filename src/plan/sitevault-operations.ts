/**
 * SiteVault changes → calls (VAULT-API.md §8). No bulk exists: one Create per new person, one
 * Edit per changed person. Edit replaces each assignment it names whole, so a changed site or
 * study is sent with every parameter, and only changed assignments are named (unless refresh).
 */
import {
  SITEVAULT_ORG_NO_ACCESS_ROLE,
  SITEVAULT_SITE_NO_ACCESS_ROLE,
  type OrgAssignment, type SiteAssignment, type StudyAssignment } from '../model.js';
import type { OperationDraft } from './batch.js';
import type { SiteVaultPlanItem } from './diff-sitevault.js';
import { parseFieldPath } from './field-paths.js';
import type { JsonValue } from './types.js';

type Body = Record<string, JsonValue>;

const PERSONS = '/app/sitevault/useradmin/persons';

function orgBody(org: OrgAssignment): Body {
  const body: Body = { org_id: org.org_id, system_role_id: org.role };
  // Vault's rule: omit `addons` when there are none (and Edit drops add-ons it is not sent).
  if (org.addons.length > 0) body.addons = [...org.addons].sort();
  return body;
}

function siteBody(site: SiteAssignment): Body {
  const body: Body = { site_usn: site.site_usn, system_role_id: site.role };
  if (site.addons.length > 0) body.addons = [...site.addons].sort();
  return body;
}

function studyBody(study: StudyAssignment): Body {
  return { id: study.study_id, study_role: study.role };
}

function createDraft(item: SiteVaultPlanItem): OperationDraft {
  const p = item.person;
  const user: Body = { email: item.change.key };
  if (p.username !== undefined) user.username = p.username;
  user.first_name = p.first_name;
  user.last_name = p.last_name;
  user.security_policy_id = p.security_policy;
  user.person_type = p.person_type;
  if (p.language !== undefined) user.language = p.language;
  const assignments: Body = { org_assignment: orgBody(p.org) };
  const sites = [...p.sites].sort((a, b) => (a.site_usn < b.site_usn ? -1 : 1));
  const studies = [...p.studies].sort((a, b) => (a.study_id < b.study_id ? -1 : 1));
  if (sites.length > 0) assignments.site_assignments = sites.map(siteBody);
  if (studies.length > 0) assignments.study_assignments = studies.map(studyBody);
  const body: Body = { user, person_type: p.person_type, is_investigator: p.investigator };
  if (p.federated_id !== undefined) body.federated_id = p.federated_id;
  body.assignments = assignments;
  return { kind: 'sitevault_create', method: 'POST', path: PERSONS, body_format: 'json-array', rows: [{ key: item.change.key, body }] };
}

function editDraft(personId: string, key: string, body: Body): OperationDraft {
  return { kind: 'sitevault_edit', method: 'PUT', path: `${PERSONS}/${encodeURIComponent(personId)}`, body_format: 'json-object', rows: [{ key, body }] };
}

/**
 * Edit calls for one person. An org id change takes two calls: revoke the old org with the
 * no-access role first (one org assignment per call), then send the new one.
 */
function editDrafts(item: SiteVaultPlanItem): { revoke?: OperationDraft; edit: OperationDraft } {
  const live = item.live;
  const p = item.person;
  const key = item.change.key;
  const personId = live?.person_id ?? '';
  let org = item.refresh || item.kind === 'removal';
  let orgMoved = false;
  const sites = new Set<string>();
  const studies = new Set<string>();
  for (const f of item.change.fields) {
    const [head, second = '', third] = parseFieldPath(f.path);
    if (head === 'org') {
      org = true;
      if (second === 'org_id') orgMoved = true;
    } else if (head === 'sites' && third !== undefined) sites.add(second);
    else if (head === 'studies' && third !== undefined) studies.add(second);
  }
  const assignments: Body = {};
  if (org) assignments.org_assignment = orgBody(p.org);
  const siteList: SiteAssignment[] = p.sites.filter((s) => item.refresh || item.kind === 'removal' || sites.has(s.site_usn));
  // A site dropped from YAML is revoked with the no-access role, never left out.
  for (const usn of sites) {
    if (!p.sites.some((s) => s.site_usn === usn)) siteList.push({ site_usn: usn, role: SITEVAULT_SITE_NO_ACCESS_ROLE, addons: [] });
  }
  if (siteList.length > 0) assignments.site_assignments = [...siteList].sort((a, b) => (a.site_usn < b.site_usn ? -1 : 1)).map(siteBody);
  const studyList = p.studies.filter((s) => (item.refresh && item.kind !== 'removal') || studies.has(s.study_id));
  if (studyList.length > 0) assignments.study_assignments = [...studyList].sort((a, b) => (a.study_id < b.study_id ? -1 : 1)).map(studyBody);
  const body: Body = { is_investigator: p.investigator };
  if (Object.keys(assignments).length > 0) body.assignments = assignments;
  const edit = editDraft(personId, key, body);
  if (!orgMoved || live === undefined) return { edit };
  const revokeBody: Body = {
    is_investigator: live.investigator,
    assignments: { org_assignment: { org_id: live.org.org_id, system_role_id: SITEVAULT_ORG_NO_ACCESS_ROLE } },
  };
  return { revoke: editDraft(personId, key, revokeBody), edit };
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
      stages.create.push(createDraft(item));
      continue;
    }
    const { revoke, edit } = editDrafts(item);
    if (revoke !== undefined) stages.revokeOrg.push(revoke);
    stages.edit.push(edit);
  }
  return stages;
}
