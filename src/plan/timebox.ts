/**
 * Time-boxed grants meet the clock. The loader keeps `valid_from` / `valid_until` as declared;
 * here, with the plan's own time (`PlanOptions.created_at`, which the plan records and apply
 * re-derives with), a grant outside its days is treated as absent before anything is compared:
 * an expired or not-yet-valid membership becomes inactive (or is not created), a user whose own
 * time box is over is deactivated (or not created), an application licence, group member or
 * SiteVault site/study assignment is left out as if not declared. Grants ending within
 * `policy.expiry_warning_days` are listed as `grant-expiring-soon` notes. Pure.
 *
 * Days are UTC and inclusive: `valid_until: 2026-12-24` is valid until 2026-12-25T00:00Z.
 */
import type { Diagnostic } from '../diagnostics.js';
import { liveGroupForKey } from './diff-groups.js';
import {
  GRANT_DAY_MS,
  SITEVAULT_SITE_NO_ACCESS_ROLE,
  grantDayStart,
  timeboxPopulations,
  type DesiredSiteVaultPerson,
  type DesiredState,
  type DesiredUser,
  type Grant,
  type LiveState,
  type LiveUser,
  type Membership,
  type Policy,
} from '../model.js';

export type GrantState = 'valid' | 'expired' | 'not-yet-valid';

/** Where a grant stands at `asOf` (UTC ms); dates the loader checked, so a bad one cannot reach here. */
export function grantState(grant: Pick<Grant, 'valid_from' | 'valid_until'>, asOf: number): GrantState {
  const until = grant.valid_until === undefined ? undefined : grantDayStart(grant.valid_until);
  if (until !== undefined && asOf >= until + GRANT_DAY_MS) return 'expired';
  const from = grant.valid_from === undefined ? undefined : grantDayStart(grant.valid_from);
  if (from !== undefined && asOf < from) return 'not-yet-valid';
  return 'valid';
}

/** Whole days from `asOf` to the end of `valid_until` (0 = ends today), or undefined without one. */
export function daysLeft(grant: Pick<Grant, 'valid_until'>, asOf: number): number | undefined {
  const until = grant.valid_until === undefined ? undefined : grantDayStart(grant.valid_until);
  if (until === undefined) return undefined;
  return Math.ceil((until + GRANT_DAY_MS - asOf) / GRANT_DAY_MS) - 1;
}

/** Why a grant is not in force, for the change's reason: "expired on DATE (file:line)". */
export function grantNote(what: string, grant: Grant, state: Exclude<GrantState, 'valid'>): string {
  const where = `${grant.source.file}:${grant.source.line}`;
  const why = grant.reason === undefined ? '' : `; reason: ${grant.reason}`;
  return state === 'expired' ? `${what} expired on ${grant.valid_until ?? ''} (${where}${why})` : `${what} is not valid before ${grant.valid_from ?? ''} (${where}${why})`;
}

export interface ClockedDesired {
  readonly desired: DesiredState;
  /** Per user name: why the clock changed what the user gets (prefixed to the change's reason). */
  readonly notes: ReadonlyMap<string, readonly string[]>;
  /** Per group key: the members the clock removes from the group, and why. */
  readonly group_notes: ReadonlyMap<string, readonly string[]>;
  /** Per SiteVault email: the assignments the clock withdraws, and why. */
  readonly person_notes: ReadonlyMap<string, readonly string[]>;
  /** Users the clock deactivates through their own time box: their deactivation's whole reason is the note. */
  readonly lapsed_users: ReadonlySet<string>;
  readonly diagnostics: Diagnostic[];
}

interface UserClock {
  readonly user: DesiredUser;
  readonly notes: string[];
  lapsed: boolean;
  readonly diagnostics: Diagnostic[];
}

/** A `grant-expiring-soon` note for `who`'s grant, or none. `field` names it in the subject (default: the membership's or user's valid_until). */
function expiringSoon(who: string, what: string, grant: Grant, asOf: number, warnDays: number, vaultId?: number, field?: string): Diagnostic[] {
  const left = daysLeft(grant, asOf);
  if (left === undefined || left >= warnDays) return [];
  const when = left === 0 ? 'today' : left === 1 ? 'tomorrow' : `in ${left} days`;
  return [
    {
      severity: 'info',
      code: 'grant-expiring-soon',
      summary: `${what} of ${who} ends ${when} (valid_until ${grant.valid_until ?? ''})${grant.reason === undefined ? '' : `; reason: ${grant.reason}`}`,
      hint: `to renew, move valid_until at ${grant.source.file}:${grant.source.line} to a later day; to let it lapse, do nothing`,
      position: grant.source,
      subject: { user: who, field: field ?? (vaultId === undefined ? 'valid_until' : `memberships[${vaultId}].valid_until`), ...(vaultId === undefined ? {} : { vault_id: vaultId }) },
    },
  ];
}

/**
 * The application licences of one membership as of `asOf`: one outside its days is left out of the
 * managed set, so a live active one is made inactive exactly as an app left out of `apps:` is.
 */
/** A grant waiting for its valid_from that Vault does not hold yet: said, never skipped silently. */
function heldBack(subject: string, what: string, grant: Grant, field: string, vaultId?: number): Diagnostic {
  return {
    severity: 'info',
    code: 'grant-not-yet-valid',
    summary: `${grantNote(what, grant, 'not-yet-valid')}; not granted yet`,
    hint: 'nothing to do: a plan made on or after valid_from grants it',
    position: grant.source,
    subject: { user: subject, field, ...(vaultId === undefined ? {} : { vault_id: vaultId }) },
  };
}

function clockApps(user: DesiredUser, m: Membership, live: Membership | undefined, asOf: number, warnDays: number, out: UserClock): Membership {
  const grants = (user.app_grants ?? []).filter((g) => g.vault_id === m.vault_id);
  if (grants.length === 0 || m.apps === undefined) return m;
  const lapsed = new Set<string>();
  for (const grant of grants) {
    const what = `application licence ${grant.app} in vault ${m.vault_id}`;
    const state = grantState(grant, asOf);
    if (state === 'valid') {
      out.diagnostics.push(...expiringSoon(user.user_name, what, grant, asOf, warnDays, m.vault_id, `memberships[${m.vault_id}].apps.${grant.app}.valid_until`));
      continue;
    }
    lapsed.add(grant.app);
    // Only a licence Vault has active is withdrawn; one it lacks or has inactive needs no note.
    if (live?.apps?.[grant.app]?.active === true) out.notes.push(grantNote(what, grant, state));
    else if (state === 'not-yet-valid') out.diagnostics.push(heldBack(user.user_name, what, grant, `memberships[${m.vault_id}].apps.${grant.app}.valid_from`, m.vault_id));
  }
  if (lapsed.size === 0) return m;
  return { ...m, apps: Object.fromEntries(Object.entries(m.apps).filter(([code]) => !lapsed.has(code))) };
}

/**
 * A membership outside its days: the live one (if any) made inactive with its other parts as they
 * are, so an expiry only switches access off; none when Vault has none (nothing is created).
 */
function lapsedMembership(vaultId: number, live: LiveUser | undefined): Membership | undefined {
  const current = live?.memberships.find((m) => m.vault_id === vaultId);
  if (current === undefined) return undefined;
  return { vault_id: vaultId, active: false, security_profile: current.security_profile, license_type: current.license_type };
}

function clockMemberships(user: DesiredUser, live: LiveUser | undefined, asOf: number, warnDays: number, out: UserClock): readonly Membership[] | undefined {
  const grants = new Map((user.membership_grants ?? []).map((g) => [g.vault_id, g]));
  if ((grants.size === 0 && user.app_grants === undefined) || user.memberships === undefined) return user.memberships;
  return user.memberships.flatMap((declared) => {
    const m = clockApps(user, declared, live?.memberships.find((c) => c.vault_id === declared.vault_id), asOf, warnDays, out);
    const grant = grants.get(m.vault_id);
    if (grant === undefined) return [m];
    const what = `membership of vault ${m.vault_id}`;
    const state = grantState(grant, asOf);
    if (state === 'valid') {
      out.diagnostics.push(...expiringSoon(user.user_name, what, grant, asOf, warnDays, m.vault_id));
      return [m];
    }
    // An expired membership that is already inactive (or absent) needs no change: no note either.
    const lapsed = lapsedMembership(m.vault_id, live);
    const current = live?.memberships.find((c) => c.vault_id === m.vault_id);
    if (current?.active === true) out.notes.push(grantNote(what, grant, state));
    return lapsed === undefined ? [] : [lapsed];
  });
}

function clockUser(user: DesiredUser, live: LiveUser | undefined, asOf: number, warnDays: number): UserClock {
  const out: UserClock = { user, notes: [], lapsed: false, diagnostics: [] };
  const memberships = clockMemberships(user, live, asOf, warnDays, out);
  let active = user.active;
  const grant = user.grant;
  if (grant !== undefined) {
    const state = grantState(grant, asOf);
    if (state === 'valid') {
      out.diagnostics.push(...expiringSoon(user.user_name, 'access', grant, asOf, warnDays));
    } else {
      active = false;
      if (live === undefined) {
        out.diagnostics.push(notCreated(user, grant, state));
      } else if (live.active !== false) {
        out.notes.unshift(grantNote('user', grant, state));
        out.lapsed = true;
      }
    }
  }
  const { grant: _grant, membership_grants: _grants, app_grants: _apps, ...rest } = user;
  const clocked: DesiredUser = { ...rest, ...(active === undefined ? {} : { active }), ...(memberships === undefined ? {} : { memberships }) };
  return { ...out, user: clocked };
}

function notCreated(user: DesiredUser, grant: Grant, state: Exclude<GrantState, 'valid'>): Diagnostic {
  return {
    severity: 'info',
    code: state === 'expired' ? 'grant-expired' : 'grant-not-yet-valid',
    summary: `${grantNote(`user ${user.user_name}`, grant, state)}; not in Vault, so it is not created`,
    hint: state === 'expired' ? 'move valid_until to a later day to create the user, or remove the entry' : 'nothing to do: a plan made on or after valid_from creates the user',
    position: grant.source,
    subject: { user: user.user_name, field: state === 'expired' ? 'valid_until' : 'valid_from' },
  };
}

/** The day a grant's span is counted from: the plan's day, or a later valid_from. */
function spanStart(grant: Grant, asOf: number): number {
  const today = Math.floor(asOf / GRANT_DAY_MS) * GRANT_DAY_MS;
  const from = grant.valid_from === undefined ? undefined : grantDayStart(grant.valid_from);
  return from === undefined ? today : Math.max(today, from);
}

/** Days a grant lasts from its span start to its valid_until, both ends counted. */
function spanDays(grant: Grant, asOf: number): number | undefined {
  const until = grant.valid_until === undefined ? undefined : grantDayStart(grant.valid_until);
  return until === undefined ? undefined : Math.round((until - spanStart(grant, asOf)) / GRANT_DAY_MS) + 1;
}

/** `YYYY-MM-DD` of the last valid_until `max` days allow. */
function latestAllowed(grant: Grant, asOf: number, max: number): string {
  return new Date(spanStart(grant, asOf) + (max - 1) * GRANT_DAY_MS).toISOString().slice(0, 10);
}

/**
 * `policy.require_valid_until.*.max_days`: a time box in a capped population may not reach further.
 * Measured from the plan's day (or a later valid_from), so an existing grant only shortens with time.
 */
function tooLong(user: DesiredUser, policy: Policy, asOf: number): Diagnostic[] {
  const rules = policy.require_valid_until;
  if (rules === undefined || user.active === false) return [];
  const byVault = new Map((user.membership_grants ?? []).map((g) => [g.vault_id, g]));
  const found: Diagnostic[] = [];
  const seen = new Set<Grant>();
  for (const m of user.memberships ?? [undefined]) {
    if (m?.active === false) continue;
    const grant = (m === undefined ? undefined : byVault.get(m.vault_id)) ?? user.grant;
    if (grant === undefined || seen.has(grant) || grantState(grant, asOf) === 'expired') continue;
    const caps = timeboxPopulations(user, m).flatMap((p) => {
      const max = rules[p]?.max_days;
      return max === undefined ? [] : [{ p, max }];
    });
    const span = spanDays(grant, asOf);
    const cap = caps.sort((a, b) => a.max - b.max)[0];
    if (cap === undefined || span === undefined || span <= cap.max) continue;
    seen.add(grant);
    found.push(tooLongError(user, grant, m === undefined ? user.user_name : `the membership of vault ${m.vault_id} of ${user.user_name}`, span, cap, asOf, m?.vault_id));
  }
  return [...found, ...appsTooLong(user, rules.external_licenses?.max_days, asOf)];
}

function tooLongError(user: DesiredUser, grant: Grant, what: string, span: number, cap: { p: string; max: number }, asOf: number, vaultId: number | undefined): Diagnostic {
  return {
    severity: 'error',
    code: 'grant-too-long',
    summary: `valid_until ${grant.valid_until ?? ''} of ${what} gives ${span} days of access; policy.require_valid_until.${cap.p}.max_days allows ${cap.max}`,
    hint: `move valid_until to ${latestAllowed(grant, asOf, cap.max)} or earlier, and renew it when that day comes`,
    position: grant.source,
    subject: { user: user.user_name, field: 'valid_until', ...(vaultId === undefined ? {} : { vault_id: vaultId }) },
  };
}

/** External application licences with their own time box, under `external_licenses.max_days`. */
function appsTooLong(user: DesiredUser, max: number | undefined, asOf: number): Diagnostic[] {
  if (max === undefined) return [];
  return (user.app_grants ?? []).flatMap((grant) => {
    const app = user.memberships?.find((m) => m.vault_id === grant.vault_id)?.apps?.[grant.app];
    if (app?.license_type !== 'external__v' || grantState(grant, asOf) === 'expired') return [];
    const span = spanDays(grant, asOf);
    if (span === undefined || span <= max) return [];
    return [tooLongError(user, grant, `application licence ${grant.app} in vault ${grant.vault_id} of ${user.user_name}`, span, { p: 'external_licenses', max }, asOf, grant.vault_id)];
  });
}

/** True when some grant of `desired` is time-boxed. */
function hasGrants(desired: DesiredState): boolean {
  return (
    desired.users.some((u) => u.grant !== undefined || u.membership_grants !== undefined || u.app_grants !== undefined) ||
    (desired.groups ?? []).some((g) => g.members?.some((m) => m.grant !== undefined) === true) ||
    desired.sitevault.some((p) => p.site_grants !== undefined || p.study_grants !== undefined)
  );
}

/**
 * Group members as of `asOf`: one outside its days is left out of the group's managed members, so
 * Vault's explicit member is removed (`remove_group_members`, under the mass-removal guard) and a
 * missing one is not added. Notes by group key, for members Vault has.
 */
function clockGroups(desired: DesiredState, live: LiveState, asOf: number, notes: Map<string, string[]>, diagnostics: Diagnostic[]): DesiredState['groups'] {
  return desired.groups?.map((group) => {
    if (group.members?.some((m) => m.grant !== undefined) !== true) return group;
    const current = liveGroupForKey(desired, live.groups, group.key);
    const members = (group.members ?? []).flatMap((member) => {
      const { grant, ...plain } = member;
      if (grant === undefined) return [plain];
      const what = `membership of group "${group.label}"`;
      const state = grantState(grant, asOf);
      if (state === 'valid') {
        diagnostics.push(...expiringSoon(member.user_name, what, grant, asOf, desired.policy.expiry_warning_days, undefined, `groups[${group.label}].valid_until`));
        return [plain];
      }
      const id = live.users.get(member.user_name)?.id;
      if (id !== undefined && current?.members.includes(id) === true) {
        notes.set(group.key, [...(notes.get(group.key) ?? []), grantNote(`${what} of ${member.user_name}`, grant, state)]);
      } else if (state === 'not-yet-valid') {
        diagnostics.push(heldBack(member.user_name, what, grant, `groups[${group.label}].valid_from`));
      }
      return [];
    });
    return { ...group, members };
  });
}

/** Which of a person's assignments are outside their days at `asOf`, by USN and study id. */
function lapsedAssignments(person: DesiredSiteVaultPerson, asOf: number): { sites: Map<string, [Grant, Exclude<GrantState, 'valid'>]>; studies: Map<string, [Grant, Exclude<GrantState, 'valid'>]> } {
  const lapsed = <K extends string>(grants: readonly (Grant & Record<K, string>)[] | undefined, key: K): Map<string, [Grant, Exclude<GrantState, 'valid'>]> => {
    const out = new Map<string, [Grant, Exclude<GrantState, 'valid'>]>();
    for (const grant of grants ?? []) {
      const state = grantState(grant, asOf);
      if (state !== 'valid') out.set(grant[key], [grant, state]);
    }
    return out;
  };
  return { sites: lapsed(person.site_grants, 'site_usn'), studies: lapsed(person.study_grants, 'study_id') };
}

/**
 * A SiteVault person as of `asOf`: assignments outside their days left out (as if not declared),
 * time boxes removed. The plan compares this; apply records it in the state file, so an expired
 * site sent as no_access__v is remembered as a site left out, and a future one as not sent yet.
 */
export function siteVaultPersonAsOf(person: DesiredSiteVaultPerson, asOf: number): DesiredSiteVaultPerson {
  if (person.site_grants === undefined && person.study_grants === undefined) return person;
  const { site_grants: _sites, study_grants: _studies, ...rest } = person;
  const lapsed = lapsedAssignments(person, asOf);
  return { ...rest, sites: person.sites.filter((s) => !lapsed.sites.has(s.site_usn)), studies: person.studies.filter((s) => !lapsed.studies.has(s.study_id)) };
}

/**
 * SiteVault assignments as of `asOf` (siteVaultPersonAsOf): the planner then sends no_access__v for
 * a site the state file has, and treats a study as one left out. Notes by email, for assignments
 * the state file holds; expiring-soon notes for the others.
 */
function clockPersons(desired: DesiredState, live: LiveState, asOf: number, notes: Map<string, string[]>, diagnostics: Diagnostic[]): DesiredState['sitevault'] {
  const warnDays = desired.policy.expiry_warning_days;
  return desired.sitevault.map((person) => {
    if (person.site_grants === undefined && person.study_grants === undefined) return person;
    const applied = live.sitevault.get(person.email);
    const lapsed = lapsedAssignments(person, asOf);
    const own: string[] = [];
    for (const grant of person.site_grants ?? []) {
      const what = `assignment to site ${grant.site_usn}`;
      const gone = lapsed.sites.get(grant.site_usn);
      if (gone === undefined) diagnostics.push(...expiringSoon(person.email, what, grant, asOf, warnDays, undefined, `sites[${grant.site_usn}].valid_until`));
      else if (applied?.sites.some((s) => s.site_usn === grant.site_usn && s.role !== SITEVAULT_SITE_NO_ACCESS_ROLE) === true) own.push(grantNote(what, grant, gone[1]));
      else if (gone[1] === 'not-yet-valid') diagnostics.push(heldBack(person.email, what, grant, `sites[${grant.site_usn}].valid_from`));
    }
    for (const grant of person.study_grants ?? []) {
      const what = `assignment to study ${grant.study_id}`;
      const gone = lapsed.studies.get(grant.study_id);
      if (gone === undefined) diagnostics.push(...expiringSoon(person.email, what, grant, asOf, warnDays, undefined, `studies[${grant.study_id}].valid_until`));
      else if (applied?.studies.some((s) => s.study_id === grant.study_id) === true) own.push(grantNote(what, grant, gone[1]));
      else if (gone[1] === 'not-yet-valid') diagnostics.push(heldBack(person.email, what, grant, `studies[${grant.study_id}].valid_from`));
    }
    if (own.length > 0) notes.set(person.email, own);
    return siteVaultPersonAsOf(person, asOf);
  });
}

/**
 * `desired` as of `createdAt` (the plan's ISO time): time boxes applied and removed, so the rest of
 * the planner never sees them. A time it cannot read is an error whenever a grant depends on it.
 */
export function applyGrantClock(desired: DesiredState, live: LiveState, createdAt: string): ClockedDesired {
  if (!hasGrants(desired)) return { desired, notes: new Map(), group_notes: new Map(), person_notes: new Map(), lapsed_users: new Set(), diagnostics: [] };
  const asOf = Date.parse(createdAt);
  if (Number.isNaN(asOf)) {
    return {
      desired,
      notes: new Map(),
      group_notes: new Map(),
      person_notes: new Map(),
      lapsed_users: new Set(),
      diagnostics: [
        {
          severity: 'error',
          code: 'grant-clock-invalid',
          summary: `the plan's time "${createdAt}" is not an ISO date-time, so time-boxed grants cannot be judged`,
          hint: 'make the plan again (plan writes created_at itself); do not edit a saved plan',
        },
      ],
    };
  }
  const notes = new Map<string, string[]>();
  const lapsed = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const users = desired.users.map((user) => {
    diagnostics.push(...tooLong(user, desired.policy, asOf));
    const clocked = clockUser(user, live.users.get(user.user_name), asOf, desired.policy.expiry_warning_days);
    if (clocked.notes.length > 0) notes.set(user.user_name, clocked.notes);
    if (clocked.lapsed) lapsed.add(user.user_name);
    diagnostics.push(...clocked.diagnostics);
    return clocked.user;
  });
  const groupNotes = new Map<string, string[]>();
  const personNotes = new Map<string, string[]>();
  const groups = clockGroups(desired, live, asOf, groupNotes, diagnostics);
  const sitevault = clockPersons(desired, live, asOf, personNotes, diagnostics);
  return {
    desired: { ...desired, users, sitevault, ...(groups === undefined ? {} : { groups }) },
    notes,
    group_notes: groupNotes,
    person_notes: personNotes,
    lapsed_users: lapsed,
    diagnostics,
  };
}
