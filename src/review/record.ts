/**
 * Review evidence: the decisions of one review, kept as a JSON record under the state folder
 * (`.vault-roster/reviews/<date>-<id>.json`). keep = a `reviewed` stamp in this review's window;
 * defer = a `review_exception` in force on the review day; revoke = what the reviewed plan takes
 * away (deactivation, a membership made inactive, an app licence removed), with the Vault
 * execution ids of the calls that did it when the apply journal is given. Pure: the journal
 * arrives already read and checked.
 */
import { GRANT_DAY_MS, grantDayStart, type DesiredState } from '../model.js';
import type { Change, Plan } from '../plan/index.js';
import { exceptionInForce } from './flags.js';

export const REVIEW_RECORD_FORMAT_VERSION = 1;

/** What an apply journal says about each operation: the keys it carried, its execution ids, each row's outcome. */
export interface JournalFacts {
  /** File name of the journal (no folder: the record is kept beside the repo). */
  readonly file: string;
  /** Chain hash of its last line (`journal verify --head` checks it). */
  readonly head: string | null;
  readonly execution_ids: ReadonlyMap<string, readonly string[]>;
  /** `op_id key` → the row's last outcome. */
  readonly rows: ReadonlyMap<string, boolean>;
}

export type Decision = 'keep' | 'revoke' | 'defer' | 'none';

export interface RecordEntry {
  readonly user_name: string;
  readonly decisions: readonly Decision[];
  readonly reviewed: { readonly by: string; readonly on: string } | null;
  readonly exception: { readonly until: string; readonly reason: string; readonly flags: readonly string[] } | null;
  /** What the plan takes away: `deactivate`, `memberships[3003].active`, `memberships[3003].apps.x`. */
  readonly revokes: readonly string[];
  /** Per operation of the plan that carries this user's revocation. */
  readonly remediation: readonly { readonly op_id: string; readonly applied: boolean | null; readonly execution_ids: readonly string[] }[];
}

export interface ReviewRecord {
  readonly format_version: typeof REVIEW_RECORD_FORMAT_VERSION;
  readonly reviewer: string;
  readonly date: string;
  /** Stamps on or after `from` (and not after `date`) count as keep decisions of this review. */
  readonly window: { readonly from: string; readonly to: string };
  readonly plan: { readonly id: string; readonly created_at: string; readonly vault_id: number };
  readonly journal: { readonly file: string; readonly head: string | null } | null;
  readonly entries: readonly RecordEntry[];
}

/** The paths of a user change that take access away. */
function revokedPaths(change: Change): string[] {
  if (change.action === 'deactivate') return ['deactivate'];
  if (change.action !== 'update') return [];
  return change.fields
    .filter((f) => {
      if (/^memberships\[\d+\]\.active$/.test(f.path)) return f.after === false;
      if (/^memberships\[\d+\]\.apps\./.test(f.path)) return typeof f.after === 'object' && f.after !== null && !Array.isArray(f.after) && f.after.active === false;
      return f.path === 'active' && f.after === false;
    })
    .map((f) => f.path);
}

function remediation(plan: Plan, key: string, journal: JournalFacts | undefined): RecordEntry['remediation'] {
  return plan.operations
    .filter((op) => op.rows.some((row) => row.key === key))
    .map((op) => ({
      op_id: op.id,
      applied: journal === undefined ? null : (journal.rows.get(`${op.id} ${key}`) ?? false),
      execution_ids: [...(journal?.execution_ids.get(op.id) ?? [])],
    }));
}

export interface RecordInput {
  readonly desired: DesiredState;
  readonly plan: Plan;
  readonly plan_id: string;
  readonly journal?: JournalFacts | undefined;
  readonly reviewer: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly interval_days: number;
}

export function buildReviewRecord(input: RecordInput): ReviewRecord {
  const day = grantDayStart(input.date) ?? Number.NaN;
  const from = new Date(day - (input.interval_days - 1) * GRANT_DAY_MS).toISOString().slice(0, 10);
  const endOfDay = day + GRANT_DAY_MS - 1;
  const revokes = new Map<string, string[]>();
  for (const change of input.plan.changes) {
    const paths = change.subject === 'user' ? revokedPaths(change) : [];
    if (paths.length > 0) revokes.set(change.key, paths);
  }
  const names = [...new Set([...input.desired.users.map((u) => u.user_name), ...revokes.keys()])].sort();
  const byName = new Map(input.desired.users.map((u) => [u.user_name, u]));
  const entries = names.map((name): RecordEntry => {
    const user = byName.get(name);
    const stamp = user?.reviewed;
    const exception = user?.review_exception;
    const decisions: Decision[] = [];
    if (stamp !== undefined && stamp.on >= from && stamp.on <= input.date) decisions.push('keep');
    if (revokes.has(name)) decisions.push('revoke');
    if (exception !== undefined && exceptionInForce(exception, endOfDay)) decisions.push('defer');
    return {
      user_name: name,
      decisions: decisions.length === 0 ? ['none'] : decisions,
      reviewed: stamp === undefined ? null : { by: stamp.by, on: stamp.on },
      exception: exception === undefined ? null : { until: exception.until, reason: exception.reason, flags: [...exception.flags] },
      revokes: revokes.get(name) ?? [],
      remediation: revokes.has(name) ? remediation(input.plan, name, input.journal) : [],
    };
  });
  return {
    format_version: REVIEW_RECORD_FORMAT_VERSION,
    reviewer: input.reviewer,
    date: input.date,
    window: { from, to: input.date },
    plan: { id: input.plan_id, created_at: input.plan.created_at, vault_id: input.plan.target.vault_id },
    journal: input.journal === undefined ? null : { file: input.journal.file, head: input.journal.head },
    entries,
  };
}
