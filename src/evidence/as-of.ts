/**
 * `evidence as-of DATE`: who had what access on DATE, reconstructed (never read from Vault) from
 * the desired files in git and the apply journals and kept plans of the state folder. The access
 * listed is that of the commit the last apply finished by DATE was made from (else the YAML of
 * DATE, said to be unapplied), time boxes judged at DATE; the limits are part of the answer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readPlanFile } from '../apply/index.js';
import { VaultRosterError } from '../errors.js';
import type { DesiredState, DesiredUser, Grant } from '../model.js';
import { grantState } from '../plan/index.js';
import { commitAt, commitInfo, desiredAt, type Commit } from './git-history.js';
import { readJournalRuns } from './journal-runs.js';

const DAY_MS = 86_400_000;

/** DATE as an instant: `YYYY-MM-DD` is the end of that UTC day; a date-time needs its zone. */
export function parseAsOfDate(text: string, now: number): number {
  let instant: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    instant = Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== text ? Number.NaN : start + DAY_MS - 1;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    instant = Date.parse(text);
  } else instant = Number.NaN;
  if (Number.isNaN(instant)) {
    throw new VaultRosterError('usage', `'${text}' is not a date: give YYYY-MM-DD (UTC day) or an ISO date-time with its zone (2026-03-01T12:00:00Z)`, {
      hint: 'e.g. vault-roster evidence as-of 2026-03-01',
    });
  }
  if (instant > now && !(text.length === 10 && instant - DAY_MS < now)) {
    throw new VaultRosterError('usage', `${text} is in the future (now is ${new Date(now).toISOString()}): nobody can say who will have access then`, {
      hint: 'Give today or an earlier date; for what the YAML grants next, read it or run vault-roster plan.',
    });
  }
  // Today: the answer is as of now, not of the day's end still to come.
  return Math.min(instant, now);
}

export interface ApplyOnRecord {
  readonly plan_id: string;
  readonly vault_id: number | null;
  readonly git_commit: string | null;
  readonly git_dirty: boolean | null;
  readonly started_at: string;
  /** null: not finished by DATE (pending or interrupted). */
  readonly finished_at: string | null;
  /** Rows whose last result by DATE failed: user (or group, person) key, error. */
  readonly failures: readonly { readonly key: string; readonly error: string }[];
  /** Subjects the plan changes (from the kept plan; empty when it was not kept). */
  readonly changed: readonly string[];
  readonly plan_kept: boolean;
}

export interface GrantDates {
  readonly valid_from: string | null;
  readonly valid_until: string | null;
  /** At DATE. */
  readonly state: 'valid' | 'expired' | 'not-yet-valid';
}

export interface MembershipAccess {
  readonly vault_id: number;
  /** Access in this vault on DATE: the membership is active and its time box (if any) valid. */
  readonly active: boolean;
  readonly security_profile: string;
  readonly license_type: string;
  /** Active on DATE: declared active and its time box (if any) valid. */
  readonly apps: Readonly<Record<string, { readonly active: boolean; readonly license_type: string; readonly grant?: GrantDates }>>;
  readonly grant?: GrantDates;
}

export interface UserAccess {
  readonly user_name: string;
  /** The domain account is active on DATE (declared active and its own time box valid). */
  readonly active: boolean;
  readonly domain_admin: boolean;
  readonly license_type: string | null;
  readonly grant?: GrantDates;
  readonly memberships: readonly MembershipAccess[];
  readonly groups: readonly string[];
  /** Why this user's line may not be what Vault held: failures, pending applies. */
  readonly notes: readonly string[];
}

export interface AsOfReport {
  readonly as_of: string;
  readonly reconstruction: true;
  /** The YAML on DATE: the last commit on or before it. */
  readonly declared_commit: Commit;
  /** The commit the listed access is of (the last finished apply's, else the declared one). */
  readonly basis_commit: Commit;
  readonly basis: 'last-apply' | 'declared-unapplied';
  readonly applies: readonly ApplyOnRecord[];
  readonly users: readonly UserAccess[];
  readonly limits: readonly string[];
  readonly warnings: readonly string[];
}

function grantDates(grant: Grant, asOf: number): GrantDates {
  return { valid_from: grant.valid_from ?? null, valid_until: grant.valid_until ?? null, state: grantState(grant, asOf) };
}

function userAccess(user: DesiredUser, desired: DesiredState, asOf: number, vaultId: number | undefined): UserAccess {
  const grant = user.grant === undefined ? undefined : grantDates(user.grant, asOf);
  const active = user.active !== false && (grant === undefined || grant.state === 'valid');
  const grants = new Map((user.membership_grants ?? []).map((g) => [g.vault_id, g]));
  const appGrants = new Map((user.app_grants ?? []).map((g) => [`${g.vault_id}/${g.app}`, g]));
  const memberships = (user.memberships ?? [])
    .filter((m) => vaultId === undefined || m.vault_id === vaultId)
    .map((m): MembershipAccess => {
      const g = grants.get(m.vault_id);
      const dates = g === undefined ? undefined : grantDates(g, asOf);
      const apps = Object.fromEntries(
        Object.entries(m.apps ?? {}).map(([code, app]) => {
          const appGrant = appGrants.get(`${m.vault_id}/${code}`);
          const appDates = appGrant === undefined ? undefined : grantDates(appGrant, asOf);
          return [code, { active: app.active && (appDates === undefined || appDates.state === 'valid'), license_type: app.license_type, ...(appDates === undefined ? {} : { grant: appDates }) }];
        }),
      );
      return {
        vault_id: m.vault_id,
        active: active && m.active && (dates === undefined || dates.state === 'valid'),
        security_profile: m.security_profile,
        license_type: m.license_type,
        apps,
        ...(dates === undefined ? {} : { grant: dates }),
      };
    });
  // A time-boxed group membership counts only while its box is valid on DATE.
  const inGroup = (m: { readonly user_name: string; readonly grant?: Grant }): boolean => m.user_name === user.user_name && (m.grant === undefined || grantState(m.grant, asOf) === 'valid');
  const groups = (desired.groups ?? []).filter((g) => g.active !== false && g.members?.some(inGroup) === true).map((g) => g.label);
  return {
    user_name: user.user_name,
    active,
    domain_admin: user.domain_admin === true,
    license_type: user.license_type ?? null,
    ...(grant === undefined ? {} : { grant }),
    memberships,
    groups,
    notes: [],
  };
}

/** The applies recorded in the state folder's journals, as they stood at `asOf`. */
export function appliesAt(stateDir: string, asOf: number): ApplyOnRecord[] {
  const journalDir = join(stateDir, 'journal');
  if (!existsSync(journalDir)) return [];
  const out: ApplyOnRecord[] = [];
  for (const name of readdirSync(journalDir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const journal = readJournalRuns(join(journalDir, name));
    const started = journal.runs.filter((r) => Date.parse(r.started.at) <= asOf);
    const first = started[0];
    if (first === undefined) continue;
    const finished = started.find((r) => r.finished !== null && Date.parse(r.finished.at) <= asOf)?.finished ?? null;
    const last = new Map<string, { key: string; error: string; ok: boolean }>();
    for (const row of journal.rows) if (Date.parse(row.at) <= asOf) last.set(`${row.op_id}\u0000${row.key}`, { key: row.key, ok: row.ok, error: `${row.error_type ?? ''}: ${row.message ?? ''}` });
    const planPath = join(stateDir, 'plans', `${first.started.plan_id}.json`);
    let changed: string[] = [];
    let kept = false;
    if (existsSync(planPath)) {
      changed = readPlanFile(planPath).changes.map((c) => c.key);
      kept = true;
    }
    out.push({
      plan_id: first.started.plan_id,
      vault_id: first.started.vault_id ?? null,
      git_commit: first.started.git_commit ?? null,
      git_dirty: first.started.git_dirty ?? null,
      started_at: first.started.at,
      finished_at: finished?.at ?? null,
      failures: [...last.values()].filter((r) => !r.ok).map(({ key, error }) => ({ key, error })),
      changed,
      plan_kept: kept,
    });
  }
  return out.sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0));
}

export const AS_OF_LIMITS: readonly string[] = [
  'This is a reconstruction from the desired files in git and the apply journals of this state folder, not a reading of Vault.',
  'Changes made in Vault outside vault-roster (by hand, other tools, Vault jobs) and drift are not seen: plan --drift on that day, or Vault\'s audit trail (30 days), would show them.',
  'Applies run from another checkout or CI runner are seen only when their journals are in this .vault-roster/ folder (keep the evidence bundles).',
  'A pending apply (started, not finished by DATE) may have changed some of its users already; they are named.',
  'Rows that failed are named per user: the access listed for them may not have been in Vault.',
  'Listed: declared users only; implied group members (through security profiles), SiteVault persons and unmanaged users are not.',
  'Time boxes are judged at DATE (UTC days, inclusive); commits by committer date on the first-parent history of HEAD.',
];

interface AsOfInput {
  readonly configPath: string;
  readonly date: string;
  readonly vaultId?: number | undefined;
  readonly now: number;
}

function annotate(users: UserAccess[], applies: readonly ApplyOnRecord[], basis: ApplyOnRecord | undefined): UserAccess[] {
  return users.map((u) => {
    const notes: string[] = [];
    if (basis !== undefined) for (const f of basis.failures.filter((x) => x.key === u.user_name)) notes.push(`failed in apply of plan ${basis.plan_id.slice(0, 12)}: ${f.error}`);
    for (const a of applies.filter((x) => x.finished_at === null && x.changed.includes(u.user_name))) {
      notes.push(`pending: plan ${a.plan_id.slice(0, 12)} started ${a.started_at}, not finished by DATE, changes this user`);
    }
    return notes.length === 0 ? u : { ...u, notes };
  });
}

export async function asOf(input: AsOfInput): Promise<AsOfReport> {
  const instant = parseAsOfDate(input.date, input.now);
  const configDir = dirname(input.configPath);
  const repo = commitAt(configDir, instant);
  const applies = appliesAt(join(configDir, '.vault-roster'), instant).filter((a) => input.vaultId === undefined || a.vault_id === null || a.vault_id === input.vaultId);
  const warnings: string[] = [];
  // The apply that finished last by DATE set what Vault held (as far as the journals know).
  const basisApply = applies
    .filter((a) => a.finished_at !== null && a.git_commit !== null)
    .sort((a, b) => Date.parse(a.finished_at ?? '') - Date.parse(b.finished_at ?? ''))
    .at(-1);
  let basisCommit = repo.commit;
  if (basisApply?.git_commit != null && basisApply.git_commit !== repo.commit.sha) {
    basisCommit = commitInfo(configDir, basisApply.git_commit);
    warnings.push(`the YAML on DATE (commit ${repo.commit.sha.slice(0, 12)}) differs from the commit the last apply by DATE ran (${basisApply.git_commit.slice(0, 12)}): its changes were not applied by DATE`);
  }
  if (basisApply === undefined) warnings.push('no apply had finished by DATE: the listing is what the YAML declared, not what Vault held');
  if (basisApply?.git_dirty === true) warnings.push(`plan ${basisApply.plan_id.slice(0, 12)} was made from desired files with uncommitted changes: the committed YAML listed may differ from what was applied`);
  const desired = await desiredAt(input.configPath, { ...repo, commit: basisCommit });
  const all = desired.users.map((u) => userAccess(u, desired, instant, input.vaultId));
  // With --vault: the users declared with a membership of that vault (and only that membership).
  const users = annotate(input.vaultId === undefined ? all : all.filter((u) => u.memberships.length > 0), applies, basisApply);
  return {
    as_of: new Date(instant).toISOString(),
    reconstruction: true,
    declared_commit: repo.commit,
    basis_commit: basisCommit,
    basis: basisApply === undefined ? 'declared-unapplied' : 'last-apply',
    applies,
    users,
    limits: AS_OF_LIMITS,
    warnings,
  };
}
