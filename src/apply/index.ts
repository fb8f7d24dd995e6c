/**
 * Apply stage: `applyPlan` admits a plan, then runs it against Vault. Admission (admit.ts) is
 * apply's own: before any write it refuses a plan that is malformed, for another server or
 * vault, stale, failing its guards, or not exactly what the reviewed YAML and Vault imply. It
 * owns the journal (audit trail and resume), the lock on the state file, the state-file updates
 * for SiteVault, and the per-user report. It must not speak HTTP (the port does).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppliedSiteVaultPerson, DesiredSiteVaultPerson, DesiredState, DesiredUser, LiveState } from '../model.js';
import { groupRowKey, planId, sha256Hex, siteVaultPersonAsOf, type Change, type Plan } from '../plan/index.js';
import { acquireLock, entryDigestsInBackground, nextBaseline, readStateFile, writeStateFile, type StateFile } from '../state/index.js';
import { formatClientEvent, type ClientEvent } from '../vault/index.js';
import { admitPlan } from './admit.js';
import type { ApplyEvent, ApplyListener } from './events.js';
import { executeOperations, type ApplyPort, type RowFailure } from './execute.js';
import { runActor } from './evidence.js';
import { Journal, replayJournal, type Approval, type JournalEntry, type JournalReplay, type RunActor, type RunStarted } from './journal.js';
import { keepPlan, plansDirFor } from './plan-store.js';

export { planId } from '../plan/index.js';
export { vaultPort } from './vault-port.js';
export { admitPlan } from './admit.js';
export { readPlanFile, planSchemaErrors } from './plan-file.js';
export { jsonLinesReporter, progressReporter } from './reporters.js';
export type { ApplyEvent, ApplyListener } from './events.js';
export type { ApplyPort, RowFailure } from './execute.js';
export { replayJournal, type Approval, type JournalReplay, type RunActor } from './journal.js';
export { verifyJournal, type JournalProblem, type JournalVerdict } from './journal-verify.js';
export { runActor } from './evidence.js';
export { keepPlan, keptPlanPath, plansDirFor } from './plan-store.js';
export { journalLines } from './journal.js';
export type { JournalEntry, RunStarted } from './journal.js';

/** What apply did, in the plan summary's categories (so the two read side by side). */
export interface ApplyCounts {
  readonly created: number;
  readonly updated: number;
  readonly reactivated: number;
  readonly deactivated: number;
  readonly promoted: number;
  readonly sitevault_created: number;
  readonly sitevault_edited: number;
  /** Groups created, updated or deactivated (present when the plan changes groups). */
  readonly group_changes?: number;
  readonly failed: number;
}

export interface ApplyReport {
  readonly counts: ApplyCounts;
  readonly failures: readonly RowFailure[];
  readonly journal_path: string;
  /** The plan's id (the journal's name and every `run_started` record it). */
  readonly plan_id: string;
  /** Chain of the journal's last line after this run (`journal verify --head` checks it later). */
  readonly journal_head?: string;
  /** Batches sent in this run (a resumed run skips what was done). */
  readonly batches: number;
  readonly resumed: boolean;
  /** An earlier run of this plan did every row: nothing was sent. */
  readonly already_applied: boolean;
  /** The stop signal came before every batch was sent: re-running the plan resumes it. */
  readonly interrupted: boolean;
  /** Rows not sent because of the stop. */
  readonly not_sent_rows: number;
}

export interface ApplyInput {
  readonly plan: Plan;
  /** Where the plan came from, for messages (a file name, or `the plan just made`). */
  readonly source?: string;
  /** The desired state as loaded from the working tree now. */
  readonly desired: DesiredState;
  /** Live state read from Vault just now (SiteVault persons from the state file). */
  readonly live: LiveState;
  /** The server URL the port's client talks to; a plan made against another is refused. */
  readonly serverUrl: string;
  readonly port: ApplyPort;
  /** Folder of the journals, e.g. `<repo>/.vault-roster/journal`. */
  readonly journalDir: string;
  readonly concurrency: number;
  readonly toolVersion: string;
  readonly listener?: ApplyListener;
  /** The caller already holds the state file's lock (the CLI takes it before it reads Vault). */
  readonly lockHeld?: boolean;
  /** Refuse a plan of uncommitted YAML (the CLI sets it when CI=true). */
  readonly requireCommittedYaml?: boolean;
  /**
   * The port's client events. Required: the journal records under each operation every write
   * request as it is sent (only those exempt records from the staleness check on resume) and
   * every answer with its execution id.
   */
  readonly subscribeClientEvents: (listener: (event: ClientEvent) => void) => () => void;
  /** Once aborted (Ctrl-C, SIGTERM), no new batch is sent; those in flight finish and are journaled. */
  readonly stop?: AbortSignal;
  /** Client events from before the run (the login and reads apply made first), journaled at its start. */
  readonly priorClientEvents?: readonly ClientEvent[];
  /** Who runs it (default: read from this process and its environment). */
  readonly actor?: RunActor;
  /** Approvals passed in (`--approved-by` …), recorded in `run_started`. */
  readonly approvals?: readonly Approval[];
}

type NoteworthyEvent = Extract<ClientEvent, { type: 'auth' | 'retry' | 'pace' | 'wait' }>;

/** Logins, retries, pacing and long waits: journaled as `client` entries (README: Seeing the calls). */
function isNoteworthy(event: ClientEvent): event is NoteworthyEvent {
  return event.type === 'auth' || event.type === 'retry' || event.type === 'pace' || event.type === 'wait';
}

function clientEntry(event: NoteworthyEvent, opId: string | undefined): JournalEntry {
  const delay = event.type === 'retry' || event.type === 'pace' ? event.delayMs : event.type === 'wait' ? event.leftMs : undefined;
  return {
    type: 'client',
    at: new Date().toISOString(),
    ...(opId === undefined ? {} : { op_id: opId }),
    event: event.type,
    message: formatClientEvent(event),
    ...(delay === undefined ? {} : { delay_ms: Math.round(delay) }),
  };
}

/** What a watcher of the run sees of a client wait: a pacing wait (any length) or a long wait. */
function waitOf(event: ClientEvent): ApplyEvent | undefined {
  if (event.type === 'pace' && event.action === 'wait') {
    return { type: 'wait', reason: 'burst-window', left_ms: Math.round(event.delayMs), message: formatClientEvent(event) };
  }
  if (event.type === 'wait' && event.reason !== 'answer') {
    return { type: 'wait', reason: event.reason, left_ms: Math.round(event.leftMs), message: formatClientEvent(event) };
  }
  return undefined;
}

const legacyIds = new WeakMap<Plan, string>();

/**
 * The name vault-roster 0.1 gave a plan's journal: sha256 of the plan's JSON as written (key
 * order of the file), 16 hex digits. Only used to find such a journal, so an interrupted run of
 * an older version still resumes.
 */
export function legacyPlanId(plan: Plan): string {
  let id = legacyIds.get(plan);
  if (id === undefined) {
    id = sha256Hex(JSON.stringify(plan)).slice(0, 16);
    legacyIds.set(plan, id);
  }
  return id;
}

const LEGACY_JOURNAL = /^[0-9a-f]{16}\.jsonl$/;

/**
 * The plan's journal: `<plan id>.jsonl`, or the journal an older version started under the old
 * name when only that one exists (the legacy id is computed only when such files are there).
 */
export function journalPathFor(journalDir: string, plan: Plan): string {
  const path = join(journalDir, `${planId(plan)}.jsonl`);
  if (existsSync(path)) return path;
  let names: string[];
  try {
    names = readdirSync(journalDir);
  } catch {
    return path;
  }
  if (!names.some((name) => LEGACY_JOURNAL.test(name))) return path;
  const legacy = join(journalDir, `${legacyPlanId(plan)}.jsonl`);
  return existsSync(legacy) ? legacy : path;
}

/** True when an earlier run of this plan did every row: applying it again would send nothing. */
export function alreadyApplied(plan: Plan, replay: JournalReplay): boolean {
  return replay.runs > 0 && plan.operations.length > 0 && plan.operations.every((op) => op.rows.every((row) => replay.doneRows.get(op.id)?.has(row.key) === true));
}

function countOutcomes(changes: readonly Change[], failed: ReadonlySet<string>, notSent: ReadonlySet<string> = new Set()): ApplyCounts {
  const done: Record<Change['action'], number> = { create: 0, update: 0, reactivate: 0, deactivate: 0, promote: 0, sitevault_create: 0, sitevault_edit: 0, group_create: 0, group_update: 0, group_deactivate: 0 };
  let failures = 0;
  for (const change of changes) {
    // Group rows are keyed apart from users (`group:` + label).
    const key = change.subject === 'group' ? groupRowKey(change.key) : change.key;
    if (failed.has(key)) failures += 1;
    else if (!notSent.has(key)) done[change.action] += 1;
  }
  const groupChanges = changes.some((c) => c.subject === 'group') ? { group_changes: done.group_create + done.group_update + done.group_deactivate } : {};
  return {
    created: done.create,
    updated: done.update,
    reactivated: done.reactivate,
    deactivated: done.deactivate,
    promoted: done.promote,
    sitevault_created: done.sitevault_create,
    sitevault_edited: done.sitevault_edit,
    ...groupChanges,
    failed: failures,
  };
}

/** The counts worded as the plan's summary line words them (reactivations only when there are some). */
export function formatCounts(counts: ApplyCounts): string {
  const parts = [`created ${counts.created}`, `updated ${counts.updated}`];
  if (counts.reactivated > 0) parts.push(`reactivated ${counts.reactivated}`);
  parts.push(`deactivated ${counts.deactivated}`, `promoted ${counts.promoted}`, `SiteVault changes ${counts.sitevault_created + counts.sitevault_edited}`);
  if (counts.group_changes !== undefined) parts.push(`group changes ${counts.group_changes}`);
  parts.push(`failed ${counts.failed}`);
  return parts.join(', ');
}

/**
 * Records what SiteVault now holds for each person whose create or edit succeeded: a row
 * succeeded when its answer (a person id) is known, from this run or the journal of an earlier one.
 */
function updateSiteVaultState(state: StateFile, plan: Plan, desired: DesiredState, rowIds: ReadonlyMap<string, string>): StateFile {
  const desiredByEmail = new Map(desired.sitevault.map((p) => [p.email, p]));
  const sitevault: Record<string, AppliedSiteVaultPerson> = { ...state.sitevault };
  for (const op of plan.operations) {
    if (op.kind !== 'sitevault_create' && op.kind !== 'sitevault_edit') continue;
    for (const row of op.rows) {
      const personId = rowIds.get(`${op.id}\u0000${row.key}`);
      if (personId === undefined) continue;
      const wanted = desiredByEmail.get(row.key);
      if (wanted === undefined) {
        // Removed from YAML and sent with no-access roles: nothing left to remember.
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
        delete sitevault[row.key];
        continue;
      }
      // What was sent: the person as of the plan's clock (time-boxed assignments applied).
      const { source: _source, ...person } = siteVaultPersonAsOf(wanted, Date.parse(plan.created_at));
      sitevault[row.key] = { ...person, person_id: personId };
    }
  }
  return { ...state, updated_at: new Date().toISOString(), sitevault };
}

/** The state file after a run that got to its end: SiteVault persons and the next drift baseline. */
async function finishState(
  input: ApplyInput,
  outcome: { readonly failedKeys: ReadonlySet<string>; readonly rowIds: ReadonlyMap<string, string> },
  digests: Promise<Map<DesiredUser | DesiredSiteVaultPerson, string>>,
): Promise<void> {
  const { plan, desired } = input;
  const state = readStateFile(desired.state_path, plan.target.vault_id);
  const created = plan.changes
    .filter((c) => c.subject === 'user' && (c.action === 'create' || c.action === 'promote') && !outcome.failedKeys.has(c.key))
    .map((c) => c.key);
  const withSiteVault = updateSiteVaultState(state, plan, desired, outcome.rowIds);
  const baseline = nextBaseline(state.baseline, desired, [...input.live.users.keys(), ...created], outcome.failedKeys, withSiteVault.updated_at, await digests);
  writeStateFile(desired.state_path, { ...withSiteVault, baseline });
}

/**
 * Admits the plan (or throws a VaultRosterError naming why not, before any write), then runs
 * it; a failed row never stops the others. Holds the state-file lock throughout.
 */
export async function applyPlan(input: ApplyInput): Promise<ApplyReport> {
  const { plan, desired } = input;
  const lock = input.lockHeld === true ? undefined : acquireLock(desired.state_path, `apply plan ${planId(plan)}`);
  try {
    const journalPath = journalPathFor(input.journalDir, plan);
    const replay = replayJournal(journalPath);
    const state = readStateFile(desired.state_path, plan.target.vault_id);
    admitPlan({
      plan,
      source: input.source ?? 'the plan',
      desired,
      live: input.live,
      serverUrl: input.serverUrl,
      baseline: state.baseline,
      replay,
      toolVersion: input.toolVersion,
      ...(input.requireCommittedYaml === undefined ? {} : { requireCommittedYaml: input.requireCommittedYaml }),
    });
    // The plan that runs is kept by its id, so evidence can be built later from the id alone.
    keepPlan(plansDirFor(input.journalDir), plan);
    if (alreadyApplied(plan, replay)) {
      // A run that died after its last row but before writing the state file: finish it now.
      await finishState(input, { failedKeys: new Set(), rowIds: replay.rowIds }, entryDigestsInBackground(desired));
      const counts = countOutcomes([], new Set());
      return { counts, failures: [], journal_path: journalPath, plan_id: planId(plan), batches: 0, resumed: false, already_applied: true, interrupted: false, not_sent_rows: 0 };
    }
    return await run(input, journalPath, replay);
  } finally {
    lock?.release();
  }
}

/** The run's first entry: the evidence of which plan runs where, from which commit, by whom, approved by whom. */
function runStarted(input: ApplyInput): RunStarted {
  const { plan } = input;
  return {
    type: 'run_started',
    at: new Date().toISOString(),
    plan_id: planId(plan),
    tool_version: input.toolVersion,
    pid: process.pid,
    vault_id: plan.target.vault_id,
    vault_url: plan.target.url,
    git_commit: plan.git_commit ?? null,
    git_dirty: plan.git_commit === undefined ? null : plan.git_dirty === true,
    actor: input.actor ?? runActor(process.env),
    approvals: input.approvals ?? [],
  };
}

async function run(input: ApplyInput, journalPath: string, replay: JournalReplay): Promise<ApplyReport> {
  const { plan, desired } = input;
  const journal = new Journal(journalPath);
  const opContext = new AsyncLocalStorage<string>();
  const unsubscribe = input.subscribeClientEvents((event) => {
    if (isNoteworthy(event)) {
      journal.append(clientEntry(event, opContext.getStore()));
      const wait = waitOf(event);
      if (wait !== undefined) input.listener?.(wait);
      return;
    }
    const opId = opContext.getStore();
    if (opId === undefined) return;
    if (event.type === 'request') {
      // Reads made for an operation (a promotion read back) change nothing; writes may.
      if (event.method !== 'GET' && !event.path.endsWith('/query')) {
        journal.append({ type: 'sent', at: new Date().toISOString(), op_id: opId, method: event.method, path: event.path, attempt: event.attempt });
      }
      return;
    }
    journal.append({
      type: 'call',
      at: new Date().toISOString(),
      op_id: opId,
      method: event.method,
      path: event.path,
      status: event.responseStatus ?? `HTTP ${event.status}`,
      ...(event.executionId === undefined ? {} : { execution_id: event.executionId }),
      ...(event.error === undefined ? {} : { error_type: event.error }),
      attempt: event.attempt,
    });
  });
  try {
    journal.append(runStarted(input));
    for (const event of input.priorClientEvents ?? []) if (isNoteworthy(event)) journal.append(clientEntry(event, undefined));
    journal.sync();
    const port: ApplyPort = { send: (op, options) => opContext.run(op.id, () => input.port.send(op, options)) };
    const digests = entryDigestsInBackground(desired);
    const result = await executeOperations(plan.operations, port, {
      concurrency: input.concurrency,
      journal,
      replay,
      ...(input.listener === undefined ? {} : { listener: input.listener }),
      ...(input.stop === undefined ? {} : { stop: input.stop }),
      // SiteVault has no read API: the person ids it answers must reach the state file as soon
      // as they are known, so a crash later in the run cannot lose them.
      onBatchFinished: (op, rowIds) => {
        if (op.kind !== 'sitevault_create' && op.kind !== 'sitevault_edit') return;
        const state = readStateFile(desired.state_path, plan.target.vault_id);
        writeStateFile(desired.state_path, updateSiteVaultState(state, plan, desired, rowIds));
      },
    });
    // Rows a stop left unsent keep their old baseline, like failed ones: the resume sends them.
    const unfinished = new Set([...result.failedKeys, ...result.notSentKeys]);
    await finishState(input, { failedKeys: unfinished, rowIds: result.rowIds }, digests);
    const counts = countOutcomes(plan.changes, result.failedKeys, result.notSentKeys);
    if (result.interrupted) input.listener?.({ type: 'interrupted', not_sent: result.notSentRows });
    // An interrupted run has no run_finished: the next run of this plan is a resume.
    if (!result.interrupted) journal.append({ type: 'run_finished', at: new Date().toISOString(), counts: { ...counts } });
    journal.sync();
    return {
      counts,
      failures: result.failures,
      journal_path: journalPath,
      plan_id: planId(plan),
      journal_head: journal.head,
      batches: result.calls,
      resumed: replay.runs > 0 && !replay.lastRunFinished,
      already_applied: false,
      interrupted: result.interrupted,
      not_sent_rows: result.notSentRows,
    };
  } finally {
    unsubscribe();
    journal.close();
  }
}
