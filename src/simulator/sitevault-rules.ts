/**
 * SiteVault user-admin validation and merging (VAULT-API.md §8). Every problem found is
 * collected, so one FAILURE names them all. Full-replace semantics per assignment: a site or
 * study named in a request replaces that assignment whole; ones not named stay.
 */
import {
  SITEVAULT_EXTERNAL_STUDY_ROLES,
  SITEVAULT_ORG_ADDONS,
  SITEVAULT_ORG_NO_ACCESS_ROLE,
  SITEVAULT_ORG_ROLES,
  SITEVAULT_SITE_ADDONS,
  SITEVAULT_SITE_NO_ACCESS_ROLE,
  SITEVAULT_SITE_ROLES,
  SITEVAULT_STAFF_STUDY_ROLES,
} from '../model.js';
import type { SimSiteVault, SvOrgAssignment, SvSiteAssignment, SvStudyAssignment } from './records.js';
import type { VaultErrorItem } from './http.js';

/** Roles that may carry add-ons (Site Viewer, External and no-login roles may not). */
const ORG_ROLES_WITH_ADDONS = new Set(['org_admin__v', 'org_full__v']);
const SITE_ROLES_WITH_ADDONS = new Set(['regulatory__v', 'study_team__v']);

export class Problems {
  readonly list: VaultErrorItem[] = [];
  add(type: string, message: string): void {
    this.list.push({ type, message });
  }
  invalid(message: string): void {
    this.add('INVALID_DATA', message);
  }
  required(name: string): void {
    this.add('PARAMETER_REQUIRED', `Missing required parameter [${name}]`);
  }
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function addons(raw: unknown, allowed: readonly string[], roleAllows: boolean, where: string, p: Problems): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((a) => typeof a !== 'string')) {
    p.invalid(`${where}.addons must be an array of add-on names`);
    return [];
  }
  const list = raw as string[];
  for (const a of list) if (!allowed.includes(a)) p.invalid(`${where}: unknown add-on [${a}]`);
  if (list.length > 0 && !roleAllows) p.invalid(`${where}: add-ons are not valid for this system role`);
  return [...new Set(list)].sort();
}

/** `undefined` = not given; `null` = remove (org_no_access__v). */
export function checkOrg(raw: unknown, sv: SimSiteVault, editing: boolean, p: Problems): SvOrgAssignment | null | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    p.invalid('assignments.org_assignment must be an object');
    return undefined;
  }
  const orgId = raw.org_id;
  if (typeof orgId !== 'string' || orgId === '') p.required('assignments.org_assignment.org_id');
  else if (orgId !== sv.org.id) p.invalid(`unknown organization [${orgId}]`);
  const role = raw.system_role_id;
  if (typeof role !== 'string' || role === '') {
    p.required('assignments.org_assignment.system_role_id');
    return undefined;
  }
  if (role === SITEVAULT_ORG_NO_ACCESS_ROLE) {
    if (!editing) p.invalid(`${role} is only valid when editing a user`);
    return null;
  }
  if (!(SITEVAULT_ORG_ROLES as readonly string[]).includes(role)) p.invalid(`invalid organization system role [${role}]`);
  const list = addons(raw.addons, SITEVAULT_ORG_ADDONS, ORG_ROLES_WITH_ADDONS.has(role), 'org_assignment', p);
  return { org_id: sv.org.id, system_role_id: role, addons: list };
}

/** Site assignments keyed by USN; a `null` value removes the site (no_access__v). */
export function checkSites(raw: unknown, sv: SimSiteVault, editing: boolean, p: Problems): Map<string, SvSiteAssignment | null> {
  const result = new Map<string, SvSiteAssignment | null>();
  if (raw === undefined || raw === null) return result;
  if (!Array.isArray(raw)) {
    p.invalid('site_assignments must be an array');
    return result;
  }
  for (const [i, item] of (raw as unknown[]).entries()) {
    const where = `site_assignments[${i}]`;
    if (!isObject(item)) {
      p.invalid(`${where} must be an object`);
      continue;
    }
    // The doc table says site_USN, the examples site_usn: both are accepted.
    const usn = item.site_usn ?? item.site_USN;
    if (typeof usn !== 'string' || usn === '') {
      p.required(`${where}.site_usn`);
      continue;
    }
    if (!sv.sites.some((s) => s.usn === usn)) {
      p.invalid(`${where}: unknown site [${usn}]`);
      continue;
    }
    if (result.has(usn)) {
      p.invalid(`${where}: site [${usn}] listed twice`);
      continue;
    }
    const role = item.system_role_id;
    if (typeof role !== 'string' || role === '') {
      p.required(`${where}.system_role_id`);
      continue;
    }
    if (role === SITEVAULT_SITE_NO_ACCESS_ROLE) {
      if (!editing) p.invalid(`${where}: ${role} is only valid when editing a user`);
      result.set(usn, null);
      continue;
    }
    if (!(SITEVAULT_SITE_ROLES as readonly string[]).includes(role)) {
      p.invalid(`${where}: invalid site system role [${role}]`);
      continue;
    }
    result.set(usn, { site_usn: usn, system_role_id: role, addons: addons(item.addons, SITEVAULT_SITE_ADDONS, SITE_ROLES_WITH_ADDONS.has(role), where, p) });
  }
  return result;
}

/** Study assignments keyed by study id; `null` removes (study_role no_access__v, inferred). */
export function checkStudies(raw: unknown, sv: SimSiteVault, personType: string, p: Problems): Map<string, SvStudyAssignment | null> {
  const result = new Map<string, SvStudyAssignment | null>();
  if (raw === undefined || raw === null) return result;
  if (!Array.isArray(raw)) {
    p.invalid('study_assignments must be an array');
    return result;
  }
  const allowed: readonly string[] = personType === 'external__v' ? SITEVAULT_EXTERNAL_STUDY_ROLES : SITEVAULT_STAFF_STUDY_ROLES;
  for (const [i, item] of (raw as unknown[]).entries()) {
    const where = `study_assignments[${i}]`;
    if (!isObject(item)) {
      p.invalid(`${where} must be an object`);
      continue;
    }
    const id = item.id;
    if (typeof id !== 'string' || id === '') {
      p.required(`${where}.id`);
      continue;
    }
    if (!sv.studies.some((s) => s.id === id)) {
      p.invalid(`${where}: unknown study [${id}]`);
      continue;
    }
    if (result.has(id)) {
      p.invalid(`${where}: study [${id}] listed twice`);
      continue;
    }
    const role = item.study_role;
    if (typeof role !== 'string' || role === '') {
      p.required(`${where}.study_role`);
      continue;
    }
    if (role === SITEVAULT_SITE_NO_ACCESS_ROLE) {
      result.set(id, null);
      continue;
    }
    if (!allowed.includes(role)) {
      p.invalid(`${where}: study role [${role}] is not valid for a ${personType} person`);
      continue;
    }
    result.set(id, { id, study_role: role });
  }
  return result;
}

export interface MergedAssignments {
  readonly org: SvOrgAssignment | null;
  readonly sites: SvSiteAssignment[];
  readonly studies: SvStudyAssignment[];
}

/** Applies changes over current assignments, then checks studies sit at assigned sites. */
export function mergeAssignments(
  sv: SimSiteVault,
  current: { org: SvOrgAssignment | null; sites: readonly SvSiteAssignment[]; studies: readonly SvStudyAssignment[] },
  org: SvOrgAssignment | null | undefined,
  sites: ReadonlyMap<string, SvSiteAssignment | null>,
  studies: ReadonlyMap<string, SvStudyAssignment | null>,
  p: Problems,
): MergedAssignments {
  const nextOrg = org === undefined ? current.org : org;
  if (nextOrg === null) return { org: null, sites: [], studies: [] };
  const siteMap = new Map(current.sites.map((s) => [s.site_usn, s]));
  for (const [usn, s] of sites) {
    if (s === null) siteMap.delete(usn);
    else siteMap.set(usn, s);
  }
  const studyMap = new Map(current.studies.map((s) => [s.id, s]));
  for (const [id, s] of studies) {
    if (s === null) studyMap.delete(id);
    else studyMap.set(id, s);
  }
  for (const [id] of studyMap) {
    const site = sv.studies.find((s) => s.id === id)?.site_usn;
    if (site === undefined || !siteMap.has(site)) {
      if (studies.has(id)) {
        p.add('OPERATION_NOT_ALLOWED', `study [${id}] is at site [${site ?? '?'}], which the person has no assignment for`);
      } else {
        // A study assignment goes with its site when the site assignment is removed.
        studyMap.delete(id);
      }
    }
  }
  return {
    org: nextOrg,
    sites: [...siteMap.values()].sort((a, b) => a.site_usn.localeCompare(b.site_usn)),
    studies: [...studyMap.values()].sort((a, b) => a.id.localeCompare(b.id)),
  };
}
