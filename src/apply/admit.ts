/**
 * Admission: a saved plan is a commitment, never a list of instructions. Before anything is
 * written, apply checks that the plan is well formed (its operations a DAG, no subject twice in
 * a batch), that it is for this server and vault, that the desired files are the ones it was
 * made from, that the live records it relied on have not moved, and then re-derives it from
 * those files and records with the settings it records, refusing any difference from the saved
 * changes and operations. Pure: every input is already read.
 */
import { hasErrors } from '../diagnostics.js';
import { VaultRosterError, type ErrorCode } from '../errors.js';
import type { DesiredState, LiveState } from '../model.js';
import {
  canonicalJson,
  createPlan,
  describeErrors,
  desiredDigest,
  groupRowKey,
  liveGroupForKey,
  liveRecordDigest,
  type Baseline,
  type GroupMembersRow,
  type LiveDigests,
  type LiveRecordKind,
  type Operation,
  type Plan,
} from '../plan/index.js';
import { excerpt, firstDifference } from './compare.js';
import type { JournalReplay } from './journal.js';
import { planSchemaErrors } from './plan-file.js';

export interface AdmissionInput {
  readonly plan: Plan;
  /** Where the plan came from, for messages (`plan.json`). */
  readonly source: string;
  readonly desired: DesiredState;
  /** Read from Vault just now, with SiteVault persons from the state file. */
  readonly live: LiveState;
  /** The server the client talks to. */
  readonly serverUrl: string;
  /** The drift baseline of the state file (a drift plan is re-derived from it). */
  readonly baseline: Baseline | undefined;
  /** Earlier runs of this very plan (its journal is named by its content digest). */
  readonly replay: JournalReplay;
  readonly toolVersion: string;
  /** Refuse a plan made from uncommitted YAML (`git_dirty`): apply in CI runs reviewed commits only. */
  readonly requireCommittedYaml?: boolean;
}

function refuse(code: ErrorCode, message: string, hint: string): never {
  throw new VaultRosterError(code, message, { hint });
}

const REMAKE = 'Make and review a new plan (vault-roster plan --out FILE) and apply that one.';

/** Operation ids unique, dependencies known, earlier and acyclic; no subject twice in a batch. */
function checkOperationGraph(plan: Plan, source: string): void {
  const index = new Map<string, number>();
  plan.operations.forEach((op, i) => {
    if (index.has(op.id)) refuse('plan-invalid', `plan ${source}: operation id ${op.id} appears twice`, REMAKE);
    index.set(op.id, i);
  });
  for (const [i, op] of plan.operations.entries()) {
    for (const dep of op.depends_on) {
      const at = index.get(dep);
      if (at === undefined) refuse('plan-invalid', `plan ${source}: operation ${op.id} depends on ${dep}, which the plan does not have`, REMAKE);
      if (dep === op.id) refuse('plan-invalid', `plan ${source}: operation ${op.id} depends on itself`, REMAKE);
      // Operations run in dependency order and the plan lists them in execution order, so a
      // dependency on a later operation is what makes a cycle possible: refuse it outright.
      if (at > i) refuse('plan-invalid', `plan ${source}: operation ${op.id} depends on ${dep}, which comes after it (a dependency cycle)`, REMAKE);
    }
    const seen = new Set<string>();
    for (const row of op.rows) {
      const key = row.key.trim().toLowerCase();
      if (seen.has(key)) refuse('plan-invalid', `plan ${source}: operation ${op.id} has two rows for ${key}`, REMAKE);
      seen.add(key);
    }
  }
}

function sameServer(a: string, b: string): boolean {
  const norm = (url: string): string => {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return url.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

function checkTarget(input: AdmissionInput): void {
  const { plan, live, source } = input;
  if (live.vault_id !== plan.target.vault_id) {
    refuse('wrong-vault', `plan ${source} is for vault ${plan.target.vault_id}, but this session is in vault ${live.vault_id}`, 'Check VAULT_URL / roster.yaml vault: or apply the plan made for this vault.');
  }
  if (!sameServer(plan.target.server, input.serverUrl)) {
    refuse('wrong-server', `plan ${source} was made against ${plan.target.server}, but this run talks to ${input.serverUrl}`, 'Apply the plan with the same VAULT_URL (or vault.url) it was made with, or make a new plan for this server.');
  }
}

function checkDesiredFiles(input: AdmissionInput): void {
  const { plan, desired, source } = input;
  if (desiredDigest(plan.desired_files) !== plan.desired_digest) {
    refuse('plan-invalid', `plan ${source}: its desired_digest does not match its own desired_files`, REMAKE);
  }
  if (desiredDigest(desired.files) === plan.desired_digest) return;
  const before = new Map(plan.desired_files.map((f) => [f.path, f.sha256]));
  const now = new Map(desired.files.map((f) => [f.path, f.sha256]));
  const changed = [...new Set([...before.keys(), ...now.keys()])].filter((p) => before.get(p) !== now.get(p)).sort();
  refuse('stale-plan', `plan ${source} is stale: it was made from other desired files (${changed.join(', ')} changed since)`, 'The YAML moved after review (a later push?). ' + REMAKE);
}

/** The live record a row of `op` writes, as a `kind\0key` entry of a touched set. */
function recordOf(op: Operation, key: string): string {
  if (GROUP_KINDS.has(op.kind)) return `groups\u0000${key.slice(groupRowKey('').length)}`;
  const kind: LiveRecordKind = op.kind === 'sitevault_create' || op.kind === 'sitevault_edit' ? 'sitevault' : 'users';
  return `${kind}\u0000${key}`;
}

const GROUP_KINDS: ReadonlySet<Operation['kind']> = new Set(['create_group', 'update_group', 'add_group_members', 'remove_group_members']);

/** Users (and the persons they were promoted from) an earlier run of this plan sent calls for. */
function touchedRecords(plan: Plan, replay: JournalReplay): Set<string> {
  const touched = new Set<string>();
  for (const op of plan.operations) {
    if (!replay.attempted.has(op.id)) continue;
    for (const row of op.rows) touched.add(recordOf(op, row.key));
    if (op.kind === 'promote_persons') for (const row of op.rows) touched.add(`persons\u0000${row.person_id}`);
  }
  return touched;
}

function liveRecord(input: AdmissionInput, kind: LiveRecordKind, key: string): Parameters<typeof liveRecordDigest>[0] {
  const { live } = input;
  if (kind === 'users') return live.users.get(key);
  if (kind === 'persons') return live.persons.get(key);
  if (kind === 'groups') return liveGroupForKey(input.desired, live.groups, key);
  return live.sitevault.get(key);
}

const KINDS: readonly LiveRecordKind[] = ['users', 'persons', 'sitevault', 'groups'];

const RECORD_NOUN: Readonly<Record<LiveRecordKind, string>> = { users: 'user', persons: 'person', sitevault: 'SiteVault person', groups: 'group' };

function checkLiveRecords(input: AdmissionInput, touched: ReadonlySet<string>): void {
  const stale: string[] = [];
  for (const kind of KINDS) {
    for (const [key, digest] of Object.entries(input.plan.live_digests[kind] ?? {})) {
      if (touched.has(`${kind}\u0000${key}`)) continue;
      if (liveRecordDigest(liveRecord(input, kind, key)) !== digest) stale.push(`${RECORD_NOUN[kind]} ${key}`);
    }
  }
  if (stale.length === 0) return;
  refuse('stale-plan', `plan ${input.source} is stale: ${stale.length} record(s) changed in Vault since it was made: ${stale.slice(0, 20).join(', ')}${stale.length > 20 ? ', …' : ''}`, 'Someone changed these out of band. ' + REMAKE);
}

function refuseErrors(plan: Plan, source: string, whose: string): never {
  refuse('plan-has-errors', `plan ${source} cannot be applied: ${whose} has ${describeErrors(plan.diagnostics)}`, 'Fix the errors in the YAML, or for a guard pass the matching --allow-… flag once the change is confirmed as intended; then make the plan again.');
}

function derive(input: AdmissionInput): Plan {
  const { plan } = input;
  return createPlan(input.desired, input.live, {
    tool_version: input.toolVersion,
    created_at: plan.created_at,
    target: plan.target,
    allow: plan.settings.allow,
    refresh_sitevault: plan.settings.refresh_sitevault,
    mode: plan.settings.mode,
    baseline: input.baseline,
    git_commit: plan.git_commit,
    git_dirty: plan.git_dirty,
    burst_limit: plan.summary.burst_limit,
  });
}

function mismatch(source: string, what: string, path: string, saved: unknown, derived: unknown): never {
  refuse(
    'plan-mismatch',
    `plan ${source} is not what the reviewed YAML and Vault imply: ${what}${path === '' ? '' : ` differs at ${path}`}: the plan says ${excerpt(saved)}, they give ${excerpt(derived)}`,
    'The plan file was edited after it was made, or made by another vault-roster. ' + REMAKE,
  );
}

function compareExactly(input: AdmissionInput, derived: Plan): void {
  const { plan, source } = input;
  const digests = firstDifference(plan.live_digests, derived.live_digests);
  if (digests !== undefined) mismatch(source, 'the live records it relies on', `live_digests.${digests.path}`, digests.saved, digests.derived);
  const count = Math.max(plan.operations.length, derived.operations.length);
  for (let i = 0; i < count; i++) {
    const saved = plan.operations[i];
    const wanted = derived.operations[i];
    if (saved === undefined) mismatch(source, `operation ${wanted?.id ?? `#${i + 1}`}`, '', undefined, wanted);
    if (wanted === undefined) mismatch(source, `operation ${saved.id} (${saved.kind}) is not implied at all;`, '', saved, undefined);
    const diff = firstDifference(saved, wanted);
    if (diff !== undefined) mismatch(source, `operation ${saved.id} (${saved.kind})`, diff.path, diff.saved, diff.derived);
  }
  const changes = firstDifference(plan.changes, derived.changes);
  if (changes !== undefined) {
    const index = /^\[(\d+)\]/.exec(changes.path)?.[1];
    const change = index === undefined ? undefined : (plan.changes[Number(index)] ?? derived.changes[Number(index)]);
    mismatch(source, `the change${change === undefined ? '' : ` for ${change.key}`}`, changes.path, changes.saved, changes.derived);
  }
}

/**
 * A row as the resumed comparison sees it: a group member whose user an earlier run created has
 * an id now that the saved plan could not know (apply takes it from that run's journal).
 */
function comparableRow(op: Operation, row: Operation['rows'][number], touched: ReadonlySet<string>): unknown {
  if (op.kind !== 'add_group_members' && op.kind !== 'remove_group_members') return row;
  const members = (row as GroupMembersRow).members.map((m) => (touched.has(`users\u0000${m.user_name}`) ? { user_name: m.user_name } : m));
  return { ...row, members };
}

function untouchedRows(operations: readonly Operation[], touched: ReadonlySet<string>): string[] {
  const rows: string[] = [];
  for (const op of operations) {
    const shape = op.kind === 'upsert_users' ? `${op.kind}:${op.match}` : op.kind;
    for (const row of op.rows) {
      if (touched.has(recordOf(op, row.key))) continue;
      rows.push(`${shape} ${canonicalJson(comparableRow(op, row, touched))}`);
    }
  }
  return rows.sort();
}

function withoutTouched(digests: LiveDigests, touched: ReadonlySet<string>): Record<string, Record<string, string | null>> {
  const out: Record<string, Record<string, string | null>> = {};
  for (const kind of KINDS) out[kind] = Object.fromEntries(Object.entries(digests[kind] ?? {}).filter(([key]) => !touched.has(`${kind}\u0000${key}`)));
  return out;
}

/**
 * Resuming this very plan (its content digest names the journal, so it was admitted in full
 * before): records an earlier run touched are expected to have moved and are left out; what
 * the plan still does to everything else must be exactly what is implied now.
 */
function compareResumed(input: AdmissionInput, derived: Plan, touched: ReadonlySet<string>): void {
  const { plan, source } = input;
  const digests = firstDifference(withoutTouched(plan.live_digests, touched), withoutTouched(derived.live_digests, touched));
  if (digests !== undefined) mismatch(source, 'the live records it relies on', `live_digests.${digests.path}`, digests.saved, digests.derived);
  const saved = untouchedRows(plan.operations, touched);
  const wanted = untouchedRows(derived.operations, touched);
  const diff = firstDifference(saved, wanted);
  if (diff !== undefined) mismatch(source, 'the rows it has still to send', diff.path, diff.saved, diff.derived);
}

/** Refuses, with a named error and before any write, a plan that must not run; returns when it may. */
export function admitPlan(input: AdmissionInput): void {
  const { plan, source } = input;
  const problems = planSchemaErrors(plan);
  if (problems.length > 0) refuse('plan-invalid', `plan ${source} does not match the plan schema: ${problems.slice(0, 3).join('; ')}`, REMAKE);
  checkOperationGraph(plan, source);
  if (input.requireCommittedYaml === true && plan.git_dirty === true) {
    refuse(
      'plan-uncommitted',
      `plan ${source} was made from desired files with uncommitted changes (at commit ${plan.git_commit ?? 'unknown'}); in CI, apply runs plans of committed YAML only`,
      'Commit the change, let it be reviewed, and make the plan again from that commit.',
    );
  }
  checkTarget(input);
  checkDesiredFiles(input);
  const resuming = input.replay.runs > 0;
  const touched = resuming ? touchedRecords(plan, input.replay) : new Set<string>();
  checkLiveRecords(input, touched);
  if (hasErrors(plan.diagnostics)) refuseErrors(plan, source, 'the plan');
  const derived = derive(input);
  if (hasErrors(derived.diagnostics)) refuseErrors(derived, source, 'the plan the YAML and Vault imply now');
  if (resuming) compareResumed(input, derived, touched);
  else compareExactly(input, derived);
}
