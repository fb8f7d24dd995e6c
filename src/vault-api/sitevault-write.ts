/**
 * Typed SiteVault writes → request bodies (VAULT-API.md §8). Vault's rule: omit `addons` when
 * there are none; Edit replaces each assignment it names whole.
 */
import type { OrgAssignment, SiteAssignment, SiteVaultPerson, StudyAssignment } from '../model.js';
import type { SiteVaultEditRow } from '../plan/types.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type SiteVaultBody = { [key: string]: Json };

function orgBody(org: OrgAssignment): SiteVaultBody {
  const body: SiteVaultBody = { org_id: org.org_id, system_role_id: org.role };
  if (org.addons.length > 0) body.addons = [...org.addons].sort();
  return body;
}

function siteBody(site: SiteAssignment): SiteVaultBody {
  const body: SiteVaultBody = { site_usn: site.site_usn, system_role_id: site.role };
  if (site.addons.length > 0) body.addons = [...site.addons].sort();
  return body;
}

function studyBody(study: StudyAssignment): SiteVaultBody {
  return { id: study.study_id, study_role: study.role };
}

function bySite(a: SiteAssignment, b: SiteAssignment): number {
  return a.site_usn < b.site_usn ? -1 : a.site_usn > b.site_usn ? 1 : 0;
}

function byStudy(a: StudyAssignment, b: StudyAssignment): number {
  return a.study_id < b.study_id ? -1 : a.study_id > b.study_id ? 1 : 0;
}

/** One element of SiteVault Create User's array body. */
export function sitevaultCreateBody(email: string, p: SiteVaultPerson): SiteVaultBody {
  const user: SiteVaultBody = { email };
  if (p.username !== undefined) user.username = p.username;
  user.first_name = p.first_name;
  user.last_name = p.last_name;
  user.security_policy_id = p.security_policy;
  user.person_type = p.person_type;
  if (p.language !== undefined) user.language = p.language;
  const assignments: SiteVaultBody = { org_assignment: orgBody(p.org) };
  if (p.sites.length > 0) assignments.site_assignments = [...p.sites].sort(bySite).map(siteBody);
  if (p.studies.length > 0) assignments.study_assignments = [...p.studies].sort(byStudy).map(studyBody);
  const body: SiteVaultBody = { user, person_type: p.person_type, is_investigator: p.investigator };
  if (p.federated_id !== undefined) body.federated_id = p.federated_id;
  body.assignments = assignments;
  return body;
}

/** SiteVault Edit User body. */
export function sitevaultEditBody(row: SiteVaultEditRow): SiteVaultBody {
  const assignments: SiteVaultBody = {};
  if (row.org !== undefined) assignments.org_assignment = orgBody(row.org);
  if (row.sites.length > 0) assignments.site_assignments = [...row.sites].sort(bySite).map(siteBody);
  if (row.studies.length > 0) assignments.study_assignments = [...row.studies].sort(byStudy).map(studyBody);
  const body: SiteVaultBody = { is_investigator: row.investigator };
  if (Object.keys(assignments).length > 0) body.assignments = assignments;
  return body;
}
