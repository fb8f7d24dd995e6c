/**
 * SiteVault Create User (array body, exactly one user) and Edit User (object body)
 * (VAULT-API.md §8). SiteVault has no read API: the stored persons are visible only through
 * the simulator's /_sim/sitevault route.
 */
import { SITEVAULT_PERSON_TYPES, SITEVAULT_VEEVAID_POLICY } from '../../model.js';
import { authedRoute, readJson, requireJsonType, VaultFailure, type ApiReply, type AuthedContext, type Route } from '../http.js';
import { recordId, type SimSiteVault, type SvPerson } from '../records.js';
import { checkOrg, checkSites, checkStudies, isObject, mergeAssignments, Problems, type Json } from '../sitevault-rules.js';
import type { SimCore } from '../core.js';

const CREATE_KEYS = new Set(['user', 'person_type', 'is_investigator', 'federated_id', 'assignments', 'site_assignments', 'study_assignments']);
const EDIT_KEYS = new Set(['username', 'is_investigator', 'assignments', 'site_assignments', 'study_assignments', 'federated_id']);
const USER_KEYS = new Set(['email', 'username', 'first_name', 'last_name', 'security_policy_id', 'person_type', 'language']);
const ASSIGNMENT_KEYS = new Set(['org_assignment', 'site_assignments', 'study_assignments']);

function siteVault(core: SimCore): SimSiteVault {
  const sv = core.store.sitevault;
  if (sv === null) throw new VaultFailure('OPERATION_NOT_ALLOWED', 'this domain has no SiteVault organization');
  return sv;
}

function unknownKeys(obj: Json, allowed: ReadonlySet<string>, where: string, p: Problems): void {
  for (const key of Object.keys(obj)) if (!allowed.has(key)) p.add('ATTRIBUTE_NOT_SUPPORTED', `Attribute [${where}${key}] is not supported`);
}

/** `site_assignments` / `study_assignments` may sit inside `assignments` or beside it. */
function assignmentsOf(body: Json, p: Problems): { org: unknown; sites: unknown; studies: unknown } {
  const a = body.assignments;
  if (a !== undefined && !isObject(a)) p.invalid('assignments must be an object');
  const inner = isObject(a) ? a : {};
  unknownKeys(inner, ASSIGNMENT_KEYS, 'assignments.', p);
  return { org: inner.org_assignment, sites: inner.site_assignments ?? body.site_assignments, studies: inner.study_assignments ?? body.study_assignments };
}

function investigator(raw: unknown, personType: string, p: Problems): boolean {
  if (raw === undefined || raw === null) {
    p.required('is_investigator');
    return false;
  }
  if (typeof raw !== 'boolean') {
    p.invalid('is_investigator must be true or false');
    return false;
  }
  if (raw && personType === 'external__v') p.invalid('is_investigator must be false for external users');
  return raw;
}

function fail(p: Problems): never {
  throw VaultFailure.many(p.list);
}

function str(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

function createPerson(ctx: AuthedContext, core: SimCore): ApiReply {
  const sv = siteVault(core);
  requireJsonType(ctx);
  const body = readJson(ctx);
  if (!Array.isArray(body)) throw new VaultFailure('INVALID_DATA', 'Create User takes a JSON array with one user');
  if (body.length !== 1) throw new VaultFailure('INVALID_DATA', `Create User takes exactly one user per call, got ${body.length} (bulk creation is not supported)`);
  const item: unknown = body[0];
  if (!isObject(item)) throw new VaultFailure('INVALID_DATA', 'the array element must be an object');
  const p = new Problems();
  unknownKeys(item, CREATE_KEYS, '', p);
  const user = item.user;
  if (!isObject(user)) {
    p.required('user');
    fail(p);
  }
  unknownKeys(user, USER_KEYS, 'user.', p);
  const email = str(user.email);
  const first = str(user.first_name);
  const last = str(user.last_name);
  const policy = str(user.security_policy_id);
  if (email === undefined) p.required('user.email');
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) p.invalid(`invalid email [${email}]`);
  if (first === undefined) p.required('user.first_name');
  if (last === undefined) p.required('user.last_name');
  if (policy === undefined) p.required('user.security_policy_id');
  else if (!sv.policies.includes(policy) && !core.store.policies.some((x) => x.name === policy)) p.invalid(`unknown security policy [${policy}]`);
  const username = str(user.username);
  if (username === undefined && policy !== undefined && policy !== SITEVAULT_VEEVAID_POLICY) p.required('user.username');
  if (username !== undefined && !/^[^\s@]+@[^\s@]+$/.test(username)) p.invalid(`invalid username [${username}]`);
  const personType = str(user.person_type) ?? str(item.person_type);
  if (personType === undefined) p.required('user.person_type');
  else if (!(SITEVAULT_PERSON_TYPES as readonly string[]).includes(personType)) p.invalid(`invalid person_type [${personType}]`);
  const topType = str(item.person_type);
  if (topType !== undefined && personType !== undefined && topType !== personType) p.invalid('user.person_type and person_type differ');
  const language = str(user.language) ?? 'en';
  if (!/^[a-z]{2}$/.test(language)) p.invalid(`invalid language [${language}]; use a 2-letter code`);
  const isInvestigator = investigator(item.is_investigator, personType ?? '', p);
  const federated = item.federated_id === undefined || item.federated_id === null ? null : str(item.federated_id) ?? null;
  const raw = assignmentsOf(item, p);
  if (raw.org === undefined) p.required('assignments.org_assignment');
  const org = checkOrg(raw.org, sv, false, p);
  const sites = checkSites(raw.sites, sv, false, p);
  const studies = checkStudies(raw.studies, sv, personType ?? 'staff__v', p);
  const existing = email === undefined ? undefined : [...sv.persons.values()].find((x) => x.email.toLowerCase() === email.toLowerCase());
  // An existing person with this email is reused (and re-activated), as Vault documents.
  const base = existing === undefined || existing.record_status === 'inactive__v' ? { org: null, sites: [], studies: [] } : { org: existing.org_assignment, sites: existing.site_assignments, studies: existing.study_assignments };
  const merged = mergeAssignments(sv, base, org, sites, studies, p);
  if (p.list.length > 0 || email === undefined || first === undefined || last === undefined || policy === undefined) fail(p);
  const person: SvPerson = {
    person_id: existing?.person_id ?? recordId('V0B', core.store.allocateSiteVaultPersonSeq()),
    email,
    username: username ?? existing?.username ?? null,
    first_name: first,
    last_name: last,
    security_policy_id: policy,
    person_type: personType === 'external__v' ? 'external__v' : 'staff__v',
    language,
    is_investigator: isInvestigator,
    federated_id: federated,
    record_status: merged.org === null ? 'inactive__v' : 'active__v',
    org_assignment: merged.org,
    site_assignments: merged.sites,
    study_assignments: merged.studies,
  };
  sv.persons.set(person.person_id, person);
  core.store.changed();
  return {
    body: {
      responseStatus: 'SUCCESS',
      data: { response: [{ status: 'Success', email: person.email, person_id: person.person_id, record_status: person.record_status }] },
    },
  };
}

function editPerson(ctx: AuthedContext, core: SimCore): ApiReply {
  const sv = siteVault(core);
  const person = sv.persons.get(ctx.params.person_id ?? '');
  if (person === undefined) throw new VaultFailure('MALFORMED_URL', `person [${ctx.params.person_id ?? ''}] not found`);
  requireJsonType(ctx);
  const body = readJson(ctx);
  if (!isObject(body)) throw new VaultFailure('INVALID_DATA', 'Edit User takes a single JSON object (not an array)');
  const p = new Problems();
  unknownKeys(body, EDIT_KEYS, '', p);
  const isInvestigator = investigator(body.is_investigator, person.person_type, p);
  const username = str(body.username);
  if (username !== undefined && core.store.userByName(username) === undefined) p.invalid(`no user named [${username}] exists to associate`);
  const raw = assignmentsOf(body, p);
  const org = checkOrg(raw.org, sv, true, p);
  const sites = checkSites(raw.sites, sv, true, p);
  const studies = checkStudies(raw.studies, sv, person.person_type, p);
  const current = person.record_status === 'inactive__v' && org === undefined ? { org: null, sites: [], studies: [] } : { org: person.org_assignment, sites: person.site_assignments, studies: person.study_assignments };
  if (current.org === null && org === undefined && (sites.size > 0 || studies.size > 0)) {
    p.add('OPERATION_NOT_ALLOWED', 'the person has no organization assignment; send assignments.org_assignment');
  }
  const merged = mergeAssignments(sv, current, org, sites, studies, p);
  if (p.list.length > 0) fail(p);
  const federated = body.federated_id === undefined ? person.federated_id : str(body.federated_id) ?? null;
  const next: SvPerson = {
    ...person,
    username: username ?? person.username,
    is_investigator: isInvestigator,
    federated_id: federated,
    record_status: merged.org === null ? 'inactive__v' : 'active__v',
    org_assignment: merged.org,
    site_assignments: merged.sites,
    study_assignments: merged.studies,
  };
  sv.persons.set(next.person_id, next);
  core.store.changed();
  return {
    body: {
      responseStatus: 'SUCCESS',
      data: { response: { status: 'Success', email: next.email, username: next.username, person_id: next.person_id, record_status: next.record_status } },
    },
  };
}

export function siteVaultRoutes(core: SimCore): Route[] {
  return [
    authedRoute('POST', '/app/sitevault/useradmin/persons', (ctx) => createPerson(ctx, core)),
    authedRoute('PUT', '/app/sitevault/useradmin/persons/:person_id', (ctx) => editPerson(ctx, core)),
  ];
}
