/**
 * The journal's hash chain. Every line apply writes ends with a `chain` field:
 *
 *   chain = sha256_hex(previous chain + the line's JSON without its chain field)
 *
 * where "previous chain" is the chain of the last chained line before it in the file ('' for the
 * first). Editing a line breaks its own chain; removing or inserting one breaks the chain of the
 * line after it. A line torn by a crash (not JSON) is outside the chain: the next run continues
 * from the last whole line. Removing lines at the end leaves a shorter, sound chain: that is why
 * apply prints the chain's head, and `journal verify --head` checks a head printed earlier.
 */
import { readSync } from 'node:fs';
import { hash } from 'node:crypto';

/** The chain before a file's first chained line. */
export const CHAIN_START = '';

const CHAIN_SUFFIX = /,"chain":"([0-9a-f]{64})"\}$/;

export function nextChain(previous: string, body: string): string {
  // One-shot hash: several times cheaper than createHash per line on a million-row journal.
  return hash('sha256', previous + body, 'hex');
}

/** The line written for an entry's JSON `body` (an object) after chain `previous`, and its chain. */
export function chainedLine(previous: string, body: string): { readonly line: string; readonly chain: string } {
  const chain = nextChain(previous, body);
  return { line: `${body.slice(0, -1)},"chain":"${chain}"}`, chain };
}

/** A line's JSON without its chain field, and the chain it carries; undefined for a line without one. */
export function splitChained(line: string): { readonly body: string; readonly chain: string } | undefined {
  const match = CHAIN_SUFFIX.exec(line);
  if (match === null) return undefined;
  return { body: `${line.slice(0, match.index)}}`, chain: match[1] ?? '' };
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The chain a line continues from, or undefined when the line is torn (not JSON). */
function chainAfter(line: string): string | undefined {
  if (!isJsonObject(line)) return undefined;
  return splitChained(line)?.chain ?? CHAIN_START;
}

const TAIL_WINDOW = 1 << 16;

/**
 * The chain the next line of an open journal continues: that of its last whole line, or of the
 * line before a torn last line. A journal of an older version (no chain) restarts the chain.
 * Reads only the file's end (a journal can be larger than memory).
 */
export function lastChain(fd: number, size: number): string {
  for (let window = TAIL_WINDOW; ; window *= 4) {
    const start = Math.max(0, size - window);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // The first line of a window that does not start the file may be cut: not used.
    const whole = start === 0 ? lines : lines.slice(1);
    if (whole.length < 2 && start > 0) continue;
    const last = whole.at(-1);
    if (last === undefined) return CHAIN_START;
    const after = chainAfter(last);
    if (after !== undefined) return after;
    const before = whole.at(-2);
    return before === undefined ? CHAIN_START : (chainAfter(before) ?? CHAIN_START);
  }
}
