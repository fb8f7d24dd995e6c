/**
 * The apply journal: an append-only JSONL record of every batch, call and row result of a run,
 * fsync'd at the end of each batch. It is the audit trail and the memory that makes a re-run
 * of an interrupted apply safe (done rows skipped, in-flight creates turned into upserts).
 * Entries hold user keys, Vault ids, error types and execution ids: never a secret.
 */
import { closeSync, fstatSync, fsync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { VaultRosterError } from '../errors.js';
import { CHAIN_START, chainedLine, lastChain } from './journal-chain.js';

export type JournalEntry =
  | RunStarted
  | {
      readonly type: 'batch_started';
      readonly at: string;
      readonly op_id: string;
      readonly kind: string;
      /** An earlier run may have sent it: the client sent it in its repeatable form. */
      readonly sent_before?: boolean;
      readonly keys: readonly string[];
    }
  | {
      /** A write request is about to leave (each HTTP attempt): from here Vault may have it. */
      readonly type: 'sent';
      readonly at: string;
      readonly op_id: string;
      readonly method: string;
      readonly path: string;
      readonly attempt: number;
    }
  | {
      readonly type: 'call';
      readonly at: string;
      readonly op_id: string;
      readonly method: string;
      readonly path: string;
      readonly status: string;
      readonly execution_id?: string;
      readonly error_type?: string;
      readonly attempt: number;
    }
  | {
      readonly type: 'row_result';
      readonly at: string;
      readonly op_id: string;
      readonly key: string;
      readonly ok: boolean;
      readonly id?: string;
      readonly error_type?: string;
      readonly message?: string;
    }
  | { readonly type: 'batch_finished'; readonly at: string; readonly op_id: string; readonly ok: number; readonly failed: number }
  | {
      /** A login, retry, pacing decision or long wait of the client (already redacted), in words. */
      readonly type: 'client';
      readonly at: string;
      /** The operation it happened for, when it was one operation's call. */
      readonly op_id?: string;
      readonly event: 'auth' | 'retry' | 'pace' | 'wait';
      readonly message: string;
      readonly delay_ms?: number;
    }
  | { readonly type: 'run_finished'; readonly at: string; readonly counts: Readonly<Record<string, number>> };

/** One approval passed to apply (`--approved-by`, `--approval-meaning`, `--approval-ref`). */
export interface Approval {
  /** Printed name and email of the approver: `Name <email>`. */
  readonly by: string;
  /** What the approval means, in the approver's words (Part 11 §11.50). */
  readonly meaning: string;
  /** Where it was given (the pull request, a change ticket), when passed. */
  readonly ref?: string;
  /** When it was given (UTC ISO instant, `--approved-at`), when passed; else the run's start is the record. */
  readonly at?: string;
}

/** Who ran apply: the OS user and host, and the CI run when there is one. */
export interface RunActor {
  /** null when the OS could not say (no entry for the process's uid). */
  readonly os_user: string | null;
  readonly host: string;
  readonly ci?: {
    readonly system: 'github-actions';
    readonly actor?: string;
    readonly repository?: string;
    readonly run_id?: string;
    readonly run_attempt?: string;
    readonly run_url?: string;
    readonly workflow?: string;
    readonly event?: string;
    readonly ref?: string;
    readonly sha?: string;
  };
}

/**
 * The start of a run. Journals of vault-roster 0.1 have only the first five fields; apply now
 * always writes the rest (the evidence an auditor asks for: which plan, where, from which commit,
 * by whom, approved by whom).
 */
export interface RunStarted {
  readonly type: 'run_started';
  readonly at: string;
  readonly plan_id: string;
  readonly tool_version: string;
  readonly pid: number;
  readonly vault_id?: number;
  readonly vault_url?: string;
  /** The commit the plan was made at; null when it was made outside a git work tree. */
  readonly git_commit?: string | null;
  /** The desired files differed from that commit when the plan was made; null without a commit. */
  readonly git_dirty?: boolean | null;
  readonly actor?: RunActor;
  readonly approvals?: readonly Approval[];
}

/** What an earlier run of the same plan left behind. */
export interface JournalReplay {
  /** Rows that succeeded, by operation id. */
  readonly doneRows: ReadonlyMap<string, ReadonlySet<string>>;
  /** Ids that rows returned (new user ids, person ids), by `op_id\u0000key`. */
  readonly rowIds: ReadonlyMap<string, string>;
  /** Operations started but never finished: the run was cut off inside them. */
  readonly inFlight: ReadonlySet<string>;
  /**
   * Operations of which an earlier run sent at least one write request (finished or not): only
   * these may have changed Vault. A batch that was queued but never sent is not here.
   */
  readonly attempted: ReadonlySet<string>;
  readonly runs: number;
  /** The last run got to its end (a re-run then retries failed rows, or finds nothing to do). */
  readonly lastRunFinished: boolean;
}

export const EMPTY_REPLAY: JournalReplay = {
  doneRows: new Map(),
  rowIds: new Map(),
  inFlight: new Set(),
  attempted: new Set(),
  runs: 0,
  lastRunFinished: false,
};

export const KNOWN_ENTRY_TYPES: ReadonlySet<string> = new Set([
  'run_started',
  'batch_started',
  'sent',
  'call',
  'row_result',
  'batch_finished',
  'run_finished',
  'client',
]);

function damaged(path: string, line: number, why: string): VaultRosterError {
  return new VaultRosterError('journal-file', `journal ${path} line ${line} is damaged: ${why}`, {
    hint: 'The journal is the record of an earlier run of this plan: move it aside (keep it for the audit trail), then make a new plan and apply that one.',
  });
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** What is wrong with a parsed line as a journal entry of a known type, or undefined when it is sound. */
export function entryProblem(entry: Record<string, unknown>): string | undefined {
  const needs = (field: string, ok: (v: unknown) => boolean): string | undefined => (ok(entry[field]) ? undefined : `${String(entry.type)} without a valid ${field}`);
  switch (entry.type) {
    case 'run_started':
      return needs('plan_id', isString);
    case 'batch_started':
      return needs('op_id', isString) ?? needs('keys', (v) => Array.isArray(v) && v.every(isString));
    case 'sent':
    case 'call':
    case 'batch_finished':
      return needs('op_id', isString);
    case 'row_result':
      return needs('op_id', isString) ?? needs('key', isString) ?? needs('ok', (v) => typeof v === 'boolean') ?? needs('id', (v) => v === undefined || isString(v));
    default:
      return undefined;
  }
}

export function unreadable(path: string, error: unknown): VaultRosterError {
  const code = (error as NodeJS.ErrnoException).code;
  return new VaultRosterError('journal-file', `cannot read journal ${path}: ${code === 'EISDIR' ? 'it is a directory' : (code ?? String(error))}`, {
    hint: 'Move it aside (a journal is a file written by apply), then run apply again.',
  });
}

/**
 * Reads a journal. A missing file is an empty replay. A line that is not JSON is a write torn by
 * a crash: accepted only as the last line or right before the next run's `run_started`; anywhere
 * else, and any entry of a known type missing what replay needs, is a named error.
 */
export function replayJournal(path: string): JournalReplay {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_REPLAY;
    throw unreadable(path, error);
  }
  try {
    return replayLines(path, journalLines(path, fd));
  } finally {
    closeSync(fd);
  }
}

const READ_CHUNK = 1 << 20;

/**
 * The journal's lines in order, read a MiB at a time: a journal of a million-row apply (or of
 * many runs) can be larger than one string can hold, and need not be in memory at once.
 * Splitting bytes at newlines is safe: 0x0a never occurs inside a multi-byte UTF-8 character.
 */
export function* journalLines(path: string, fd: number): Generator<string> {
  const buffer = Buffer.alloc(READ_CHUNK);
  let carry: Buffer = Buffer.alloc(0);
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, buffer, 0, READ_CHUNK, null);
    } catch (error) {
      throw unreadable(path, error);
    }
    if (read === 0) break;
    const data = carry.length === 0 ? buffer.subarray(0, read) : Buffer.concat([carry, buffer.subarray(0, read)]);
    let from = 0;
    for (let nl = data.indexOf(0x0a, from); nl !== -1; nl = data.indexOf(0x0a, from)) {
      yield data.toString('utf8', from, nl);
      from = nl + 1;
    }
    // Copied: `buffer` is reused by the next read.
    carry = Buffer.from(data.subarray(from));
  }
  yield carry.toString('utf8');
}

function replayLines(path: string, lines: Iterable<string>): JournalReplay {
  const doneRows = new Map<string, Set<string>>();
  const rowIds = new Map<string, string>();
  const inFlight = new Set<string>();
  const attempted = new Set<string>();
  let runs = 0;
  let lastRunFinished = false;
  let torn: number | undefined;
  let index = -1;
  for (const line of lines) {
    index++;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (torn !== undefined) throw damaged(path, torn, 'not JSON');
      torn = index + 1;
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw damaged(path, index + 1, 'not a journal entry');
    const record = parsed as Record<string, unknown>;
    if (torn !== undefined && record.type !== 'run_started') throw damaged(path, torn, 'not JSON');
    torn = undefined;
    // Entries of a newer format are skipped, not fatal: the journal is a record, not a command.
    if (!isString(record.type) || !KNOWN_ENTRY_TYPES.has(record.type)) continue;
    const problem = entryProblem(record);
    if (problem !== undefined) throw damaged(path, index + 1, problem);
    const entry = record as unknown as JournalEntry;
    switch (entry.type) {
      case 'run_started':
        runs += 1;
        lastRunFinished = false;
        break;
      case 'run_finished':
        lastRunFinished = true;
        break;
      case 'batch_started':
        inFlight.add(entry.op_id);
        break;
      case 'sent':
        attempted.add(entry.op_id);
        break;
      case 'row_result':
        if (entry.ok) {
          const done = doneRows.get(entry.op_id) ?? new Set<string>();
          done.add(entry.key);
          doneRows.set(entry.op_id, done);
          if (entry.id !== undefined) rowIds.set(`${entry.op_id}\u0000${entry.key}`, entry.id);
        }
        break;
      case 'batch_finished':
        inFlight.delete(entry.op_id);
        break;
      case 'call':
      case 'client':
        break;
      default:
        assertNever(entry);
    }
  }
  return { doneRows, rowIds, inFlight, attempted, runs, lastRunFinished };
}

function assertNever(value: never): never {
  throw new Error(`unknown journal entry ${JSON.stringify(value)}`);
}

/**
 * Appends entries to the journal file, each line chained to the one before (journal-chain.ts);
 * `sync()` makes everything written so far durable.
 */
export class Journal {
  readonly path: string;
  private fd: number | undefined;
  private chain: string = CHAIN_START;
  private syncing = false;
  private syncAgain = false;

  constructor(path: string) {
    this.path = path;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a+', 0o600);
    } catch (error) {
      throw unreadable(path, error);
    }
    // A crash mid-write leaves a torn last line with no newline: end it, so the first entry of
    // this run starts a line of its own (replay skips the torn one, never this run's).
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
      this.chain = lastChain(this.fd, size);
    }
  }

  /** The chain of the last line written: printed by apply, so a later cut of the file is seen. */
  get head(): string {
    return this.chain;
  }

  append(...entries: readonly JournalEntry[]): void {
    this.appendAll(entries);
  }

  /**
   * Appends entries with one write per MiB or so (a batch's row results come all at once). Takes
   * an array: spreading a long list into append(...) would pass every entry on the stack.
   */
  appendAll(entries: readonly JournalEntry[]): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`journal ${this.path} is closed`);
    let pending: string[] = [];
    let size = 0;
    for (const entry of entries) {
      const { line: text, chain } = chainedLine(this.chain, JSON.stringify(entry));
      this.chain = chain;
      const line = text + '\n';
      pending.push(line);
      size += line.length;
      if (size >= READ_CHUNK) {
        writeSync(fd, pending.join(''));
        pending = [];
        size = 0;
      }
    }
    if (pending.length > 0) writeSync(fd, pending.join(''));
  }

  /**
   * Makes everything written so far durable. The flush runs off the event loop: entries are
   * already written (a killed process loses none), the flush only guards against losing the OS,
   * and waiting for the disk after every batch would hold up the batches still in flight.
   */
  sync(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    fsync(fd, () => {
      this.syncing = false;
      if (this.fd === undefined) closeSync(fd);
      else if (this.syncAgain) {
        this.syncAgain = false;
        this.sync();
      }
    });
  }

  /** Flushes and closes; a background flush still running closes the file when it ends. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    fsyncSync(fd);
    this.fd = undefined;
    if (!this.syncing) closeSync(fd);
  }
}
