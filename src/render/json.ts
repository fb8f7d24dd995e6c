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
  desired_digest: 6,
  desired_files: 7,
  settings: 8,
  live_digests: 9,
  changes: 10,
  operations: 11,
  diagnostics: 12,
  summary: 13,
} satisfies Record<keyof Plan, number>;

/**
 * Levels below the top whose arrays and objects are written member by member: changes,
 * operations, diagnostics (level 1) and the live digests per user (level 2) grow with the
 * number of users; everything deeper is one small record.
 */
const STREAMED_LEVELS = 3;

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would, byte for byte, at nesting `level`
 * (its first line is already indented by the caller). Members of containers above
 * STREAMED_LEVELS go out one by one; a member is a few hundred characters at most.
 */
function writeValue(out: ChunkWriter, value: unknown, level: number): void {
  const pad = '  '.repeat(level);
  if (level >= STREAMED_LEVELS || !isContainer(value)) {
    // JSON escapes newlines inside strings, so every raw newline here is indentation to shift.
    out.write((JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${pad}`));
    return;
  }
  const inner = `${pad}  `;
  let first = true;
  const member = (key: string | undefined, item: unknown): void => {
    out.write(first ? '\n' : ',\n');
    first = false;
    out.write(key === undefined ? inner : `${inner}${JSON.stringify(key)}: `);
    writeValue(out, item, level + 1);
  };
  if (Array.isArray(value)) {
    out.write('[');
    // JSON.stringify writes a hole, undefined, a function or a symbol in an array as null.
    for (const item of value as readonly unknown[]) member(undefined, item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item);
    out.write(first ? ']' : `\n${pad}]`);
    return;
  }
  out.write('{');
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    member(key, item);
  }
  out.write(first ? '}' : `\n${pad}}`);
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
