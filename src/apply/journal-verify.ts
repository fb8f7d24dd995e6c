/**
 * `journal verify`: reads a journal line by line and checks its hash chain (journal-chain.ts),
 * its JSON and the fields replay needs. It names every line that breaks the chain (up to a
 * limit), and tells a journal of an older version (no chain) apart from a damaged one.
 */
import { closeSync, openSync } from 'node:fs';
import { VaultRosterError } from '../errors.js';
import { CHAIN_START, nextChain, splitChained } from './journal-chain.js';
import { KNOWN_ENTRY_TYPES, entryProblem, journalLines, unreadable } from './journal.js';

export interface JournalProblem {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly why: string;
}

export interface JournalVerdict {
  readonly path: string;
  /** Lines with an entry (blank lines and torn lines not counted). */
  readonly entries: number;
  readonly chained: number;
  /** Lines at the start written by a version without the chain (they cannot be checked). */
  readonly unchained: number;
  /** Lines torn by a crash, where replay accepts them (last, or right before a run_started). */
  readonly torn: readonly number[];
  readonly problems: readonly JournalProblem[];
  /** Problems found beyond those listed. */
  readonly more_problems: number;
  /** Chain of the last chained line, and that line. */
  readonly head?: { readonly chain: string; readonly line: number };
  readonly runs: number;
  readonly finished_runs: number;
  /** Distinct plan ids of the runs, in order of first appearance. */
  readonly plan_ids: readonly string[];
  /** The line whose chain is `expectHead`, when one was asked for and found. */
  readonly head_found_at?: number;
}

const MAX_PROBLEMS = 20;

const EDITED = 'does not match the chain: this line was edited, or a line right before it was removed or inserted';

class Checker {
  previous = CHAIN_START;
  chainedSince: number | undefined;
  entries = 0;
  chained = 0;
  unchained = 0;
  torn: number[] = [];
  problems: JournalProblem[] = [];
  more = 0;
  head: { chain: string; line: number } | undefined;
  runs = 0;
  finished = 0;
  planIds: string[] = [];
  headFoundAt: number | undefined;
  /** A line that is not JSON, waiting to see whether a run_started follows it. */
  pendingTorn: number | undefined;

  constructor(private readonly expectHead: string | undefined) {}

  problem(line: number, why: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, why });
    else this.more += 1;
  }

  line(text: string, number: number): void {
    if (text.trim() === '') {
      if (this.chainedSince !== undefined) this.problem(number, 'is empty: apply never writes an empty line (inserted)');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (this.pendingTorn !== undefined) this.problem(this.pendingTorn, 'is not JSON (only a line torn by a crash, last or right before a run_started, is accepted)');
      this.pendingTorn = number;
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.problem(number, 'is not a journal entry (not a JSON object)');
      return;
    }
    const record = parsed as Record<string, unknown>;
    this.settleTorn(record.type === 'run_started');
    this.entries += 1;
    this.checkChain(text, number);
    this.checkEntry(record, number);
  }

  private settleTorn(nextIsRunStart: boolean): void {
    if (this.pendingTorn === undefined) return;
    if (nextIsRunStart) this.torn.push(this.pendingTorn);
    else this.problem(this.pendingTorn, 'is not JSON (only a line torn by a crash, last or right before a run_started, is accepted)');
    this.pendingTorn = undefined;
  }

  private checkChain(text: string, number: number): void {
    const split = splitChained(text);
    if (split === undefined) {
      if (this.chainedSince === undefined) this.unchained += 1;
      else this.problem(number, `has no chain, though the lines from ${this.chainedSince} on have one (inserted, or written by an older vault-roster)`);
      return;
    }
    this.chainedSince ??= number;
    this.chained += 1;
    if (nextChain(this.previous, split.body) !== split.chain) this.problem(number, EDITED);
    // Carry on from the chain the line holds: one edited line is then named once, not with all that follow.
    this.previous = split.chain;
    this.head = { chain: split.chain, line: number };
    if (this.expectHead !== undefined && split.chain === this.expectHead) this.headFoundAt = number;
  }

  private checkEntry(record: Record<string, unknown>, number: number): void {
    if (typeof record.type !== 'string' || !KNOWN_ENTRY_TYPES.has(record.type)) return;
    const problem = entryProblem(record);
    if (problem !== undefined) this.problem(number, `is damaged: ${problem}`);
    if (record.type === 'run_started') {
      this.runs += 1;
      const id = String(record.plan_id);
      if (!this.planIds.includes(id)) this.planIds.push(id);
    }
    if (record.type === 'run_finished') this.finished += 1;
  }

  end(): void {
    // A torn last line is what a crash leaves: accepted.
    if (this.pendingTorn !== undefined) this.torn.push(this.pendingTorn);
    this.pendingTorn = undefined;
  }
}

/** Checks a journal file. Throws a `journal-file` error only when it cannot be read at all. */
export function verifyJournal(path: string, expectHead?: string): JournalVerdict {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VaultRosterError('journal-file', `journal ${path} does not exist`, {
        hint: 'Give a file of .vault-roster/journal/ (named by the plan id apply printed).',
      });
    }
    throw unreadable(path, error);
  }
  const checker = new Checker(expectHead);
  try {
    let number = 0;
    let last: string | undefined;
    for (const text of journalLines(path, fd)) {
      if (last !== undefined) checker.line(last, number);
      number += 1;
      last = text;
    }
    // The piece after the final newline: empty in a whole journal, else the last line.
    if (last !== undefined && last !== '') checker.line(last, number);
    checker.end();
  } finally {
    closeSync(fd);
  }
  return {
    path,
    entries: checker.entries,
    chained: checker.chained,
    unchained: checker.unchained,
    torn: checker.torn,
    problems: checker.problems,
    more_problems: checker.more,
    ...(checker.head === undefined ? {} : { head: checker.head }),
    runs: checker.runs,
    finished_runs: checker.finished,
    plan_ids: checker.planIds,
    ...(checker.headFoundAt === undefined ? {} : { head_found_at: checker.headFoundAt }),
  };
}
