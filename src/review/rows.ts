/**
 * Builds the review: one row per user and vault from the desired state, the live state and the
 * plan made over the same two (for DRIFTED). Pure: the clock, the plan and the owners come in.
 * A `last_login__v` Vault gave in a form not understood stops the review (src/last-login.ts).
 */
import type { DesiredState, DesiredUser, Grant, LiveState, LiveUser, Membership, SiteVaultPerson } from '../model.js';
import { daysLeft, grantState, type Change } from '../plan/index.js';
import { daysSinceLogin, knownLogin } from '../last-login.js';
import { applyException, exceptionInForce, rawFlags, type FlagRules } from './flags.js';
import { REVIEW_FORMAT_VERSION, type Review, type ReviewAppLicence, type ReviewGrant, type ReviewLastLogin, type ReviewRow, type ReviewSettings } from './types.js';

export interface ReviewInput {
  readonly desired: DesiredState;
  readonly live: LiveState;
  /** Changes of a plan made from the same desired and live state at `as_of`. */
  readonly changes: readonly Change[];
  /** ISO instant the review judges dates at. */
  readonly as_of: string;
  readonly tool_version: string;
  readonly settings: ReviewSettings;
  readonly owners_from: string;
  /** Owners of a declared user (empty: nobody owns its file). */
  readonly ownersOf: (user: DesiredUser) => readonly string[];
}

function lastLogin(live: LiveUser | undefined, asOf: number): ReviewLastLogin {
  if (live === undefined) return { kind: 'no_account' };
  const known = knownLogin(live.user_name, live.last_login);
  return known.kind === 'at' ? { kind: 'at', at: known.at, days_ago: daysSinceLogin(known.at, asOf) } : known;
}

function reviewGrant(scope: ReviewGrant['scope'], grant: Grant, asOf: number): ReviewGrant {
  return {
    scope,
    valid_from: grant.valid_from ?? null,
    valid_until: grant.valid_until ?? null,
    reason: grant.reason ?? null,
    state: grantState(grant, asOf),
    days_left: daysLeft(grant, asOf) ?? null,
    declared_at: `${grant.source.file}:${grant.source.line}`,
  };
}

function grantsOf(user: DesiredUser | undefined, vaultId: number | null, asOf: number): ReviewGrant[] {
  if (user === undefined) return [];
  const found: ReviewGrant[] = [];
  if (user.grant !== undefined) found.push(reviewGrant('user', user.grant, asOf));
  const own = user.membership_grants?.find((g) => g.vault_id === vaultId);
  if (own !== undefined) found.push(reviewGrant('membership', own, asOf));
  return found;
}

function appsOf(membership: Membership | undefined): ReviewAppLicence[] {
  return Object.entries(membership?.apps ?? {})
    .map(([app, licence]) => ({ app, license_type: licence.license_type, active: licence.active }))
    .sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
}

function sitevaultLines(person: SiteVaultPerson | undefined): string[] {
  if (person === undefined) return [];
  const plus = (addons: readonly string[]): string => (addons.length === 0 ? '' : ` + ${addons.join(', ')}`);
  return [
    `org ${person.org.org_id}: ${person.org.role}${plus(person.org.addons)}`,
    ...person.sites.map((s) => `site ${s.site_usn}: ${s.role}${plus(s.addons)}`),
    ...person.studies.map((s) => `study ${s.study_id}: ${s.role}`),
  ];
}

/** Lookups built once per review, so a row costs the same in a domain of ten or of a hundred thousand users. */
interface Index {
  readonly desired: ReadonlyMap<string, DesiredUser>;
  /** SiteVault persons by email and by user name, declared ones over last-applied ones. */
  readonly sitevault: ReadonlyMap<string, SiteVaultPerson>;
  /** Session vault: labels of the groups each user id is an explicit member of; undefined = groups not read. */
  readonly groups: ReadonlyMap<number, string[]> | undefined;
  /** The plan's user and SiteVault person changes by key (user name, email). */
  readonly changes: ReadonlyMap<string, Change[]>;
}

function indexOf(input: ReviewInput): Index {
  const sitevault = new Map<string, SiteVaultPerson>();
  for (const person of [...input.live.sitevault.values(), ...input.desired.sitevault]) {
    sitevault.set(person.email, person);
    if (person.username !== undefined) sitevault.set(person.username, person);
  }
  let groups: Map<number, string[]> | undefined;
  if (input.live.groups !== undefined) {
    groups = new Map();
    for (const group of input.live.groups.values()) {
      for (const id of group.members) groups.set(id, [...(groups.get(id) ?? []), group.label]);
    }
  }
  const changes = new Map<string, Change[]>();
  for (const change of input.changes) {
    if (change.subject !== 'group') changes.set(`${change.subject}:${change.key}`, [...(changes.get(`${change.subject}:${change.key}`) ?? []), change]);
  }
  return { desired: new Map(input.desired.users.map((u) => [u.user_name, u])), sitevault, groups, changes };
}

function sitevaultOf(index: Index, names: readonly (string | undefined)[]): SiteVaultPerson | undefined {
  for (const name of names) {
    const person = name === undefined ? undefined : index.sitevault.get(name.toLowerCase());
    if (person !== undefined) return person;
  }
  return undefined;
}

function groupsOf(index: Index, sessionVault: number, user: LiveUser | undefined, vaultId: number | null): string[] | null {
  if (index.groups === undefined || vaultId !== sessionVault) return null;
  return user === undefined ? [] : [...(index.groups.get(user.id) ?? [])].sort();
}

/** Vault ids a row is due for: every live and declared membership, or none (one row, vault null). */
function vaultsOf(desired: DesiredUser | undefined, live: LiveUser | undefined): (number | null)[] {
  const ids = new Set<number>([...(live?.memberships ?? []).map((m) => m.vault_id), ...(desired?.memberships ?? []).map((m) => m.vault_id)]);
  return ids.size === 0 ? [null] : [...ids].sort((a, b) => a - b);
}

/** The plan's changes to one user, as `action: path` lines, and the vaults each path touches (undefined = all). */
function driftOf(index: Index, userName: string, email: string | undefined): { line: string; vault: number | undefined }[] {
  const mine = [...(index.changes.get(`user:${userName}`) ?? []), ...(email === undefined ? [] : (index.changes.get(`sitevault_person:${email.toLowerCase()}`) ?? []))];
  return mine.flatMap((c) => {
    // A new user's every field is new: the action says it all.
    if (c.fields.length === 0 || c.action === 'create' || c.action === 'promote' || c.action === 'sitevault_create') return [{ line: c.action, vault: undefined }];
    return c.fields.map((f) => {
      const match = /^memberships\[(\d+)\]/.exec(f.path);
      return { line: `${c.action}: ${f.path}`, vault: match === null ? undefined : Number(match[1]) };
    });
  });
}

function userRows(input: ReviewInput, index: Index, rules: FlagRules, name: string): ReviewRow[] {
  const desired = index.desired.get(name);
  const live = input.live.users.get(name);
  const login = lastLogin(live, rules.as_of);
  const owners = desired === undefined ? [input.settings.orphan_owner] : input.ownersOf(desired);
  const email = live?.email ?? desired?.email;
  const drift = driftOf(index, name, email);
  const sitevault = sitevaultLines(sitevaultOf(index, [name, email]));
  const exception = desired?.review_exception;
  return vaultsOf(desired, live).map((vaultId) => {
    const membership = live === undefined ? desired?.memberships?.find((m) => m.vault_id === vaultId) : live.memberships.find((m) => m.vault_id === vaultId);
    const source = live ?? desired;
    const grants = grantsOf(desired, vaultId, rules.as_of);
    const rowDrift = drift.filter((d) => d.vault === undefined || d.vault === vaultId).map((d) => d.line);
    const raised = rawFlags(
      {
        orphaned: desired === undefined,
        live_active: live !== undefined && live.active !== false,
        last_login: login,
        domain_admin: source?.domain_admin === true,
        security_profile: membership?.security_profile ?? null,
        membership_active: membership?.active ?? null,
        user_license: desired?.license_type ?? live?.license_type ?? null,
        license_type: membership?.license_type ?? null,
        security_policy: source?.security_policy ?? null,
        grants,
        drifted: rowDrift.length > 0,
        revoked: desired?.active === false,
        reviewed_on: desired?.reviewed?.on ?? null,
      },
      rules,
    );
    const shown = applyException(raised, exception, rules.as_of);
    return {
      user_name: name,
      display_name: [source?.first_name, source?.last_name].filter((p) => p !== undefined && p !== '').join(' ') || null,
      owners: owners.length === 0 ? [input.settings.orphan_owner] : [...owners],
      vault_id: vaultId,
      declared_at: desired === undefined ? null : `${desired.source.file}:${desired.source.line}`,
      values_from: live === undefined ? 'desired' : 'live',
      domain_active: source?.active ?? null,
      domain_admin: source?.domain_admin ?? null,
      membership_active: membership?.active ?? null,
      security_profile: membership?.security_profile ?? null,
      license_type: membership?.license_type ?? null,
      security_policy: source?.security_policy ?? null,
      app_licences: appsOf(membership),
      groups: groupsOf(index, input.live.vault_id, live, vaultId),
      sitevault,
      last_login: login,
      grants,
      reviewed: desired?.reviewed === undefined ? null : { by: desired.reviewed.by, on: desired.reviewed.on },
      exception:
        exception === undefined
          ? null
          : { until: exception.until, reason: exception.reason, flags: [...exception.flags], in_force: exceptionInForce(exception, rules.as_of), declared_at: `${exception.source.file}:${exception.source.line}` },
      flags: shown.flags,
      deferred: shown.deferred,
      drift: rowDrift,
    };
  });
}

function ownerOrder(orphan: string): (a: string, b: string) => number {
  return (a, b) => (a === orphan ? 1 : b === orphan ? -1 : a.localeCompare(b));
}

/** The whole review: every declared and every live user, one row per vault. */
export function buildReview(input: ReviewInput): Review {
  const asOf = Date.parse(input.as_of);
  const rules: FlagRules = { as_of: asOf, dormant_days: input.settings.dormant_days, interval_days: input.settings.interval_days, expiry_warning_days: input.settings.expiry_warning_days };
  const names = [...new Set([...input.desired.users.map((u) => u.user_name), ...input.live.users.keys()])].sort();
  const index = indexOf(input);
  const rows = names.flatMap((name) => userRows(input, index, rules, name));
  const owners = [...new Set(rows.flatMap((r) => r.owners))].sort(ownerOrder(input.settings.orphan_owner));
  return {
    format_version: REVIEW_FORMAT_VERSION,
    as_of: new Date(asOf).toISOString(),
    tool_version: input.tool_version,
    session_vault_id: input.live.vault_id,
    settings: input.settings,
    owners_from: input.owners_from,
    owners,
    rows,
  };
}

/** Rows of one vault and/or one owner (owner compared case-insensitively). */
export function filterReview(review: Review, filter: { vault_id?: number | undefined; owner?: string | undefined }): Review {
  const owner = filter.owner?.toLowerCase();
  const rows = review.rows.filter((r) => (filter.vault_id === undefined || r.vault_id === filter.vault_id) && (owner === undefined || r.owners.some((o) => o.toLowerCase() === owner)));
  const owners = review.owners.filter((o) => rows.some((r) => r.owners.includes(o)) && (owner === undefined || o.toLowerCase() === owner));
  return { ...review, rows, owners };
}
