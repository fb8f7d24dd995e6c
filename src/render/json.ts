/** JSON view: the plan document itself, top-level keys in a fixed order, two-space indented. */
import type { Plan } from '../plan/index.js';
import { ChunkWriter, collectOutput, type OutputSink } from './chunks.js';

/** Every key of a plan, in document order; a key missing here is a compile error. */
const TOP_LEVEL_ORDER = {
  format_version: 1,
  created_at: 2,
  tool_version: 3,
  target: 4,
  git_commit: 5,
  git_dirty: 5.5,
  desired_digest: 6,
  desired_files: 7,
  settings: 8,
  live_digests: 9,
  changes: 10,
  operations: 11,
  diagnostics: 12,
  summary: 13,
  seats: 14,
} satisfies Record<keyof Plan, number>;

/**
 * Array members written per JSON.stringify call (an operation holds up to 500 rows, so a slice
 * stays a few MB), and the most members of an object written whole.
 */
const SLICE = 32;

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** `JSON.stringify(value, null, 2)` shifted right by `pad` after every newline (JSON escapes newlines in strings, so each is indentation). */
function whole(value: unknown, pad: string): string {
  const text = (JSON.stringify(value, null, 2) as string | undefined) ?? 'null';
  return pad === '' ? text : text.replace(/\n/g, `\n${pad}`);
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would, byte for byte, at nesting `level`
 * (its first line already indented by the caller), never as one string when it is large: the
 * plan's members one by one, a long array (changes, operations, diagnostics) a slice of
 * members at a time, and a large object (the live digest of every user) member by member.
 */
function writeValue(out: ChunkWriter, value: unknown, level: number): void {
  const pad = '  '.repeat(level);
  if (!isContainer(value)) {
    out.write(whole(value, pad));
    return;
  }
  if (Array.isArray(value)) {
    writeArray(out, value as readonly unknown[], pad);
    return;
  }
  const keys = Object.keys(value);
  if (level > 0 && keys.length <= SLICE) {
    out.write(whole(value, pad));
    return;
  }
  const record = value as Readonly<Record<string, unknown>>;
  let count = 0;
  for (const key of keys) {
    const item = record[key];
    // JSON.stringify leaves out a key whose value is undefined, a function or a symbol.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out.write(`${count === 0 ? '{' : ','}\n${pad}  ${JSON.stringify(key)}: `);
    writeValue(out, item, level + 1);
    count++;
  }
  out.write(count === 0 ? '{}' : `\n${pad}}`);
}

function writeArray(out: ChunkWriter, list: readonly unknown[], pad: string): void {
  if (list.length <= SLICE) {
    out.write(whole(list, pad));
    return;
  }
  out.write('[');
  for (let from = 0; from < list.length; from += SLICE) {
    // `[\n  a,\n  b\n]` → `  a,\n  b`, shifted to this level; undefined members become null as in JSON.stringify.
    const text = whole(list.slice(from, from + SLICE), pad);
    out.write(`${from === 0 ? '' : ','}\n${text.slice(2, text.length - 2 - pad.length)}`);
  }
  out.write(`\n${pad}]`);
}

/** Writes the plan document to `sink` in chunks. */
export function writeJson(plan: Plan, sink: OutputSink): void {
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(TOP_LEVEL_ORDER) as (keyof Plan)[]) if (plan[key] !== undefined) ordered[key] = plan[key];
  const out = new ChunkWriter(sink);
  writeValue(out, ordered, 0);
  out.write('\n');
  out.flush();
}

export function renderJson(plan: Plan): string {
  return collectOutput('JSON plan', (sink) => {
    writeJson(plan, sink);
  });
}
