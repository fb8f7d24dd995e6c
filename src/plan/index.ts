/**
 * Planning stage: `createPlan(desired, live, options)` turns the difference between the YAML
 * desired state and Vault's live state into a versioned plan document: field-level changes,
 * the fewest safe API calls in dependency order, guard diagnostics, digests and a summary.
 *
 * Pure: no I/O, no clock, no randomness (the timestamp comes in through options). It must not
 * import anything that talks to Vault or the file system; apply and the CLI own those.
 */
import { categoryOf, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { DesiredState, LiveState } from '../model.js';
import { assembleOperations } from './batch.js';
import { desiredDigest } from './digest.js';
import { driftDiagnostics, requireBaseline, unchangedSinceBaseline } from './drift.js';
import { diffGroups } from './diff-groups.js';
import { diffSiteVault } from './diff-sitevault.js';
import { buildGroupOperations, draftsByUser } from './group-operations.js';
import { groupGuards } from './guards-groups.js';
import { diffUsers } from './diff-users.js';
import { runGuards } from './guards.js';
import { checkApps, checkProfiles, checkSeats } from './guards-vaults.js';
import { buildSiteVaultOperations } from './sitevault-operations.js';
import { summarise, summariseGroups } from './summary.js';
import { applyGrantClock, type ClockedDesired } from './timebox.js';
import { DEFAULT_BURST_LIMIT } from '../vault-api/index.js';
import { PLAN_FORMAT_VERSION, type Change, type Plan, type PlanAllowFlags, type PlanOptions } from './types.js';
import { buildUserOperations } from './user-operations.js';

export * from './types.js';
export { canonicalJson, desiredDigest, liveRecordDigest, sha256Hex } from './digest.js';
export { canonicalSha256, planId } from './plan-id.js';
export { formatFieldPath, parseFieldPath } from './field-paths.js';
export { burstLimitNote, formatCount } from './summary.js';
export { entryDigest, groupEntryDigest, unchangedSinceBaseline, type Baseline } from './drift.js';
export { packRows } from './batch.js';
export { isAdminProfile } from './risks.js';
export { liveGroupForKey } from './diff-groups.js';
export { daysLeft, grantState, siteVaultPersonAsOf } from './timebox.js';

/** True when applying the plan would change anything. */
export function planHasChanges(plan: Plan): boolean {
  return plan.changes.length > 0 || plan.operations.length > 0;
}

/** Diagnostics that keep the desired state from being reached: errors, and warnings that hold an entry back. */
export function countBlockingDiagnostics(plan: Plan): number {
  return plan.diagnostics.filter((d) => d.severity === 'error' || categoryOf(d.code) === 'hold-back').length;
}

const SUBJECT_ORDER: Readonly<Record<Change['subject'], number>> = { user: 0, sitevault_person: 1, group: 2 };

function byChangeOrder(a: Change, b: Change): number {
  if (a.subject !== b.subject) return SUBJECT_ORDER[a.subject] - SUBJECT_ORDER[b.subject];
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Every allow flag spelled out, so a recorded plan says exactly which guards it may pass. */
function normalisedAllow(allow: PlanAllowFlags): Required<{ [K in keyof PlanAllowFlags]: boolean }> {
  return {
    mass_deactivation: allow.mass_deactivation === true,
    last_domain_admin: allow.last_domain_admin === true,
    protected_users: allow.protected_users === true,
    license_overuse: allow.license_overuse === true,
    mass_removal: allow.mass_removal === true,
    mass_admin_grants: allow.mass_admin_grants === true,
  };
}

/**
 * Plans the changes that make Vault match `desired`. In drift mode (`options.mode: 'drift'`,
 * needs `options.baseline`) only entries whose YAML is unchanged since the last apply are
 * compared, and users who appeared in Vault since are named.
 */
export function createPlan(desired: DesiredState, live: LiveState, options: PlanOptions): Plan {
  if (options.mode !== 'drift') return buildPlan(desired, live, options);
  const baseline = requireBaseline(options.baseline, desired.state_path);
  const plan = buildPlan(unchangedSinceBaseline(desired, baseline), live, options);
  const notes = driftDiagnostics(desired, live, baseline, planHasChanges(plan));
  return { ...plan, diagnostics: sortDiagnostics([...plan.diagnostics, ...notes]) };
}

/** Why a plan cannot be applied, naming its error codes: `failing guards (…)` or `errors (…)`. */
export function describeErrors(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const codes = [...new Set(errors.map((d) => d.code))].sort();
  const kind = errors.every((d) => categoryOf(d.code) === 'guard') ? 'failing guards' : 'errors';
  return `${kind} (${codes.join(', ')})`;
}

/** True when a drift plan found drift: changes, or users who appeared in Vault since the last apply. */
export function planFoundDrift(plan: Plan): boolean {
  return planHasChanges(plan) || plan.diagnostics.some((d) => d.code === 'drift-new-users');
}

/**
 * The clock's notes first in the reason of the user changes it caused; a deactivation a user's own
 * time box caused has only them ("active: false in FILE" would be untrue).
 */
function withGrantNotes(change: Change, clock: ClockedDesired): Change {
  const notes = { user: clock.notes, group: clock.group_notes, sitevault_person: clock.person_notes }[change.subject];
  const own = notes.get(change.key);
  if (own === undefined) return change;
  const only = change.action === 'deactivate' && clock.lapsed_users.has(change.key);
  return { ...change, reason: only ? own.join('; ') : `${own.join('; ')}; ${change.reason}` };
}

/** Users the clock kept from being created say so themselves; the generic note would tell to set active: true. */
function withoutGenericNotCreated(diagnostics: readonly Diagnostic[], clock: readonly Diagnostic[]): Diagnostic[] {
  const timed = new Set(clock.filter((d) => d.code === 'grant-expired' || d.code === 'grant-not-yet-valid').map((d) => d.subject?.user));
  return diagnostics.filter((d) => d.code !== 'inactive-user-not-created' || !timed.has(d.subject?.user));
}

function buildPlan(declared: DesiredState, live: LiveState, options: PlanOptions): Plan {
  // The plan's own time is the clock of time-boxed grants: apply re-derives with the saved created_at.
  const clock = applyGrantClock(declared, live, options.created_at);
  const desired = clock.desired;
  const users = diffUsers(desired, live);
  const sitevault = diffSiteVault(desired, live, options.refresh_sitevault === true);
  const userOps = buildUserOperations(users.items, live.vault_id);
  const siteVaultOps = buildSiteVaultOperations(sitevault.items);
  const u = userOps.stages;
  const newUsers = draftsByUser([...u.promote, ...u.create]);
  const groups = diffGroups(desired, live, new Set(newUsers.keys()));
  const g = buildGroupOperations(groups.items, newUsers);
  const operations = assembleOperations([
    u.promote,
    u.create,
    u.upsertByName,
    u.grants,
    u.singles,
    u.revokes,
    u.bulkUpdate,
    u.upsertById,
    siteVaultOps.create,
    siteVaultOps.revokeOrg,
    siteVaultOps.edit,
    g.create,
    g.update,
    g.add,
    g.remove,
  ]);
  const seats = checkSeats(users.items, live, options.allow);
  const diagnostics: Diagnostic[] = [
    ...clock.diagnostics,
    ...withoutGenericNotCreated(users.diagnostics, clock.diagnostics),
    ...userOps.diagnostics,
    ...runGuards(users.items, live, desired.policy, options.allow),
    ...seats.diagnostics,
    ...checkProfiles(users.items, live),
    ...checkApps(users.items, live),
    ...sitevault.diagnostics,
    ...groups.diagnostics,
    ...groupGuards(groups.items, desired.policy, options.allow),
  ];
  if (options.target.vault_id !== live.vault_id) {
    diagnostics.push({
      severity: 'error',
      code: 'target-mismatch',
      summary: `the session is in vault ${live.vault_id}, but the plan targets vault ${options.target.vault_id}`,
      hint: 'check VAULT_URL and vault.vault_id in roster.yaml',
    });
  }
  const changes = [...users.items, ...sitevault.items, ...groups.items].map((i) => withGrantNotes(i.change, clock)).sort(byChangeOrder);
  const desiredFiles = [...desired.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ path: f.path, sha256: f.sha256 }));
  return {
    format_version: PLAN_FORMAT_VERSION,
    created_at: options.created_at,
    tool_version: options.tool_version,
    target: { url: options.target.url, server: options.target.server, vault_id: options.target.vault_id, api_version: options.target.api_version },
    ...(options.git_commit === undefined ? {} : { git_commit: options.git_commit }),
    ...(options.git_commit === undefined || options.git_dirty === undefined ? {} : { git_dirty: options.git_dirty }),
    desired_digest: desiredDigest(desired.files),
    desired_files: desiredFiles,
    settings: {
      mode: options.mode ?? 'full',
      allow: normalisedAllow(options.allow),
      refresh_sitevault: options.refresh_sitevault === true,
    },
    live_digests: {
      users: sortedRecord(users.digests.users),
      persons: sortedRecord(users.digests.persons),
      sitevault: sortedRecord(sitevault.digests),
      ...(desired.groups === undefined ? {} : { groups: sortedRecord(groups.digests) }),
    },
    changes,
    operations,
    diagnostics: sortDiagnostics(diagnostics),
    summary: summarise(changes, {
      unchanged: users.unchanged + sitevault.unchanged,
      unmanaged: users.unmanaged,
      api_calls: operations.length,
      burst_limit: options.burst_limit ?? DEFAULT_BURST_LIMIT,
      ...(options.burst_remaining === undefined ? {} : { burst_remaining: options.burst_remaining }),
      ...(options.read_calls === undefined ? {} : { read_calls: options.read_calls }),
      ...(desired.groups === undefined ? {} : { groups: summariseGroups(groups) }),
    }),
    seats: seats.preview,
  };
}
