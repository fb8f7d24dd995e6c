/**
 * Import: turns live state into a desired-state repo (roster.yaml + user and SiteVault files),
 * so a team can start from today's Vault. Pure: returns file contents by relative path; the
 * CLI writes them. Output is stable (sorted users, fixed key order) so re-imports diff well,
 * and it is written so that `plan` right after import shows no changes.
 */
import { MAX_FILE_BYTES } from '../desired/source-file.js';
import { isLicenseAllowedUnder, type AppliedSiteVaultPerson, type LicenseType, type LiveGroup, type LiveState, type LiveUser, type Membership, type VaultTarget } from '../model.js';
import { emitListItem, emitYaml, type YamlValue } from './emit.js';
import { schemaComment } from './schemas.js';

/**
 * Largest file import writes: half the loader's per-file limit, so an imported file stays
 * loadable after it grows by hand. A group of users that would not fit is split into parts.
 */
export const IMPORT_FILE_BUDGET_BYTES = MAX_FILE_BYTES / 2;

/** Users (or SiteVault persons) per file by default: a file a reviewer can still read. */
export const DEFAULT_MAX_ITEMS_PER_FILE = 2_000;

/**
 * Second line of every users / SiteVault file import writes: `import --force` replaces files that
 * still carry it (its own earlier output, whatever the split), and never a file without it.
 */
export const IMPORT_MARKER = '# Written by vault-roster import (import --force may replace this file).';

export interface ImportOptions {
  readonly target: VaultTarget;
  /** `vault`: one users file per primary vault; `none`: a single users file. */
  readonly splitBy: 'vault' | 'none';
  /** Only users with a membership in one of these vaults (all users when undefined). */
  readonly vaults?: readonly number[];
  /**
   * Path from the output folder to the folder holding the JSON Schemas, for the `$schema`
   * comments: relative and inside the repository (import writes them to SCHEMAS_FOLDER), so
   * editors find them whatever the install layout.
   */
  readonly specsPath: string;
  /** Users never to touch (the authenticated admin, integration users). */
  readonly protectedUsers: readonly string[];
  /** Largest file to write, in bytes (default IMPORT_FILE_BUDGET_BYTES); tests lower it. */
  readonly maxFileBytes?: number;
  /** Most users (or persons) in one file (default DEFAULT_MAX_ITEMS_PER_FILE); a group above it is split into parts. */
  readonly maxItemsPerFile?: number;
}

/** The values most users share become `defaults:`; users then only list where they differ. */
type Defaults = {
  timezone?: string;
  locale?: string;
  language?: string;
  security_policy?: string;
  license_type?: string;
  security_profile?: string;
};

function mostCommon(values: Iterable<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: [string, number] | undefined;
  // Ties break alphabetically so the choice is stable.
  for (const entry of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (best === undefined || entry[1] > best[1]) best = entry;
  }
  return best?.[0];
}

function factorDefaults(users: readonly LiveUser[]): Defaults {
  const defaults: Defaults = {};
  const set = (key: keyof Defaults, value: string | undefined): void => {
    if (value !== undefined) defaults[key] = value;
  };
  set('timezone', mostCommon(users.map((u) => u.timezone)));
  set('locale', mostCommon(users.map((u) => u.locale)));
  set('language', mostCommon(users.map((u) => u.language)));
  set('security_policy', mostCommon(users.map((u) => u.security_policy)));
  set('license_type', mostCommon(users.flatMap((u) => [u.license_type, ...u.memberships.map((m) => m.license_type)])));
  set('security_profile', mostCommon(users.flatMap((u) => u.memberships.map((m) => m.security_profile))));
  return defaults;
}

type YamlMap = Record<string, YamlValue>;

function membershipYaml(m: Membership, defaults: Defaults): YamlMap {
  const out: YamlMap = { vault: m.vault_id };
  if (m.security_profile !== (defaults.security_profile ?? 'document_user__v')) out.security_profile = m.security_profile;
  if (m.license_type !== (defaults.license_type ?? 'full__v')) out.license_type = m.license_type;
  if (!m.active) out.active = false;
  const apps = Object.entries(m.apps ?? {})
    .filter(([, app]) => app.active)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (apps.length > 0) out.apps = Object.fromEntries(apps.map(([code, app]) => [code, app.license_type]));
  return out;
}

/**
 * Fields that record a moment in a user's life rather than their access. Pinned in YAML, the
 * next apply would undo them: `user_needs_to_change_password__v: false` would cancel a password
 * reset an administrator forced.
 */
const TRANSIENT_FIELDS: ReadonlySet<string> = new Set(['user_needs_to_change_password__v']);

/**
 * The user-level `license_type` to write, when `defaults.license_type` is below one of the user's
 * active app licences: YAML reads the user's licence as the ceiling of their app licences, so
 * without it the imported repo would fail its own validation. Vault's own licence for the user
 * when it covers them all, else full__v (which covers every licence).
 */
function userLicenseCeiling(user: LiveUser, defaults: Defaults): LicenseType | undefined {
  const base = defaults.license_type as LicenseType | undefined;
  if (base === undefined) return undefined;
  const apps = user.memberships.flatMap((m) => Object.values(m.apps ?? {}).filter((app) => app.active).map((app) => app.license_type));
  const coversAll = (license: LicenseType): boolean => apps.every((app) => isLicenseAllowedUnder(app, license));
  if (coversAll(base)) return undefined;
  return user.license_type !== undefined && coversAll(user.license_type) ? user.license_type : 'full__v';
}

function userYaml(user: LiveUser, defaults: Defaults): YamlMap {
  const out: YamlMap = { user_name: user.user_name };
  const put = (key: string, value: string | undefined, fallback?: string): void => {
    if (value !== undefined && value !== fallback) out[key] = value;
  };
  put('first_name', user.first_name);
  put('last_name', user.last_name);
  put('email', user.email);
  put('timezone', user.timezone, defaults.timezone);
  put('locale', user.locale, defaults.locale);
  put('language', user.language, defaults.language);
  put('security_policy', user.security_policy, defaults.security_policy);
  put('license_type', userLicenseCeiling(user, defaults));
  if (user.domain_admin === true) out.domain_admin = true;
  if (user.active === false) out.active = false;
  const fields = Object.entries(user.fields)
    .filter(([name, v]) => v !== null && v !== '' && !TRANSIENT_FIELDS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (fields.length > 0) out.fields = Object.fromEntries(fields);
  out.memberships = user.memberships.map((m) => membershipYaml(m, defaults));
  return out;
}

function sitevaultYaml(person: AppliedSiteVaultPerson): YamlMap {
  const out: YamlMap = { email: person.email };
  if (person.username !== undefined) out.username = person.username;
  out.first_name = person.first_name;
  out.last_name = person.last_name;
  out.security_policy = person.security_policy;
  out.person_type = person.person_type;
  out.investigator = person.investigator;
  if (person.language !== undefined) out.language = person.language;
  if (person.federated_id !== undefined) out.federated_id = person.federated_id;
  out.org = { id: person.org.org_id, role: person.org.role, ...(person.org.addons.length > 0 ? { addons: [...person.org.addons] } : {}) };
  if (person.sites.length > 0) {
    out.sites = person.sites.map((s) => ({ usn: s.site_usn, role: s.role, ...(s.addons.length > 0 ? { addons: [...s.addons] } : {}) }));
  }
  if (person.studies.length > 0) out.studies = person.studies.map((s) => ({ id: s.study_id, role: s.role }));
  return out;
}

/** The vault a user's file is named after: their lowest active vault, else lowest vault, else none. */
function primaryVault(user: LiveUser): number | undefined {
  const active = user.memberships.filter((m) => m.active);
  return (active[0] ?? user.memberships[0])?.vault_id;
}

/**
 * `header` plus list items, as one file `<base>.yaml` when it fits in `budget` bytes, else as
 * parts `<base>-01.yaml`, `<base>-02.yaml`, … each within the budget (a single item larger than
 * the budget still gets a file of its own). Linear in the items.
 */
export function splitIntoFiles(base: string, header: string, items: readonly string[], budget: number, maxItems = Number.POSITIVE_INFINITY): [string, string][] {
  const headerBytes = Buffer.byteLength(header);
  const parts: string[][] = [[]];
  let size = headerBytes;
  for (const item of items) {
    const bytes = Buffer.byteLength(item);
    const current = parts[parts.length - 1] ?? [];
    if (current.length > 0 && (size + bytes > budget || current.length >= maxItems)) {
      parts.push([item]);
      size = headerBytes + bytes;
    } else {
      current.push(item);
      size += bytes;
    }
  }
  if (parts.length === 1) return [[`${base}.yaml`, header + (parts[0] ?? []).join('')]];
  const width = Math.max(2, String(parts.length).length);
  return parts.map((part, i) => [`${base}-${String(i + 1).padStart(width, '0')}.yaml`, header + part.join('')]);
}

export interface ImportResult {
  /** Relative path → file content, e.g. `roster.yaml`, `users/vault-3003.yaml`. */
  readonly files: Map<string, string>;
  readonly users: number;
  readonly persons: number;
  /** User-managed groups written (0 when the live state has no groups read). */
  readonly groups: number;
}

/**
 * A user-managed group as YAML: its values and its explicit members by name. Implied members are
 * left out (Vault derives them from the security profiles), and so are members the user listing
 * does not show (system-owned users: vault-roster leaves them alone).
 */
function groupYaml(group: LiveGroup, nameOf: ReadonlyMap<number, string>): YamlMap {
  const out: YamlMap = { label: group.label, name: group.name };
  if (group.description !== undefined && group.description !== '') out.description = group.description;
  if (group.active !== undefined) out.active = group.active;
  if (group.allow_delegation !== undefined) out.allow_delegation_among_members = group.allow_delegation;
  if (group.security_profiles !== undefined && group.security_profiles.length > 0) out.security_profiles = [...group.security_profiles];
  const members = group.members.flatMap((id) => {
    const name = nameOf.get(id);
    return name === undefined ? [] : [name];
  });
  out.members = members.sort();
  return out;
}

/** Every user-managed group of the live state, sorted by label; none when groups were not read. */
function userManagedGroups(live: LiveState): LiveGroup[] {
  return [...(live.groups?.values() ?? [])].filter((g) => g.kind === 'user_managed').sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function exportDesiredState(live: LiveState, options: ImportOptions): ImportResult {
  const wanted = options.vaults === undefined ? undefined : new Set(options.vaults);
  const users = [...live.users.values()]
    .filter((u) => wanted === undefined || u.memberships.some((m) => wanted.has(m.vault_id)))
    .sort((a, b) => (a.user_name < b.user_name ? -1 : 1));
  const defaults = factorDefaults(users);
  const files = new Map<string, string>();
  const budget = options.maxFileBytes ?? IMPORT_FILE_BUDGET_BYTES;
  const maxItems = options.maxItemsPerFile ?? DEFAULT_MAX_ITEMS_PER_FILE;

  const groups = new Map<string, LiveUser[]>();
  for (const user of users) {
    const vault = options.splitBy === 'vault' ? primaryVault(user) : undefined;
    const name = options.splitBy === 'none' ? 'users' : vault === undefined ? 'domain-only' : `vault-${vault}`;
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [user]);
    else group.push(user);
  }
  for (const [name, members] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const header = `${schemaComment(options.specsPath, 1, 'users.schema.json')}${IMPORT_MARKER}\nusers:\n`;
    const items = members.map((u) => emitListItem(userYaml(u, defaults)));
    for (const [path, text] of splitIntoFiles(`users/${name}`, header, items, budget, maxItems)) files.set(path, text);
  }
  const persons = [...live.sitevault.values()].sort((a, b) => (a.email < b.email ? -1 : 1));
  if (persons.length > 0) {
    const header = `${schemaComment(options.specsPath, 1, 'sitevault.schema.json')}${IMPORT_MARKER}\nsitevault_users:\n`;
    const items = persons.map((p) => emitListItem(sitevaultYaml(p)));
    for (const [path, text] of splitIntoFiles('sitevault/persons', header, items, budget, maxItems)) files.set(path, text);
  }

  const liveGroups = userManagedGroups(live);
  if (live.groups !== undefined) {
    const nameOf = new Map<number, string>();
    for (const user of live.users.values()) nameOf.set(user.id, user.user_name);
    const header = `${schemaComment(options.specsPath, 1, 'groups.schema.json')}${IMPORT_MARKER}\ngroups:${liveGroups.length === 0 ? ' []' : ''}\n`;
    const items = liveGroups.map((g) => emitListItem(groupYaml(g, nameOf)));
    for (const [path, text] of splitIntoFiles('groups/groups', header, items, budget, maxItems)) files.set(path, text);
  }

  const vault: YamlMap = {};
  if (options.target.url !== undefined) vault.url = options.target.url;
  vault.api_version = options.target.api_version;
  vault.vault_id = live.vault_id;
  if (options.target.dns !== undefined) vault.dns = options.target.dns;
  const roster: YamlMap = {
    vault,
    include: ['users/**/*.yaml', ...(persons.length > 0 ? ['sitevault/**/*.yaml'] : []), ...(live.groups === undefined ? [] : ['groups/**/*.yaml'])],
    defaults,
    policy: {
      unmanaged_users: 'report',
      max_deactivations: 10,
      protected_users: [...new Set([live.authenticated_user, ...options.protectedUsers])].sort(),
    },
    state: '.vault-roster/state.json',
  };
  files.set('roster.yaml', schemaComment(options.specsPath, 0, 'roster.schema.json') + emitYaml(roster));
  return { files, users: users.length, persons: persons.length, groups: liveGroups.length };
}
