/**
 * Checks in every vault a plan touches, before any write: application seats (a preview table,
 * and a guard where Vault reports the figures), security profiles and application codes known to
 * the vault. What vault-roster cannot read from its session is a warning that says so, never a
 * silent pass (Retrieve Application License Usage and Retrieve User Metadata answer for the
 * session's vault only; VAULT-API.md §5.10, §7.2).
 */
import type { Diagnostic, DiagnosticSubject } from '../diagnostics.js';
import { STANDARD_SECURITY_PROFILES, type LiveState, type Membership, type SourceRef } from '../model.js';
import type { UserPlanItem } from './diff-users.js';
import type { PlanAllowFlags, SeatPreview } from './types.js';

/** How many user names a warning lists before "and N more". */
const NAMES_SHOWN = 5;
const STANDARD: ReadonlySet<string> = new Set(STANDARD_SECURITY_PROFILES);

function seatKey(vaultId: number, app: string, licenseType: string): string {
  return `${vaultId}\u0000${app}\u0000${licenseType}`;
}

/** Seats a user holds: every active app of every active membership, while the user is active. */
function seatsOf(active: unknown, memberships: readonly Membership[]): string[] {
  if (active === false) return [];
  return memberships
    .filter((m) => m.active)
    .flatMap((m) => Object.entries(m.apps ?? {}).filter(([, app]) => app.active).map(([code, app]) => seatKey(m.vault_id, code, app.license_type)));
}

function seatDelta(items: readonly UserPlanItem[]): Map<string, number> {
  const delta = new Map<string, number>();
  const bump = (key: string, by: number): void => {
    delta.set(key, (delta.get(key) ?? 0) + by);
  };
  for (const item of items) {
    if (item.live !== undefined) for (const key of seatsOf(item.live.active, item.live.memberships)) bump(key, -1);
    for (const key of seatsOf(item.after.values.active, item.after.memberships)) bump(key, 1);
  }
  return delta;
}

export interface SeatCheck {
  readonly preview: SeatPreview[];
  readonly diagnostics: Diagnostic[];
}

function overuse(row: SeatPreview, allow: PlanAllowFlags): Diagnostic {
  const what = `${row.application} ${row.license_type}`;
  const summary = `plan needs ${row.change} more ${what} seat${row.change === 1 ? '' : 's'} in vault ${row.vault_id}: ${row.used ?? 0} used + ${row.change} > ${row.licensed ?? 0} licensed`;
  const subject = { field: `${row.application}:${row.license_type}`, vault_id: row.vault_id };
  return allow.license_overuse === true
    ? { severity: 'warning', code: 'guard-license-seats', summary: `${summary} (allowed by --allow-license-overuse)`, hint: 'drop --allow-license-overuse to block this', subject }
    : { severity: 'error', code: 'guard-license-seats', summary, hint: 'free seats first, or buy more licenses, or re-run with --allow-license-overuse if it is intended', subject };
}

/**
 * Seats per vault, application and licence type: the preview table, the overuse guard for the
 * session's vault, and a warning for every other vault (and any seat Vault gave no figures for).
 */
export function checkSeats(items: readonly UserPlanItem[], live: LiveState, allow: PlanAllowFlags): SeatCheck {
  const usage = new Map(live.licenses.map((u) => [seatKey(live.vault_id, u.application, u.license_type), u]));
  const preview: SeatPreview[] = [];
  const diagnostics: Diagnostic[] = [];
  const unread = new Map<number, string[]>();
  for (const [key, change] of seatDelta(items)) {
    if (change === 0) continue;
    const [vault, application = '', licenseType = ''] = key.split('\u0000');
    const vaultId = Number(vault);
    const figures = usage.get(key);
    const row: SeatPreview = figures === undefined
      ? { vault_id: vaultId, application, license_type: licenseType, licensed: null, used: null, change, after: null }
      : { vault_id: vaultId, application, license_type: licenseType, licensed: figures.licensed, used: figures.used, change, after: figures.used + change };
    preview.push(row);
    if (change > 0 && figures !== undefined && figures.used + change > figures.licensed) diagnostics.push(overuse(row, allow));
    if (change > 0 && figures === undefined) unread.set(vaultId, [...(unread.get(vaultId) ?? []), `${change} × ${application} ${licenseType}`]);
  }
  for (const [vaultId, seats] of unread) diagnostics.push(unreadSeats(vaultId, seats, live.vault_id));
  preview.sort((a, b) => a.vault_id - b.vault_id || cmp(a.application, b.application) || cmp(a.license_type, b.license_type));
  return { preview, diagnostics };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unreadSeats(vaultId: number, seats: readonly string[], sessionVault: number): Diagnostic {
  const list = [...seats].sort().join(', ');
  if (vaultId === sessionVault) {
    return {
      severity: 'warning',
      code: 'license-seats-unverified',
      summary: `vault ${vaultId} reports no licence figures for seats this plan takes (${list}), so they are not checked`,
      hint: 'check the application names against Admin > Licenses in that vault; Retrieve Application License Usage did not list them',
      subject: { vault_id: vaultId },
    };
  }
  return {
    severity: 'warning',
    code: 'license-seats-unverified',
    summary: `seats in vault ${vaultId} are not checked (${list}): Vault reports licence usage only for the vault the session is in (${sessionVault})`,
    hint: `check Admin > Licenses in vault ${vaultId}, or run plan with a session in vault ${vaultId} (vault.vault_id and vault.dns in roster.yaml, or its VAULT_URL) to check its seats`,
    subject: { vault_id: vaultId },
  };
}

/** Per vault, values live users already hold there: proof that the vault knows them. */
function heldInVaults(live: LiveState, pick: (m: Membership) => readonly string[]): Map<number, Set<string>> {
  const held = new Map<number, Set<string>>();
  for (const user of live.users.values()) {
    for (const m of user.memberships) {
      let set = held.get(m.vault_id);
      if (set === undefined) held.set(m.vault_id, (set = new Set()));
      for (const value of pick(m)) set.add(value);
    }
  }
  return held;
}

interface Use {
  readonly vault_id: number;
  readonly value: string;
  readonly user: string;
  readonly source?: SourceRef | undefined;
}

/** Profiles the plan sets on a membership it changes or adds. */
function profileUses(items: readonly UserPlanItem[]): Use[] {
  return items.flatMap((item) =>
    item.delta.memberships.flatMap((vaultId) => {
      const m = item.after.memberships.find((x) => x.vault_id === vaultId);
      return m === undefined || !m.active ? [] : [{ vault_id: vaultId, value: m.security_profile, user: item.change.key, source: item.change.source }];
    }),
  );
}

/** Application codes the plan turns on. */
function appUses(items: readonly UserPlanItem[]): Use[] {
  return items.flatMap((item) =>
    [...item.delta.apps].flatMap(([vaultId, codes]) => {
      const m = item.after.memberships.find((x) => x.vault_id === vaultId);
      return codes.filter((code) => m?.apps[code]?.active === true).map((code) => ({ vault_id: vaultId, value: code, user: item.change.key, source: item.change.source }));
    }),
  );
}

function located(use: Use, field: string): Pick<Diagnostic, 'position' | 'subject'> {
  const subject: DiagnosticSubject = { user: use.user, field, vault_id: use.vault_id };
  return use.source === undefined ? { subject } : { position: { file: use.source.file, line: use.source.line, col: use.source.col }, subject };
}

/** Uses that could not be verified, as one warning per vault and value. */
function groupUnverified(uses: readonly Use[]): Map<string, Use[]> {
  const groups = new Map<string, Use[]>();
  for (const use of uses) {
    const key = `${use.vault_id}\u0000${use.value}`;
    groups.set(key, [...(groups.get(key) ?? []), use]);
  }
  return groups;
}

function names(uses: readonly Use[]): string {
  const shown = uses.slice(0, NAMES_SHOWN).map((u) => u.user);
  return uses.length > NAMES_SHOWN ? `${shown.join(', ')} and ${uses.length - NAMES_SHOWN} more` : shown.join(', ');
}

/**
 * Security profiles the plan sets: an error where the vault's list was read and lacks the
 * profile; a warning for a custom profile in a vault whose list cannot be read (unless a live
 * user already holds it there). Standard profiles exist in every vault.
 */
export function checkProfiles(items: readonly UserPlanItem[], live: LiveState): Diagnostic[] {
  const uses = profileUses(items);
  if (uses.length === 0) return [];
  const held = heldInVaults(live, (m) => [m.security_profile]);
  const sessionList = live.security_profiles === undefined ? undefined : new Set(live.security_profiles);
  const out: Diagnostic[] = [];
  const unverified: Use[] = [];
  for (const use of uses) {
    if (held.get(use.vault_id)?.has(use.value) === true) continue;
    if (use.vault_id === live.vault_id && sessionList !== undefined) {
      if (sessionList.has(use.value)) continue;
      out.push({
        severity: 'error',
        code: 'unknown-security-profile',
        summary: `security profile '${use.value}' does not exist in vault ${use.vault_id} (${use.user})`,
        hint: `use one of the vault's profiles: ${[...sessionList].sort().join(', ')}`,
        ...located(use, `memberships[${use.vault_id}].security_profile`),
      });
      continue;
    }
    if (!STANDARD.has(use.value)) unverified.push(use);
  }
  for (const group of groupUnverified(unverified).values()) {
    const first = group[0] as Use;
    out.push({
      severity: 'warning',
      code: 'security-profile-unverified',
      summary: `custom security profile '${first.value}' cannot be checked in vault ${first.vault_id}: Vault lists profiles only for the vault the session is in (${live.vault_id}) and no user holds it there yet; used by ${names(group)}`,
      hint: `check that vault ${first.vault_id} has an active profile '${first.value}' (Admin > Users & Groups > Security Profiles); if it does not, apply fails for these users`,
      ...located(first, `memberships[${first.vault_id}].security_profile`),
    });
  }
  return out;
}

/** Application codes a vault is known to have: the domain's list, the session's licence usage, what live users hold. */
function knownApps(live: LiveState): { listed: (vaultId: number) => ReadonlySet<string> | undefined; known: (vaultId: number, code: string) => boolean } {
  const held = heldInVaults(live, (m) => Object.keys(m.apps ?? {}));
  const licensed = new Set(live.licenses.map((u) => u.application));
  const listed = (vaultId: number): ReadonlySet<string> | undefined => {
    const apps = live.vault_apps?.get(vaultId);
    return apps === undefined || apps.length === 0 ? undefined : new Set(apps);
  };
  return {
    listed,
    known: (vaultId, code) =>
      listed(vaultId)?.has(code) === true || held.get(vaultId)?.has(code) === true || (vaultId === live.vault_id && licensed.has(code)),
  };
}

/** Application codes the plan turns on: an error where the vault's list lacks the code, a warning where no list was read. */
export function checkApps(items: readonly UserPlanItem[], live: LiveState): Diagnostic[] {
  const uses = appUses(items);
  if (uses.length === 0) return [];
  const apps = knownApps(live);
  const out: Diagnostic[] = [];
  const unverified: Use[] = [];
  for (const use of uses) {
    if (apps.known(use.vault_id, use.value)) continue;
    const listed = apps.listed(use.vault_id);
    if (listed === undefined) {
      unverified.push(use);
      continue;
    }
    out.push({
      severity: 'error',
      code: 'unknown-app',
      summary: `application '${use.value}' is not an application of vault ${use.vault_id} (${use.user})`,
      hint: `use one of the applications the domain lists for vault ${use.vault_id}: ${[...listed].sort().join(', ')}`,
      ...located(use, `memberships[${use.vault_id}].apps.${use.value}`),
    });
  }
  for (const group of groupUnverified(unverified).values()) {
    const first = group[0] as Use;
    const why = live.vault_apps === undefined ? 'the domain information could not be read (Domain Admins only)' : `the domain lists no applications for vault ${first.vault_id}`;
    out.push({
      severity: 'warning',
      code: 'app-unverified',
      summary: `application '${first.value}' cannot be checked in vault ${first.vault_id}: ${why}; used by ${names(group)}`,
      hint: `check that vault ${first.vault_id} has the application '${first.value}'; if it does not, apply fails for these users`,
      ...located(first, `memberships[${first.vault_id}].apps.${first.value}`),
    });
  }
  return out;
}
