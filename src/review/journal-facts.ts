/**
 * Reads what a review record needs from an apply journal: execution ids per operation and each
 * row's outcome. The journal's hash chain is checked first (`journal verify`): a damaged or
 * edited journal is refused, never half-read into evidence. I/O.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { verifyJournal } from '../apply/index.js';
import { VaultRosterError } from '../errors.js';
import type { JournalFacts } from './record.js';

function parsedLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line): Record<string, unknown>[] => {
      if (line.trim() === '') return [];
      try {
        const value: unknown = JSON.parse(line);
        return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
      } catch {
        // A torn line, which verifyJournal has already judged acceptable.
        return [];
      }
    });
}

export function readJournalFacts(path: string): JournalFacts {
  const verdict = verifyJournal(path);
  const first = verdict.problems[0];
  if (first !== undefined || verdict.entries === 0) {
    throw new VaultRosterError('journal-file', `journal ${path} cannot be used as review evidence: ${first === undefined ? 'it has no entries' : `line ${first.line}: ${first.why}`}`, {
      hint: `run "vault-roster journal verify ${path}" to see every problem; give the journal apply wrote for this plan`,
    });
  }
  const executionIds = new Map<string, string[]>();
  const rows = new Map<string, boolean>();
  for (const entry of parsedLines(path)) {
    const op = entry.op_id;
    if (typeof op !== 'string') continue;
    if (entry.type === 'call' && typeof entry.execution_id === 'string') executionIds.set(op, [...new Set([...(executionIds.get(op) ?? []), entry.execution_id])]);
    if (entry.type === 'row_result' && typeof entry.key === 'string' && typeof entry.ok === 'boolean') rows.set(`${op} ${entry.key}`, entry.ok);
  }
  return { file: basename(path), head: verdict.head?.chain ?? null, execution_ids: executionIds, rows };
}
