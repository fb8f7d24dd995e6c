/**
 * Seed / state files: checks a SimulatorSeed (from JSON, so every value is untrusted), fills
 * defaults and builds the store's records; and the reverse, records back to a seed.
 * A bad seed is a SeedError with one line naming the JSON path, never a crash later on.
 */
import { constants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { LICENSE_TYPES, STANDARD_SECURITY_PROFILES, type LicenseType } from '../model.js';
import type {
  ClinicalPersonRecord,
  SimApplication,
  SimAppLicense,
  SimClinical,
  SimMembership,
  SimPolicy,
  SimSiteVault,
  SimUser,
  SimVault,
  StateData,
  SvPerson,
} from './records.js';
import type { SeedFieldValue, SimulatorSeed } from './types.js';
import { GroupSeedError, parseGroups } from './groups.js';

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

type Json = Record<string, unknown>;
const SEED_DATE = '2024-01-02T09:00:00.000Z';
/** Keys of a seed user that are not scalar Vault fields. */
const STRUCTURE_KEYS = new Set(['id', 'system_owned', 'last_vault_id', 'vault_membership', 'app_licensing']);

function fail(path: string, what: string): never {
  throw new SeedError(`${path}: ${what}`);
}
function obj(v: unknown, path: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  return v as Json;
}
function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'must be an array');
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') fail(path, 'must be a non-empty string');
  return v;
}
function optStr(v: unknown, path: string, fallback: string): string {
  return v === undefined || v === null ? fallback : str(v, path);
}
function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(path, 'must be a non-negative integer');
  return v;
}
function bool(v: unknown, path: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(path, 'must be true or false');
  return v;
}
function license(v: unknown, path: string): LicenseType {
  if (v === undefined || v === null) return 'full__v';
  if (typeof v !== 'string' || !(LICENSE_TYPES as readonly string[]).includes(v)) {
    fail(path, `must be one of ${LICENSE_TYPES.join(', ')}`);
  }
  return v as LicenseType;
}
function strings(v: unknown, path: string): string[] {
  return arr(v, path).map((s, i) => str(s, `${path}[${i}]`));
}

/** Reads and checks a seed file; errors name the file. */
export function readSeedFile(path: string): SimulatorSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    if (code === 'ERR_STRING_TOO_LONG') {
      throw new SeedError(`seed file ${path} is larger than the ${Math.floor(constants.MAX_STRING_LENGTH / 2 ** 20)} MiB the simulator reads in one piece; seed fewer users, or fewer fields per user (every field left out takes its default)`);
    }
    throw new SeedError(`cannot read seed file ${path} (${code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SeedError(`seed file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    parseSeed(parsed);
  } catch (error) {
    if (error instanceof SeedError) throw new SeedError(`seed file ${path}: ${error.message}`);
    throw error;
  }
  return parsed as SimulatorSeed;
}

function parseVault(raw: unknown, path: string): SimVault {
  const v = obj(raw, path);
  const apps = new Map<string, SimApplication>();
  arr(v.applications, `${path}.applications`).forEach((rawApp, i) => {
    const p = `${path}.applications[${i}]`;
    const a = obj(rawApp, p);
    const name = str(a.name, `${p}.name`);
    const seats = new Map<LicenseType, number>();
    const licenses = a.licenses === undefined ? { full__v: 100, external__v: 10, read_only__v: 10 } : obj(a.licenses, `${p}.licenses`);
    for (const [lt, count] of Object.entries(licenses)) {
      seats.set(license(lt, `${p}.licenses key`), int(count, `${p}.licenses.${lt}`));
    }
    apps.set(name, { name, label: optStr(a.label, `${p}.label`, name), licenses: seats });
  });
  const status = v.status ?? 'Active';
  if (status !== 'Active' && status !== 'Inactive') fail(`${path}.status`, 'must be Active or Inactive');
  const profiles = v.security_profiles === undefined ? [...STANDARD_SECURITY_PROFILES] : strings(v.security_profiles, `${path}.security_profiles`);
  return {
    id: int(v.id, `${path}.id`),
    name: str(v.name, `${path}.name`),
    dns: str(v.dns, `${path}.dns`).toLowerCase(),
    status,
    family: optStr(v.family, `${path}.family`, 'platform__v'),
    profiles,
    apps,
  };
}

function parsePolicy(raw: unknown, path: string): SimPolicy {
  const p = obj(raw, path);
  const authType = p.authentication_type ?? 'password';
  if (authType !== 'password' && authType !== 'sso' && authType !== 'veevaid') {
    fail(`${path}.authentication_type`, 'must be password, sso or veevaid');
  }
  return {
    name: str(typeof p.name__v === 'number' ? String(p.name__v) : p.name__v, `${path}.name__v`),
    label: str(p.label__v, `${path}.label__v`),
    authType,
    description: typeof p.description__v === 'string' ? p.description__v : optStr(p.description__v, `${path}.description__v`, ''),
  };
}

function parseUser(raw: unknown, path: string, vaults: ReadonlyMap<number, SimVault>, policies: readonly SimPolicy[]): SimUser {
  const u = obj(raw, path);
  const id = int(u.id, `${path}.id`);
  const name = str(u.user_name__v, `${path}.user_name__v`);
  const systemOwned = bool(u.system_owned, `${path}.system_owned`, false);
  const fields: Record<string, SeedFieldValue> = {};
  for (const [key, value] of Object.entries(u)) {
    if (STRUCTURE_KEYS.has(key)) continue;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      fail(`${path}.${key}`, 'must be a string, number, boolean or null');
    }
    fields[key] = value;
  }
  const at = name.indexOf('@');
  const local = at > 0 ? name.slice(0, at) : name;
  const defaults: Record<string, SeedFieldValue> = {
    user_first_name__v: local,
    user_last_name__v: local,
    user_email__v: name,
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: systemOwned ? null : (policies[0]?.name ?? null),
    is_domain_admin__v: false,
    domain_active__v: true,
    user_needs_to_change_password__v: false,
    created_date__v: SEED_DATE,
    created_by__v: 1,
    modified_date__v: SEED_DATE,
    modified_by__v: 1,
    last_login__v: null,
  };
  for (const [key, value] of Object.entries(defaults)) if (fields[key] === undefined) fields[key] = value;
  const policy = fields.security_policy_id__v;
  if (typeof policy === 'number') fields.security_policy_id__v = String(policy);
  if (!systemOwned && !policies.some((p) => p.name === fields.security_policy_id__v)) {
    fail(`${path}.security_policy_id__v`, `unknown security policy ${String(policy)}`);
  }
  for (const flag of ['is_domain_admin__v', 'domain_active__v', 'user_needs_to_change_password__v']) {
    bool(fields[flag], `${path}.${flag}`, false);
  }
  const memberships: SimMembership[] = arr(u.vault_membership, `${path}.vault_membership`).map((rawM, i) => {
    const p = `${path}.vault_membership[${i}]`;
    const m = obj(rawM, p);
    const vault = vaults.get(int(m.vault_id, `${p}.vault_id`));
    if (vault === undefined) fail(`${p}.vault_id`, `unknown vault ${String(m.vault_id)}`);
    const profile = optStr(m.security_profile__v, `${p}.security_profile__v`, 'document_user__v');
    if (!vault.profiles.includes(profile)) fail(`${p}.security_profile__v`, `unknown profile ${profile} in vault ${vault.id}`);
    return { vault_id: vault.id, active: bool(m.active__v, `${p}.active__v`, true), profile, license: license(m.license_type__v, `${p}.license_type__v`) };
  });
  memberships.sort((a, b) => a.vault_id - b.vault_id);
  if (new Set(memberships.map((m) => m.vault_id)).size !== memberships.length) fail(`${path}.vault_membership`, 'lists a vault twice');
  const apps: SimAppLicense[] = arr(u.app_licensing, `${path}.app_licensing`).map((rawA, i) => {
    const p = `${path}.app_licensing[${i}]`;
    const a = obj(rawA, p);
    const vaultId = int(a.vault_id, `${p}.vault_id`);
    const app = str(a.application_name, `${p}.application_name`);
    if (vaults.get(vaultId)?.apps.has(app) !== true) fail(p, `vault ${vaultId} has no application ${app}`);
    return { vault_id: vaultId, app, active: bool(a.active__v, `${p}.active__v`, true), license: license(a.license_type__v, `${p}.license_type__v`) };
  });
  apps.sort((a, b) => a.vault_id - b.vault_id || a.app.localeCompare(b.app));
  const lastVault = u.last_vault_id === undefined || u.last_vault_id === null ? null : int(u.last_vault_id, `${path}.last_vault_id`);
  return { id, fields, memberships, apps, systemOwned, lastVaultId: lastVault };
}

function parseSiteVault(raw: unknown, path: string): SimSiteVault | null {
  if (raw === undefined || raw === null) return null;
  const s = obj(raw, path);
  const org = obj(s.org, `${path}.org`);
  const sites = arr(s.sites, `${path}.sites`).map((r, i) => {
    const o = obj(r, `${path}.sites[${i}]`);
    return { usn: str(o.usn, `${path}.sites[${i}].usn`), name: str(o.name, `${path}.sites[${i}].name`) };
  });
  const studies = arr(s.studies, `${path}.studies`).map((r, i) => {
    const o = obj(r, `${path}.studies[${i}]`);
    const siteUsn = str(o.site_usn, `${path}.studies[${i}].site_usn`);
    if (!sites.some((site) => site.usn === siteUsn)) fail(`${path}.studies[${i}].site_usn`, `unknown site ${siteUsn}`);
    return { id: str(o.id, `${path}.studies[${i}].id`), name: str(o.name, `${path}.studies[${i}].name`), site_usn: siteUsn };
  });
  const persons = new Map<string, SvPerson>();
  arr(s.persons, `${path}.persons`).forEach((r, i) => {
    const p = `${path}.persons[${i}]`;
    const o = obj(r, p);
    const personType = o.person_type;
    if (personType !== 'staff__v' && personType !== 'external__v') fail(`${p}.person_type`, 'must be staff__v or external__v');
    const orgRaw = o.org_assignment;
    const orgObj = orgRaw === undefined || orgRaw === null ? null : obj(orgRaw, `${p}.org_assignment`);
    const person: SvPerson = {
      person_id: str(o.person_id, `${p}.person_id`),
      email: str(o.email, `${p}.email`),
      username: o.username === undefined || o.username === null ? null : str(o.username, `${p}.username`),
      first_name: str(o.first_name, `${p}.first_name`),
      last_name: str(o.last_name, `${p}.last_name`),
      security_policy_id: str(o.security_policy_id, `${p}.security_policy_id`),
      person_type: personType,
      language: optStr(o.language, `${p}.language`, 'en'),
      is_investigator: bool(o.is_investigator, `${p}.is_investigator`, false),
      federated_id: o.federated_id === undefined || o.federated_id === null ? null : str(o.federated_id, `${p}.federated_id`),
      record_status: o.record_status === 'inactive__v' ? 'inactive__v' : 'active__v',
      org_assignment:
        orgObj === null
          ? null
          : {
              org_id: str(orgObj.org_id, `${p}.org_assignment.org_id`),
              system_role_id: str(orgObj.system_role_id, `${p}.org_assignment.system_role_id`),
              addons: strings(orgObj.addons, `${p}.org_assignment.addons`),
            },
      site_assignments: arr(o.site_assignments, `${p}.site_assignments`).map((a, j) => {
        const sa = obj(a, `${p}.site_assignments[${j}]`);
        return {
          site_usn: str(sa.site_usn, `${p}.site_assignments[${j}].site_usn`),
          system_role_id: str(sa.system_role_id, `${p}.site_assignments[${j}].system_role_id`),
          addons: strings(sa.addons, `${p}.site_assignments[${j}].addons`),
        };
      }),
      study_assignments: arr(o.study_assignments, `${p}.study_assignments`).map((a, j) => {
        const st = obj(a, `${p}.study_assignments[${j}]`);
        return { id: str(st.id, `${p}.study_assignments[${j}].id`), study_role: str(st.study_role, `${p}.study_assignments[${j}].study_role`) };
      }),
    };
    persons.set(person.person_id, person);
  });
  return {
    org: { id: str(org.id, `${path}.org.id`), name: str(org.name, `${path}.org.name`) },
    sites,
    studies,
    policies: s.security_policies === undefined ? ['VeevaID', 'noUser'] : strings(s.security_policies, `${path}.security_policies`),
    persons,
  };
}

function parseClinical(raw: unknown, path: string, vaults: ReadonlyMap<number, SimVault>): SimClinical | null {
  if (raw === undefined || raw === null) return null;
  const c = obj(raw, path);
  const vaultId = int(c.vault_id, `${path}.vault_id`);
  if (!vaults.has(vaultId)) fail(`${path}.vault_id`, `unknown vault ${vaultId}`);
  const persons = new Map<string, ClinicalPersonRecord>();
  const nullable = (v: unknown, p: string): string | null => (v === undefined || v === null ? null : str(v, p));
  arr(c.persons, `${path}.persons`).forEach((r, i) => {
    const p = `${path}.persons[${i}]`;
    const o = obj(r, p);
    const id = str(o.id, `${p}.id`);
    persons.set(id, {
      id,
      first_name__sys: nullable(o.first_name__sys, `${p}.first_name__sys`),
      last_name__sys: nullable(o.last_name__sys, `${p}.last_name__sys`),
      email__sys: nullable(o.email__sys, `${p}.email__sys`),
      vault_user__sys: nullable(o.vault_user__sys, `${p}.vault_user__sys`),
      status__v: optStr(o.status__v, `${p}.status__v`, 'active__v'),
    });
  });
  return { vault_id: vaultId, persons };
}

/** Checks a seed and builds the records; throws SeedError naming the first problem. */
export function parseSeed(raw: unknown): StateData {
  const seed = obj(raw, 'seed');
  const domainRaw = seed.domain === undefined ? { name: 'veepharm' } : obj(seed.domain, 'domain');
  const domain = {
    name: str(domainRaw.name, 'domain.name'),
    type: optStr(domainRaw.type, 'domain.type', 'Production'),
    id: domainRaw.id === undefined ? 1001 : int(domainRaw.id, 'domain.id'),
    customUserFields: new Set(strings(domainRaw.custom_user_fields, 'domain.custom_user_fields')),
  };
  const vaultList = arr(seed.vaults, 'vaults').map((v, i) => parseVault(v, `vaults[${i}]`));
  if (vaultList.length === 0) fail('vaults', 'must list at least one vault');
  vaultList.sort((a, b) => a.id - b.id);
  const vaults = new Map(vaultList.map((v) => [v.id, v]));
  if (vaults.size !== vaultList.length) fail('vaults', 'lists a vault id twice');
  const policiesRaw = seed.security_policies === undefined ? [{ name__v: '821', label__v: 'Basic' }] : seed.security_policies;
  const policies = arr(policiesRaw, 'security_policies').map((p, i) => parsePolicy(p, `security_policies[${i}]`));
  const users = arr(seed.users, 'users').map((u, i) => parseUser(u, `users[${i}]`, vaults, policies));
  const seenIds = new Set<number>();
  const seenNames = new Set<string>();
  users.forEach((u, i) => {
    const lower = String(u.fields.user_name__v).toLowerCase();
    if (seenIds.has(u.id)) fail(`users[${i}].id`, `duplicate user id ${u.id}`);
    if (seenNames.has(lower)) fail(`users[${i}].user_name__v`, `duplicate user name ${lower}`);
    seenIds.add(u.id);
    seenNames.add(lower);
  });
  const counters = seed.counters === undefined ? {} : obj(seed.counters, 'counters');
  const maxId = users.reduce((max, u) => Math.max(max, u.id), 25000);
  const nextUserId = counters.next_user_id === undefined ? maxId + 1 : Math.max(int(counters.next_user_id, 'counters.next_user_id'), maxId + 1);
  const sitevault = parseSiteVault(seed.sitevault, 'sitevault');
  const nextSv = counters.next_sitevault_person === undefined ? 1001 : int(counters.next_sitevault_person, 'counters.next_sitevault_person');
  const nextGroup = counters.next_group_id === undefined ? undefined : int(counters.next_group_id, 'counters.next_group_id');
  let grouped: ReturnType<typeof parseGroups>;
  try {
    const idByName = new Map(users.map((u) => [String(u.fields.user_name__v).toLowerCase(), u.id]));
    const userOf = (ref: number | string): number | undefined => (typeof ref === 'number' ? (seenIds.has(ref) ? ref : undefined) : idByName.get(ref.trim().toLowerCase()));
    grouped = parseGroups(seed.groups, vaultList, userOf, nextGroup);
  } catch (error) {
    if (error instanceof GroupSeedError) throw new SeedError(error.message);
    throw error;
  }
  return {
    domain,
    vaults: vaultList,
    policies,
    users,
    sitevault,
    clinical: parseClinical(seed.clinical, 'clinical', vaults),
    groups: grouped.groups,
    nextUserId,
    nextSiteVaultPerson: nextSv,
    nextGroupId: grouped.nextGroupId,
  };
}
