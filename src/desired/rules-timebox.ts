/**
 * Rules over time-boxed grants (`valid_from`, `valid_until`, `reason` on a user, a membership, an
 * application licence, a group member or a user's group item, a SiteVault site or study assignment).
 * The schema checks the YYYY-MM-DD form; these check what it cannot: a real calendar day, an end
 * not before the start, and a reason that belongs to a time box.
 */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { grantDayStart, normaliseIdentity, timeboxPopulations, type DesiredGroupMember, type Grant, type TimeboxPopulation } from '../model.js';
import { formatPosition, type ConfigEntry, type GroupEntry, type PersonEntry, type UserEntry } from './entries.js';
import type { GroupDeclaration, UserGroupRef } from './groups.js';
import { appLicenseType, hasObjectFormApp, type RawGrant, type RawMembership } from './raw-types.js';
import type { DataPath, YamlFile } from './yaml-file.js';

/** Where a time box sits: its file, the path of the mapping that holds it, and whose it is. */
interface GrantSite {
  readonly yaml: YamlFile;
  readonly path: DataPath;
  /** The user (or SiteVault person) the diagnostic names. */
  readonly subject: string;
}

function siteError(site: GrantSite, code: DiagnosticCode, summary: string, hint: string, key: string, part: 'key' | 'value'): Diagnostic {
  return { severity: 'error', code, summary, hint, position: site.yaml.locate([...site.path, key], part), subject: { user: site.subject } };
}

function error(entry: UserEntry, code: DiagnosticCode, summary: string, hint: string, path: DataPath, part: 'key' | 'value'): Diagnostic {
  const user = normaliseIdentity(entry.raw.user_name);
  return { severity: 'error', code, summary, hint, position: entry.yaml.locate([...entry.path, ...path], part), subject: { user } };
}

/** The diagnostics of one time box: real calendar days, an end not before the start, a reason only with dates. */
function grantProblems(site: GrantSite, grant: RawGrant, what: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const starts: Partial<Record<'valid_from' | 'valid_until', number>> = {};
  for (const key of ['valid_from', 'valid_until'] as const) {
    const text = grant[key];
    if (text === undefined) continue;
    const start = grantDayStart(text);
    if (start === undefined) {
      found.push(siteError(site, 'grant-invalid-date', `${key} ${text} of ${what} is not a calendar date`, 'Write a real day as YYYY-MM-DD, e.g. 2026-02-28 (months 01-12, days that month has).', key, 'value'));
    } else {
      starts[key] = start;
    }
  }
  if (starts.valid_from !== undefined && starts.valid_until !== undefined && starts.valid_until < starts.valid_from) {
    found.push(
      siteError(
        site,
        'grant-ends-before-start',
        `valid_until ${grant.valid_until ?? ''} of ${what} is before its valid_from ${grant.valid_from ?? ''}`,
        'Both days are inclusive: set valid_until on or after valid_from (swap them if they were typed the wrong way round).',
        'valid_until',
        'value',
      ),
    );
  }
  if (grant.reason !== undefined && grant.valid_from === undefined && grant.valid_until === undefined) {
    found.push(
      siteError(site, 'grant-reason-without-dates', `reason on ${what} explains a time box, but it has no valid_from or valid_until`, 'Add valid_until (the last day the access is needed), or remove reason.', 'reason', 'key'),
    );
  }
  return found;
}

/** The time boxes of a user's application licences and `groups:` items in their object forms. */
function objectFormGrants(entry: UserEntry, name: string): Diagnostic[] {
  const at = (path: DataPath): GrantSite => ({ yaml: entry.yaml, path: [...entry.path, ...path], subject: name });
  const apps = (entry.raw.memberships ?? []).flatMap((m, index) =>
    Object.entries(m.apps ?? {}).flatMap(([app, value]) =>
      typeof value === 'string' ? [] : grantProblems(at(['memberships', index, 'apps', app]), value, `application licence ${app} in vault ${m.vault}`),
    ),
  );
  const groups = (entry.raw.groups ?? []).flatMap((item, index) => (typeof item === 'string' ? [] : grantProblems(at(['groups', index]), item, `the membership of group "${item.group.trim()}"`)));
  return [...apps, ...groups];
}

/** Any time-box key on a grant holder (a reason alone is a finding too). */
function hasTimeBoxKeys(grant: RawGrant): boolean {
  return grant.valid_from !== undefined || grant.valid_until !== undefined || grant.reason !== undefined;
}

/** Whether a user declares any time box at all: most do not, and are passed over without building anything. */
function declaresTimeBoxes(raw: UserEntry['raw']): boolean {
  const memberships = raw.memberships ?? [];
  return hasTimeBoxKeys(raw) || memberships.some(hasTimeBoxKeys) || hasObjectFormApp(memberships) || (raw.groups ?? []).some((item) => typeof item !== 'string');
}

/** Every time box of every user: the user's own, each membership's, each app licence's and group item's. */
export function grantDates(users: readonly UserEntry[]): Diagnostic[] {
  return users.flatMap((entry) => {
    if (!declaresTimeBoxes(entry.raw)) return [];
    const name = normaliseIdentity(entry.raw.user_name);
    const site = (path: DataPath): GrantSite => ({ yaml: entry.yaml, path: [...entry.path, ...path], subject: name });
    const own = grantProblems(site([]), entry.raw, `user ${name}`);
    const memberships = (entry.raw.memberships ?? []).flatMap((m, index) => grantProblems(site(['memberships', index]), m, `the membership of vault ${m.vault}`));
    return [...own, ...memberships, ...objectFormGrants(entry, name)];
  });
}

/** The time boxes of group members in the object form of `members:`. */
export function memberGrantDates(groups: readonly GroupEntry[]): Diagnostic[] {
  return groups.flatMap((entry) =>
    (entry.raw.members ?? []).flatMap((item, index) => {
      if (typeof item === 'string') return [];
      const user = normaliseIdentity(item.user);
      return grantProblems({ yaml: entry.yaml, path: [...entry.path, 'members', index], subject: user }, item, `${user}'s membership of group "${entry.raw.label.trim()}"`);
    }),
  );
}

/** The time boxes of SiteVault site and study assignments. */
export function assignmentGrantDates(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons.flatMap((entry) => {
    const email = normaliseIdentity(entry.raw.email);
    const site = (path: DataPath): GrantSite => ({ yaml: entry.yaml, path: [...entry.path, ...path], subject: email });
    const sites = (entry.raw.sites ?? []).flatMap((s, i) => grantProblems(site(['sites', i]), s, `the assignment to site ${s.usn}`));
    const studies = (entry.raw.studies ?? []).flatMap((s, i) => grantProblems(site(['studies', i]), s, `the assignment to study ${s.id}`));
    return [...sites, ...studies];
  });
}

function sameGrant(a: Grant | undefined, b: Grant | undefined): boolean {
  return a?.valid_from === b?.valid_from && a?.valid_until === b?.valid_until;
}

/**
 * One group membership declared in both places (the group's `members:` and the user's `groups:`)
 * with different time boxes: they would merge into one, so one of the two boxes would be dropped
 * without a word. Refused instead; the same box twice is only the declared-twice warning.
 */
export function grantsDeclaredTwice(groups: readonly GroupDeclaration[], refs: readonly UserGroupRef[]): Diagnostic[] {
  const listed = new Map<string, DesiredGroupMember>();
  for (const group of groups) for (const member of group.members ?? []) listed.set(`${group.key}\u0000${member.user_name}`, member);
  return refs.flatMap((ref) => {
    const member = listed.get(`${ref.key}\u0000${ref.user_name}`);
    if (member === undefined || sameGrant(member.grant, ref.grant)) return [];
    const box = (g: Grant | undefined): string => (g === undefined ? 'no time box' : `${g.valid_from === undefined ? '' : `valid_from ${g.valid_from}, `}valid_until ${g.valid_until ?? '(none)'}`);
    return [
      {
        severity: 'error',
        code: 'grant-declared-twice',
        summary: `${ref.user_name}'s membership of group "${ref.label}" has ${box(member.grant)} in the group's members: at ${formatPosition(member.source)} but ${box(ref.grant)} in the user's groups: at ${formatPosition(ref.source)}`,
        hint: "Declare the membership once: remove the user from the group's members: or the label from the user's groups:, and keep the time box on the one left.",
        position: ref.source,
        subject: { user: ref.user_name },
      },
    ];
  });
}

/** The populations of `policy.require_valid_until` that `found` names, in their order. */
function required(config: ConfigEntry, found: readonly TimeboxPopulation[]): TimeboxPopulation[] {
  const policy = config.raw.policy?.require_valid_until;
  return policy === undefined ? [] : found.filter((p) => policy[p] !== undefined);
}

function requiredError(entry: UserEntry, what: string, populations: readonly TimeboxPopulation[], config: ConfigEntry, path: DataPath, to = 'to it or to the user'): Diagnostic {
  const limits = populations.map((p) => config.raw.policy?.require_valid_until?.[p]?.max_days).filter((d): d is number => d !== undefined);
  const within = limits.length === 0 ? '' : ` (at most ${Math.min(...limits)} days ahead)`;
  return error(
    entry,
    'grant-required',
    `${what} needs a valid_until: policy.require_valid_until.${populations.join(' and .')} in roster.yaml requires one`,
    `Add valid_until: YYYY-MM-DD${within} ${to}, with a reason.`,
    path,
    'key',
  );
}

/**
 * An external application licence (`external_licenses`) under a membership and user without a
 * valid_until needs its own: the object form of `apps:` with a valid_until.
 */
function requiredAppGrants(entry: UserEntry, m: RawMembership, index: number, name: string, config: ConfigEntry): Diagnostic[] {
  if (required(config, ['external_licenses']).length === 0) return [];
  return Object.entries(m.apps ?? {}).flatMap(([app, value]) => {
    if (appLicenseType(value) !== 'external__v' || (typeof value !== 'string' && value.valid_until !== undefined)) return [];
    const to = `to it (${app}: { license_type: external__v, valid_until: YYYY-MM-DD }), to its membership or to the user`;
    return [requiredError(entry, `application licence ${app} (external__v) in vault ${m.vault} of ${name}`, ['external_licenses'], config, ['memberships', index, 'apps', app], to)];
  });
}

/**
 * `policy.require_valid_until`: every active membership in a named population has a `valid_until`
 * of its own or the user's (a user whose memberships are unmanaged needs their own). Whether it is
 * short enough depends on the day, so the plan checks that (`grant-too-long`).
 */
export function requiredGrants(users: readonly UserEntry[], config: ConfigEntry): Diagnostic[] {
  if (config.raw.policy?.require_valid_until === undefined) return [];
  const defaults = config.raw.defaults;
  return users.flatMap((entry) => {
    const raw = entry.raw;
    if (raw.active === false || raw.valid_until !== undefined) return [];
    const user = { license_type: raw.license_type ?? defaults?.license_type, security_policy: String(raw.security_policy ?? defaults?.security_policy ?? '').trim() };
    const name = normaliseIdentity(raw.user_name);
    if (raw.memberships === undefined) {
      const populations = required(config, timeboxPopulations(user, undefined));
      return populations.length === 0 ? [] : [requiredError(entry, `user ${name}`, populations, config, ['user_name'])];
    }
    return raw.memberships.flatMap((m, index) => {
      if (m.active === false || m.valid_until !== undefined) return [];
      const membership = { license_type: m.license_type ?? defaults?.license_type ?? 'full__v', security_profile: m.security_profile ?? defaults?.security_profile ?? 'document_user__v' };
      const populations = required(config, timeboxPopulations(user, membership));
      if (populations.length > 0) return [requiredError(entry, `the membership of vault ${m.vault} of ${name}`, populations, config, ['memberships', index, 'vault'])];
      return requiredAppGrants(entry, m, index, name, config);
    });
  });
}
